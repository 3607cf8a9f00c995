"""Every front end speaks from one text table per language: bokmål, nynorsk and English have the
same keys and fill in the same values."""
from __future__ import annotations

import string

import pytest

from bot.texts import TABLES, phrase


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_the_three_languages_have_the_same_keys():
    assert set(TABLES["nn"]) == set(TABLES["nb"]) == set(TABLES["en"])


@pytest.mark.parametrize("language", ["nn", "en"])
def test_each_text_fills_in_the_same_values_as_bokmål(language):
    assert {k: fields(v) for k, v in TABLES[language].items()} == {k: fields(v) for k, v in TABLES["nb"].items()}


def test_a_text_is_given_in_the_askers_language_and_bokmål_for_any_other():
    assert phrase("contact", "nn") == "Spør gjerne"
    assert phrase("more_roles", "en", n=3) == "… and 3 more roles"
    assert phrase("source", "sv") == phrase("source", "nb")


def test_a_missing_key_fails_loudly():
    with pytest.raises(KeyError):
        phrase("no-such-text", "nb")
