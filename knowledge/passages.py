"""Passages: the units that are searched and cited — a paragraph or a list item with its section path.

Short bullet lists become one passage with their lead-in ("Kommunen har følgende kanaler: • …"),
because each bullet alone says nothing; numbered rules and long bullets stand alone, each with
the lead-in kept as context. A section made of sub-sections also gets an outline passage
("Fem grep for bedre kommunikasjon: …; …") so "which five …" questions find the list itself.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from knowledge.structure import Block

SECTION_SEPARATOR = " › "
CONTENT_KINDS = ("paragraph", "item", "list")
_SHORT_PARAGRAPH = 45
_LONG_PARAGRAPH = 900
_SHORT_BULLETS = 90  # mean item length under which a bullet list is one passage
_SECTION_MAX = 1600  # a section up to this long is also one passage as a whole
_SENTENCE_SPLIT_RE = re.compile(r"(?<=[.!?])\s+(?=[A-ZÆØÅ«\"])")


@dataclass(frozen=True)
class Passage:
    """A paragraph or list item of one document, with where it stands."""

    id: str
    document_id: str
    municipality: str
    section: tuple[str, ...]
    text: str
    kind: str  # "paragraph" | "item" | "list" | "outline"
    item: str | None = None
    lead: str = ""
    order: int = 0
    parts: tuple[str, ...] = ()  # a section passage: the ids of the passages it is made of
    page: int | None = None  # 1-based page where the passage starts, for formats with pages (PDF)

    @property
    def section_title(self) -> str:
        return SECTION_SEPARATOR.join(self.section)

    def search_text(self) -> str:
        """What is embedded and indexed: the heading path (measured: worth ~10 points of recall), lead-in, text."""
        parts = [self.section_title, self.lead, self.text]
        return "\n".join(p for p in parts if p)


@dataclass
class _Builder:
    document_id: str
    municipality: str
    passages: list[Passage] = field(default_factory=list)
    seen_ids: set[str] = field(default_factory=set)

    def add(
        self, section: tuple[str, ...], text: str, kind: str, item: str | None = None, lead: str = "", parts: tuple[str, ...] = ()
    ) -> None:
        text = text.strip()
        if not text:
            return
        digest = hashlib.sha1(f"{self.document_id}|{SECTION_SEPARATOR.join(section)}|{text}".encode()).hexdigest()[:12]
        pid = f"{self.document_id}#{digest}"
        n = 2
        while pid in self.seen_ids:
            pid = f"{self.document_id}#{digest}-{n}"
            n += 1
        self.seen_ids.add(pid)
        self.passages.append(
            Passage(pid, self.document_id, self.municipality, section, text, kind, item, lead, len(self.passages), parts)
        )


def _split_long(text: str) -> list[str]:
    """Split a very long paragraph at sentence ends into chunks of about half the limit."""
    if len(text) <= _LONG_PARAGRAPH:
        return [text]
    chunks: list[str] = []
    current = ""
    for sentence in _SENTENCE_SPLIT_RE.split(text):
        if current and len(current) + len(sentence) > _LONG_PARAGRAPH // 2:
            chunks.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}".strip()
    if current:
        chunks.append(current)
    return chunks


def build_passages(blocks: list[Block], document_id: str, municipality: str) -> list[Passage]:
    """Group a document's blocks into passages, each with its section path."""
    out = _Builder(document_id, municipality)
    headings: list[tuple[int, str]] = []
    pending = ""  # a short paragraph waiting to be joined to the next one
    i = 0
    section: tuple[str, ...] = ()

    def flush_pending() -> None:
        nonlocal pending
        if pending:
            out.add(section, pending, "paragraph")
            pending = ""

    while i < len(blocks):
        block = blocks[i]
        if block.kind == "heading":
            flush_pending()
            headings = [(lvl, title) for lvl, title in headings if lvl < block.level]
            headings.append((block.level, block.text))
            section = tuple(title for _, title in headings)
            i += 1
            continue
        if block.kind == "paragraph":
            next_is_items = i + 1 < len(blocks) and blocks[i + 1].kind == "item"
            if next_is_items and block.text.endswith(":"):
                i = _add_list(out, blocks, i + 1, section, lead=f"{pending} {block.text}".strip())
                pending = ""
                continue
            text = f"{pending} {block.text}".strip() if pending else block.text
            pending = ""
            if len(text) < _SHORT_PARAGRAPH and i + 1 < len(blocks) and blocks[i + 1].kind == "paragraph":
                pending = text
            else:
                for chunk in _split_long(text):
                    out.add(section, chunk, "paragraph")
            i += 1
            continue
        # items without a lead-in paragraph
        lead = pending
        pending = ""
        i = _add_list(out, blocks, i, section, lead=lead)
    flush_pending()
    _add_outlines(out, blocks)
    _add_sections(out)
    return out.passages


def _add_list(out: _Builder, blocks: list[Block], start: int, section: tuple[str, ...], lead: str) -> int:
    """Add the list that starts at `start`; return the index after it."""
    list_id = blocks[start].list_id
    end = start
    while end < len(blocks) and blocks[end].kind == "item" and blocks[end].list_id == list_id:
        end += 1
    items = blocks[start:end]
    mean = sum(len(b.text) for b in items) / len(items)
    numbered = not items[0].bullet
    table_of_contents = numbered and all(len(b.text) < 80 and not b.text.endswith(".") for b in items)
    if (not numbered and mean < _SHORT_BULLETS) or table_of_contents or len(items) == 1 and mean < 40:
        lines = [lead] if lead else []
        lines += [f"• {b.text}" if b.bullet else f"{b.number}. {b.text}" for b in items]
        out.add(section, "\n".join(lines), "list")
    else:
        for b in items:
            out.add(section, b.text, "item", item=None if b.bullet else b.number, lead=lead)
    return end


def _add_outlines(out: _Builder, blocks: list[Block]) -> None:
    """For each heading with two or more sub-headings, one passage naming them, with its intro text."""
    stack: list[tuple[int, str]] = []
    children: dict[tuple[str, ...], list[str]] = {}
    for block in blocks:
        if block.kind != "heading":
            continue
        stack = [(lvl, title) for lvl, title in stack if lvl < block.level]
        parent = tuple(title for _, title in stack)
        if parent:
            children.setdefault(parent, []).append(block.text)
        stack.append((block.level, block.text))
    for path, titles in children.items():
        if len(titles) < 2:
            continue
        intro = next((p for p in out.passages if p.section == path and p.kind == "paragraph"), None)
        body = f"{path[-1]}: " + (f"{intro.text} " if intro else "") + "; ".join(titles) + "."
        out.add(path, body, "outline")


def _add_sections(out: _Builder) -> None:
    """A short section of several passages is also searchable as a whole ("Hva er de fem prinsippene?")."""
    groups: dict[tuple[str, ...], list[Passage]] = {}
    for passage in out.passages:
        if passage.kind in CONTENT_KINDS and passage.section:
            groups.setdefault(passage.section, []).append(passage)
    for section, members in groups.items():
        if len(members) < 2:
            continue
        lines = []
        for p in members:
            prefix = f"{p.item}. " if p.item else ("• " if p.kind == "item" else "")
            lines.append(prefix + p.text)
        body = "\n".join(lines)
        if len(body) <= _SECTION_MAX:
            out.add(section, f"{section[-1]}\n{body}", "section", parts=tuple(p.id for p in members))
