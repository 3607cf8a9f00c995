"""Is a question about communication at all? Strategies on communication don't answer holidays, pay or IT.

The assistant refuses rather than presents an unrelated rule. A question is in scope when it
uses a word from the communication domain (bokmål, nynorsk or English); out of scope questions
are refused unless the documents match them unusually well.
"""
from __future__ import annotations

import re

_DOMAIN_STEMS = (
    # Norwegian (bokmål and nynorsk)
    "press", "medi", "journalist", "avis", "nrk", "tv", "radio", "intervju", "uttal", "uttale", "ytring", "ytre",
    "kommenter", "kommentar", "kommunik", "informasjon", "informer", "sosial", "facebook", "instagram", "twitter",
    "linkedin", "snapchat", "tiktok", "youtube", "flickr", "blogg", "nett", "hjemmeside", "heimeside", "intranett",
    "publiser", "dele", "del ", "bilde", "video", "foto", "film", "krise", "beredskap", "talsperson", "vegne",
    "privatperson", "taushet", "teieplikt", "lojal", "kritikk", "kritisk", "varsl", "leserbrev", "omdømme",
    "profil", "logo", "språk", "klarspråk", "budskap", "kanal", "strategi", "plattform", "reglement", "kjøreregl",
    "retningslinj", "prinsipp", "mål", "ansvar", "rolle", "rådgiver", "rådgjevar", "politisk", "politikk",
    "personalsak", "samtykke", "pasient", "brukere", "innbygger", "høring", "medvirk", "dialog", "åpenhet",
    "offentlig", "innsyn", "nyhet", "internavis", "kontakt", "henvendels", "spørsmål fra", "uttalelse",
    "tillitsvalg", "folkevalg", "ordfører", "kommunedirektør", "rådmann", "visjon", "verdi", "grep", "satsing",
    "snakk", "seie", "sei ", "si ",
    # English
    "press", "media", "journalist", "newspaper", "reporter", "interview", "speak", "spokes", "statement", "comment",
    "communicat", "inform", "social", "post", "publish", "share", "photo", "picture", "crisis", "emergency",
    "behalf", "confidential", "loyal", "critic", "reputation", "brand", "channel", "website", "intranet",
    "strategy", "rule", "guideline", "principle", "goal", "responsib", "role", "political", "personnel", "consent",
    "patient", "public", "mayor", "union", "talk", "say", "tweet", "blog",
)
_DOMAIN_RE = re.compile("|".join(re.escape(s) for s in sorted(set(_DOMAIN_STEMS), key=len, reverse=True)), re.I)


def mentions_domain(question: str) -> bool:
    """Does the question use any word of the communication domain?"""
    return bool(_DOMAIN_RE.search(f" {question.lower()} "))
