"""Plain text (.txt, .md): the encoding is detected, not assumed.

Order: a byte-order mark (UTF-8, UTF-16 and UTF-32, as Notepad's "Unicode" writes); then UTF-8,
where a file that is mostly valid UTF-8 with a few stray Windows-1252 bytes is repaired byte by
byte rather than decoded as Windows-1252 throughout; then charset-normalizer's detection (which
also finds UTF-16 without a mark); finally ftfy mends mojibake such as "Ã˜" left by an earlier
wrong conversion.
"""
from __future__ import annotations

import codecs
import re
from pathlib import Path

from knowledge.errors import UnreadableDocument
from knowledge.readers.extracted import ExtractedText

_BOMS = (  # UTF-32 first: its little-endian mark starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_REPAIR = "veileder-cp1252-bytes"
# A byte that is not valid UTF-8 is taken as Windows-1252; its five undefined bytes as Latin-1.


def _cp1252_bytes(error: UnicodeDecodeError) -> tuple[str, int]:
    bad = error.object[error.start : error.end]
    return "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in bad), error.end


codecs.register_error(_REPAIR, _cp1252_bytes)


def _has_utf8_multibyte(data: bytes) -> bool:
    """Does the data hold at least one well-formed multi-byte UTF-8 sequence (é, ø, å …)?"""
    i, n = 0, len(data)
    while i < n:
        b = data[i]
        if b < 0x80:
            i += 1
            continue
        length = 2 if 0xC2 <= b <= 0xDF else 3 if 0xE0 <= b <= 0xEF else 4 if 0xF0 <= b <= 0xF4 else 0
        if length and i + length <= n:
            try:
                data[i : i + length].decode("utf-8")
                return True
            except UnicodeDecodeError:
                pass
        i += 1
    return False


def decode_text(data: bytes) -> tuple[str, str]:
    """Bytes of a text file → (text, the encoding used). Raises ValueError when it isn't text."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace"), encoding
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if _has_utf8_multibyte(data) and (best is None or not best.encoding.startswith("utf_16")):
        return data.decode("utf-8", errors=_REPAIR), "utf-8 (repaired)"
    if best is None:
        raise ValueError("not text in any encoding we can detect")
    return str(best), best.encoding


def fix_mojibake(text: str) -> str:
    """Text decoded wrongly somewhere before us ("pÃ¥" for "på") mended by ftfy; quotes and layout kept."""
    import ftfy

    return ftfy.fix_text(
        text, uncurl_quotes=False, fix_line_breaks=False, fix_character_width=False, normalization="NFC", explain=False
    )


# A header block of "KEY: value" lines at the very top, as text saved from a web page often starts
# ("TITLE: Medieprotokoll – …", "SOURCE: https://…"): the document's title and address, not its text.
_HEADER_RE = re.compile(r"^(title|tittel|source|kilde|url)\s*:\s*(\S.*)$", re.IGNORECASE)
_TITLE_KEYS = ("title", "tittel")


def split_header(text: str) -> tuple[str, str | None, str | None]:
    """(text without a leading header block, its title, its http(s) address). A header block is one or
    more "TITLE:/SOURCE:/URL:" lines (also Norwegian TITTEL, KILDE) from the first line on, ended by a
    blank line; anything else at the top leaves the text as it is."""
    lines = text.lstrip("\ufeff").split("\n")
    found: dict[str, str] = {}
    n = 0
    while n < len(lines) and (match := _HEADER_RE.match(lines[n].strip())):
        found.setdefault(match.group(1).lower(), match.group(2).strip())
        n += 1
    if not found or (n < len(lines) and lines[n].strip()):
        return text, None, None
    title = next((found[k] for k in _TITLE_KEYS if k in found), None)
    address = next((v.split()[0] for k, v in found.items() if k not in _TITLE_KEYS and re.match(r"https?://", v)), None)
    return "\n".join(lines[n:]), title, address


def read_text_file(path: Path) -> ExtractedText:
    try:
        text, encoding = decode_text(path.read_bytes())
    except ValueError as exc:
        raise UnreadableDocument(str(path), f"{exc}; save it as UTF-8 text") from exc
    if "\x00" in text:
        raise UnreadableDocument(str(path), "binary data, not text")
    body, title, address = split_header(fix_mojibake(text))
    return ExtractedText((body,), method=f"text ({encoding})", title=title, url=address)
