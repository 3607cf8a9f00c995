"""Older office formats (.doc, .odt, .rtf) converted to .docx by LibreOffice headless, then read
as Word. Without LibreOffice the file is skipped with the install command."""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from knowledge.errors import UnreadableDocument
from knowledge.readers.extracted import ExtractedText

INSTALL_LIBREOFFICE = "sudo apt-get install libreoffice-writer-nogui"
CONVERT_SECONDS = 100  # the worker's own time limit stops a longer conversion anyway


def libreoffice() -> str | None:
    """The LibreOffice program, or None when it isn't installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def read_via_libreoffice(path: Path) -> ExtractedText:
    program = libreoffice()
    if program is None:
        raise UnreadableDocument(
            str(path), f"'{path.suffix.lower()}' files need LibreOffice to be read; install it: {INSTALL_LIBREOFFICE}"
        )
    from knowledge.readers.docx import read_docx

    with tempfile.TemporaryDirectory(prefix="veileder-convert-") as tmp:
        # A profile of its own: a LibreOffice already running for the user would otherwise take the job.
        profile = Path(tmp, "profile").as_uri()
        source = Path(tmp, "in" + path.suffix.lower())
        shutil.copyfile(path, source)
        try:
            done = subprocess.run(
                [program, f"-env:UserInstallation={profile}", "--headless", "--norestore",
                 "--convert-to", "docx:MS Word 2007 XML", "--outdir", tmp, str(source)],
                capture_output=True, text=True, timeout=CONVERT_SECONDS,
            )
        except subprocess.TimeoutExpired as exc:
            raise UnreadableDocument(str(path), f"LibreOffice did not convert it within {CONVERT_SECONDS} s") from exc
        converted = Path(tmp, "in.docx")
        if done.returncode != 0 or not converted.exists():
            detail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
            raise UnreadableDocument(str(path), f"LibreOffice could not convert it ({detail[0]})")
        extracted = read_docx(converted)
    return ExtractedText(extracted.pages, method=f"LibreOffice → Word ({path.suffix.lower()})")
