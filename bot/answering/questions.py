"""A question as typed: validated, cleaned, and read for what kind of answer it wants."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.texts import phrase
from knowledge.cleaning import remove_format_characters
from knowledge.errors import VeilederError

_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
_WHO_RE = re.compile(r"^\s*(?:hvem|kven|who|whom)\b|\b(?:hvem|kven|who)\s+(?:har|gir|skal|kan|uttaler|speaks?|is|are|gives?|may|can|should|answers?|svarer)\b", re.I)
_YES_NO_RE = re.compile(
    r"^\s*(?:kan|må|skal|bør|får|har|er|gjelder|kan|may|can|could|must|should|do|does|am|is|are|have|shall)\b"
    r"|\b(?:er det lov|har jeg lov|har eg lov|er det greit|is it ok|is it okay|am i allowed|are we allowed)\b",
    re.I,
)
_FIRST_PERSON_RE = re.compile(r"\b(?:jeg|eg|meg|min|mitt|mine|vi|oss|vår|våre|I|I'm|me|my|we|us|our)\b")
_PERMISSION_RE = re.compile(r"\b(?:kan|får|lov|greit|tillatt|may|can|could|allowed|ok|okay|permitted)\b", re.I)
_OBLIGATION_RE = re.compile(r"\b(?:må|skal|bør|plikt|have to|has to|must|should|need to|required)\b", re.I)


_EMPTY = "The question is empty – Spørsmålet er tomt. Ask e.g. «Kan jeg uttale meg til pressen?»"
class QuestionError(VeilederError, ValueError):
    """A question that can't be answered as typed; the message says what to do instead."""


class EmptyQuestion(QuestionError):
    """Nothing was asked (front ends answer with their own prompt, e.g. a bare @mention)."""


@dataclass(frozen=True)
class Question:
    text: str
    intent: str  # "who" | "permission" | "obligation" | "open"
    yes_no: bool
    first_person: bool = False  # about the asker ("Kan jeg …?"), so the answer depends on their role


def clean_question(raw: str | None, max_chars: int) -> str:
    """The question with lone surrogates replaced (U+FFFD), invisible format characters removed the way
    documents have them removed (soft hyphens, zero-width spaces), control characters made spaces and
    spaces folded; QuestionError when empty or too long."""
    text = _SURROGATE_RE.sub("\ufffd", raw or "")
    text = unicodedata.normalize("NFC", remove_format_characters(text))
    text = _CONTROL_RE.sub(" ", text)
    text = re.sub(r"\s+", " ", text).strip()
    if not re.search(r"\w", text):
        raise EmptyQuestion(_EMPTY)
    if len(text) > max_chars:
        from bot.answering.language import detect_language

        length, limit = f"{len(text):,}".replace(",", " "), f"{max_chars:,}".replace(",", " ")
        raise QuestionError(phrase("question_too_long", detect_language(text[:500]), length=length, limit=limit))
    return text


def read_question(text: str) -> Question:
    """What kind of answer the question asks for."""
    first_person = bool(_FIRST_PERSON_RE.search(text))
    if _WHO_RE.search(text):
        return Question(text, "who", False, first_person)
    yes_no = bool(_YES_NO_RE.search(text))
    if _OBLIGATION_RE.search(text) and (yes_no or not _PERMISSION_RE.search(text)):
        intent = "obligation" if re.match(r"\s*(?:må|skal|bør|must|should|do|does|have)\b", text, re.I) else "permission"
        return Question(text, intent if yes_no else "open", yes_no, first_person)
    if _PERMISSION_RE.search(text) and yes_no:
        return Question(text, "permission", True, first_person)
    return Question(text, "open", yes_no, first_person)
