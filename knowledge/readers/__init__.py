"""Readers: a document file in, its text out, page by page where the format has pages.

One reader per format, each on a well-kept library (pypdfium2, python-docx's XML, trafilatura,
charset-normalizer and ftfy, LibreOffice for the old office formats, Tesseract for scans). Readers
return text in the shape PDF extraction leaves it (hard line breaks, bullet glyphs); markdown-style
`#` headings, `•` bullets and `7.` numbers are used where the format knows its structure, so one
cleaning and structure step (`knowledge.cleaning`, `knowledge.structure`) serves every format.

A reader runs inside the indexing process only through `knowledge.isolation`, which gives each
file a worker process with a time and memory limit.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from knowledge.errors import UnreadableDocument
from knowledge.readers.extracted import ExtractedText

SUPPORTED_SUFFIXES = (".txt", ".md", ".pdf", ".docx", ".html", ".htm", ".odt", ".doc", ".rtf")
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024


def _reader_for(suffix: str) -> Callable[[Path], ExtractedText] | None:
    # Imported on use: each format's library is only loaded when a file of that format is read.
    if suffix in (".txt", ".md"):
        from knowledge.readers.text import read_text_file

        return read_text_file
    if suffix == ".pdf":
        from knowledge.readers.pdf import read_pdf

        return read_pdf
    if suffix == ".docx":
        from knowledge.readers.docx import read_docx

        return read_docx
    if suffix in (".html", ".htm"):
        from knowledge.readers.html import read_html

        return read_html
    if suffix in (".odt", ".doc", ".rtf"):
        from knowledge.readers.office import read_via_libreoffice

        return read_via_libreoffice
    return None


def extract_text(path: Path) -> ExtractedText:
    """The text of one document, page by page; UnreadableDocument saying why it can't be used.

    Runs the reader in this process: use `knowledge.isolation.extract_isolated` for files you
    did not make yourself.
    """
    suffix = path.suffix.lower()
    reader = _reader_for(suffix)
    if reader is None:
        raise UnreadableDocument(
            str(path), f"unknown format '{suffix or path.name}'; supported: {', '.join(SUPPORTED_SUFFIXES)}"
        )
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise UnreadableDocument(str(path), f"cannot open ({exc.strerror})") from exc
    if size > MAX_DOCUMENT_BYTES:
        raise UnreadableDocument(str(path), f"too large ({size // 1_000_000} MB; the limit is 50 MB)")
    if size == 0:
        raise UnreadableDocument(str(path), "the file is empty")
    extracted = reader(path)
    if not extracted.text.strip():
        raise UnreadableDocument(str(path), "no text found")
    return extracted


def read_document(path: Path) -> str:
    """The text of one document (pages joined), or UnreadableDocument saying why it can't be used."""
    return extract_text(path).text


__all__ = ["ExtractedText", "SUPPORTED_SUFFIXES", "MAX_DOCUMENT_BYTES", "extract_text", "read_document"]
