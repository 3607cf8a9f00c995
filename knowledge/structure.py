"""Recovering a document's structure from cleaned lines: headings, paragraphs and list items.

Extracted PDF text has lost its layout, so structure is read from what is left: line length
(a wrapped line runs to the margin, the last line of a paragraph stops short), punctuation,
numbering (`3.1`, `Vedlegg 4:`), bullets, and whether the next line continues a sentence.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.cleaning import BULLET, join_wrapped, strip_heading_footnote

_NUMBERED_HEADING_RE = re.compile(r"^(\d{1,2}(?:\.\d{1,2})+|\d{1,2}\.)\s+(\S.*)$")
_NUMBERED_ITEM_RE = re.compile(r"^(\d{1,2})[.)]\s+(\S.*)$")
_APPENDIX_RE = re.compile(r"^(Vedlegg|Bilag|Appendix)\s+(\d{1,2}|[A-Z])\s*[:.]?\s*(.*)$", re.I)
_MARKDOWN_HEADING_RE = re.compile(r"^(#{1,6})\s+(.+)$")
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


class _Reader:
    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        width = _wrap_width(lines)
        # A document whose paragraphs are single long lines has no wrapping to read.
        self.width = width if 0 < width <= 160 else 10**9

    def full(self, line: str, share: float = 0.72) -> bool:
        """Did this line run (nearly) to the margin, i.e. was it wrapped?"""
        return len(line) >= self.width * share

    def next_text(self, i: int) -> tuple[int, str]:
        j = i + 1
        while j < len(self.lines) and not self.lines[j]:
            j += 1
        return (j, self.lines[j]) if j < len(self.lines) else (len(self.lines), "")


def _is_item_start(line: str) -> bool:
    return line.startswith(BULLET) or bool(_DASH_ITEM_RE.match(line)) or bool(_NUMBERED_ITEM_RE.match(line))


def _short_title(line: str, limit: int = 80, numbered: bool = False) -> bool:
    """Could this line be a title: short, no sentence-final full stop, few words, starts like a title."""
    if not line or len(line) > limit or line.endswith((".", ",", ";")) or len(line.split()) > 12:
        return False
    if not numbered and _TRAILING_FUNCTION_WORD_RE.search(line):
        return False  # "… bidra til at" runs on into the next line
    return line[0].isupper() or line[0].isdigit() or line[0] in "«\""


def parse_blocks(lines: list[str]) -> list[Block]:
    """Turn cleaned lines into blocks."""
    reader = _Reader(lines)
    blocks: list[Block] = []
    list_id = 0
    i = 0
    n = len(lines)

    def continues(prev: str, nxt: str, blank_between: bool, in_item: bool) -> bool:
        """Does `nxt` carry on the sentence or paragraph that `prev` belongs to?"""
        if not nxt or _is_item_start(nxt) or _MARKDOWN_HEADING_RE.match(nxt) or _APPENDIX_RE.match(nxt):
            return False
        if prev.endswith(("-", ",", "(", "/", "–")) or nxt[:1].islower():
            return True
        if in_item and nxt.endswith(":") and len(nxt) <= 40:
            return False  # "Ytringsfrihet:" opens what follows, it doesn't end the item
        if prev.endswith(_SENTENCE_END) and not reader.full(nxt) and _short_title(nxt.rstrip(",")):
            return False  # a title line after a finished sentence starts a new section
        if blank_between:
            return reader.full(prev) and not prev.endswith(_SENTENCE_END)
        if in_item and not reader.full(prev, 0.9):
            return False  # an item continues on a capitalised line only when it ran to the margin
        return reader.full(prev)

    def gather(i: int, first: str, in_item: bool = False) -> tuple[int, str]:
        """Collect the lines of one paragraph or item from line i on; return the next index and the text."""
        text = first
        last = lines[i]
        j = i
        while True:
            k, nxt = reader.next_text(j)
            if k >= n:
                return k, text
            blank_between = k > j + 1
            if not continues(last, nxt, blank_between, in_item):
                return k, text
            text = join_wrapped(text, nxt)
            last = nxt
            j = k

    while i < n:
        line = lines[i]
        if not line:
            i += 1
            continue
        prev_block = blocks[-1] if blocks else None
        k_next, nxt = reader.next_text(i)

        md = _MARKDOWN_HEADING_RE.match(line)
        if md:
            blocks.append(Block("heading", md.group(2).strip(), level=len(md.group(1))))
            i += 1
            continue

        appendix = _APPENDIX_RE.match(line)
        if appendix and len(line) <= 90 and not line.endswith("."):
            title = appendix.group(3).strip()
            nxt_is_title = _short_title(nxt) and not _is_item_start(nxt)
            if not title and nxt_is_title:
                title = nxt.strip()
                k_next2, after = reader.next_text(k_next)
                # A title wrapped onto a second short line.
                if after and after[:1].islower() and _short_title(after.capitalize(), 60):
                    title = join_wrapped(title, after)
                    k_next = k_next2
                i = k_next + 1
            else:
                i += 1
            label = f"{appendix.group(1).capitalize()} {appendix.group(2)}"
            blocks.append(Block("heading", f"{label}: {title}" if title else label, level=1, number=appendix.group(2)))
            continue

        numbered_heading = _NUMBERED_HEADING_RE.match(line)
        numbered_item = _NUMBERED_ITEM_RE.match(line)
        if numbered_heading and _short_title(numbered_heading.group(2).capitalize(), 90, numbered=True) and not line.endswith("."):
            number = numbered_heading.group(1).rstrip(".")
            in_list = prev_block is not None and prev_block.kind == "item" and not prev_block.bullet
            next_is_item = bool(_NUMBERED_ITEM_RE.match(nxt)) and "." not in number
            if not in_list and not next_is_item and not (nxt[:1].islower() and not _short_title(nxt.capitalize())):
                title = strip_heading_footnote(numbered_heading.group(2))
                blocks.append(Block("heading", title, level=number.count(".") + 1, number=number))
                i += 1
                continue

        if numbered_item:
            if not (prev_block and prev_block.kind == "item" and not prev_block.bullet):
                list_id += 1
            i, text = gather(i, numbered_item.group(2), in_item=True)
            blocks.append(Block("item", text, number=numbered_item.group(1), list_id=list_id))
            continue

        dash = _DASH_ITEM_RE.match(line)
        if line.startswith(BULLET) or dash:
            body = dash.group(1) if dash else line[len(BULLET):].strip()
            if not body:
                i += 1
                continue
            in_list = prev_block is not None and prev_block.kind == "item" and prev_block.bullet
            end, text = gather(i, body, in_item=True)
            single_line = text == body
            # A lone bullet between paragraphs that reads as a title ("Er du leder?") is a heading.
            if (
                single_line
                and not in_list
                and _short_title(body)
                and nxt
                and not _is_item_start(nxt)
                and not body.endswith(":")
            ):
                blocks.append(Block("heading", body, level=-1))  # -1: placed below the plain heading before it
                i = end
                continue
            if not in_list:
                list_id += 1
            blocks.append(Block("item", text, bullet=True, list_id=list_id))
            i = end
            continue

        # A short title line between blocks is a heading; it may wrap onto a second short line.
        prev_line = next((x for x in reversed(lines[:i]) if x), "")
        after_break = (
            prev_block is None
            or prev_block.kind == "heading"
            or prev_line.endswith(_SENTENCE_END)
            or not reader.full(prev_line)
        )
        wrapped_title = line.endswith(",") and _short_title(line.rstrip(","))
        if after_break and (_short_title(line) or wrapped_title) and not line.endswith(":") and nxt:
            title = line
            end = i + 1
            if nxt[:1].islower() and len(nxt) <= 60 and not nxt.endswith((".", ",")):
                k2, after = reader.next_text(k_next)
                if after and not after[:1].islower():
                    title = join_wrapped(line, nxt)
                    end = k_next + 1
                    nxt = after
            if not nxt[:1].islower() and not title.endswith(","):
                blocks.append(Block("heading", strip_heading_footnote(title), level=0))
                i = end
                continue
        if after_break and line.endswith(":") and len(line) <= 40 and nxt and not _is_item_start(nxt) and not _short_title(nxt):
            blocks.append(Block("heading", line.rstrip(":").strip(), level=0))
            i += 1
            continue

        i, text = gather(i, line)
        blocks.append(Block("paragraph", text))
    return _assign_levels(blocks)


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

