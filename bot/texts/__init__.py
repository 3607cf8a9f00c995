"""Every user-facing string, one table per language (`nb`, `nn`, `en`) with the same keys, shared by
the terminal, Slack and Teams so they say the same thing.

    >>> phrase("contact", "nn")
    'Spør gjerne'
    >>> phrase("more_roles", "en", n=3)
    '… and 3 more roles'
"""
from __future__ import annotations

from bot.texts import en, nb, nn

TABLES: dict[str, dict[str, str]] = {"nb": nb.TEXTS, "nn": nn.TEXTS, "en": en.TEXTS}
DEFAULT_LANGUAGE = "nb"


def phrase(key: str, language: str, **values: object) -> str:
    """The text for `key` in `language` (bokmål for a language without a table), with `{name}`
    values filled in. A key no table has raises KeyError: a typo must fail in the tests."""
    table = TABLES.get(language, TABLES[DEFAULT_LANGUAGE])
    entry = table[key]
    return entry.format(**values) if values else entry
