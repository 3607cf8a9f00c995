"""OCR of scanned PDF pages with Tesseract's Norwegian model (Debian: tesseract-ocr, tesseract-ocr-nor).

Only the pages without a text layer are rendered (PDFium, at OCR_DPI) and recognised, two at a time
on separate Tesseract processes, each single-threaded.
"""
from __future__ import annotations

import os
import shutil
from concurrent.futures import ThreadPoolExecutor

OCR_DPI = 200  # enough for body text of 9 pt and up; 300 costs twice the time for no gain here
OCR_LANGUAGES = "nor"
INSTALL_OCR = "sudo apt-get install tesseract-ocr tesseract-ocr-nor"


def ocr_missing() -> str | None:
    """Why OCR can't run here (with the install command), or None when it can."""
    if shutil.which("tesseract") is None:
        return f"install OCR: {INSTALL_OCR}"
    import pytesseract

    try:
        languages = set(pytesseract.get_languages(config=""))
    except Exception as exc:  # pytesseract raises its own error types for a broken install
        return f"Tesseract does not run ({exc}); reinstall: {INSTALL_OCR}"
    if "nor" not in languages:
        return f"Tesseract's Norwegian model is missing; install OCR: {INSTALL_OCR}"
    return None


def ocr_pdf_pages(pdf, pages: list[int]) -> dict[int, str]:
    """The recognised text of the given pages (0-based) of an open pypdfium2 document; call
    `ocr_missing()` first."""
    import pytesseract

    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    images = {}
    for index in pages:
        page = pdf[index]
        try:
            images[index] = page.render(scale=OCR_DPI / 72, grayscale=True).to_pil()
        finally:
            page.close()

    def recognise(index: int) -> tuple[int, str]:
        return index, pytesseract.image_to_string(images[index], lang=OCR_LANGUAGES, config="--psm 3")

    workers = max(1, min(2, os.cpu_count() or 1))
    with ThreadPoolExecutor(workers) as pool:
        return dict(pool.map(recognise, pages))
