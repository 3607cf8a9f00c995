"""Which PDF engine extracts the bundled strategies best: pypdfium2, pdfplumber or pypdf.

    python -m bench.pdf_engines

Each bundled .txt is rendered to a PDF (tests/knowledge/render.py: running header, page numbers,
hyphenation at the margin); each engine's page texts then go through the same cleaning, structure
and passage steps as the index. Printed per engine: the share of the source's sentences found
whole in some passage (letters and digits compared, as the scorer does), the share of numbered
items that kept their number, and the seconds to extract all pages.
"""
from __future__ import annotations

import re
import sys
import tempfile
import time
from pathlib import Path

from knowledge.cleaning import clean_lines, drop_running_lines
from knowledge.library import bundled_documents_dir
from knowledge.passages import build_passages
from knowledge.structure import parse_blocks
from tests.knowledge.render import render_pdf, structure_of

_KEEP = re.compile(r"[^0-9a-zæøåäöéü]+")


def squash(text: str) -> str:
    return _KEEP.sub("", text.lower())


def pypdfium2_pages(path: Path) -> list[str]:
    from knowledge.readers.pdf import read_pdf

    return list(read_pdf(path).pages)


def pdfplumber_pages(path: Path) -> list[str]:
    import pdfplumber

    with pdfplumber.open(str(path)) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def pypdf_pages(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(str(path)).pages]


ENGINES = {"pypdfium2": pypdfium2_pages, "pdfplumber": pdfplumber_pages, "pypdf": pypdf_pages}


def measure(pdfs: list[tuple[Path, list]], engine) -> dict[str, float]:
    sentences = found = items = numbered = 0
    seconds = 0.0
    for pdf, pieces in pdfs:
        started = time.perf_counter()
        pages = engine(pdf)
        seconds += time.perf_counter() - started
        blocks = parse_blocks(clean_lines("\n".join(drop_running_lines(pages))))
        passages = [squash(p.text) for p in build_passages(blocks, "x", "x")]
        whole = "\n".join(passages)
        for piece in pieces:
            for sentence in re.split(r"(?<=[.!?])\s+", piece.block.text):
                if len(sentence) > 30:
                    sentences += 1
                    found += squash(sentence) in whole
        source_items = {(b.block.number, squash(b.block.text)[:40]) for b in pieces if b.block.kind == "item" and b.block.number}
        got = {(b.number, squash(b.text)[:40]) for b in blocks if b.kind == "item" and b.number}
        items += len(source_items)
        numbered += len(source_items & got)
    return {"sentences kept": found / max(sentences, 1), "item numbers kept": numbered / max(items, 1), "seconds": seconds}


def main() -> None:
    engines = {name: fn for name, fn in ENGINES.items() if name in sys.argv[1:]} or ENGINES
    with tempfile.TemporaryDirectory() as tmp:
        pdfs = []
        for txt in sorted(bundled_documents_dir().rglob("*.txt")):
            pieces = structure_of(txt)
            pdfs.append((render_pdf(pieces, Path(tmp) / f"{txt.parent.name}-{txt.stem}.pdf"), pieces))
        print(f"{len(pdfs)} bundled documents rendered to PDF")
        for name, engine in engines.items():
            try:
                figures = measure(pdfs, engine)
            except ImportError as exc:
                print(f"{name:11s} not installed ({exc.name})")
                continue
            print(f"{name:11s} " + "  ".join(f"{k} {v:.3f}" for k, v in figures.items()))


if __name__ == "__main__":
    main()
