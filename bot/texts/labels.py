"""The words every front end uses around an answer, in bokmål, nynorsk and English — one table, so
the terminal, Slack and Teams say the same thing."""
from __future__ import annotations

Table = dict[str, dict[str, str]]

LABELS: Table = {
    "rule": {"nb": "Regelen", "nn": "Regelen", "en": "The rule (quoted in Norwegian)"},
    "by_role": {"nb": "Per rolle", "nn": "Per rolle", "en": "By role"},
    "passages": {"nb": "Fra dokumentene", "nn": "Frå dokumenta", "en": "From the documents (in Norwegian)"},
    "show": {"nb": "Vis teksten", "nn": "Vis teksten", "en": "Show the text"},
    "source": {"nb": "Kilde", "nn": "Kjelde", "en": "Source"},
    "contact": {"nb": "Spør gjerne", "nn": "Spør gjerne", "en": "Ask"},
    "role": {"nb": "Din rolle", "nn": "Rolla di", "en": "Your role"},
    "from_profile": {"nb": "fra profilen din", "nn": "frå profilen din", "en": "from your profile"},
    "role_from_profile": {"nb": "fra Slack-profilen din", "nn": "frå Slack-profilen din", "en": "from your Slack profile"},
    "role_from_question": {"nb": "fra spørsmålet", "nn": "frå spørsmålet", "en": "from your question"},
    "confidence": {"nb": "sikkerhet", "nn": "tryggleik", "en": "confidence"},
    "crisis": {"nb": "Krisemodus", "nn": "Krisemodus", "en": "Crisis mode"},
    "spokesperson": {"nb": "Talsperson", "nn": "Talsperson", "en": "Spokesperson"},
    "since": {"nb": "siden", "nn": "sidan", "en": "since"},
    "superseded": {"nb": "erstattet av et nyere dokument", "nn": "erstatta av eit nyare dokument", "en": "superseded by a newer document"},
    "more_roles": {"nb": "… og {n} roller til", "nn": "… og {n} roller til", "en": "… and {n} more roles"},
    "more": {"nb": "… (forkortet)", "nn": "… (forkorta)", "en": "… (shortened)"},
    "helpful_question": {"nb": "Var svaret nyttig?", "nn": "Var svaret nyttig?", "en": "Was this helpful?"},
    "helpful": {"nb": "👍 Nyttig", "nn": "👍 Nyttig", "en": "👍 Helpful"},
    "not_helpful": {"nb": "👎 Ikke nyttig", "nn": "👎 Ikkje nyttig", "en": "👎 Not helpful"},
    "share": {"nb": "Del i kanalen", "nn": "Del i kanalen", "en": "Share in channel"},
    "asked": {"nb": "{user} spurte", "nn": "{user} spurde", "en": "{user} asked"},
}


def pick(table: Table, key: str, language: str, **values: object) -> str:
    """The entry in the asker's language (bokmål when the table lacks it), with values filled in."""
    text = table[key].get(language, table[key]["nb"])
    return text.format(**values) if values else text


def label(key: str, language: str, **values: object) -> str:
    return pick(LABELS, key, language, **values)
