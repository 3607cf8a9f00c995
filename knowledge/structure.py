"""Recovering a document's structure from cleaned lines: headings, paragraphs and list items.

Extracted PDF text has lost its layout, so structure is read from what is left: line length
(a wrapped line runs to the margin, the last line of a paragraph stops short), punctuation,
numbering (`3.1`, `Vedlegg 4:`), bullets, and whether the next line continues a sentence.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.cleaning import BULLET, hyphenated_forms, join_wrapped, strip_heading_footnote

_NUMBERED_HEADING_RE = re.compile(r"^(\d{1,2}(?:\.\d{1,2})+|\d{1,2}\.)\s+(\S.*)$")
_NUMBERED_ITEM_RE = re.compile(r"^(\d{1,2})[.)]\s+(\S.*)$")
_APPENDIX_RE = re.compile(r"^(Vedlegg|Bilag|Appendix)\s+(\d{1,2}|[A-Z])\s*[:.]?\s*(.*)$", re.I)
_MARKDOWN_HEADING_RE = re.compile(r"^(#{1,6})\s+(.+)$")
# An endnote as PDFs give it at the end of a document: "Note om ytringsfrihet: …" (cleaning has taken its
# marker "i" away). It belongs to no section above it, so it is a section of its own.
_ENDNOTE_RE = re.compile(
    r"^(?:(?:[ivx]{1,4}|\d{1,2})\s+)?((?:Note|Fotnote|Sluttnote|Merknad) (?:om|til|on|about)\b[^:.]{0,60}):\s*(\S.*)$", re.I
)
_DASH_ITEM_RE = re.compile(r"^(?:->|[-–])\s+(\S.*)$")
_SENTENCE_END = (".", "!", "?", ":", ";", "»", '"', ")")
_TRAILING_FUNCTION_WORD_RE = re.compile(
    r"\b(?:at|og|eller|i|for|med|til|som|av|på|om|en|et|ei|den|det|de|er|the|of|and|to|a|an|in|on|with)$", re.I
)


@dataclass(frozen=True)
class Block:
    """A heading, a paragraph or a list item, in document order."""

    kind: str  # "heading" | "paragraph" | "item"
    text: str
    level: int = 0  # headings: 1 is the top
    number: str | None = None  # headings and numbered items: "3.1", "7"
    bullet: bool = False  # items: a bullet rather than a number
    list_id: int = 0  # items: consecutive items of one list share it


def _wrap_width(lines: list[str]) -> int:
    """The margin: the length most wrapped lines reach (a high percentile of line lengths)."""
    lengths = sorted(len(line) for line in lines if line)
    if not lengths:
        return 0
    return lengths[int(len(lengths) * 0.9)]


def _is_item_start(line: str) -> bool:
    return line.startswith(BULLET) or bool(_DASH_ITEM_RE.match(line)) or bool(_NUMBERED_ITEM_RE.match(line))


def _short_title(line: str, limit: int = 80, numbered: bool = False) -> bool:
    """Could this line be a title: short, no sentence-final full stop, few words, starts like a title."""
    if not line or len(line) > limit or line.endswith((".", ",", ";")) or len(line.split()) > 12:
        return False
    if not numbered and _TRAILING_FUNCTION_WORD_RE.search(line):
        return False  # "… bidra til at" runs on into the next line
    return line[0].isupper() or line[0].isdigit() or line[0] in "«\""


class _Parser:
    """Reads the cleaned lines once, front to back; each kind of line has its own method, which
    appends a block and returns the index of the next line, or returns None when the line isn't its kind."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.hyphenated = hyphenated_forms(lines)
        # A document that marks its headings (Word's heading styles, HTML's <h1>–<h6>, a PDF's larger
        # type, all given as `#` lines by the readers) is trusted: a short line of its is not a title.
        self.headings_marked = sum(1 for line in lines if _MARKDOWN_HEADING_RE.match(line)) >= 3
        width = _wrap_width(lines)
        # A document whose paragraphs are single long lines has no wrapping to read.
        self.width = width if 0 < width <= 160 else 10**9
        self.blocks: list[Block] = []
        self.list_id = 0

    # -- reading the layout --------------------------------------------------------------------

    def full(self, line: str, share: float = 0.72) -> bool:
        """Did this line run (nearly) to the margin, i.e. was it wrapped?"""
        return len(line) >= self.width * share

    def next_text(self, i: int) -> tuple[int, str]:
        j = i + 1
        while j < len(self.lines) and not self.lines[j]:
            j += 1
        return (j, self.lines[j]) if j < len(self.lines) else (len(self.lines), "")

    def continues(self, prev: str, nxt: str, blank_between: bool, in_item: bool) -> bool:
        """Does `nxt` carry on the sentence or paragraph that `prev` belongs to?"""
        if not nxt or _is_item_start(nxt) or _MARKDOWN_HEADING_RE.match(nxt) or _APPENDIX_RE.match(nxt):
            return False
        if prev.endswith(("-", ",", "(", "/", "–")) or nxt[:1].islower():
            return True
        if in_item and nxt.endswith(":") and len(nxt) <= 40:
            return False  # "Ytringsfrihet:" opens what follows, it doesn't end the item
        if prev.endswith(_SENTENCE_END) and not self.full(nxt) and _short_title(nxt.rstrip(",")):
            return False  # a title line after a finished sentence starts a new section
        if blank_between:
            return self.full(prev) and not prev.endswith(_SENTENCE_END)
        if in_item and not self.full(prev, 0.9):
            return False  # an item continues on a capitalised line only when it ran to the margin
        return self.full(prev)

    def gather(self, i: int, first: str, in_item: bool = False) -> tuple[int, str]:
        """Collect the lines of one paragraph or item from line i on; return the next index and the text."""
        text, last, j = first, self.lines[i], i
        while True:
            k, nxt = self.next_text(j)
            if k >= len(self.lines) or not self.continues(last, nxt, k > j + 1, in_item):
                return k, text
            text, last, j = join_wrapped(text, nxt, self.hyphenated), nxt, k

    @property
    def previous(self) -> Block | None:
        return self.blocks[-1] if self.blocks else None

    def _in_list(self, bullet: bool) -> bool:
        prev = self.previous
        return prev is not None and prev.kind == "item" and prev.bullet == bullet

    # -- one method per kind of line -------------------------------------------------------------

    def markdown_heading(self, i: int, line: str) -> int | None:
        md = _MARKDOWN_HEADING_RE.match(line)
        if not md:
            return None
        self.blocks.append(Block("heading", md.group(2).strip(), level=len(md.group(1))))
        return i + 1

    def appendix_heading(self, i: int, line: str) -> int | None:
        """'Vedlegg 4:' with its title on the same line, the next one, or wrapped over two."""
        appendix = _APPENDIX_RE.match(line)
        if not appendix or len(line) > 90 or line.endswith("."):
            return None
        k_next, nxt = self.next_text(i)
        title = appendix.group(3).strip()
        end = i + 1
        if not title and _short_title(nxt) and not _is_item_start(nxt):
            title = nxt.strip()
            k_after, after = self.next_text(k_next)
            if after and after[:1].islower() and _short_title(after.capitalize(), 60):
                title = join_wrapped(title, after, self.hyphenated)
                k_next = k_after
            end = k_next + 1
        label = f"{appendix.group(1).capitalize()} {appendix.group(2)}"
        self.blocks.append(Block("heading", f"{label}: {title}" if title else label, level=1, number=appendix.group(2)))
        return end

    def numbered_heading(self, i: int, line: str) -> int | None:
        """'3.1 Fem prinsipper …' — but not an item of a numbered list ('4. Kjøreregler …' among 1.–5.)."""
        heading = _NUMBERED_HEADING_RE.match(line)
        if not heading or line.endswith(".") or not _short_title(heading.group(2).capitalize(), 90, numbered=True):
            return None
        _, nxt = self.next_text(i)
        number = heading.group(1).rstrip(".")
        next_is_item = bool(_NUMBERED_ITEM_RE.match(nxt)) and "." not in number
        if self._in_list(bullet=False) or next_is_item or (nxt[:1].islower() and not _short_title(nxt.capitalize())):
            return None
        self.blocks.append(Block("heading", strip_heading_footnote(heading.group(2)), level=number.count(".") + 1, number=number))
        return i + 1

    def numbered_item(self, i: int, line: str) -> int | None:
        item = _NUMBERED_ITEM_RE.match(line)
        if not item:
            return None
        if not self._in_list(bullet=False):
            self.list_id += 1
        end, text = self.gather(i, item.group(2), in_item=True)
        self.blocks.append(Block("item", text, number=item.group(1), list_id=self.list_id))
        return end

    def bullet(self, i: int, line: str) -> int | None:
        """A bullet item — or, alone between paragraphs and reading as a title ("Er du leder?"), a heading."""
        dash = _DASH_ITEM_RE.match(line)
        if not (line.startswith(BULLET) or dash):
            return None
        body = dash.group(1) if dash else line[len(BULLET):].strip()
        if not body:
            return i + 1
        _, nxt = self.next_text(i)
        in_list = self._in_list(bullet=True)
        end, text = self.gather(i, body, in_item=True)
        if text == body and not in_list and _short_title(body) and nxt and not _is_item_start(nxt) and not body.endswith(":"):
            self.blocks.append(Block("heading", body, level=-1))  # -1: placed below the plain heading before it
            return end
        if not in_list:
            self.list_id += 1
        self.blocks.append(Block("item", text, bullet=True, list_id=self.list_id))
        return end

    def title_line(self, i: int, line: str) -> int | None:
        """A short title line between blocks (it may wrap onto a second short line), or a short 'Label:'."""
        if self.headings_marked:
            return None
        k_next, nxt = self.next_text(i)
        prev_line = next((x for x in reversed(self.lines[:i]) if x), "")
        prev = self.previous
        after_break = prev is None or prev.kind == "heading" or prev_line.endswith(_SENTENCE_END) or not self.full(prev_line)
        if not after_break or not nxt:
            return None
        wrapped_title = line.endswith(",") and _short_title(line.rstrip(","))
        if (_short_title(line) or wrapped_title) and not line.endswith(":"):
            title, end = line, i + 1
            if nxt[:1].islower() and len(nxt) <= 60 and not nxt.endswith((".", ",")):
                _, after = self.next_text(k_next)
                if after and not after[:1].islower():
                    title, end, nxt = join_wrapped(line, nxt, self.hyphenated), k_next + 1, after
            if not nxt[:1].islower() and not title.endswith(","):
                self.blocks.append(Block("heading", strip_heading_footnote(title), level=0))
                return end
        if line.endswith(":") and len(line) <= 40 and not _is_item_start(nxt) and not _short_title(nxt):
            self.blocks.append(Block("heading", line.rstrip(":").strip(), level=0))
            return i + 1
        return None

    def endnote(self, i: int, line: str) -> int | None:
        """'i Note om ytringfrihet: Ytringsfriheten er …': a heading of its own and the note's text."""
        note = _ENDNOTE_RE.match(line)
        if not note:
            return None
        self.blocks.append(Block("heading", note.group(1).strip(), level=1))
        return self.paragraph(i, note.group(2))

    def paragraph(self, i: int, line: str) -> int:
        end, text = self.gather(i, line)
        self.blocks.append(Block("paragraph", text))
        return end

    def parse(self) -> list[Block]:
        kinds = (
            self.markdown_heading, self.appendix_heading, self.endnote, self.numbered_heading, self.numbered_item, self.bullet,
            self.title_line,
        )
        i = 0
        while i < len(self.lines):
            line = self.lines[i]
            if not line:
                i += 1
                continue
            end = next((end for kind in kinds if (end := kind(i, line)) is not None), None)
            i = end if end is not None else self.paragraph(i, line)
        return _assign_levels(self.blocks)


def parse_blocks(lines: list[str]) -> list[Block]:
    """Turn cleaned lines into blocks."""
    return _Parser(lines).parse()


def _assign_levels(blocks: list[Block]) -> list[Block]:
    """Give unnumbered headings a level: one below the enclosing numbered heading.

    A heading that came from a lone bullet sits one level below the plain heading before it.
    """
    result: list[Block] = []
    numbered_level = 0
    plain_level = 1
    for block in blocks:
        if block.kind != "heading":
            result.append(block)
            continue
        if block.level > 0 and block.number is None:  # markdown / Word heading levels
            numbered_level = block.level - 1
            plain_level = block.level
            result.append(block)
            continue
        if block.level > 0:
            numbered_level = block.level
            plain_level = block.level + 1
            result.append(block)
            continue
        from_bullet = block.level == -1
        level = plain_level + 1 if from_bullet else numbered_level + 1
        if not from_bullet:
            plain_level = level
        result.append(Block("heading", block.text, level=level))
    return result

