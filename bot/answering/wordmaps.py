"""Word maps from nynorsk and English to bokmål, the language the documents are written in, for the
lexical side of matching (BM25 and the words a rule shares with the question).

They come from Debian's FreeDict dictionaries (`dict-freedict-nno-nob`, `dict-freedict-eng-nor`,
installed by `make setup` where it can run apt-get), read from their dictd files. Without them the
maps are empty and the answer path works as before; `missing()` names what to install.
"""
from __future__ import annotations

import gzip
import logging
import re
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

DICT_DIR = Path("/usr/share/dictd")
DICTIONARIES = {"nn": "freedict-nno-nob", "en": "freedict-eng-nor"}
PACKAGES = {"nn": "dict-freedict-nno-nob", "en": "dict-freedict-eng-nor"}
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_WORD_RE = re.compile(r"[a-zæøåéèüö'-]+")
_HEADWORD_RE = re.compile(r"^[a-zæøåéèüö-]+$")


def _number(text: str) -> int:
    value = 0
    for ch in text:
        value = value * 64 + _B64.index(ch)
    return value


def read_dictd(name: str, directory: Path = DICT_DIR) -> dict[str, str]:
    """{headword: its first single-word translation} from a dictd dictionary (index + dict.dz)."""
    index_path, data_path = directory / f"{name}.index", directory / f"{name}.dict.dz"
    data = gzip.open(data_path).read()  # dictzip is gzip-compatible
    words: dict[str, str] = {}
    for line in index_path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) != 3 or parts[0].startswith("00") or not _HEADWORD_RE.match(parts[0]):
            continue
        headword, offset, length = parts[0].lower(), _number(parts[1]), _number(parts[2])
        if headword in words:
            continue
        entry = data[offset: offset + length].decode("utf-8", "replace").split("\n")
        if len(entry) < 2:
            continue
        # the line after the headword holds the translations: "impressario, manager", "legende 2."
        first = re.split(r"[,;]", entry[1])[0].strip()
        first = re.sub(r"\s+\d+\.$", "", first).strip().lower()
        if first and _HEADWORD_RE.match(first) and first != headword:
            words[headword] = first
    return words


@lru_cache(maxsize=None)
def word_map(language: str) -> dict[str, str]:
    """The map for 'nn' or 'en' ({} for bokmål, or when the dictionary isn't installed)."""
    name = DICTIONARIES.get(language)
    if name is None:
        return {}
    try:
        return read_dictd(name)
    except (OSError, ValueError) as exc:
        log.warning("no %s word map (%s): install Debian's %s", language, exc, PACKAGES[language])
        return {}


def missing() -> list[str]:
    """The Debian packages whose dictionaries are not installed."""
    return [PACKAGES[l] for l, name in DICTIONARIES.items() if not (DICT_DIR / f"{name}.index").exists()]


def bokmal_words(text: str, language: str) -> str:
    """The bokmål words for a nynorsk or English question's words that the map knows ('' when none)."""
    mapping = word_map(language)
    if not mapping:
        return ""
    found = [mapping[w] for w in _WORD_RE.findall(text.lower()) if w in mapping]
    return " ".join(dict.fromkeys(found))
