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
# PDFium marks a hyphen it saw at a line end with U+0002 (or U+FFFE) and joins the two lines; the
# line break is put back so that cleaning decides, for every format alike, whether the hyphen stays.
_PDFIUM_HYPHENS = ("\x02", "\ufffe")


def _rect_text(textpage, rect) -> str:
    text = textpage.get_text_bounded(*rect)
    for marker in _PDFIUM_HYPHENS:
        text = text.replace(marker, "-")
    return " ".join(text.split())


def _font_size(textpage, rect) -> float:
    import pypdfium2.raw as pdfium_c

    left, bottom, right, top = rect
    index = textpage.get_index(left + 1, (bottom + top) / 2, 3, 3)
    return float(pdfium_c.FPDFText_GetFontSize(textpage.raw, index)) if index is not None and index >= 0 else 0.0


def _page_lines(textpage) -> list[tuple[str, float, float | None]]:
    """The page's text lines in PDFium's reading order: (text, font size, the distance from the line
    above in font sizes; None for the first line or a line that is not below the previous one)."""
    lines: list[list] = []  # [text, left, bottom, right, top, size]
    for i in range(textpage.count_rects()):
        left, bottom, right, top = rect = textpage.get_rect(i)
        text = _rect_text(textpage, rect)
        if not text:
            continue
        if lines:
            last = lines[-1]
            overlap = min(top, last[4]) - max(bottom, last[2])
            if overlap > 0.5 * min(top - bottom, last[4] - last[2]) and left >= last[3] - 1:
                last[0] += ("" if left - last[3] < 0.15 * (top - bottom) else " ") + text
                last[2], last[3], last[4] = min(bottom, last[2]), right, max(top, last[4])
                continue
        lines.append([text, left, bottom, right, top, _font_size(textpage, rect)])
    out = []
    for n, line in enumerate(lines):
        # Line pitch (top to top) in font sizes: glyph boxes vary with the letters, tops hardly.
        pitch = lines[n - 1][4] - line[4] if n else None
        size = line[5] or max(line[4] - line[2], 1.0)
        out.append((line[0], line[5], pitch / size if pitch is not None and pitch > 0 else None))
    return out


def _paragraph_breaks(pages: list[list[tuple[str, float, float | None]]]) -> list[list[tuple[str, float]]]:
    """A blank line where the distance from the line above (in font sizes) is clearly larger than
    between the lines of a paragraph: the document's lower-quartile line pitch plus 0.4."""
    gaps = sorted(gap for lines in pages for _, _, gap in lines if gap is not None)
    threshold = gaps[len(gaps) // 4] + 0.4 if gaps else float("inf")
    out = []
    for lines in pages:
        page: list[tuple[str, float]] = []
        for text, size, gap in lines:
            if gap is not None and gap > threshold and page:
                page.append(("", 0.0))
            page.append((text, size))
        out.append(page)
    return out


def _mark_headings(pages: list[list[tuple[str, float]]]) -> list[str]:
    """Page texts with lines set in a larger font than the body text marked as `#` headings (the
    largest size is level 1); a heading wrapped over two lines is one heading."""
    weight: dict[float, int] = {}
    for lines in pages:
        for text, size in lines:
            weight[round(size, 1)] = weight.get(round(size, 1), 0) + len(text)
    body = max(weight, key=weight.get) if weight else 0.0
    larger = sorted((size for size in weight if body and size >= body * 1.15), reverse=True)[:3]
    level = {size: n for n, size in enumerate(larger, start=1)}
    out = []
    for lines in pages:
        text_lines: list[str] = []
        previous_heading = None
        for text, size in lines:
            heading = level.get(round(size, 1)) if len(text) <= 120 and not text.endswith((".", ",", ";")) else None
            if heading and heading == previous_heading and len(text_lines) > 1 and text_lines[-2].startswith("#"):
                text_lines[-2] += " " + text
            elif heading:
                text_lines += ["", "#" * heading + " " + text, ""]
            else:
                text_lines.append(text)
            previous_heading = heading
        out.append("\n".join(text_lines))
    return out


def _page_text(page) -> list[tuple[str, float, float | None]]:
    textpage = page.get_textpage()
    try:
        if textpage.count_rects():
            return _page_lines(textpage)
        return [(line, 0.0, None) for line in textpage.get_text_bounded().splitlines()]
    finally:
        textpage.close()


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
        lines = []
        for index in range(len(pdf)):
            page = pdf[index]
            try:
                lines.append(_page_text(page))
            finally:
                page.close()
        pages = _mark_headings(_paragraph_breaks(lines))
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
