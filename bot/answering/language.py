"""Which language a question is in — bokmål, nynorsk or English — so the answer can follow it."""
from __future__ import annotations

import re

_WORD_RE = re.compile(r"[a-zæøåéèôòü']+")
_ENGLISH = frozenset(
    "the a an i'm can could may might must should shall does did what who whom whose which where when why how "
    "is are am was were my our we you your of about with from it this that there their they "
    "allowed speak post photos photo press media rules say says work if or and not".split()
)
_NYNORSK = frozenset(
    "eg ikkje kva kven korleis kvifor kvar me dykk ho frå berre no eit ein noko nokon mykje medan sjå fekk vere "
    "tilsett tilsette leiar leiarar òg heile høyrer seier spør kommunen vår mi mitt dei deira sin sitt korleis "
    "lov snakke uttale kan må skal ei snakkar pressa avisa ut frå korleis kvar dei deira ikkje eg ho vore vorte "
    "seg sjølv gjere gjer meir".split()
)
_BOKMAL = frozenset(
    "jeg ikke hva hvem hvordan hvorfor hvor vi dere hun fra bare nå et en noe noen mye mens være ansatt ansatte "
    "leder ledere også hele hører sier spør kommunen vår min mitt de deres sin sitt lov snakke uttale kan må skal".split()
)
_NYNORSK_ONLY = _NYNORSK - _BOKMAL
_BOKMAL_ONLY = _BOKMAL - _NYNORSK


def detect_language(text: str) -> str:
    """'nb', 'nn' or 'en'; bokmål when nothing tells (the documents' own language)."""
    words = _WORD_RE.findall(text.lower())
    if not words:
        return "nb"
    english = sum(w in _ENGLISH for w in words)
    nynorsk = sum(w in _NYNORSK_ONLY for w in words)
    bokmal = sum(w in _BOKMAL_ONLY for w in words)
    norwegian_letters = bool(re.search(r"[æøå]", text.lower()))
    if "i" in words and nynorsk + bokmal == 0 and not norwegian_letters:
        english += 1  # "I" is English unless the rest reads Norwegian (where "i" means "in")
    if english > nynorsk + bokmal and (english >= 2 or not norwegian_letters) and english / len(words) >= 0.25:
        return "en"
    if nynorsk > bokmal:
        return "nn"
    return "nb"
