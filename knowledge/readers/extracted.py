"""What a reader returns: the document's text, page by page where the format has pages."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ExtractedText:
    """pages: the text of each page in order (a format without pages has one); paged: the format
    has real pages, so page numbers can be cited; method: how it was read, e.g. "OCR (Tesseract, nor)";
    title: the document's own title where the format gives it apart from the text (a web page's <h1>);
    url: the web address the document says it was taken from (a text file's "SOURCE:" header)."""

    pages: tuple[str, ...]
    paged: bool = False
    method: str = ""
    title: str | None = None
    url: str | None = None

    @property
    def text(self) -> str:
        return "\n".join(self.pages)
