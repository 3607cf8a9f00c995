"""Text from documents and askers as data in Adaptive Card Markdown.

Teams renders a TextBlock's `text` (and shows an activity's `summary`) as a subset of Markdown:
`**bold**`, `_italic_`, `[label](address)` links, bare addresses, and lines that start with "7. " or
"- " as lists (renumbered from 1). Text we did not write — a document's rule or passage, a crisis
message, a document title, the asker's own words — must show exactly as written, so every
character Markdown could read as syntax is escaped with a backslash (CommonMark escapes, which
Adaptive Cards honour). A link in an answer can then only come from Veileder itself.
"""
from __future__ import annotations

import re

# Inline syntax anywhere in a line: emphasis, links and images, code, strikethrough, HTML-ish tags.
_INLINE_RE = re.compile(r"([\\`*_\[\]~<>])")
# Block syntax at the start of a line: ordered lists ("7. ", "2024) "), bullets, headings (quotes: `>` above).
_ORDERED_RE = re.compile(r"^(\s*\d+)([.)])(?=\s|$)", re.MULTILINE)
_BULLET_RE = re.compile(r"^(\s*)([-+=#])(?=\s|$|#)", re.MULTILINE)
# "https://…" becomes a link by itself in Teams; "https\://…" stays text.
_AUTOLINK_RE = re.compile(r"(?i)\b(https?|ftp|mailto|javascript|data|file|www)(:|\.)(?=//|\w)")


def escape_markdown(text: str, *, own_links: bool = False) -> str:
    """`text` as Adaptive Card Markdown that renders as exactly these characters (no link, list or emphasis).

    `own_links=True` is for Veileder's own configured text (the catalog's communications contact):
    a bare web address in it stays a link; a `[label](address)` still never becomes one.
    """
    text = _INLINE_RE.sub(r"\\\1", text)
    text = _ORDERED_RE.sub(r"\1\\\2", text)
    text = _BULLET_RE.sub(r"\1\\\2", text)
    return text if own_links else _AUTOLINK_RE.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
