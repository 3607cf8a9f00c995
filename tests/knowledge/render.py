"""Rendering a strategy's text into the formats municipalities keep: a typeset PDF, a Word file, a
web page and a scanned PDF — as an admin would hand them to Veileder.

The structure to render (headings, paragraphs, numbered and bulleted items) is read from the .txt
with the knowledge base's own parser; the renderers then lay it out as each format does: the PDF
with running headers, page numbers and words hyphenated at the margin, the Word file with Word's
own numbering and one appendix's rules as a table, the web page with navigation and footer around
the main text.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from knowledge.cleaning import clean_lines
from knowledge.structure import Block, parse_blocks

RUNNING_HEADER = "Kommunikasjonsstrategi 2021–2023 · Østre Toten kommune"


@dataclass(frozen=True)
class Piece:
    block: Block
    appendix: str | None  # the number of the "Vedlegg N" it stands in


def structure_of(txt: Path) -> list[Piece]:
    pieces, appendix = [], None
    for block in parse_blocks(clean_lines(txt.read_text(encoding="utf-8"))):
        if block.kind == "heading" and block.level == 1:
            appendix = block.number if block.text.startswith("Vedlegg ") else None
        pieces.append(Piece(block, appendix))
    return pieces


# -- PDF (reportlab) ------------------------------------------------------------------------------


def _wrap(text: str, width: float, font: str, size: float, first_indent: float = 0) -> list[str]:
    """Greedy line breaking that hyphenates a long word at the margin, as a typesetter does."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines, line = [], ""
    avail = width - first_indent
    words = text.split()
    i = 0
    while i < len(words):
        word = words[i]
        candidate = f"{line} {word}".strip()
        if stringWidth(candidate, font, size) <= avail:
            line, i = candidate, i + 1
            continue
        # Split the word: at its own hyphen if it has one, else at the last place that fits.
        head = None
        if "-" in word[1:-1]:
            cut = word.index("-", 1) + 1
            if stringWidth(f"{line} {word[:cut]}".strip(), font, size) <= avail:
                head, tail = word[:cut], word[cut:]
        if head is None and len(word) >= 8 and word.isalpha():
            for cut in range(len(word) - 3, 3, -1):
                if stringWidth(f"{line} {word[:cut]}-".strip(), font, size) <= avail:
                    head, tail = word[:cut] + "-", word[cut:]
                    break
        if head is not None:
            lines.append(f"{line} {head}".strip())
            words[i] = tail
        else:
            lines.append(line or word)
            i += 0 if line else 1
        line, avail = "", width
    if line:
        lines.append(line)
    return lines


def render_pdf(pieces: list[Piece], out: Path) -> Path:
    """A4, 10 pt body, bold headings, hanging-indented items, a running header and "Side N" footer."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(str(out), pagesize=A4)
    page_w, page_h = A4
    left, right, top, bottom = 60, 60, 70, 70
    width = page_w - left - right
    state = {"y": page_h - top, "page": 1}

    def furniture() -> None:
        canvas.setFont("Helvetica-Oblique", 8)
        canvas.drawString(left, page_h - 40, RUNNING_HEADER)
        canvas.drawCentredString(page_w / 2, 35, f"Side {state['page']}")

    def new_page() -> None:
        canvas.showPage()
        state["page"] += 1
        state["y"] = page_h - top
        furniture()

    def write(lines: list[str], font: str, size: float, x: float, lead: str | None = None) -> None:
        for n, line in enumerate(lines):
            if state["y"] < bottom:
                new_page()
            canvas.setFont(font, size)
            if lead and n == 0:
                canvas.drawString(x - 16, state["y"], lead)
            canvas.drawString(x, state["y"], line)
            state["y"] -= size * 1.35

    furniture()
    for n, piece in enumerate(pieces):
        block = piece.block
        if block.kind == "heading":
            size = 14 if block.level == 1 else 12
            if state["y"] < bottom + 60:
                new_page()
            state["y"] -= 8
            write(_wrap(block.text, width, "Helvetica-Bold", size), "Helvetica-Bold", size, left)
            state["y"] -= 4
        elif block.kind == "item":
            lead = "•" if block.bullet else f"{block.number}."
            write(_wrap(block.text, width - 20, "Helvetica", 10), "Helvetica", 10, left + 20, lead)
            # Word's list paragraphs: no space between the items of a list, the usual space after it.
            following = pieces[n + 1].block if n + 1 < len(pieces) else None
            state["y"] -= 3 if following is not None and following.kind == "item" else 7
        else:
            write(_wrap(block.text, width, "Helvetica", 10), "Helvetica", 10, left)
            state["y"] -= 7
    canvas.save()
    return out


def render_scanned_pdf(pdf: Path, out: Path, dpi: int = 150) -> Path:
    """The PDF printed and scanned: each page an image, no text layer."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    images = []
    for index in range(len(document)):
        page = document[index]
        images.append(page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L"))
        page.close()
    document.close()
    images[0].save(out, "PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return out


# -- Word (python-docx) ---------------------------------------------------------------------------


def _numbering_definitions(document, first: int = 1):
    """A decimal list definition in numbering.xml counting from `first`; returns a function making
    a new list instance (w:num), restarted at a given number by a start override (or not, given None)."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    numbering = document.part.numbering_part.element
    abstract_id = "90"
    numbering.insert(0, parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
        '<w:multiLevelType w:val="hybridMultilevel"/>'
        f'<w:lvl w:ilvl="0"><w:start w:val="{first}"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/>'
        '<w:lvlJc w:val="left"/><w:pPr><w:ind w:left="720" w:hanging="360"/></w:pPr></w:lvl>'
        '</w:abstractNum>'
    ))
    counter = {"next": 100}

    def new_list(start: int | None) -> str:
        num_id = str(counter["next"])
        counter["next"] += 1
        override = "" if start is None else f'<w:lvlOverride w:ilvl="0"><w:startOverride w:val="{start}"/></w:lvlOverride>'
        numbering.append(parse_xml(
            f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/>{override}</w:num>'
        ))
        return num_id

    return new_list


def numbered_paragraph(document, text: str, num_id: str):
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    paragraph = document.add_paragraph(text)
    paragraph._p.get_or_add_pPr().append(
        parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="0"/><w:numId w:val="{num_id}"/></w:numPr>')
    )
    return paragraph


def render_docx(pieces: list[Piece], out: Path, table_appendix: str = "5") -> Path:
    """Headings as Heading styles, numbered items in Word numbered lists, bullets as List Bullet,
    the rules of appendix `table_appendix` as tables (a header row, one rule a row); a header and
    footer that are not body text."""
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document()
    new_list = _numbering_definitions(document)
    section = document.sections[0]
    section.header.paragraphs[0].text = RUNNING_HEADER
    section.footer.paragraphs[0].text = "Side 1"
    list_id, num_id, table = None, None, None
    for piece in pieces:
        block = piece.block
        if block.kind != "item" or not block.bullet:
            table = None
        if block.kind == "heading":
            document.add_heading(block.text, level=min(block.level, 3))
        elif block.kind == "item" and block.bullet and piece.appendix == table_appendix:
            if table is None:
                table = document.add_table(rows=1, cols=1)
                table.rows[0].cells[0].text = "Kjøreregel"
                table.rows[0]._tr.get_or_add_trPr().append(parse_xml(f'<w:tblHeader {nsdecls("w")}/>'))
            table.add_row().cells[0].text = block.text
        elif block.kind == "item" and block.bullet:
            document.add_paragraph(block.text, style="List Bullet")
        elif block.kind == "item":
            if block.list_id != list_id:
                list_id, num_id = block.list_id, new_list(int(block.number or 1))
            numbered_paragraph(document, block.text, num_id)
        else:
            document.add_paragraph(block.text)
    document.save(str(out))
    return out


# -- HTML ------------------------------------------------------------------------------------------


def render_html(pieces: list[Piece], out: Path) -> Path:
    """An intranet page: navigation, the strategy as the article, a footer."""
    from html import escape

    body: list[str] = []
    open_list = None  # ("ol"|"ul", list_id)
    for piece in pieces:
        block = piece.block
        kind = ("ul" if block.bullet else "ol", block.list_id) if block.kind == "item" else None
        if open_list and kind != open_list:
            body.append(f"</{open_list[0]}>")
            open_list = None
        if kind and not open_list:
            start = "" if block.bullet else f' start="{block.number}"'
            body.append(f"<{kind[0]}{start}>")
            open_list = kind
        if block.kind == "heading":
            body.append(f"<h{min(block.level + 1, 6)}>{escape(block.text)}</h{min(block.level + 1, 6)}>")
        elif block.kind == "item":
            body.append(f"<li>{escape(block.text)}</li>")
        else:
            body.append(f"<p>{escape(block.text)}</p>")
    if open_list:
        body.append(f"</{open_list[0]}>")
    nav = "".join(f'<li><a href="/{w.lower()}">{w}</a></li>' for w in ("Forside", "Ansatt", "HMS", "Lønn", "Kontakt"))
    page = (
        '<!DOCTYPE html><html lang="no"><head><meta charset="utf-8"><title>Kommunikasjonsstrategi – Intranett</title></head>'
        f'<body><header><nav><ul>{nav}</ul></nav></header><main><article><h1>Kommunikasjonsstrategi 2021–2023</h1>'
        + "\n".join(body)
        + '</article></main><footer><p>Østre Toten kommune · Personvern · Informasjonskapsler</p></footer></body></html>'
    )
    out.write_text(page, encoding="utf-8")
    return out
