"""Which language a question is in — bokmål, nynorsk or English — so the answer can follow it.

Words that only one of the languages uses ("ikkje", "hvem", "the") decide where a question has them;
otherwise the language detector `lingua` (restricted to the three) decides. Without lingua installed
the word lists decide alone, as before.
"""
from __future__ import annotations

import logging
import re
from functools import lru_cache

log = logging.getLogger(__name__)

_WORD_RE = re.compile(r"[a-zæøåéèôòü']+")
_ENGLISH = frozenset(
    "the a an i'm can could may might must should shall does did what who whom whose which where when why how "
    "is are am was were my our we you your of about with from it this that there their they "
    "allowed speak post photos photo press media rules say says work if or and not".split()
)
_NYNORSK = frozenset(
    "eg ikkje kva kven korleis kvifor kvar me dykk ho frå berre no eit ein noko nokon mykje medan sjå fekk vere "
    "tilsett tilsette leiar leiarar òg heile høyrer seier spør kommunen vår min mitt dei deira sin sitt korleis "
    "lov snakke uttale kan må skal snakkar frå korleis kvar dei deira ikkje eg ho vore vorte "
    "sjølv gjere gjer meir".split()
)  # not "avisa", "pressa", "seg", "ut", "mi", "ei": bokmål writes them too, and "min" nynorsk too ("Kan ordføreren uttale seg …?")
_BOKMAL = frozenset(
    "jeg ikke hva hvem hvordan hvorfor hvor vi dere hun fra bare nå et en noe noen mye mens være ansatt ansatte "
    "leder ledere også hele hører sier spør kommunen vår min mitt de deres sin sitt lov snakke uttale kan må skal".split()
) - frozenset(
    "vi".split()  # as common in nynorsk as in bokmål
)
_NYNORSK_ONLY = _NYNORSK - _BOKMAL
# How much surer lingua must be of nynorsk than of bokmål when no word tells (confidences 0–1): the
# nynorsk questions of the shared sets without a telling word have 0.35–0.83; bokmål ones without a
# nynorsk word, written by staff, up to 0.3.
NYNORSK_MARGIN = 0.3
_BOKMAL_ONLY = _BOKMAL - _NYNORSK


@lru_cache(maxsize=1)
def _detector():
    """lingua's detector for English, bokmål and nynorsk (loaded once, ~1 s), or None when not installed."""
    try:
        from lingua import Language, LanguageDetectorBuilder
    except ImportError:
        log.warning("lingua-language-detector is not installed: language identification uses word lists only")
        return None
    languages = {Language.ENGLISH: "en", Language.BOKMAL: "nb", Language.NYNORSK: "nn"}
    return LanguageDetectorBuilder.from_languages(*languages).with_preloaded_language_models().build(), languages


def detect_language(text: str) -> str:
    """'nb', 'nn' or 'en'; bokmål when nothing tells (the documents' own language)."""
    words = _WORD_RE.findall(text.lower())
    if not words:
        return "nb"
    detector = _detector()
    if detector is None:
        return _by_words(text, words)
    english = sum(w in _ENGLISH for w in words)
    nynorsk = sum(w in _NYNORSK_ONLY for w in words)
    bokmal = sum(w in _BOKMAL_ONLY for w in words)
    if english + nynorsk + bokmal == 0 and len(words) < 4:
        return "nb"  # "presse media journalist": too little to tell, so the documents' language
    model, languages = detector
    confidence = {languages[c.language]: c.value for c in model.compute_language_confidence_values(text)}
    if max(confidence, key=confidence.get) == "en" or (english >= 3 and english > 2 * (nynorsk + bokmal)):
        return "en"
    if nynorsk != bokmal:
        return "nn" if nynorsk > bokmal else "nb"
    # no word tells: nynorsk only where lingua is clearly surer of it ("Kan kommunen nekte meg å skrive i
    # avisa?" reads as both, and bokmål is the documents' and most askers' language)
    return "nn" if confidence.get("nn", 0.0) > confidence.get("nb", 0.0) + NYNORSK_MARGIN else "nb"


def _by_words(text: str, words: list[str]) -> str:
    """The word lists alone."""
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
