"""Roles: the canonical keys and the lexicon of words municipalities use for them (bokmål, nynorsk, English).

One lexicon serves rule extraction ("Øvrige ansatte kan …"), the asker's own words ("Jeg er
enhetsleder …") and profile titles from Slack or Microsoft Graph ("Enhetsleder hjemmetjenesten").
"""
from __future__ import annotations

import re
from dataclasses import dataclass

ROLES: tuple[str, ...] = (
    "employee",
    "leader",
    "unit_leader",
    "department_head",
    "chief_executive",
    "mayor",
    "elected",
    "union_rep",
    "comms",
)

# Word stems; each is matched as a whole word with the listed inflection endings.
_LEXICON: dict[str, tuple[str, ...]] = {
    "comms": (
        r"kommunikasjons(?:avdeling|enhet|enheit|seksjon|rådgiver|rådgjevar|sjef|direktør|ansvarlig|medarbeider|stab|tjeneste|team)\w*",
        r"informasjons(?:ansvarlig|sjef|rådgiver|avdeling|konsulent|leder)\w*",
        r"pressekontakt\w*",
        # "communication" alone is the activity ("a communication part"), not the department
        r"communications? (?:department|team|adviser|advisor|officer|unit|manager|director|staff|people)s?",
        r"press officers?",
        r"comms",
    ),
    "union_rep": (
        r"(?:hoved)?tillitsvalg(?:t|te|tes)",
        r"(?:hovud)?tillitsvald(?:e|es)?",
        r"verneombud\w*",
        r"vernetjenesten?",
        r"verneteneste[n]?",
        r"union rep(?:resentative)?s?",
        r"shop stewards?",
        r"safety representatives?",
    ),
    "mayor": (r"(?:vara)?ordfører(?:en|ens)?", r"(?:vara)?ordførar(?:en|ens)?", r"(?:deputy )?mayors?"),
    "elected": (
        r"folkevalg(?:t|te|tes)",
        r"folkevald(?:e|es)?",
        r"kommunestyre(?:t|ts|representant\w*)?",
        r"formannskap(?:et)?",
        r"utvalgsled(?:er|ere|erne|eren)",
        r"utvalsleiar(?:ar|en|ane)?",
        r"(?:ledere?|lederen|leiar(?:ar|en)?) (?:for|av|i) (?:hoved|hovud)?(?:utvalg|utval)\w*",  # a committee's chair
        r"(?:chair|chairs|chairman|chairperson|leader) of (?:the |a )?(?:\w+ )?committee",
        r"politiker(?:e|ne|en)?",
        r"politikar(?:ar|en|ane)?",
        r"elected (?:officials?|representatives?|members?)",
        r"politicians?",
        r"council(?:lors?| members?)",
    ),
    "chief_executive": (
        r"kommunedirektør(?:en|ens)?",
        r"rådmann(?:en|ens)?",
        r"rådmannens",
        r"chief (?:executive|administrative officer)s?",
        r"municipal (?:director|manager)s?",
        r"ceo",
    ),
    "department_head": (
        r"kommunalsjef(?:er|en|ene)?",
        r"kommunaldirektør(?:er|en|ene)?",
        r"etatsle(?:der|dere|derne|deren)",
        r"etatssjef(?:er|en)?",
        r"fagsjef(?:er|en|ene)?",
        r"sektorsjef(?:er|en)?",
        r"department heads?",
        r"heads? of department",
        r"directors?",
    ),
    "unit_leader": (
        r"enhetsle(?:der|dere|derne|deren)",
        r"avdelingsle(?:der|dere|derne|deren)",
        r"virksomhets{0,2}le(?:der|dere|derne|deren)",
        r"rektor(?:en|er|ene|ar|ane)?",
        r"barnehagestyrer(?:en|e|ne)?",
        r"tjenestele(?:der|dere|derne|deren)",
        r"einingsleiar(?:ar|en|ane)?",
        r"avdelingsleiar(?:ar|en|ane)?",
        r"verksemdsleiar(?:ar|en|ane)?",
        r"tenesteleiar(?:ar|en|ane)?",
        r"enhetsleder/avdelingsleder",
        r"unit (?:leaders?|managers?|heads?)",
        r"heads? of unit",
        r"team leaders?",
        r"line managers?",
    ),
    "leader": (
        r"le(?:der|dere|derne|deren|ders)",
        r"arbeidsgiver(?:en|ens)?",  # the employer acts through its leaders
        r"arbeidsgjevar(?:en|ens)?",
        r"employers?",
        r"leiar(?:ar|en|ane|ane)?",
        r"linjele(?:der|dere|deren)",
        r"leaders?",
        r"managers?",
    ),
    "employee": (
        r"(?:øvrige |alle |kommunens |våre )?ansatt(?:e|es)?",
        r"medarbeider(?:e|en|ne|nes)?",
        r"medarbeidar(?:ar|en|ane)?",
        r"tilsett(?:e|es)?",
        r"arbeidstaker(?:e|en|ne)?",
        r"arbeidstakar(?:ar|en)?",
        r"saksbehandler(?:e|en|ne)?",
        r"fagpersoner",
        r"employees?",
        r"staff(?: members?)?",
        r"colleagues?",
        r"workers?",
    ),
}

_ORDER = {role: i for i, role in enumerate(("comms", "union_rep", "mayor", "elected", "chief_executive",
                                             "department_head", "unit_leader", "leader", "employee"))}
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (role, re.compile(rf"(?<![\w-])(?:{'|'.join(stems)})(?![\w-])", re.IGNORECASE))
    for role, stems in sorted(_LEXICON.items(), key=lambda kv: _ORDER[kv[0]])
]
_EXCLUSIVE_RE = re.compile(r"\b(?:øvrige|andre|other)\s+$", re.IGNORECASE)
# "Den som leder krisehåndteringen …": "leder" is the verb there (who leads it), not a leader's role
_LEADS_RE = re.compile(r"\b(?:den|de|dei|dem|han|hun|ho|hen|hvem|kven|personen|alle)\s+som\s+$", re.IGNORECASE)
_VERB_FORMS = frozenset({"leder", "leier", "leiar"})

# Who is more specific than whom: a rule for `leader` reaches a unit leader.
PARENTS: dict[str, tuple[str, ...]] = {
    "unit_leader": ("leader", "employee"),
    "department_head": ("leader", "employee"),
    "chief_executive": ("leader", "employee"),
    "leader": ("employee",),
    "comms": ("employee",),
    "union_rep": ("employee",),
    "mayor": ("elected",),
    "employee": (),
    "elected": (),
}

ROLE_NAMES: dict[str, dict[str, str]] = {
    "employee": {"nb": "ansatte", "nn": "tilsette", "en": "employees"},
    "leader": {"nb": "ledere", "nn": "leiarar", "en": "leaders"},
    "unit_leader": {"nb": "enhetsledere", "nn": "einingsleiarar", "en": "unit leaders"},
    "department_head": {"nb": "kommunalsjefer / etatsledere", "nn": "kommunalsjefar / etatsleiarar", "en": "department heads"},
    "chief_executive": {"nb": "kommunedirektøren / rådmannen", "nn": "kommunedirektøren / rådmannen", "en": "the chief executive (kommunedirektør)"},
    "mayor": {"nb": "ordføreren", "nn": "ordføraren", "en": "the mayor (ordfører)"},
    "elected": {"nb": "folkevalgte", "nn": "folkevalde", "en": "elected representatives"},
    "union_rep": {"nb": "tillitsvalgte og verneombud", "nn": "tillitsvalde og verneombod", "en": "union and safety representatives"},
    "comms": {"nb": "kommunikasjonsavdelingen", "nn": "kommunikasjonsavdelinga", "en": "the communications department"},
}


# The words the documents use for each role, for finding them whatever word the asker used.
ROLE_SEARCH_WORDS: dict[str, str] = {
    "employee": "ansatte medarbeidere",
    "leader": "leder ledere",
    "unit_leader": "enhetsledere avdelingsledere virksomhetsledere",
    "department_head": "kommunalsjefer etatsledere",
    "chief_executive": "kommunedirektøren rådmannen",
    "mayor": "ordfører",
    "elected": "folkevalgte politiske",
    "union_rep": "tillitsvalgte vernetjenesten",
    "comms": "kommunikasjonsavdelingen kommunikasjonsrådgiver",
}


@dataclass(frozen=True)
class RoleMention:
    role: str
    start: int
    end: int
    words: str
    exclusive: bool = False  # "øvrige ansatte": everyone not named before


def find_roles(text: str) -> list[RoleMention]:
    """Every role word in the text, in order; where two overlap the more specific wins."""
    found: list[RoleMention] = []
    taken: list[tuple[int, int]] = []
    for role, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            words = m.group(0)
            if words.lower() in _VERB_FORMS and _LEADS_RE.search(text[: m.start()]):
                continue
            exclusive = words.lower().startswith("øvrige") or bool(_EXCLUSIVE_RE.search(text[: m.start()]))
            found.append(RoleMention(role, m.start(), m.end(), words, exclusive))
            taken.append((m.start(), m.end()))
    return sorted(found, key=lambda r: r.start)


def role_from_title(title: str | None) -> str | None:
    """A profile's job title ("Enhetsleder hjemmetjenesten") mapped to a role; any other title is an employee."""
    if not title or not title.strip():
        return None
    mentions = find_roles(title)
    if not mentions:
        return "employee"
    return min(mentions, key=lambda m: _ORDER[m.role]).role


_SELF_RE = re.compile(
    r"(?:\b(?:jeg er|eg er|je er|jeg jobber som|eg jobbar som|jeg arbeider som|som|i am|i'm|im|as|i work as)"
    # "Er rektor. Kan jeg …?", "Jobber som enhetsleder …": the subject left out, as people write in chat
    r"|(?:^|[.!?]\s+)(?:er|jobber som|jobbar som|arbeider som|arbeidar som))"
    # … but not "Er det kommunikasjonsenheten sin jobb …?": a pronoun there is the subject, the role is asked about
    r"\s+(?:en |ein |ei |et |eit |a |an |the |ny |new )?"
    r"(?:(?!(?:det|dette|den|denne|de|du|dere|dykk|vi|han|hun|ho|hen|it|this|that|there)\s)\w+ ){0,1}$",
    re.IGNORECASE,
)


# "som" before a role in the definite form starts a relative clause ("budsjettet som kommunestyret
# vedtok", "det som rådmannen sa"), not the asker's role ("som leder", "som tillitsvalgt").
_RELATIVE_SOM_RE = re.compile(r"\bsom\s+$", re.IGNORECASE)
_DEFINITE_RE = re.compile(r"(?:en|et|ene|ane)$", re.IGNORECASE)


def role_stated_in(question: str) -> str | None:
    """The asker's role if the question says it ("Jeg er enhetsleder …", "As a manager, …")."""
    for mention in find_roles(question):
        before = question[: mention.start]
        if _SELF_RE.search(before) and not (_RELATIVE_SOM_RE.search(before) and _DEFINITE_RE.search(mention.words)):
            return mention.role
    return None


def applies_to(rule_roles: tuple[str, ...], role: str | None) -> int:
    """How well a rule's roles fit the asker: 3 exact, 2 via a broader role, 1 a rule for all, 0 not for them."""
    if not rule_roles:
        return 1
    if role is None:
        return 1
    if role in rule_roles:
        return 3
    if any(parent in rule_roles for parent in PARENTS.get(role, ())):
        return 2
    return 0


def role_name(role: str, language: str = "nb") -> str:
    return ROLE_NAMES.get(role, {}).get(language) or ROLE_NAMES.get(role, {}).get("nb", role)
