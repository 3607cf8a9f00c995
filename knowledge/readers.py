"""Readers: a document file in, its plain text out.

Each reader returns text in the shape PDF extraction leaves it (hard line breaks, bullet glyphs);
markdown-style `#` headings and `•` bullets are used where the format knows its structure (.md,
.docx), so one cleaning and structure step serves every format.
"""
from __future__ import annotations

import logging
import zipfile
from pathlib import Path
from typing import Callable

from knowledge.errors import UnreadableDocument

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".txt", ".md", ".pdf", ".docx")
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableDocument(str(path), "not UTF-8 or Windows-1252 text")


def _read_pdf(path: Path) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            raise UnreadableDocument(str(path), "the PDF is password protected; save an unprotected copy")
        pages = [page.extract_text() or "" for page in reader.pages]
    except UnreadableDocument:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise UnreadableDocument(str(path), f"corrupt or unreadable PDF ({type(exc).__name__}: {exc})") from exc
    except Exception as exc:  # pypdf raises many internal types on damaged files
        raise UnreadableDocument(str(path), f"corrupt or unreadable PDF ({type(exc).__name__})") from exc
    return "\n".join(pages)


def _read_docx(path: Path) -> str:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise UnreadableDocument(str(path), f"corrupt or unreadable Word file ({type(exc).__name__})") from exc
    lines: list[str] = []
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        if not text:
            lines.append("")
            continue
        style = (paragraph.style.name or "").lower() if paragraph.style is not None else ""
        if style.startswith("heading") or style == "title":
            level = "".join(ch for ch in style if ch.isdigit()) or "1"
            lines += ["", "#" * min(int(level), 6) + " " + text, ""]
        elif "list" in style:
            lines.append("• " + text)
        else:
            lines += [text, ""]
    return "\n".join(lines)


READERS: dict[str, Callable[[Path], str]] = {
    ".txt": _read_text,
    ".md": _read_text,
    ".pdf": _read_pdf,
    ".docx": _read_docx,
}


def read_document(path: Path) -> str:
    """The text of one document, or UnreadableDocument saying why it can't be used."""
    suffix = path.suffix.lower()
    reader = READERS.get(suffix)
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
    text = reader(path)
    if not text.strip():
        raise UnreadableDocument(str(path), "no text found (a scanned PDF needs OCR first)")
    return text
