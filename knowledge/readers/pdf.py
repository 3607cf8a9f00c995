"""PDF through PDFium (pypdfium2), page by page; pages without a text layer are OCR'd.

PDFium was chosen by measurement (bench/pdf_engines.py): on the bundled strategy rendered to PDF
it keeps words and line breaks as the page shows them, reads the pages fastest, and opens files
restricted against copying (an owner password with an empty user password) as every viewer does.
"""
from __future__ import annotations

from pathlib import Path

from knowledge.errors import UnreadableDocument
from knowledge.readers.extracted import ExtractedText

# A page with fewer characters than this in its text layer is taken as scanned.
SCANNED_PAGE_CHARS = 20
# PDFium marks a hyphen it saw at a line end with U+FFFE or U+0002; the hyphen itself is meant.
_PDFIUM_HYPHENS = {"\ufffe": "-", "\x02": "-"}


def _page_text(page) -> str:
    textpage = page.get_textpage()
    try:
        text = textpage.get_text_bounded()
    finally:
        textpage.close()
    for marker, hyphen in _PDFIUM_HYPHENS.items():
        text = text.replace(marker, hyphen)
    return text


def read_pdf(path: Path) -> ExtractedText:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise UnreadableDocument(
                str(path), "the PDF needs a password to open; save a copy without an opening password"
            ) from exc
        raise UnreadableDocument(str(path), f"corrupt or unreadable PDF ({exc})") from exc
    try:
        pages: list[str] = []
        for index in range(len(pdf)):
            page = pdf[index]
            try:
                pages.append(_page_text(page))
            finally:
                page.close()
        scanned = [i for i, text in enumerate(pages) if len(text.strip()) < SCANNED_PAGE_CHARS]
        method = "PDF text layer (PDFium)"
        if scanned:
            from knowledge.readers.ocr import ocr_missing, ocr_pdf_pages

            missing = ocr_missing()
            if missing is None:
                for index, text in ocr_pdf_pages(pdf, scanned).items():
                    pages[index] = text
                method = f"OCR of {len(scanned)} of {len(pages)} pages (Tesseract)"
            elif len(scanned) == len(pages):
                raise UnreadableDocument(str(path), f"scanned: no text layer — {missing}")
            # else: a few pages without text (blank, a picture); the rest of the document is used
    except pdfium.PdfiumError as exc:
        raise UnreadableDocument(str(path), f"corrupt or unreadable PDF ({exc})") from exc
    finally:
        pdf.close()
    return ExtractedText(tuple(pages), paged=True, method=method)
