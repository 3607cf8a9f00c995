"""An admin hands Veileder the files the municipality really keeps; each fault a new user met is a
small generated file here, and the quoted text is what staff would see."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from knowledge.errors import UnreadableDocument
from knowledge.library import load_knowledge
from knowledge.readers import read_document
from knowledge.readers.ocr import ocr_missing
from knowledge.readers.office import libreoffice

PRESS_RULE = "Øvrige ansatte kan gi faktaopplysninger innenfor eget fagfelt, men skal ikke gi vurderinger."


def library(tmp_path: Path, name: str, write) -> Path:
    """A documents folder with one municipality, 'testby', holding the file `write` makes."""
    folder = tmp_path / "docs" / "testby"
    folder.mkdir(parents=True, exist_ok=True)
    write(folder / name)
    return tmp_path / "docs"


def passages_of(docs: Path) -> list:
    kb = load_knowledge(docs)
    assert not kb.skipped, kb.skipped
    return kb.passages


def all_text(docs: Path) -> str:
    return "\n".join(p.text for p in passages_of(docs))


# -- PDF ------------------------------------------------------------------------------------------


def _pdf(path: Path, lines: list[str], font: str = "Helvetica", **canvas_options) -> None:
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(str(path), **canvas_options)
    if font == "Vera":
        import reportlab
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        pdfmetrics.registerFont(TTFont("Vera", os.path.join(os.path.dirname(reportlab.__file__), "fonts", "Vera.ttf")))
    y = 780
    for line in lines:
        canvas.setFont(font, 11)
        canvas.drawString(60, y, line)
        y -= 16
    canvas.save()


def test_ligatures_in_a_pdf_font_are_read_as_letters(tmp_path):
    # The font maps "fi" and "fl" to single ligature glyphs (U+FB01, U+FB02), as InDesign exports do.
    docs = library(tmp_path, "strategi.pdf", lambda p: _pdf(p, [
        "Kommunens pro\ufb01l skal være tydelig i alle kanaler.",
        "Vi skal ha \ufb02ere dialogmøter med innbyggerne.",
    ], font="Vera"))
    text = all_text(docs)
    assert "Kommunens profil skal være tydelig i alle kanaler." in text
    assert "Vi skal ha flere dialogmøter med innbyggerne." in text
    assert "\ufb01" not in text and "\ufb02" not in text


def test_a_pdf_restricted_against_copying_is_read(tmp_path):
    from reportlab.lib.pdfencrypt import StandardEncryption

    restricted = StandardEncryption(userPassword="", ownerPassword="kommunikasjon", canCopy=0, canModify=0)
    docs = library(tmp_path, "vedtatt.pdf", lambda p: _pdf(p, [PRESS_RULE], encrypt=restricted))
    assert PRESS_RULE in all_text(docs)


def test_a_pdf_that_needs_a_password_to_open_is_skipped_with_the_reason(tmp_path):
    from reportlab.lib.pdfencrypt import StandardEncryption

    locked = StandardEncryption(userPassword="hemmelig", ownerPassword="kommunikasjon")
    docs = library(tmp_path, "låst.pdf", lambda p: _pdf(p, [PRESS_RULE], encrypt=locked))
    (skipped,) = load_knowledge(docs).skipped
    assert skipped.path == "testby/låst.pdf" and "needs a password to open" in skipped.reason


def test_a_passage_from_a_pdf_carries_its_page(tmp_path):
    from reportlab.pdfgen.canvas import Canvas

    def write(path: Path) -> None:
        canvas = Canvas(str(path))
        for page, text in enumerate(["Kommunen skal kommunisere åpent med alle innbyggere.", PRESS_RULE], start=1):
            canvas.setFont("Helvetica", 11)
            canvas.drawString(60, 780, text)
            canvas.drawString(290, 40, f"Side {page} av 2")
            canvas.showPage()
        canvas.save()

    pages = {p.text: p.page for p in passages_of(library(tmp_path, "strategi.pdf", write)) if p.kind == "paragraph"}
    assert pages[PRESS_RULE] == 2


# -- Word -----------------------------------------------------------------------------------------


def _word_with_everything(path: Path, restart_at_6: bool = True) -> None:
    """Rules in a table, a numbered list starting at 6 (restarted there, or a list defined to count
    from 6), a content control, a tracked insertion and deletion, and a header and footer."""
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    from tests.knowledge.render import _numbering_definitions, numbered_paragraph

    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "Kommunikasjonsstrategi – utkast"
    document.sections[0].footer.paragraphs[0].text = "Side 1 av 1"
    document.add_heading("Kjøreregler for kontakt med pressen", level=1)
    document.add_paragraph("Disse reglene gjelder alle som blir kontaktet av journalister.")
    list_id = _numbering_definitions(document)(6) if restart_at_6 else _numbering_definitions(document, first=6)(None)
    numbered_paragraph(document, "Enhetsledere gir faktaopplysninger om egen enhet.", list_id)
    numbered_paragraph(document, PRESS_RULE, list_id)
    document.add_heading("Sosiale medier", level=1)
    table = document.add_table(rows=2, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Tema", "Regel"
    table.rows[1].cells[0].text = "Bilder"
    table.rows[1].cells[1].text = "Bilder av brukere krever samtykke fra de berørte."
    body = document.element.body
    sect = body[-1]
    sect.addprevious(parse_xml(
        f'<w:sdt {nsdecls("w")}><w:sdtPr><w:alias w:val="Kontaktperson"/></w:sdtPr><w:sdtContent>'
        '<w:p><w:r><w:t>Kommunikasjonsavdelingen svarer på henvendelser om kriser.</w:t></w:r></w:p>'
        '</w:sdtContent></w:sdt>'
    ))
    sect.addprevious(parse_xml(
        f'<w:p {nsdecls("w")}><w:r><w:t xml:space="preserve">Ansatte kan ytre seg </w:t></w:r>'
        '<w:ins w:id="1" w:author="Kommunikasjon" w:date="2026-01-05T10:00:00Z"><w:r><w:t xml:space="preserve">som privatpersoner </w:t></w:r></w:ins>'
        '<w:del w:id="2" w:author="Kommunikasjon" w:date="2026-01-05T10:00:00Z"><w:r><w:delText xml:space="preserve">aldri </w:delText></w:r></w:del>'
        '<w:r><w:t>om kommunens saker.</w:t></w:r></w:p>'
    ))
    document.save(str(path))


def test_a_word_file_is_read_in_order_with_tables_numbers_content_controls_and_tracked_changes(tmp_path):
    docs = library(tmp_path, "kjøreregler.docx", _word_with_everything)
    passages = passages_of(docs)
    by_item = {p.item: p.text for p in passages if p.item}
    assert by_item == {"6": "Enhetsledere gir faktaopplysninger om egen enhet.", "7": PRESS_RULE}
    text = "\n".join(p.text for p in passages)
    assert "Bilder – Bilder av brukere krever samtykke fra de berørte." in text
    assert "Kommunikasjonsavdelingen svarer på henvendelser om kriser." in text
    assert "Ansatte kan ytre seg som privatpersoner om kommunens saker." in text
    assert "aldri" not in text and "utkast" not in text and "Side 1" not in text
    assert text.index("Disse reglene gjelder") < text.index("Bilder – Bilder") < text.index("Ansatte kan ytre seg")


# -- plain text -----------------------------------------------------------------------------------


def test_a_text_file_saved_as_unicode_by_notepad_is_read(tmp_path):
    content = "Kjøreregler for pressen\n\n" + PRESS_RULE + "\n"
    docs = library(tmp_path, "regler.txt", lambda p: p.write_bytes(b"\xff\xfe" + content.encode("utf-16-le")))
    text = all_text(docs)
    assert PRESS_RULE in text and "ÿþ" not in text


def test_a_utf8_file_with_one_stray_windows_byte_keeps_its_letters(tmp_path):
    data = ("Kjøreregler\n\n" + PRESS_RULE + "\n\nSpørsmål om dette går til kommunikasjonsavdelingen ").encode() + b"\x96 ring oss.\n"
    docs = library(tmp_path, "regler.txt", lambda p: p.write_bytes(data))
    text = all_text(docs)
    assert PRESS_RULE in text
    assert "Spørsmål om dette går til kommunikasjonsavdelingen – ring oss." in text
    assert "Ã" not in text


def test_a_text_file_with_mojibake_from_an_earlier_conversion_is_mended(tmp_path):
    docs = library(tmp_path, "regler.txt", lambda p: p.write_text(PRESS_RULE.encode().decode("cp1252") + "\n", encoding="utf-8"))
    assert PRESS_RULE in all_text(docs)


def test_a_text_file_saved_from_a_web_page_gives_its_title_and_address_from_its_header(tmp_path):
    header = "SOURCE: https://testby.kommune.no/medieprotokoll/ (+ subpages ansvar/)\nTITLE: Medieprotokoll – Testby kommune\n\n"
    docs = library(tmp_path, "medieprotokoll.txt", lambda p: p.write_text(header + "Kontakt med media\n\n" + PRESS_RULE + "\n"))
    kb = load_knowledge(docs)
    document = next(iter(kb.documents.values()))
    assert document.title == "Medieprotokoll – Testby kommune"
    assert document.web_url == "https://testby.kommune.no/medieprotokoll/"
    assert "TITLE" not in all_text(docs) and "SOURCE" not in all_text(docs)
    assert all(not p.section or "TITLE" not in p.section[0] for p in kb.passages)


def test_a_first_line_that_only_looks_like_a_header_stays_text(tmp_path):
    docs = library(tmp_path, "regler.txt", lambda p: p.write_text("Kilde: kommunestyrets vedtak i sak 12/24\n" + PRESS_RULE + "\n"))
    kb = load_knowledge(docs)
    assert any("kommunestyrets vedtak" in p.text + " ".join(p.section) for p in kb.passages)  # kept, as a heading
    assert next(iter(kb.documents.values())).web_url is None
    hostile = library(tmp_path / "h", "regler.txt", lambda p: p.write_text("SOURCE: javascript:alert(1)\n\n" + PRESS_RULE + "\n"))
    assert next(iter(load_knowledge(hostile).documents.values())).web_url is None


# -- cleaning -------------------------------------------------------------------------------------


def test_line_end_hyphens_are_kept_in_words_that_have_them_and_mended_elsewhere(tmp_path):
    lines = [
        "Kommunikasjonsavdelingen sender viktige meldinger til alle ansatte på e-",
        "post og til innbyggerne gjennom SMS-",
        "varsling, og publiserer nyheter om kommunikasjons-",
        "plattformen på nettsidene våre.",
        "",
        "Meldingene sendes som bolyst-kampanjer flere ganger i året til alle som bor i kommunen, og som bolyst-",
        "kampanjer også til dem som vurderer å flytte hit.",
    ]
    docs = library(tmp_path, "regler.txt", lambda p: p.write_text("\n".join(lines) + "\n", encoding="utf-8"))
    text = all_text(docs)
    assert "ansatte på e-post og til innbyggerne gjennom SMS-varsling, og publiserer nyheter om kommunikasjonsplattformen" in text
    assert "som bolyst-kampanjer også til dem" in text


def test_soft_hyphens_and_compatibility_characters_are_cleaned(tmp_path):
    docs = library(tmp_path, "regler.txt", lambda p: p.write_text(
        "Kommunen skal være o\ufb00entlig og åpen i kommuni\u00adkasjonen med innbyggerne.\n", encoding="utf-8"))
    assert "Kommunen skal være offentlig og åpen i kommunikasjonen med innbyggerne." in all_text(docs)


# -- web pages ------------------------------------------------------------------------------------


def test_an_intranet_page_keeps_its_headings_and_numbered_rules_and_drops_the_menus(tmp_path):
    intro = "".join(
        f"<p>Kommunikasjonsstrategien gir retning for hvordan kommunen kommuniserer, del {n}, med innbyggere og ansatte.</p>"
        for n in range(1, 6)
    )
    page = (
        '<html><head><meta charset="utf-8"><title>Intranett</title></head><body>'
        '<nav><ul><li><a href="/">Forside</a></li><li><a href="/lonn">Lønn og personal</a></li></ul></nav>'
        f"<main><h1>Kommunikasjonsstrategi</h1>{intro}<h2>Kjøreregler for kontakt med pressen</h2>"
        '<ol start="6"><li>Enhetsledere gir faktaopplysninger om egen enhet.</li>'
        f"<li>{PRESS_RULE}</li></ol>"
        "<h2>Sosiale medier</h2><ul><li>Vær bevisst din rolle som ansatt.</li><li>Tenk før du deler.</li></ul></main>"
        "<footer><p>Personvernerklæring · Informasjonskapsler</p></footer></body></html>"
    )
    docs = library(tmp_path, "intranett.html", lambda p: p.write_text(page, encoding="utf-8"))
    kb = load_knowledge(docs)
    passages = kb.passages
    by_item = {p.item: (p.text, p.section) for p in passages if p.item}
    assert by_item["7"] == (PRESS_RULE, ("Kjøreregler for kontakt med pressen",))
    assert kb.documents["testby/intranett.html"].title == "Kommunikasjonsstrategi"  # the page's <h1>
    text = "\n".join(p.text for p in passages)
    assert "• Vær bevisst din rolle som ansatt." in text
    assert "Lønn og personal" not in text and "Personvernerklæring" not in text


# -- old office formats and scans -----------------------------------------------------------------


RTF = r"{\rtf1\ansi\ansicpg1252{\fonttbl{\f0 Arial;}}\f0\fs22 Kj\'f8reregler\par\par " + PRESS_RULE.replace("Ø", r"\'d8") + r"\par}"


def test_an_rtf_file_is_read_through_libreoffice_or_skipped_saying_how_to_install_it(tmp_path):
    docs = library(tmp_path, "regler.rtf", lambda p: p.write_text(RTF, encoding="ascii"))
    kb = load_knowledge(docs)
    if libreoffice() is None:
        (skipped,) = kb.skipped
        assert "need LibreOffice" in skipped.reason and "apt-get install libreoffice-writer-nogui" in skipped.reason
    else:
        assert not kb.skipped and PRESS_RULE in "\n".join(p.text for p in kb.passages)


def test_without_libreoffice_an_odt_is_skipped_with_the_install_command(tmp_path, monkeypatch):
    from knowledge.readers import office

    monkeypatch.setattr(office, "libreoffice", lambda: None)
    path = tmp_path / "regler.odt"
    path.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(UnreadableDocument, match="'.odt' files need LibreOffice to be read; install it: sudo apt-get install libreoffice-writer-nogui"):
        read_document(path)


def _scan(path: Path, lines: list[str]) -> None:
    """A printed page scanned: an image of the text, no text layer."""
    from PIL import Image, ImageDraw, ImageFont
    import reportlab

    image = Image.new("L", (1240, 1754), 255)  # A4 at 150 dpi
    font = ImageFont.truetype(os.path.join(os.path.dirname(reportlab.__file__), "fonts", "Vera.ttf"), 26)
    draw = ImageDraw.Draw(image)
    for n, line in enumerate(lines):
        draw.text((120, 160 + n * 44), line, fill=0, font=font)
    image.save(path, "PDF", resolution=150)


SCANNED = ["Kjøreregler for kontakt med pressen", "", "Øvrige ansatte kan gi faktaopplysninger", "innenfor eget fagfelt."]


def test_a_scanned_pdf_without_ocr_is_reported_with_the_install_command(tmp_path, monkeypatch):
    from knowledge.readers import ocr

    monkeypatch.setattr(ocr.shutil, "which", lambda name: None)
    path = tmp_path / "skannet.pdf"
    _scan(path, SCANNED)
    with pytest.raises(UnreadableDocument, match="scanned: no text layer — install OCR: sudo apt-get install tesseract-ocr tesseract-ocr-nor"):
        read_document(path)


@pytest.mark.skipif(ocr_missing() is not None, reason=f"OCR is not installed: {ocr_missing()}")
def test_a_scanned_pdf_is_read_by_ocr(tmp_path):
    docs = library(tmp_path, "skannet.pdf", lambda p: _scan(p, SCANNED))
    text = all_text(docs)
    assert "Øvrige ansatte kan gi faktaopplysninger innenfor eget fagfelt." in text


@pytest.mark.skipif(libreoffice() is None, reason="LibreOffice is not installed (sudo apt-get install libreoffice-writer-nogui)")
@pytest.mark.parametrize("suffix, filter_name", [(".odt", "odt"), (".doc", "doc:MS Word 97")])
def test_an_old_word_file_or_an_opendocument_file_keeps_its_numbers_and_tables(tmp_path, suffix, filter_name):
    import subprocess

    source = tmp_path / "kjøreregler.docx"
    # LibreOffice's own .doc export turns Word's "restart at 6" into two lists (it shows 6., 1.
    # itself); a list defined to count from 6 survives every format.
    _word_with_everything(source, restart_at_6=False)
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(
        [libreoffice(), f"-env:UserInstallation={profile}", "--headless", "--convert-to", filter_name, "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=120,
    )
    docs = library(tmp_path, f"kjøreregler{suffix}", lambda p: (tmp_path / f"kjøreregler{suffix}").replace(p))
    passages = passages_of(docs)
    assert {p.item: p.text for p in passages if p.item}["7"] == PRESS_RULE
    assert "Bilder – Bilder av brukere krever samtykke fra de berørte." in "\n".join(p.text for p in passages)
