"""Small real input documents for tests: text, markdown, Word, PDF — and broken ones."""
from __future__ import annotations

import zlib
from pathlib import Path

PRESS_RULES = """Kjøreregler for kontakt med pressen

Pressereglementet er retningsgivende for hvordan ansatte skal opptre i sin kontakt med
journalister, presse og medier.
1. Det øverste informasjonsansvaret ligger til ordføreren. Politiske kommentarer og
vurderinger skal gis av ordfører.
2. Enhetsledere og avdelingsledere gir faktaopplysninger og faglige vurderinger på vegne av sin
virksomhet.
3. Øvrige ansatte kan gi faktaopplysninger innenfor eget fagfelt, men skal ikke gi vurderinger i
saken med mindre dette er særskilt avtalt med nærmeste overordnede.
4. Personalsaker skal ikke kommenteres i media.
Kjøreregler s. 4
"""


def write_pdf(path: Path, lines: list[str]) -> Path:
    """A minimal but valid one-page PDF with the lines as real text (Helvetica, WinAnsi)."""
    text_ops = ["BT", "/F1 11 Tf", "14 TL", "50 780 Td"]
    for line in lines:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        text_ops.append(f"({escaped}) Tj T*")
    text_ops.append("ET")
    stream = zlib.compress("\n".join(text_ops).encode("cp1252"))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def write_docx(path: Path, heading: str, paragraphs: list[str], bullets: list[str]) -> Path:
    import docx

    document = docx.Document()
    document.add_heading(heading, level=1)
    for text in paragraphs:
        document.add_paragraph(text)
    for text in bullets:
        document.add_paragraph(text, style="List Bullet")
    document.save(str(path))
    return path


def small_library(root: Path) -> Path:
    """A documents folder with one municipality, 'testby', in four formats and no catalog."""
    folder = root / "testby"
    folder.mkdir(parents=True)
    (folder / "presseregler.txt").write_text(PRESS_RULES, encoding="utf-8")
    (folder / "sosiale-medier.md").write_text(
        "# Sosiale medier\n\nAnsattes bruk av sosiale medier:\n\n"
        "- Bilder som skal publiseres krever samtykke fra de berørte.\n"
        "- Vær tydelig på når du uttaler deg som privatperson.\n",
        encoding="utf-8",
    )
    write_docx(
        folder / "krise.docx",
        "Krisekommunikasjon",
        ["Ved kriser flyttes informasjonsansvaret til ordfører og kommunedirektør."],
        ["Kommunikasjonsavdelingen skal umiddelbart bistå den som leder krisehåndteringen."],
    )
    write_pdf(
        folder / "intern.pdf",
        ["Internkommunikasjon", "", "Intranettet er hovedkanalen for intern informasjon.", "Alle ledere har ansvar for at ansatte leser intranettet."],
    )
    return root
