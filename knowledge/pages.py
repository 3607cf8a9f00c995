"""Which page a passage stands on, so a passage from a PDF can be cited "s. 21".

Passages are built from the whole document's cleaned text; their page is found afterwards by
looking up the start of each passage's text in the pages' text, compared as letters and digits only
(line breaks, hyphenation and bullets differ between the two)."""
from __future__ import annotations

import bisect
import dataclasses
import re

from knowledge.passages import Passage

_KEEP = re.compile(r"[^\w]+")
_PROBE_CHARS = 40


def _squash(text: str) -> str:
    return _KEEP.sub("", text.lower()).replace("_", "")


def assign_pages(passages: list[Passage], pages: list[str]) -> list[Passage]:
    """The passages with `page` (1-based) set where the start of their text is found in `pages`."""
    squashed = [_squash(page) for page in pages]
    starts, offset = [], 0
    for text in squashed:
        starts.append(offset)
        offset += len(text)
    whole = "".join(squashed)
    out, cursor = [], 0
    for passage in passages:
        probe = _squash(passage.text)[:_PROBE_CHARS]
        at = whole.find(probe, cursor) if probe else -1
        if at < 0 and probe:
            at = whole.find(probe)
        if at < 0:
            out.append(passage)
            continue
        if passage.kind in ("paragraph", "item", "list"):
            cursor = at
        out.append(dataclasses.replace(passage, page=bisect.bisect_right(starts, at)))
    return out
