"""Lexical search: BM25 (bm25s) over Norwegian-stemmed words, the second signal beside the dense model.

BM25 finds nothing when the question's words are English, so English questions are first given
the Norwegian words of the domain they use ("press" → "presse media journalist"), from a small
glossary of communication terms. This keeps BM25 from pulling English questions down.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import numpy as np

_WORD_RE = re.compile(r"\w+", re.UNICODE)

# English (and a few spelling variants) → the Norwegian words the strategies use for that concept.
GLOSSARY: dict[str, str] = {
    "press": "presse pressen media journalist", "journalist": "journalist presse media", "journalists": "journalist presse media",
    "media": "media medier mediene presse", "newspaper": "avis presse media", "reporter": "journalist presse",
    "speak": "uttale uttaler uttalelse", "speaks": "uttaler uttale", "spokesperson": "uttaler talsperson vegne",
    "statement": "uttalelse uttale", "statements": "uttalelser", "comment": "kommentar kommentere", "comments": "kommentarer kommentere",
    "behalf": "vegne", "represent": "representerer vegne", "crisis": "krise kriser beredskap kriseledelse",
    "emergency": "krise beredskap beredskapsplan", "social": "sosiale", "facebook": "facebook sosiale medier",
    "post": "publisere legge ut dele", "posting": "publisere", "publish": "publisere", "share": "dele",
    "photo": "bilder bilde video", "photos": "bilder bilde video", "picture": "bilder bilde", "pictures": "bilder bilde", "video": "video bilder",
    "patients": "pasienter brukere", "patient": "pasienter", "consent": "samtykke",
    "personnel": "personalsaker personal", "personal": "personalsaker privatperson", "hr": "personalsaker",
    "confidentiality": "taushetsplikt", "confidential": "taushetsplikt", "secrecy": "taushetsplikt",
    "freedom": "ytringsfrihet", "expression": "ytringsfrihet ytre", "private": "privatperson", "privately": "privatperson",
    "rules": "regler reglement kjøreregler", "rule": "regel regler", "guidelines": "retningslinjer",
    "employee": "ansatte medarbeidere", "employees": "ansatte medarbeidere", "staff": "ansatte medarbeidere",
    "manager": "leder ledere", "managers": "ledere", "leader": "leder ledere", "leaders": "ledere",
    "mayor": "ordfører", "union": "tillitsvalgte", "elected": "folkevalgte", "politicians": "folkevalgte politiske",
    "political": "politiske", "politics": "politiske", "communication": "kommunikasjon", "communications": "kommunikasjon kommunikasjonsavdelingen",
    "information": "informasjon", "website": "nettsider hjemmeside", "web": "nettsider", "intranet": "intranett",
    "channel": "kanal kanaler", "channels": "kanaler", "internal": "intern internt", "external": "ekstern eksternt",
    "responsible": "ansvar ansvarlig", "responsibility": "ansvar", "who": "hvem", "allowed": "lov kan", "criticism": "kritikk",
    "criticise": "kritikk", "criticize": "kritikk", "letters": "leserbrev", "plain": "klarspråk", "language": "språk klarspråk",
    "principles": "prinsipper", "goals": "mål", "strategy": "strategi", "reputation": "omdømme", "loyalty": "lojalitet",
    "advice": "råd rådgiver", "adviser": "rådgiver", "advisor": "rådgiver", "contact": "kontakt kontakte",
    "negative": "negative", "respond": "svar svare", "reply": "svar svare", "friends": "venn venner",
    # Norwegian everyday words → the documents' terms for the same concept
    "sykemeldt": "personalsaker", "sykmeldt": "personalsaker", "sjukmeldt": "personalsaker", "sykefravær": "personalsaker",
    "oppsigelse": "personalsaker", "oppsagt": "personalsaker", "avskjed": "personalsaker", "advarsel": "personalsaker",
    "ansettelse": "personalsaker", "tilsetting": "personalsaker", "kollega": "personalsaker kollegaer",
    "pressa": "presse pressen", "avisa": "avis media", "avisen": "avis media", "nrk": "media presse", "reporter": "journalist presse",
    "snakke": "uttale kontakt", "snakka": "uttale kontakt", "prate": "uttale kontakt", "intervju": "uttale media",
    "instagram": "sosiale medier", "tiktok": "sosiale medier", "snapchat": "sosiale medier", "twitter": "sosiale medier",
    "foto": "bilder", "fotografi": "bilder", "bilete": "bilder", "filme": "video bilder",
    "ulykke": "krise beredskap", "brann": "krise beredskap", "dataangrep": "krise beredskap", "pandemi": "krise beredskap",
    "hemmelig": "taushetsplikt", "konfidensiell": "taushetsplikt", "sensitiv": "taushetsplikt", "teieplikt": "taushetsplikt",
    "klage": "kritikk", "kritisere": "kritikk", "varsle": "kritikk kritikkverdige", "kven": "hvem", "kva": "hva",
}


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("norwegian")


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_NORWEGIAN

    return frozenset(STOPWORDS_NORWEGIAN) | {"kommune", "kommunen", "kommunens"}


def tokenize(text: str) -> list[str]:
    """Lower-cased, stop words dropped, stemmed with the Norwegian Snowball stemmer."""
    words = [w for w in _WORD_RE.findall(text.lower()) if len(w) > 1 and w not in _stopwords()]
    return _stemmer().stemWords(words)


def expand_query(text: str) -> str:
    """The question plus the Norwegian words for the English domain terms it uses."""
    extra = [GLOSSARY[w] for w in _WORD_RE.findall(text.lower()) if w in GLOSSARY]
    return f"{text} {' '.join(extra)}" if extra else text


class LexicalIndex:
    """BM25 over passages; scores come back for every passage so they can be fused and filtered."""

    def __init__(self, retriever, size: int) -> None:
        self._retriever = retriever
        self._vocab: dict[str, int] = retriever.vocab_dict
        self.size = size

    @classmethod
    def build(cls, texts: list[str]) -> "LexicalIndex":
        import bm25s

        retriever = bm25s.BM25(k1=1.2, b=0.75)
        tokens = [tokenize(t) or ["∅"] for t in texts]
        retriever.index(tokens, show_progress=False)
        return cls(retriever, len(texts))

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self._retriever.save(str(directory), show_progress=False)
        (directory / "size.json").write_text(json.dumps({"size": self.size}))

    @classmethod
    def load(cls, directory: Path) -> "LexicalIndex":
        import bm25s

        retriever = bm25s.BM25.load(str(directory), show_progress=False, verbosity=0)
        size = json.loads((directory / "size.json").read_text())["size"]
        return cls(retriever, size)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every passage for the (expanded) query; all zeros when no word is shared."""
        tokens = [t for t in tokenize(expand_query(query)) if t in self._vocab]
        if not tokens:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._retriever.get_scores(tokens), dtype=np.float32)
