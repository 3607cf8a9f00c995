"""Cleaning what extraction leaves behind, for every format, before structure is recovered.

The documents stay faithful: nothing is rewritten, only extraction artefacts are removed —
ligatures and other compatibility characters folded (NFKC for those code points: "oﬀentlig" →
"offentlig"), soft hyphens, bullet glyphs from symbol fonts, running headers and footers, stray
page numbers, markdown emphasis and footnote markers that got detached from their text — and
words split at a line end are mended, keeping the hyphens that belong to the word.
"""
from __future__ import annotations

import re
import unicodedata

BULLET = "•"
# Symbol-font bullets (U+F0B7, U+F0A7) and the usual bullet characters become one marker.
_BULLET_CHARS = "\uf0b7\uf0a7\uf076\uf0d8\uf0fc\u2022\u25aa\u25cf\u25e6\u2023\u2043\u25a0\u25a1\u2219"
_BULLET_RE = re.compile(f"[{_BULLET_CHARS}]")
_PRIVATE_USE_RE = re.compile("[\ue000-\uf8ff]")
_SPACES_RE = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Unicode's format characters (category Cf): soft hyphens (U+00AD, pasted from Word), zero-width
# spaces and joiners, bidirectional marks, the byte order mark. Invisible, yet they split words.
# Written out (Unicode 15) so importing costs nothing; tests/knowledge checks it against unicodedata.
_FORMAT_RE = re.compile("[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]")
# Compatibility decompositions that are folded: ligatures (ﬁ, ﬀ), full- and half-width forms, font
# variants. Superscripts, fractions and circled numbers keep their meaning and are left alone.
_FOLDED_KINDS = ("<compat>", "<font>", "<wide>", "<narrow>", "<noBreak>")
# "Kommunikasjonsstrategi s. 21", "side 3 av 12", "- 4 -"
_FOOTER_RE = re.compile(r"^(?:.{0,60}\S\s+)?(?:s\.|side)\s*\d{1,3}(?:\s*(?:av|/)\s*\d{1,3})?$|^[-–]\s*\d{1,3}\s*[-–]$", re.I)
_PAGE_NUMBER_RE = re.compile(r"^\d{1,3}$")
_FOOTNOTE_MARKER_RE = re.compile(r"^(?:\d{1,2}|[ivx]{1,3})$")
_EMPHASIS_RE = re.compile(r"\*\*(.+?)\*\*|(?<![\w*])\*(\S(?:.*?\S)?)\*(?![\w*])|__(.+?)__")
_STAR_BULLET_RE = re.compile(r"^\*\s+(?:[-–—]\s+)?(?=\S)")
_SENTENCE_END = (".", "!", "?", ":", "»", '"', ")")


def fold_compatibility(text: str) -> str:
    """NFKC for the code points whose compatibility form is the same letter ("ﬁ" → "fi", "Ａ" → "A")."""
    if text.isascii():
        return text
    out = []
    for ch in text:
        if ord(ch) > 0x7F and unicodedata.decomposition(ch).startswith(_FOLDED_KINDS):
            out.append(unicodedata.normalize("NFKC", ch))
        else:
            out.append(ch)
    return "".join(out)


def _running_key(line: str) -> str:
    return re.sub(r"\d+", "#", " ".join(line.split()).lower())


def drop_running_lines(pages: list[str], edge: int = 2) -> list[str]:
    """Pages without their running headers and footers: a line among the first or last `edge`
    lines of at least half the pages (digits aside, so "Side 3 av 12" counts) is removed there.
    Documents under three pages are returned as they are."""
    if len(pages) < 3:
        return pages
    split = [page.replace("\r\n", "\n").replace("\r", "\n").split("\n") for page in pages]
    counts: dict[str, int] = {}
    for lines in split:
        text = [ln for ln in lines if ln.strip()]
        for key in {_running_key(ln) for ln in text[:edge] + text[-edge:]}:
            counts[key] = counts.get(key, 0) + 1
    running = {key for key, n in counts.items() if n >= max(2, len(pages) / 2)}
    if not running:
        return pages
    out = []
    for lines in split:
        idx = [i for i, ln in enumerate(lines) if ln.strip()]
        edges = set(idx[:edge] + idx[-edge:])
        out.append("\n".join(ln for i, ln in enumerate(lines) if not (i in edges and _running_key(ln) in running)))
    return out


def remove_format_characters(text: str) -> str:
    """`text` without invisible format characters (Unicode category Cf), so "ut\u00adtale" is "uttale"."""
    return _FORMAT_RE.sub("", text)


def normalise_line(line: str) -> str:
    """One line with bullets unified, control and format characters and private-use glyphs removed, spaces folded."""
    line = unicodedata.normalize("NFC", fold_compatibility(line))
    line = remove_format_characters(_CONTROL_RE.sub("", line))
    line = _BULLET_RE.sub(BULLET, line)
    line = _PRIVATE_USE_RE.sub(" ", line)
    line = _EMPHASIS_RE.sub(lambda m: next(g for g in m.groups() if g is not None), line)
    line = _SPACES_RE.sub(" ", line).strip()
    # "* Vær gjerne aktiv …" (a Markdown bullet, or a "•" as OCR reads it, also "* — …") is a bullet.
    line = _STAR_BULLET_RE.sub(BULLET + " ", line)
    # "• • Det er leders oppgave" (a glyph doubled by the extraction) is one bullet.
    line = re.sub(rf"^(?:{BULLET}\s*){{2,}}", BULLET + " ", line)
    if line.startswith(BULLET) and not line.startswith(BULLET + " "):
        line = BULLET + " " + line[1:].lstrip()
    return line


def clean_lines(text: str) -> list[str]:
    """The document's lines, cleaned; blank lines are kept as "" because they carry layout.

    Detached footnotes — a lone marker line followed by the note's text, in the middle of a
    sentence that continues after it — are moved to the end of the document so the sentence
    reads whole again.
    """
    raw = [normalise_line(line) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    lines: list[str] = []
    footnotes: list[str] = []
    i = 0
    while i < len(raw):
        line = raw[i]
        if _FOOTER_RE.match(line):
            i += 1
            continue
        if _FOOTNOTE_MARKER_RE.match(line) or _PAGE_NUMBER_RE.match(line):
            prev = next((x for x in reversed(lines) if x), "")
            j = i + 1
            while j < len(raw) and not raw[j]:
                j += 1
            k = j + 1
            while k < len(raw) and not raw[k]:
                k += 1
            note = raw[j] if j < len(raw) else ""
            after = raw[k] if k < len(raw) else ""
            interrupts = prev and not prev.endswith(_SENTENCE_END) and after[:1].islower()
            if interrupts and note and note[:1].isupper():
                footnotes.append(note)
                i = j + 1
                continue
            i += 1
            continue
        # A footnote whose marker sits glued in front of its text ("i Note om ytringsfrihet: …").
        line = re.sub(r"^(?:i|\d) (?=Note\b|Fotnote\b)", "", line)
        lines.append(line)
        i += 1
    if footnotes:
        lines.append("")
        for note in footnotes:
            lines += [note, ""]
    return lines


def strip_heading_footnote(heading: str) -> str:
    """'Fem prinsipper for kommunikasjon1' → 'Fem prinsipper for kommunikasjon'."""
    return re.sub(r"(?<=[a-zæøå])\d{1,2}$", "", heading).strip()


_WORD_HYPHEN_RE = re.compile(r"(?<![\w-])([^\W_]+(?:-[^\W_]+)+)(?![\w-])")
_LINE_END_WORD_RE = re.compile(r"(?:^|(?<=\s))([^\s-]+)-$")


def hyphenated_forms(lines: list[str]) -> frozenset[str]:
    """Every hyphenated word written within a line of the document ("e-post", "SMS-varsling"),
    lower-cased: a word split at a line end keeps its hyphen when the document writes it so."""
    return frozenset(m.group(1).lower() for line in lines for m in _WORD_HYPHEN_RE.finditer(line))


def _keeps_hyphen(first: str, left: str, right: str, hyphenated: frozenset[str]) -> bool:
    """Is the hyphen at the end of `first` (after the word `left`) part of the word, not a line split?"""
    if len(left) == 1 or any(ch.isdigit() for ch in left):
        return True  # "e-post", "2021-", "3-årig"
    if left.isupper():
        return True  # an acronym: "SMS-varsling", "HR-avdelingen"
    before = first[: -len(left) - 1].rstrip()
    if left[:1].isupper() and before and not before.endswith((".", "!", "?", ":", "•")):
        return True  # a capitalised name inside a sentence: "Østre Toten-modellen", "Facebook-grupper"
    return f"{left}-{right}".lower() in hyphenated


def join_wrapped(first: str, second: str, hyphenated: frozenset[str] = frozenset()) -> str:
    """Join two lines of one sentence, undoing end-of-line hyphenation ('kommunikasjons-' + 'plattformen')
    but keeping the hyphen of a word that has one ('e-' + 'post', 'SMS-' + 'varsling'); `hyphenated`
    is the document's `hyphenated_forms`."""
    if re.search(r"[^\W\d_]-$", first) and second[:1].isalpha():
        # "HR- og kommunikasjonsavdelingen" keeps its hyphen and the space.
        if re.match(r"(?:og|eller|and|or|til|samt)\b", second):
            return f"{first} {second}"
        left_match = _LINE_END_WORD_RE.search(first)
        left = left_match.group(1) if left_match else ""
        right = re.match(r"[^\W_]*", second).group(0)
        if second[:1].isupper() or (left and _keeps_hyphen(first, left, right, hyphenated)):
            return first + second
        return first[:-1] + second
    if first.endswith("-") and second[:1] in "–-":
        return first + second
    return f"{first} {second}"
