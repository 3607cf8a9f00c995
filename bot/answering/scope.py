"""Is a question about communication at all? Strategies on communication don't answer holidays, pay or IT.

The assistant refuses rather than presents an unrelated rule. A question that names an everyday
work matter (holidays, pay, IT, parking) is refused unless the documents match it unusually well;
one that uses the communication domain's words needs an ordinary match; anything else, a good one.
"""
from __future__ import annotations

import re

from bot.answering.questions import asked_sentence
from index.lexical import glossary_terms

_DOMAIN_STEMS = (
    # Norwegian (bokmål and nynorsk)
    "press", "medi", "journalist", "avis", "nrk", "tv", "radio", "intervju", "uttal", "uttale", "ytring", "ytre",
    "kommenter", "kommentar", "kommunik", "informasjon", "informer", "info ", "sosial", "facebook", "instagram", "twitter",
    "linkedin", "snapchat", "tiktok", "youtube", "flickr", "blogg", "nett", "hjemmeside", "heimeside", "intranett",
    "publiser", "dele", "del ", "bilde", "video", "foto", "film", "krise", "beredskap", "talsperson", "vegne",
    "privatperson", "taushet", "teieplikt", "lojal", "kritikk", "kritisk", "varsl", "leserbrev", "omdømme",
    "profil", "logo", "språk", "klarspråk", "budskap", "kanal", "strategi", "plattform", "reglement", "kjøreregl",
    "retningslinj", "prinsipp", "mål", "ansvar", "rolle", "rådgiver", "rådgjevar", "politisk", "politikk",
    "personalsak", "samtykke", "pasient", "brukere", "innbygger", "høring", "medvirk", "dialog", "åpenhet",
    "offentlig", "innsyn", "nyhet", "nyheit", "internavis", "kontakt", "henvendels", "spørsmål fra", "uttalelse",
    "tillitsvalg", "folkevalg", "ordfører", "kommunedirektør", "rådmann", "visjon", "verdi", "grep", "satsing",
    "snakk", "seie", "sei ", "si ", "debatt", "innlegg", "privat", "brev", "skriv", "innbyggj", "markedsfør",
    "merkevare", "grafisk", "kommunevåpen", "våpenskjold", "design", "plakat", "brosjyre", "annonse", "nettside", "epost", "e-post", "melding", "samfunnsoppdrag", "internkommunik",
    "omtale", "synes", "mene", "mening", "vurdering", "saksbehandl", "dokumentasjon",
    "fronte", "utad", "representant", "messenger", "chat", "innboks", "direktemelding", "kommentarfelt",
    "diskusjon", "diskuter", "drøft", "forum", "portal",
    "kommunikasjonsplan", "målgrupp", "medvirkning", "skilt", "profilh", "uttrykk", "ambassadør",
    # English
    "press", "media", "journalist", "newspaper", "reporter", "interview", "speak", "spokes", "statement", "comment",
    "communicat", "inform", "social", "post", "publish", "share", "photo", "picture", "crisis", "emergency",
    "behalf", "confidential", "loyal", "critic", "reputation", "brand", "channel", "website", "intranet",
    "strategy", "rule", "guideline", "principle", "goal", "responsib", "role", "political", "personnel", "consent",
    "patient", "public", "mayor", "union", "talk", "say", "tweet", "blog", "news", "letter", "write", "debate",
    "opinion", "marketing", "visual", "logo", "email", "e-mail", "internal", "coat of arms", "poster", "leaflet", "advert", "page", "speech", "expression", "citizens", "residents", "message", "represent", "inbox", "discuss", "online",
)
# Everyday work matters the strategies don't cover: a question about these is refused unless the
# documents match it unusually well.
_OFF_TOPIC_STEMS = (
    "ferie", "feriedag", "avspasering", "lønn", "løn ", "lønna", "lønning", "overtid", "permisjon", "sykemelding",
    "sjukemelding", "egenmelding", "eigenmelding", "passord", "pc-", " pc ", "datamaskin", "printer",
    "parkering", "parkere", "kantine", "lunsj", "kjøregodtgjør", "reiseregning", "hjemmekontor", "heimekontor",
    "turnus", "vaktliste", "pensjon", "forsikring", " betalt ", "godtgjørelse", "godtgjersle", "honorar", "lønnstillegg",
    "holiday", "vacation", "salary", " pay ", "payslip", "overtime", "on leave", "sick leave", "annual leave", "parental leave", "leave of absence", "password", "login", "laptop",
    "printer", "parking", "park my", "canteen", "lunch", "mileage", "expenses", "home office", "pension",
    " paid ", "compensation", "extra pay",
)
_OFF_TOPIC_RE = re.compile("|".join(re.escape(s) for s in sorted(set(_OFF_TOPIC_STEMS), key=len, reverse=True)), re.I)
# Whether a channel needs a password at all ("Trenger jeg passord for å komme inn på ansattportalen?", "Is the
# portal password protected?") is its access policy, which a strategy may state ("Portalen skal være åpen for
# alle, uten passord"); a password's own use (what it is, resetting or changing it) stays an IT matter.
_PASSWORD_RE = re.compile(r"passord|password|login", re.I)
_NEEDS_PASSWORD_RE = re.compile(
    r"\b(?:trenger|treng|trengs|kreves|krevst|krever|må|need|needs|needed|require[sd]?)"
    r"(?:\s+(?:jeg|eg|vi|me|du|I|we|you|ha|have|a|an|et|eit|noe|noko|any|eget|eige|own))*\s+(?:passord|password|login)\b"
    r"|\bpassordbeskytt\w*|\bpassword[- ]protected\b",
    re.I,
)
# A named outlet or organisation (two capitalised words, or an acronym) that called to ask: an inquiry from
# outside ("Tidens Krav ringte og spurte hvor mange …"), unlike "Sjefen ringte og spurte om …".
_NAMED_CALLER_RE = re.compile(
    r"(?:\b[A-ZÆØÅ]{2,}\b|\b[A-ZÆØÅ][a-zæøå]+\s+[A-ZÆØÅ][a-zæøå]+\b)\s+"
    r"(?:ringte|ringde|ringer|ringjer|called|rang|calls)\s+(?:og|and)\s+(?:spurte|spurde|spør|lurte|asked|asks)\b"
)
_DOMAIN_RE = re.compile("|".join(re.escape(s) for s in sorted(set(_DOMAIN_STEMS), key=len, reverse=True)), re.I)


def scope_of(question: str) -> str:
    """'off' (names an everyday work matter the strategies don't cover), 'in' (uses the domain's words) or
    'unknown'. Where it does both, what it names first is what it asks about: "Kan jeg uttale meg på vegne
    av kommunen om den nye turnusordningen?" asks about speaking for the municipality ('in'), "Får jeg
    betalt overtid hvis jeg må svare journalister …?" about pay ('off'); whether a password is needed at
    all ("Trenger jeg passord for å komme inn på ansattportalen?") is not an IT matter. The sentence that
    asks is read first: "Jeg har ikke PC på jobb. Har jeg ansvar for å følge med på intranettet?" asks about the
    intranet; the whole question only where that sentence names neither; last, the domain's terms the
    lexical glossary gives for its everyday words ("… en ansatt som er sykmeldt. Kan jeg bekrefte det?"), or
    a named outlet that called to ask ("Tidens Krav ringte og spurte …")."""
    for part in (asked_sentence(question), question):
        text = f" {part.lower()} "
        access_policy = bool(_NEEDS_PASSWORD_RE.search(text))  # whether a password is needed (above)
        off = next(
            (m for m in _OFF_TOPIC_RE.finditer(text) if not (access_policy and _PASSWORD_RE.fullmatch(m.group().strip()))),
            None,
        )
        domain = _DOMAIN_RE.search(text)
        if off and not (domain and domain.start() < off.start()):
            return "off"
        if domain:
            return "in"
    # everyday words the glossary gives the domain's terms for ("sykmeldt" → personalsaker, "flom" → krise)
    terms = " ".join(glossary_terms(question))
    return "in" if _DOMAIN_RE.search(f" {terms} ") or _NAMED_CALLER_RE.search(question) else "unknown"
