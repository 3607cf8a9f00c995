"""Word (.docx) in document order, read from the package's XML through python-docx.

- paragraphs and tables as they stand in the body; a table row by row (a row whose first cell is a
  number becomes that numbered item, other rows their cells joined with " – ");
- Word's own numbering: the number Word displays, computed from `numbering.xml` (start values,
  overrides, levels restarting under their parent, `%1.%2` level texts, bullet levels as "•");
- content controls (`w:sdt`) read through; tracked insertions and moves-to read as accepted,
  deletions and moves-from left out; headers, footers, comments and field codes are not body text.
"""
from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.errors import UnreadableDocument
from knowledge.readers.extracted import ExtractedText
from knowledge.readers.tables import table_row_lines

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_SKIPPED = {W + "del", W + "moveFrom", W + "instrText", W + "delText", W + "footnoteReference", W + "commentReference"}
_HEADING_STYLE_RE = re.compile(r"^(?:heading|overskrift|berschrift|titre)\s*(\d)$", re.I)


def _roman(n: int) -> str:
    out = ""
    for value, numeral in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                           (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while n >= value:
            out, n = out + numeral, n - value
    return out


def _letters(n: int) -> str:
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def _format(n: int, fmt: str) -> str:
    return {
        "decimal": str(n), "decimalZero": f"{n:02d}", "lowerLetter": _letters(n), "upperLetter": _letters(n).upper(),
        "lowerRoman": _roman(n), "upperRoman": _roman(n).upper(), "none": "",
    }.get(fmt, str(n))


@dataclass
class _Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = "%1."


@dataclass
class _Numbering:
    """Word's list definitions and running counters. As in Word, list instances (numId) of one
    abstract list continue one count; an instance with a start override restarts it where it is
    first used."""

    levels: dict[str, dict[int, _Level]] = field(default_factory=dict)  # numId → ilvl → level
    abstract_of: dict[str, str] = field(default_factory=dict)  # numId → abstractNumId
    overrides: dict[str, dict[int, int]] = field(default_factory=dict)  # numId → ilvl → start
    counters: dict[str, list[int]] = field(default_factory=dict)  # abstractNumId → counter per level
    started: set[str] = field(default_factory=set)

    @classmethod
    def from_document(cls, document) -> "_Numbering":
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return cls()
        abstract: dict[str, dict[int, _Level]] = {}
        for node in root.iter(W + "abstractNum"):
            levels = {}
            for lvl in node.iter(W + "lvl"):
                levels[int(lvl.get(W + "ilvl", "0"))] = _Level(
                    int(_val(lvl, "start") or 1), _val(lvl, "numFmt") or "decimal", _val(lvl, "lvlText") or ""
                )
            abstract[node.get(W + "abstractNumId")] = levels
        numbering = cls()
        for num in root.iter(W + "num"):
            num_id, abstract_id = num.get(W + "numId"), _val(num, "abstractNumId")
            numbering.levels[num_id] = abstract.get(abstract_id, {})
            numbering.abstract_of[num_id] = abstract_id
            numbering.overrides[num_id] = {
                int(o.get(W + "ilvl", "0")): int(_val(o, "startOverride"))
                for o in num.iter(W + "lvlOverride")
                if _val(o, "startOverride") is not None
            }
        return numbering

    def label(self, num_id: str, ilvl: int) -> str:
        """The displayed label of the next paragraph of list `num_id` at level `ilvl`: "7.", "3.1", "•"."""
        levels = self.levels.get(num_id)
        if not levels or ilvl not in levels:
            return ""
        level = levels[ilvl]
        if level.fmt == "bullet":
            return "•"
        abstract_id = self.abstract_of[num_id]
        counters = self.counters.setdefault(abstract_id, [levels[i].start - 1 if i in levels else 0 for i in range(9)])
        if num_id not in self.started:
            self.started.add(num_id)
            for lvl, start in self.overrides[num_id].items():
                if 0 <= lvl < 9:
                    counters[lvl] = start - 1
        counters[ilvl] += 1
        for deeper in range(ilvl + 1, 9):  # a deeper level restarts under a new parent item
            counters[deeper] = levels[deeper].start - 1 if deeper in levels else 0
        return re.sub(
            r"%(\d)",
            lambda m: _format(counters[int(m.group(1)) - 1], levels.get(int(m.group(1)) - 1, level).fmt),
            level.text,
        ).strip()


def _val(node, tag: str) -> str | None:
    child = node.find(f".//{W}{tag}")
    return None if child is None else child.get(W + "val")


def _text_of(node) -> str:
    """The visible text under a node: accepted insertions in, deletions and field codes out."""
    parts: list[str] = []

    def walk(element) -> None:
        for child in element:
            tag = child.tag
            if tag in _SKIPPED:
                continue
            if tag == W + "t":
                parts.append(child.text or "")
            elif tag in (W + "tab", W + "br", W + "cr"):
                parts.append(" ")
            elif tag == W + "noBreakHyphen":
                parts.append("-")
            elif tag == W + "softHyphen":
                parts.append("\u00ad")
            else:
                walk(child)

    walk(node)
    return "".join(parts)


class _Reader:
    def __init__(self, document) -> None:
        self.document = document
        self.numbering = _Numbering.from_document(document)
        self.styles = {s.style_id: s for s in document.styles}
        self.lines: list[str] = []

    def style_of(self, p) -> tuple[str, object | None]:
        style_id = _val(p.find(W + "pPr"), "pStyle") if p.find(W + "pPr") is not None else None
        style = self.styles.get(style_id) if style_id else None
        return ((style.name or "") if style is not None else ""), style

    def numbering_of(self, p, style) -> tuple[str, int] | None:
        """(numId, ilvl) from the paragraph, else from its style (and the style's parents)."""
        ppr = p.find(W + "pPr")
        num_pr = ppr.find(W + "numPr") if ppr is not None else None
        while num_pr is None and style is not None:
            style_ppr = style.element.find(W + "pPr")
            num_pr = style_ppr.find(W + "numPr") if style_ppr is not None else None
            style = style.base_style
        if num_pr is None:
            return None
        num_id = _val(num_pr, "numId")
        if num_id in (None, "0"):
            return None
        return num_id, int(_val(num_pr, "ilvl") or 0)

    def paragraph(self, p) -> None:
        text = re.sub(r"\s+", " ", _text_of(p)).strip()
        name, style = self.style_of(p)
        numbered = self.numbering_of(p, style)
        label = self.numbering.label(*numbered) if numbered else ""
        if not text:
            self.lines.append("")
            return
        heading = _HEADING_STYLE_RE.match(name.strip())
        if heading or name.strip().lower() == "title":
            level = int(heading.group(1)) if heading else 1
            self.lines += ["", "#" * min(level, 6) + " " + (f"{label} {text}" if label else text), ""]
        elif label:
            self.lines.append(f"{label} {text}")
        elif "list" in name.lower():
            self.lines.append("• " + text)
        else:
            self.lines += [text, ""]

    def table(self, tbl) -> None:
        self.lines.append("")
        for row in tbl.iter(W + "tr"):
            if row.getparent() is not None and row.getparent() is not tbl:
                continue  # a nested table's rows are read with their cell
            header = row.find(f"{W}trPr/{W}tblHeader") is not None
            self.lines += table_row_lines([_text_of(tc) for tc in row.findall(W + "tc")], header)
        self.lines.append("")

    def block(self, element) -> None:
        tag = element.tag
        if tag == W + "p":
            self.paragraph(element)
        elif tag == W + "tbl":
            self.table(element)
        elif tag in (W + "sdt", W + "sdtContent", W + "ins", W + "moveTo", W + "customXml", W + "smartTag"):
            for child in element:
                self.block(child)


def read_docx(path: Path) -> ExtractedText:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise UnreadableDocument(str(path), f"corrupt or unreadable Word file ({type(exc).__name__})") from exc
    reader = _Reader(document)
    for element in document.element.body:
        reader.block(element)
    return ExtractedText(("\n".join(reader.lines),), method="Word document")
