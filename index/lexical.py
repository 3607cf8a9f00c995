"""Lexical search: BM25 (bm25s) over Norwegian-stemmed words, the second signal beside the dense model.

BM25 finds nothing when the question's words are English, so English questions are first given
the Norwegian words of the domain they use ("press" → "presse media journalist"), from a small
glossary of communication terms. This keeps BM25 from pulling English questions down.
"""
from __future__ import annotations

import json
import logging
import re
from functools import lru_cache
from pathlib import Path

import numpy as np

_WORD_RE = re.compile(r"\w+", re.UNICODE)

# English (and a few spelling variants) → the Norwegian words the strategies use for that concept.
GLOSSARY: dict[str, str] = {
    "press": "presse pressen media journalist", "journalist": "journalist presse media", "journalists": "journalist presse media",
    "media": "media medier mediene presse", "newspaper": "avis presse media", "paper": "avis presse media", "reporter": "journalist presse",
    "speak": "uttale uttaler uttalelse", "speaks": "uttaler uttale", "spokesperson": "uttaler talsperson vegne",
    "statement": "uttalelse uttale", "statements": "uttalelser", "comment": "kommentar kommentere", "comments": "kommentarer kommentere",
    "behalf": "vegne", "represent": "representerer vegne", "crisis": "krise kriser beredskap kriseledelse",
    "emergency": "krise beredskap beredskapsplan", "social": "sosiale", "facebook": "facebook sosiale medier",
    # events that make a crisis, in the words the documents use for one
    "flom": "krise", "flommen": "krise", "flaum": "krise", "flaumen": "krise", "flood": "krise", "brann": "krise", "brannen": "krise",
    "brenner": "krise", "brant": "krise", "ulykke": "krise", "ulykken": "krise", "ulykka": "krise", "ulukke": "krise", "accident": "krise",
    "evakuere": "krise beredskap", "evakuering": "krise beredskap", "evakuert": "krise beredskap", "evacuate": "krise beredskap",
    "skred": "krise", "ras": "krise", "dataangrep": "krise", "cyberangrep": "krise", "pandemi": "krise", "pandemien": "krise",
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
    "responsible": "ansvar ansvarlig", "responsibility": "ansvar",
    # running something day to day ("Who runs the account?"): its "drift"
    "runs": "drift driften", "running": "drift driften", "operates": "drift driften", "operating": "drift driften", "who": "hvem", "allowed": "lov kan", "criticism": "kritikk",
    "criticise": "kritikk", "criticize": "kritikk", "plain": "klarspråk", "language": "språk klarspråk",
    "principles": "prinsipper", "goals": "mål", "strategy": "strategi", "reputation": "omdømme", "loyalty": "lojalitet",
    "advice": "råd rådgiver", "adviser": "rådgiver", "advisor": "rådgiver", "contact": "kontakt kontakte",
    "negative": "negative", "respond": "svar svare", "reply": "svar svare", "friends": "venn venner",
    # Norwegian everyday words → the documents' terms for the same concept
    "sykemeldt": "personalsaker", "sykmeldt": "personalsaker", "sjukmeldt": "personalsaker", "sykefravær": "personalsaker",
    "oppsigelse": "personalsaker", "oppsagt": "personalsaker", "avskjed": "personalsaker", "advarsel": "personalsaker",
    "ansettelse": "personalsaker", "tilsetting": "personalsaker", "kollega": "personalsaker kollegaer",
    "suspendert": "personalsaker", "suspensjon": "personalsaker", "permittert": "personalsaker", "permittering": "personalsaker",
    "avskjediget": "personalsaker", "omplassert": "personalsaker", "tjenestefri": "personalsaker", "arbeidsmiljøsak": "personalsaker",
    "suspended": "personalsaker", "dismissed": "personalsaker", "fired": "personalsaker", "sick": "personalsaker",
    "pressa": "presse pressen", "avisa": "avis media", "avisen": "avis media", "nrk": "media presse", "reporter": "journalist presse",
    "snakke": "uttale kontakt", "snakka": "uttale kontakt", "prate": "uttale kontakt", "intervju": "uttale media",
    "instagram": "sosiale medier", "tiktok": "sosiale medier", "snapchat": "sosiale medier", "twitter": "sosiale medier",
    "foto": "bilder", "fotografi": "bilder", "bilete": "bilder", "filme": "video bilder",
    "ulykke": "krise beredskap", "brann": "krise beredskap", "dataangrep": "krise beredskap", "pandemi": "krise beredskap",
    "hemmelig": "taushetsplikt", "konfidensiell": "taushetsplikt", "sensitiv": "taushetsplikt", "teieplikt": "taushetsplikt",
    "klage": "kritikk", "kritisere": "kritikk", "varsle": "kritikk kritikkverdige", "kven": "hvem", "kva": "hva",
    "straffet": "etterforske anmelde", "straff": "etterforske anmelde", "straffes": "etterforske anmelde",
    "sanksjoner": "etterforske anmelde", "reaksjoner": "etterforske anmelde", "punished": "etterforske anmelde",
    "punish": "etterforske anmelde", "sanctions": "etterforske anmelde", "consequences": "etterforske anmelde",
    "news": "nyheter nyhet", "newsletter": "nyhetsbrev", "letter": "brev", "letters": "brev leserbrev",
    "write": "skrive skriftlig", "writing": "skrive skriftlig", "citizens": "innbyggere", "residents": "innbyggere",
    "marketing": "markedsføring", "visual": "visuell grafisk profil", "logo": "grafisk profil kommunevåpen",
    # nynorsk → the bokmål the documents are written in
    "korleis": "hvordan", "kvifor": "hvorfor", "kvar": "hvor", "ikkje": "ikke", "eigen": "egen", "eige": "egen",
    "berre": "bare", "frå": "fra", "mykje": "mye", "noko": "noe", "nokon": "noen", "òg": "også", "meir": "mer",
    "innbyggjarar": "innbyggere", "innbyggjarane": "innbyggere", "tilsette": "ansatte", "leiar": "leder",
    "leiaren": "leder", "leiarar": "ledere", "leiarane": "ledere", "medium": "medier", "avisa": "avis media",
    "ytring": "ytringer uttalelse", "teiepliktig": "taushetsplikt", "krisa": "krise", "heimeside": "hjemmeside nettsider",
    "skriv": "skrive skriftlig", "arbeidsgjevar": "arbeidsgiver", "utspel": "utspill uttalelse", "tenkje": "tenke", "kommunikasjonsavdelinga": "kommunikasjonsavdelingen",
}


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("norwegian")


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_NORWEGIAN

    return frozenset(STOPWORDS_NORWEGIAN) | {"kommune", "kommunen", "kommunens"}


def tokenize(text: str, splitter: "CompoundSplitter | None" = None) -> list[str]:
    """Lower-cased, stop words dropped, stemmed with the Norwegian Snowball stemmer; with a splitter,
    compounds also give their parts ("krisesituasjon" → krisesituasjon, krise, situasjon)."""
    words = [w for w in _WORD_RE.findall(text.lower()) if len(w) > 1 and w not in _stopwords()]
    if splitter is not None:
        words = words + [part for w in words for part in splitter.parts(w)]
    return [_verb_of(w) for w in _stemmer().stemWords(words)]


def _verb_of(stem: str) -> str:
    """A verbal noun's stem as its verb's ("oppretting" → "opprett", as "opprette" stems; "godkjenning" →
    "godkjenn"): the Snowball stemmer keeps the -ing, so "Kan jeg opprette en konto?" missed "Oppretting
    av kontoer …"."""
    return stem[:-3] if stem.endswith("ing") and len(stem) >= 7 else stem


class CompoundSplitter:
    """Splits Norwegian compounds into words the documents use, with or without the linking -s-/-e-."""

    MIN_PART = 4
    MIN_WORD = 9

    def __init__(self, words: set[str]) -> None:
        self.words = {w for w in words if len(w) >= self.MIN_PART}
        self.stems = set(_stemmer().stemWords(sorted(self.words)))
        self._cache: dict[str, list[str]] = {}

    @classmethod
    def from_texts(cls, texts: list[str]) -> "CompoundSplitter":
        return cls({w for t in texts for w in _WORD_RE.findall(t.lower())})

    def _known(self, part: str) -> bool:
        return part in self.words or _stemmer().stemWord(part) in self.stems

    def parts(self, word: str) -> list[str]:
        """The parts of a compound (the shortest known first part wins), or [] when it isn't one."""
        if len(word) < self.MIN_WORD or not word.isalpha():
            return []
        if word not in self._cache:
            self._cache[word] = self._split(word)
        return self._cache[word]

    def _two_parts(self, word: str) -> list[tuple[str, str]]:
        """Every way to read the word as two known words, with or without a linking -s-/-e-."""
        found = []
        for i in range(self.MIN_PART, len(word) - self.MIN_PART + 1):
            head, tail = word[:i], word[i:]
            if not self._known(head):
                continue
            if self._known(tail):
                found.append((head, tail))
            if tail[0] in "se" and len(tail) > self.MIN_PART and self._known(tail[1:]):
                found.append((head, tail[1:]))  # "kommunikasjon-s-ansvar"
        return found

    def _split(self, word: str) -> list[str]:
        """The most balanced two-part reading (its parts split further), else head + a split tail."""
        pairs = self._two_parts(word)
        if pairs:
            head, tail = max(pairs, key=lambda pair: min(len(pair[0]), len(pair[1])))
            return [head, tail, *self.parts(head), *self.parts(tail)]
        for i in range(self.MIN_PART, len(word) - self.MIN_WORD + 1):
            head, tail = word[:i], word[i:]
            if self._known(head):
                rest = self.parts(tail)
                if rest:
                    return [head, *rest]
        return []


_INFLECTED_MIN = 6  # letters of a word (and of its glossary entry) matched by stem: shorter ones are too ambiguous ("post", "posten")


@lru_cache(maxsize=1)
def _glossary_by_stem() -> dict[str, str]:
    """The glossary's terms by the stem of its entries of at least `_INFLECTED_MIN` letters, so that
    "intervjue" and "intervjuet" (stem "intervju") find the entry for "intervju"."""
    by_stem: dict[str, str] = {}
    for word, terms in GLOSSARY.items():
        if len(word) >= _INFLECTED_MIN:
            stem = _stemmer().stemWord(word)
            by_stem[stem] = " ".join(dict.fromkeys(f"{by_stem.get(stem, '')} {terms}".split()))
    return by_stem


def glossary_terms(text: str) -> list[str]:
    """The glossary's Norwegian terms for the words of `text` that it lists ("sykmeldt" → "personalsaker"),
    also in other forms of the same word ("intervjue", "intervjuet" → the entry for "intervju")."""
    terms = []
    for word in _WORD_RE.findall(text.lower()):
        if word in GLOSSARY:
            terms.append(GLOSSARY[word])
        elif len(word) >= _INFLECTED_MIN and (found := _glossary_by_stem().get(_stemmer().stemWord(word))):
            terms.append(found)
    return terms


@lru_cache(maxsize=65536)
def _lemma(word: str) -> str:
    import simplemma

    return simplemma.lemmatize(word, lang="nb")


def with_lemmas(text: str) -> str:
    """The text plus the bokmål lemma of each word that isn't its own lemma ("større" → "stor", "flere" →
    "mange"), from `simplemma`'s dictionary: for comparing what two texts name, where a comparative or
    an irregular form would otherwise miss its base form ("store saker", "større saker")."""
    lemmas = [lemma for word in _WORD_RE.findall(text.lower()) if (lemma := _lemma(word)) != word]
    return f"{text} {' '.join(lemmas)}" if lemmas else text


def expand_query(text: str) -> str:
    """The question plus the documents' words for the terms it uses: English and nynorsk words,
    everyday words ("sykemeldt" → "personalsaker"), and the documents' words for the asker's own
    role ("jeg som vanlig ansatt" → "medarbeidere")."""
    from knowledge.roles import ROLE_SEARCH_WORDS, role_stated_in

    extra = glossary_terms(text)
    own_role = role_stated_in(text)
    if own_role:
        extra.append(ROLE_SEARCH_WORDS[own_role])
    return f"{text} {' '.join(extra)}" if extra else text


def _bm25s():
    """The bm25s module, with its logger put back to WARNING: bm25s sets its own logger to DEBUG when
    imported, which would print "Building index from tokens" to every user's terminal."""
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)
    return bm25s


class LexicalIndex:
    """BM25 over passages; scores come back for every passage so they can be fused and filtered."""

    def __init__(self, retriever, size: int, splitter: CompoundSplitter) -> None:
        self._retriever = retriever
        self._vocab: dict[str, int] = retriever.vocab_dict
        self.size = size
        self.splitter = splitter
        document_frequency = np.diff(np.asarray(retriever.scores["indptr"]))
        self._idf = np.log((size - document_frequency + 0.5) / (document_frequency + 0.5) + 1.0)
        self._unseen_idf = float(np.log((size + 0.5) / 0.5 + 1.0))

    def knows(self, token: str) -> bool:
        """Is the token a word of the indexed documents?"""
        return token in self._vocab

    def idf(self, token: str) -> float:
        """How telling a token is: rare words ("leserbrev") weigh more than common ones ("uttale")."""
        index = self._vocab.get(token)
        return float(self._idf[index]) if index is not None and index < len(self._idf) else self._unseen_idf

    @classmethod
    def build(cls, texts: list[str]) -> "LexicalIndex":
        bm25s = _bm25s()
        splitter = CompoundSplitter.from_texts(texts)
        retriever = bm25s.BM25(k1=1.2, b=0.75)
        tokens = [tokenize(t, splitter) or ["∅"] for t in texts]
        retriever.index(tokens, show_progress=False)
        return cls(retriever, len(texts), splitter)

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self._retriever.save(str(directory), show_progress=False)
        (directory / "size.json").write_text(json.dumps({"size": self.size}))
        (directory / "words.json").write_text(json.dumps(sorted(self.splitter.words), ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> "LexicalIndex":
        bm25s = _bm25s()
        retriever = bm25s.BM25.load(str(directory), show_progress=False, verbosity=0)
        size = json.loads((directory / "size.json").read_text())["size"]
        words = set(json.loads((directory / "words.json").read_text(encoding="utf-8")))
        return cls(retriever, size, CompoundSplitter(words))

    def tokenize(self, text: str) -> list[str]:
        """Tokens as this index makes them (with its compound vocabulary)."""
        return tokenize(text, self.splitter)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every passage for the (expanded) query; all zeros when no word is shared."""
        tokens = [t for t in self.tokenize(expand_query(query)) if t in self._vocab]
        if not tokens:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._retriever.get_scores(tokens), dtype=np.float32)
