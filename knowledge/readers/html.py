"""Web pages (.html, .htm, intranet pages saved from the browser) through trafilatura's main-content
extraction: menus, footers and cookie banners are left out; headings, lists and tables are kept.

trafilatura reports lists without their numbers, so each `<ol>` item gets the number the browser
shows (`start`, `value`) written into its text before extraction.
"""
from __future__ import annotations

from pathlib import Path

from knowledge.errors import UnreadableDocument
from knowledge.readers.extracted import ExtractedText
from knowledge.readers.tables import table_row_lines


def _number_ordered_lists(tree) -> None:
    for ol in tree.iter("ol"):
        try:
            n = int(ol.get("start") or 1)
        except ValueError:
            n = 1
        for li in ol.findall("li"):
            value = li.get("value")
            if value and value.strip().isdigit():
                n = int(value)
            li.text = f"{n}. " + (li.text or "").lstrip()
            n += 1


def _text(element) -> str:
    return " ".join("".join(element.itertext()).split())


def _page_title(main) -> str | None:
    """The page's single <h1> when it opens the page: the document's title, not a section of it."""
    heads = [h for h in main.iter("head")]
    h1 = [h for h in heads if h.get("rend") == "h1"]
    if len(h1) == 1 and heads[0] is h1[0]:
        return _text(h1[0])
    return None


def _lines(main, title: str | None) -> list[str]:
    lines: list[str] = []
    shift = 1 if title else 0  # under a page title, <h2> is a top-level section
    for element in main:
        tag = element.tag
        if tag == "head":
            rend = element.get("rend") or "h2"
            level = int(rend[1]) if rend[:1] == "h" and rend[1:].isdigit() else 2
            if title and level == 1:
                continue
            lines += ["", "#" * max(1, level - shift) + " " + _text(element), ""]
        elif tag == "list":
            ordered = element.get("rend") == "ol"
            for item in element.findall("item"):
                text = _text(item)
                if text:
                    lines.append(text if ordered else f"• {text}")
            lines.append("")
        elif tag == "table":
            for row in element.iter("row"):
                cells = row.findall("cell")
                lines += table_row_lines([_text(cell) for cell in cells], bool(cells) and all(c.get("role") == "head" for c in cells))
            lines.append("")
        else:
            text = _text(element)
            if text:
                lines += [text, ""]
    return lines


def read_html(path: Path) -> ExtractedText:
    import lxml.html
    import trafilatura
    from lxml import etree

    try:
        tree = lxml.html.fromstring(path.read_bytes())
    except (etree.ParserError, ValueError) as exc:
        raise UnreadableDocument(str(path), f"not a readable web page ({exc})") from exc
    _number_ordered_lists(tree)
    xml = trafilatura.extract(
        tree, output_format="xml", include_tables=True, include_formatting=True, include_links=False,
        include_comments=False, favor_recall=True,
    )
    if not xml:
        raise UnreadableDocument(str(path), "no main text found on the web page")
    main = etree.fromstring(xml.encode("utf-8")).find("main")
    if main is None:
        raise UnreadableDocument(str(path), "no main text found on the web page")
    title = _page_title(main)
    return ExtractedText(("\n".join(_lines(main, title)),), method="web page (trafilatura)", title=title)
