"""Building the index from a knowledge base: embed what changed, reuse what didn't, swap in atomically."""
from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

import numpy as np

from index.embedder import Embedder
from index.lexical import LexicalIndex
from index.store import (
    FORMAT_VERSION,
    IndexError_,
    StoredIndex,
    build_lock,
    current_generation,
    load_generation,
    save_generation,
    write_generation,
)
from knowledge.library import Document, KnowledgeBase, SkippedFile
from knowledge.notes import AdviserNote
from knowledge.passages import Passage
from knowledge.rules import Rule

Progress = Callable[[int, int], None]
EMBED_BATCH = 32
# How a rule's vector is made: the mean of its e5 "passage: " and "query: " encodings (then unit length).
# Questions are short and so is a rule; the query view scores question-to-rule similarity as between
# two questions. Measured (README "Quality"): rule accuracy 0.446 → 0.477 on the bundled sets and
# 0.333 → 0.364 on other municipalities' documents, the same under 5-fold cross-validation.
RULE_VIEWS = "passage+query"


@dataclass
class BuildReport:
    """What a build did, for the command line, the chat and the admin page."""

    documents: int = 0
    passages: int = 0
    rules: int = 0
    embedded: int = 0
    reused: int = 0
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)
    formats: dict[str, int] = field(default_factory=dict)  # documents read per format: {".pdf": 2}
    notes: int = 0  # adviser notes indexed (their own source type)
    up_to_date: bool = False
    generation: str = ""
    model: str = ""
    seconds: float = 0.0


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _pipeline_fingerprint() -> str:
    """Changes when the code that turns documents into passages, rules and tokens changes: then everything is re-read.

    Reads the source of every module of the `knowledge` package (a new reader counts without
    being listed) and of `index.lexical` (the tokenizer)."""
    import index.lexical
    import knowledge

    sources = sorted(Path(knowledge.__file__).parent.rglob("*.py")) + [Path(index.lexical.__file__)]
    return _key("".join(p.read_text(encoding="utf-8") for p in sources))


def _catalog_fingerprint(kb: KnowledgeBase, notes: list[AdviserNote] = ()) -> str:
    data = {
        "notes": [[n.id, n.municipality, n.question, n.text, n.author, n.written_on] for n in notes],
        "municipalities": {k: [m.name, m.contact.__dict__] for k, m in sorted(kb.catalog.municipalities.items())},
        "documents": {k: [d.municipality, d.title, d.period, list(d.supersedes)] for k, d in sorted(kb.catalog.documents.items())},
        "urls": {k: d.web_url for k, d in sorted(kb.documents.items()) if d.web_url},
    }
    return _key(json.dumps(data, sort_keys=True, ensure_ascii=False) + _pipeline_fingerprint() + RULE_VIEWS)


def up_to_date(
    kb: KnowledgeBase, index_dir: Path, model_name: str, notes: list[AdviserNote] | tuple[AdviserNote, ...] | None = None
) -> BuildReport | None:
    """The report of a build that would change nothing (same model name, documents, catalog and
    notes as the generation serving), else None. Needs no embedding model, so a command can skip
    loading one (~10 s); `build_index` makes the same check under the build lock."""
    started = time.perf_counter()
    previous = _previous_generation(index_dir)
    report = _against_previous(kb, previous, model_name, None, notes)[1]
    if not report.up_to_date:
        return None
    report.seconds = time.perf_counter() - started
    return report


def _against_previous(
    kb: KnowledgeBase,
    previous: StoredIndex | None,
    model_name: str,
    dimension: int | None,
    notes: list[AdviserNote] | tuple[AdviserNote, ...] | None,
) -> tuple[KnowledgeBase, BuildReport, list[AdviserNote], str]:
    """(the knowledge base with unreadable files' indexed versions kept, the report of what changed
    since `previous` — `up_to_date` when nothing did —, the notes to index, the catalog fingerprint).
    `dimension` None: not checked (the model isn't loaded); notes None: the previous generation's."""
    kb = _keep_indexed_versions(kb, previous)
    report = BuildReport(model=model_name, skipped=list(kb.skipped), formats=kb.format_counts())
    _compare_documents(report, kb, previous.manifest["documents"] if previous else {})
    if notes is None:
        notes = list(previous.notes) if previous is not None else []
    notes = sorted(notes, key=lambda n: n.id)
    fingerprint = _catalog_fingerprint(kb, notes)
    if (
        previous is not None
        and previous.model == model_name
        and dimension in (None, previous.manifest["dimension"])
        and not (report.added or report.changed or report.removed)
        and previous.manifest.get("catalog") == fingerprint
    ):
        report.up_to_date = True
        report.generation = previous.generation
        _fill_counts(report, previous.manifest)
    return kb, report, notes, fingerprint


def build_index(
    kb: KnowledgeBase,
    embedder: Embedder,
    index_dir: Path,
    progress: Progress | None = None,
    notes: list[AdviserNote] | tuple[AdviserNote, ...] | None = None,
) -> BuildReport:
    """Build or update the index in `index_dir`; the index that serves is replaced only when this succeeds.

        kb = load_knowledge(Path("knowledge/documents"))
        report = build_index(kb, load_embedder(settings.model, settings.data_dir), Path("index"))
        report.generation, report.passages, report.seconds

    Texts already embedded in the previous generation with the same model are reused; with nothing
    changed it returns at once (`report.up_to_date`). `progress(done, total)` counts texts embedded.
    Writes a new generation folder and swaps the CURRENT pointer atomically; readers keep the
    generation they loaded. `notes` are the active adviser notes (`bot.admin.cases`): embedded and
    stored apart from passages, so a generation holds exactly the notes active at its build (a
    withdrawn note leaves at the next build); None keeps the previous generation's notes (a caller
    that can't read them must not drop them). Raises IndexBusy when another build holds the folder's lock, and
    lets embedding or disk errors through (the serving generation is then untouched).
    """
    started = time.perf_counter()
    with build_lock(index_dir):
        previous = _previous_generation(index_dir)
        kb, report, notes, fingerprint = _against_previous(kb, previous, embedder.name, embedder.dimension, notes)
        if report.up_to_date:
            report.seconds = time.perf_counter() - started
            return report
        same_model = previous is not None and previous.model == embedder.name and previous.manifest["dimension"] == embedder.dimension
        # Passages grouped by municipality so a municipality is one contiguous range of the index.
        order = {m: i for i, m in enumerate(sorted({p.municipality for p in kb.passages}))}
        passages = sorted(kb.passages, key=lambda p: (order[p.municipality], p.document_id, p.order))
        texts = [p.search_text() for p in passages]
        sections = {p.id: p.section_title for p in passages}
        rule_texts = [_rule_text(sections, r) for r in kb.rules]
        note_texts = [n.search_text() for n in notes]
        reusable = _reusable_vectors(previous) if same_model else {}
        rule_keys = [_key(RULE_VIEWS + t) for t in rule_texts]
        new_rules = [i for i, key in enumerate(rule_keys) if key not in reusable]
        views = [rule_texts[i] for i in new_rules] + [_QUERY_VIEW + rule_texts[i] for i in new_rules]
        vectors = _embed(texts + note_texts + views, embedder, reusable, report, progress)
        passage_vectors = vectors[: len(texts)]
        note_vectors = vectors[len(texts): len(texts) + len(note_texts)]
        fresh = vectors[len(texts) + len(note_texts):]
        rule_vectors = np.zeros((len(rule_texts), embedder.dimension), dtype=np.float32)
        for i, key in enumerate(rule_keys):
            if key in reusable:
                rule_vectors[i] = reusable[key]
                report.reused += 1
        if new_rules:
            rule_vectors[new_rules] = _mean_of_views(fresh[: len(new_rules)], fresh[len(new_rules):])
        lexical = LexicalIndex.build(texts)
        manifest = _manifest(kb, embedder, passages, fingerprint, notes)
        path = write_generation(
            index_dir, lambda tmp: save_generation(tmp, manifest, passages, kb.rules, passage_vectors, rule_vectors, lexical, notes, note_vectors)
        )
        report.generation = path.name
        _fill_counts(report, manifest)
        report.seconds = time.perf_counter() - started
        return report


def _previous_generation(index_dir: Path) -> StoredIndex | None:
    generation = current_generation(index_dir)
    if generation is None:
        return None
    try:
        return load_generation(generation)
    except IndexError_:
        return None  # a corrupt index is simply rebuilt


KEPT = " (the version already indexed is kept)"


def _keep_indexed_versions(kb: KnowledgeBase, previous: StoredIndex | None) -> KnowledgeBase:
    """A file that could not be read this time (a damaged new version, a file over a reading limit)
    but is in the index that serves keeps its indexed version: bad input loses nothing."""
    old_docs = previous.manifest["documents"] if previous else {}
    keep = {s.path for s in kb.skipped if s.path in old_docs and s.path not in kb.documents}
    if not keep:
        return kb
    documents = dict(kb.documents)
    for doc_id in keep:
        old = old_docs[doc_id]
        documents[doc_id] = Document(
            doc_id, old["municipality"], old["title"], old.get("period"), old["hash"], old.get("superseded_by"), old.get("url")
        )
    return replace(
        kb,
        documents=documents,
        passages=kb.passages + [p for p in previous.passages if p.document_id in keep],
        rules=kb.rules + [r for r in previous.rules if r.document_id in keep],
        skipped=[SkippedFile(s.path, s.reason + KEPT) if s.path in keep else s for s in kb.skipped],
    )


def _compare_documents(report: BuildReport, kb: KnowledgeBase, old_docs: dict) -> None:
    for doc_id, doc in kb.documents.items():
        old = old_docs.get(doc_id)
        if old is None:
            report.added.append(doc_id)
        elif old["hash"] != doc.content_hash:
            report.changed.append(doc_id)
        else:
            report.unchanged.append(doc_id)
    report.removed = sorted(set(old_docs) - set(kb.documents))


def _rule_text(sections: dict[str, str], rule: Rule) -> str:
    """What a rule's vector is made from: its section title and its sentence."""
    return f"{sections.get(rule.passage_id, '')}\n{rule.text}".strip()


_QUERY_VIEW = "\x00query\x00"  # marks a text to be encoded as a question (never occurs in document text)


def _mean_of_views(passage_view: np.ndarray, query_view: np.ndarray) -> np.ndarray:
    """Unit vectors halfway between each rule's passage and query encodings (see RULE_VIEWS)."""
    mean = passage_view + query_view
    norms = np.linalg.norm(mean, axis=1, keepdims=True)
    return (mean / np.where(norms > 0, norms, 1.0)).astype(np.float32)


def _reusable_vectors(previous: StoredIndex) -> dict[str, np.ndarray]:
    """The previous generation's vectors by the text they were made from: unchanged text is not
    embedded again. Rule vectors count only when made the same way (RULE_VIEWS)."""
    reusable = {_key(p.search_text()): previous.vectors[i] for i, p in enumerate(previous.passages)}
    if previous.manifest.get("rule_vectors") == RULE_VIEWS:
        sections = {p.id: p.section_title for p in previous.passages}
        reusable.update((_key(RULE_VIEWS + _rule_text(sections, r)), previous.rule_vectors[i]) for i, r in enumerate(previous.rules))
    if previous.note_vectors is not None:
        reusable.update((_key(n.search_text()), previous.note_vectors[i]) for i, n in enumerate(previous.notes))
    return reusable


def _embed(
    texts: list[str], embedder: Embedder, reusable: dict[str, np.ndarray], report: BuildReport, progress: Progress | None
) -> np.ndarray:
    vectors = np.zeros((len(texts), embedder.dimension), dtype=np.float32)
    todo: list[int] = []
    for i, text in enumerate(texts):
        vector = reusable.get(_key(text))
        if vector is None:
            todo.append(i)
        else:
            vectors[i] = vector
    report.reused = len(texts) - len(todo)
    todo.sort(key=lambda i: len(texts[i]))  # batches of similar length: little padding to compute
    if progress:
        progress(0, len(todo))
    for start in range(0, len(todo), EMBED_BATCH):
        chunk = todo[start: start + EMBED_BATCH]
        passages = [i for i in chunk if not texts[i].startswith(_QUERY_VIEW)]
        queries = [i for i in chunk if texts[i].startswith(_QUERY_VIEW)]
        if passages:
            vectors[passages] = embedder.encode_passages([texts[i] for i in passages])
        if queries:
            vectors[queries] = embedder.encode_queries([texts[i][len(_QUERY_VIEW):] for i in queries])
        if progress:
            progress(min(start + EMBED_BATCH, len(todo)), len(todo))
    report.embedded = len(todo)
    return vectors


def _manifest(kb: KnowledgeBase, embedder: Embedder, passages: list[Passage], fingerprint: str, notes: list[AdviserNote] = ()) -> dict:
    municipalities = {}
    for key in sorted({d.municipality for d in kb.documents.values()}):
        info = kb.catalog.municipality(key)
        municipalities[key] = {"name": info.name, "contact": {k: v for k, v in info.contact.__dict__.items() if v}}
    return {
        "format": FORMAT_VERSION,
        "model": embedder.name,
        "dimension": embedder.dimension,
        "rule_vectors": RULE_VIEWS,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "catalog": fingerprint,
        "documents": {
            d.id: {
                "hash": d.content_hash,
                "municipality": d.municipality,
                "title": d.title,
                "period": d.period,
                "superseded_by": d.superseded_by,
                "url": d.web_url,
                "passages": sum(1 for p in passages if p.document_id == d.id),
                "rules": sum(1 for r in kb.rules if r.document_id == d.id),
            }
            for d in kb.documents.values()
        },
        "municipalities": municipalities,
        "counts": {"documents": len(kb.documents), "passages": len(passages), "rules": len(kb.rules), "notes": len(notes)},
        "skipped": [{"path": s.path, "reason": s.reason} for s in kb.skipped],
    }


def _fill_counts(report: BuildReport, manifest: dict) -> None:
    counts = manifest["counts"]
    report.documents, report.passages, report.rules = counts["documents"], counts["passages"], counts["rules"]
    report.notes = counts.get("notes", 0)
