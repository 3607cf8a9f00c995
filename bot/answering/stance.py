"""The verdict's stance for this asker, decided so that it is never confidently wrong.

A rule's modality and the kind of question give a first verdict (bot/verdicts.py). This module then
checks it against the other candidate rules for the same asker and topic before it is given:

- `yes` only when no close candidate rule for this asker restricts or forbids; next to a rule that
  limits it, the permission becomes "it depends" with both rules shown;
- `yes_but` only when no close candidate forbids it, and never from a duty or advice that itself says
  what not to do;
- `no` only from a rule that is about what was asked (it shares the question's own words and is
  close to it) and when no close candidate permits it or makes it a duty;
- below a calibrated confidence no yes/no verdict at all: `info`, with the rules to read.

"Close" means: applies to the asker (or to everyone), shares a topic word with the question, is
at least `min_similarity` similar to it and scores within `Tuning.peer_margin` of the best rule.
The thresholds come from cross-validation (bench/quality.py --kfold); see bot/tuning.py.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable

from bot.answering.matching import ScoredRule, own_role_words
from bot.answering.questions import APPROVING_RE, asker_is_subject
from bot.answering.tuning import Tuning
from bot.answering.verdicts import STANCE_OF, permission_and_limit, verdict_key
from index.lexical import glossary_terms
from knowledge.roles import PARENTS, find_roles, role_stated_in
from knowledge.rules import Rule

# Modalities that limit or forbid what a permission allows.
_RESTRICTING = ("must_not", "should_not")
# Modalities that permit or oblige: they contradict a "no".
_PERMITTING = ("may",)
_OBLIGING = ("must", "responsible")
# A question about a task, a duty or a role, as a word or part of one ("kommunikasjonsoppgaver", "hovedansvaret",
# "What is the rådmann supposed to …?"), or what someone must do ("Hva må jeg gjøre klart?"): what "Ansvaret
# ligger hos …" answers.
_DUTY_ASKED_RE = re.compile(
    r"ansvar|oppgave|oppgåve|plikt|forvent|rolle|\brole|responsib|dut(?:y|ies)|\bjob|task|supposed|expected"
    r"|\b(?:hvem|kven|who|må|skal|bør|need|needs|must|should|have to|has to)\b",
    re.IGNORECASE,
)
# Modalities that tell the asker what to do or not to do.
_BINDING = ("must", "should", "must_not", "should_not", "responsible")
_NEGATION_RE = re.compile(r"\b(?:ikke|ikkje|aldri|never|not|no)\b", re.IGNORECASE)
# "… uten passord", "… utan løyve", "… without a password": what follows is what the rule says is not needed.
_WITHOUT_RE = re.compile(r"\b(?:uten|utan|without)\s+(?:a |an |et |ein |eit |en |noe |noko )?(\w{4,})", re.IGNORECASE)
# Verbs that say "not do it" ("Må eg la vere å …?", "Kan jeg unngå å …?"), or not yet ("Skal vi vente til de
# selv ber om hjelp?" against "… skal umiddelbart ta kontakt …").
_NEGATING_VERBS = (
    r"la være|la vere|avstå|unngå|avoid|refrain|vente med|vente til|venta med|venta til|avvente|utsette|wait for|wait until"
    # … or leave out what is asked of one ("Kan jeg bare droppe medietreningen?")
    r"|hold off|postpone|droppe|droppa|skippe|skippa|hoppe over|hoppa over|slippe å|sleppe å|unnlate|unnlata|skip|opt out|get out of"
)
# "Kan eg ikkje berre …?", "Can't I …?", "… uten fullmakt?": a yes or a no to a negated question says the
# opposite of what it seems.
_NEGATED_QUESTION_RE = re.compile(rf"\b(?:ikke|ikkje|not|never|aldri|uten|utan|without|{_NEGATING_VERBS})\b|n't\b", re.IGNORECASE)
# "Må jeg ikke …?", "Må eg la vere å …?", "Do I not have to …?": a duty question whose own verb is negated (not
# "Er det mitt ansvar om dei tilsette ikkje følgjer …?", where the "not" is the case asked about).
_NEGATED_DUTY_RE = re.compile(
    r"^\W*(?:må|skal|trenger|treng|bør|er|have|has|must|do|does|need|should|is|am)\s+(?:\w+\s+){1,3}?(?:ikke|ikkje|not|never|aldri)\b"
    rf"|n't\b|\b(?:{_NEGATING_VERBS})\b",
    re.IGNORECASE,
)
# "… når jeg skriver et privat leserinnlegg?", "as a private person": duties of the job don't follow the asker
# into their private capacity unless the rule says so.
_PRIVATE_RE = re.compile(r"\bprivat\w*|\bpå fritid\w*|\bi fritid\w*|\bpå fritida\b|\bin my (?:own |spare |free )time\b", re.IGNORECASE)
# "Leserbrev skal som hovedregel ikke besvares": a prohibition with exceptions is no flat "no".
_MAIN_RULE_RE = re.compile(
    r"\b(?:som (?:hoved)?regel|i utgangspunktet|i hovedsak|normalt|vanligvis|vanlegvis|as a (?:general )?rule|normally|generally)\b",
    re.IGNORECASE,
)
# The asker saying what they themselves think: "hva jeg mener", "kva eg meiner", "min mening", "my opinion".
_OWN_OPINION_RE = re.compile(
    r"\b(?:hva|kva|what) (?:jeg|eg|I) (?:mener|meiner|synes|syns|tenker|tenkjer|think|feel)\b"
    r"|\b(?:min|mi|mine|my) (?:egen |eiga? |eigne |egne |own |personal )?(?:mening|meining|meninger|meiningar|synspunkt\w*|opinions?|views?)\b",
    re.IGNORECASE,
)
# Speaking for the unit or the municipality: "… på vegne av sin virksomhet", "on the council's behalf"
_ON_BEHALF_RE = re.compile(r"\bpå\s+(?:\w+\s+)?vegne?r?\b|\bbehalf\b|\bi kraft av\b", re.IGNORECASE)
# A duty the municipality holds as an institution ("kommunens plikt", "Asker kommune skal …"), and a question
# whose asker is the one it asks about ("Er jeg …?", "Må eg …?", "Do I …?").
_INSTITUTION_RE = re.compile(r"\bkommunens?\b|\bfylkeskommunens?\b|\b[A-ZÆØÅ]\w+ (?:fylkes)?kommune(?:s)?\b|\bthe municipality\b", re.IGNORECASE)
_ASKER_SINGULAR_RE = re.compile(r"\b(?:jeg|eg)\b|\bI\b")
# a rule for a crisis ("I krisesituasjoner …", "Ved kriser …", "In a crisis …"), and a question naming one
_FOR_A_CRISIS_RE = re.compile(
    r"\s*(?:i|ved|under|in|during)\s+(?:en |ei |eit |et |a |an )?(?:\w+\s+)?(?:krise\w*|beredskap\w*|crisis|crises|emergenc\w*)\b"
    # … or with a role that exists in a crisis only ("Den som leder krisehåndteringen …", "Kriseledelsen …")
    r"|\s*(?:(?:den|de|dei)\s+som\s+(?:leder|leiar|leier|leiter)\s+)?(?:krise\w+|beredskaps\w+)\b",
    re.IGNORECASE,
)
_CRISIS_RE = re.compile(
    r"krise|beredskap|crisis|crises|emergenc|katastrof|disaster"
    r"|evaku|evacu|flom|flaum|flood|skred|landslide|ulykk|ulukk|accident|brann|brent\b|brunne\b|brenn|fire\b|pandemi|dataangrep|cyberattack",
    re.IGNORECASE,
)
# a rule saying a role alone holds something ("Kun ordføreren …", "… bare av kommunedirektøren")
_ONLY_RE = re.compile(r"\b(?:bare|berre|kun|only|alene|åleine|eneste|einaste|sole|solely)\b", re.IGNORECASE)
# "Må jeg alltid …?", "i alle saker", "every time": a duty asked about without exception
_ALWAYS_RE = re.compile(
    r"\b(?:alltid|bestandig|i alle (?:saker|tilfeller|tilfelle)|kvar gong|hver gang|uansett|always|every time|in all cases)\b",
    re.IGNORECASE,
)
# "Bør jeg …?", "Should I …?", "Er det lurt å …?": a question asking for advice, which advice answers.
_ASKS_ADVICE_RE = re.compile(r"\s*(?:bør|should|ought|er det lurt|er det anbefalt|anbefales det|is it advisable)\b", re.IGNORECASE)
ALTERNATIVES_SHOWN = 3
# "Kan jeg …?" answered by a duty, advice or responsibility (bot/verdicts._YES_NO)
_DUTY_AS_PERMISSION = ("yes_if", "yes_careful", "yes_duty")
# "Hva må jeg gjøre …?" answered by a duty or advice (bot/verdicts._WHAT_TO_DO)
_WHAT_TO_DO_KEYS = ("required_what", "recommended_what")


@dataclass(frozen=True)
class Decision:
    """What the answer says: a verdict key of bot/verdicts.TEXT, its stance, and the rules shown with it."""

    key: str
    stance: str
    alternatives: tuple[ScoredRule, ...] = ()  # other rules the asker must read ("it depends")


def restricts(rule_modality: str, restricted: bool) -> bool:
    """A rule that forbids, advises against, or allows only within a limit."""
    return rule_modality in _RESTRICTING or restricted


def peers(best: ScoredRule, scored: list[ScoredRule], role: str | None, min_similarity: float, margin: float) -> list[ScoredRule]:
    """The other candidate rules close enough to the best one to be an answer to the same question for this asker."""
    return [
        c
        for c in scored
        if c is not best
        and c.rule.id != best.rule.id
        and (role is None or c.fit > 0)
        and c.on_topic
        and c.similarity >= min_similarity
        and c.score >= best.score - margin
    ]


def forbidding_as_close(best: ScoredRule, scored: list[ScoredRule], role: str | None, min_similarity: float, tuning: Tuning) -> list[ScoredRule]:
    """Prohibitions for this asker that are about as similar to the question as the best rule (within
    `Tuning.restriction_margin`) and use more of its words, however far below it they rank: "… om en
    ansatt som er suspendert?" next to "Personalsaker skal ikke kommenteres i media", ranked below
    "Øvrige ansatte kan gi faktaopplysninger …" only for naming no role."""
    as_close = max(min_similarity, best.similarity - tuning.restriction_margin)
    return [
        c
        for c in scored
        if c is not best
        and c.rule.modality == "must_not"
        and (role is None or c.fit > 0)
        and c.on_topic
        and c.shared > best.shared
        and c.similarity >= as_close
    ]


# "…, og ikke kommunikasjonsseksjonen sitt?", "…, eller er det lederen min som …?" (not "…, eller må etatslederen …?",
# which asks what that role must do)
_CONTRASTED_RE = re.compile(
    r"\b(?:og ikke|og ikkje|ikke|ikkje|not|rather than|instead of|i stedet for|i staden for|eller er|eller er det|or is|or is it)"
    r"\s+(?:\w+\s+){0,2}$",
    re.IGNORECASE,
)
# "Er det kommunikasjonsenheten som skal …, eller er det meg?", "…, eller har eg sjølv eit ansvar …?": the
# asker sets themselves as the other alternative, so whether the task is theirs is what is asked
_ASKER_AS_ALTERNATIVE_RE = re.compile(
    r"(?:\beller\s+(?:er\s+det\s+|har\s+)?(?:meg|min|mi|mitt|mine|jeg|eg|oss|vår|vårt|våre)"
    r"|\bor\s+(?:is\s+it\s+|have\s+|do\s+)?(?:me|my|mine|us|our|i|we))\b(?!\s+(?:\w+\s+)?(?:ikke|ikkje|not)\b)",
    re.IGNORECASE,
)


def _word_starts(text: str, token: str = r"\w{4,}") -> set[str]:
    """The first five letters of the text's words matching `token`, lower-cased: words compared where their
    endings differ by inflection or between bokmål and nynorsk ("fullmakt", "fullmakta")."""
    return {w[:5] for w in re.findall(token, text.lower())}


# "… Har ikke fått noen fullmakt fra sjefen": the asker says what a rule's condition names is not the case
_NEGATED_TOLD_RE = re.compile(r"\b(?:ikke|ikkje|not|no|uten|utan|without|aldri|never)\s+((?:\w+\s+){0,3}\w+)", re.IGNORECASE)


def _tells_it_unmet(question: str, rule: Rule) -> bool:
    """Does the question deny something the rule names, within four words after a negation ("Kan jeg uttale meg
    på vegne av kommunen? Har ikke fått noen fullmakt" against "… uttale seg på vegne av kommunen etter
    fullmakt")? Then a yes would hold only where the asker says it doesn't. Words compared by their first five
    letters, five letters or more."""
    rule_words = _word_starts(rule.text, r"\w{5,}")
    return any(_word_starts(found.group(1), r"\w{5,}") & rule_words for found in _NEGATED_TOLD_RE.finditer(question))


def _about_others(asked: str, role: str | None, best: ScoredRule) -> bool:
    """The question asks about other roles than the asker's ("Må tillitsvalgte …?" from an employee) and
    the rule names none of them. Where the asker is the one the question asks about ("Bør jeg dra inn
    kommunikasjonsenheten …?", "Må jeg som etatsleder sørge for at politikerne …?"), the other role is what
    they act on, so a rule for the asker that names it anywhere answers it ("Ledere oppfordres til å
    samarbeide tett med Kommunikasjonsenheten"); one that doesn't ("… er kjent for medarbeidere") does not."""
    if _ASKER_AS_ALTERNATIVE_RE.search(asked):
        return False
    own = {role, *PARENTS.get(role, ())} if role else set()
    stated = role_stated_in(asked)
    mentions = [m for m in find_roles(asked) if m.role not in own and m.role not in (stated, "employee")]
    named = set(best.rule.roles)
    if asker_is_subject(asked):
        named |= {m.role for m in find_roles(best.rule.text)}
        # "Er det mitt ansvar …, og ikke kommunikasjonsseksjonen sitt?": the role the asker sets against their own
        # is no one the question asks about; a rule for the asker answers it
        mentions = [m for m in mentions if not _CONTRASTED_RE.search(asked[: m.start])]
    others = {m.role for m in mentions}
    return bool(others) and not others & named


def answers_whether_only(named: Iterable[str], question: str, rule: Rule) -> bool:
    """Whether a "who" verdict naming `named` answers "is it only X who …?" ("Er det bare rådmannen som kan
    uttale seg om administrative saker?"): where it names X and others too ("No: also …"), or where the rule
    itself says only ("bare", "kun", "only", or a role in contrast to others: `Rule.exclusive`). Naming X
    alone reads as "yes, only X" (from "Rådmannen uttaler seg om administrative forhold …", which says no
    such thing); naming only others ("Folkevalgte", to "Er det bare dei tilsette som treng å kjenne …?")
    answers another question."""
    asked = {m.role for m in find_roles(question)}
    named = set(named)
    if rule.exclusive or _ONLY_RE.search(rule.text):
        return bool(named)
    return bool(named & asked) and bool(named - asked)


def for_a_crisis_not_asked(rule: Rule, question: str) -> bool:
    """The rule opens with a crisis ("I krisesituasjoner er det ordfører, kommunedirektør og
    kommunikasjonsrådgiver som er kommunens pressetalspersoner") or a role that exists in one ("Den som leder
    krisehåndteringen er …"), and the question names none, nor a crisis event ("flom", "brann", "brent",
    "evacuated") or a word the glossary gives "krise" for: who does it in a crisis doesn't say who does it
    otherwise ("Is it only the chief executive who is allowed to talk to the media?")."""
    if not _FOR_A_CRISIS_RE.match(rule.text):
        return False
    return not _CRISIS_RE.search(f"{question} {' '.join(glossary_terms(question))}")


def about_what_was_asked(candidate: ScoredRule, min_similarity: float, tuning: Tuning) -> bool:
    """A rule can say yes or no to a question only if it is about what was asked: it uses a good share
    of the question's own words, not only those naming the asker's role ("Får eg ekstra fri viss eg stiller
    opp som pressekontakt …?" is not answered by "Kommunikasjonsrådgiver … gir medieråd" for a press
    contact), and is clearly similar to it, not merely close in topic."""
    return (
        candidate.on_topic
        and candidate.topic_shared > 0
        and candidate.shared >= tuning.about_overlap
        and candidate.similarity >= min_similarity + tuning.no_margin
    )


def closer_to_the_question(best: ScoredRule, scored: list[ScoredRule], role: str | None) -> list[ScoredRule]:
    """Candidate rules for this asker that are both more similar to the question than the best rule and use
    more of its words (other than who asks): the best rule won on other grounds (its role, its modality), so
    its verdict may answer something else."""
    return [
        c
        for c in scored
        if c.rule.id != best.rule.id
        and (role is None or c.fit > 0)
        and c.on_topic
        and c.similarity > best.similarity
        and c.topic_shared > best.topic_shared
    ]


def others_duty_closer(best: ScoredRule, scored: list[ScoredRule], role: str | None) -> list[ScoredRule]:
    """Duties written for other roles than the asker's that are both more similar to the question than the best
    rule and use more of its words: "Er det jeg som ordfører som har ansvaret for at riktig person uttaler seg …?"
    is answered by "Den ansvarlige for at det er riktig person som uttaler seg … er Kommunedirektøren", not with
    "Ja, det er et krav" from the mayor's duty to approve statements."""
    if role is None:
        return []
    return [
        c for c in closer_to_the_question(best, scored, None)
        if c.fit == 0 and c.rule.roles and c.rule.modality in ("responsible", "must")
    ]


def closer_binding(best: ScoredRule, scored: list[ScoredRule], margin: float = 0.0) -> list[ScoredRule]:
    """Duties for the asker at least as specific as the best rule, and restrictions for them that use more of
    the question's words, that are more similar to the question than the best rule, or less by under `margin`."""
    return [
        c for c in scored
        if c is not best and c.similarity > best.similarity - margin
        and (
            (c.rule.modality == "must" and c.fit >= best.fit)
            # a restriction also where written for a broader role, if it uses more of the question's words
            or (c.rule.modality in _RESTRICTING and c.fit > 0 and c.on_topic and c.topic_shared > best.topic_shared)
        )
    ]


def situational(
    best: ScoredRule,
    scored: list[ScoredRule],
    stated: set[str],
    words: Callable[[str], set[str]],
    min_similarity: float,
    context: str = "",
) -> list[ScoredRule]:
    """Candidate rules written for the situation the question is asked for, when the best rule doesn't
    name it: "Under en krise med kriseledelse, kan jeg som avdelingsleder svare pressa selv?" next to
    "Dersom … kriseledelse etableres, erstattes dette reglementet av …" (a conditional rule), while the
    best rule is the everyday press rule for unit leaders. `stated`: the situation's words; `words`
    gives a rule text's words the same way (index stems); `context`: the best rule's passage, which
    names the situation for it ("Ved større hendelser/kriser … Det innebærer at ordfører/kommunedirektør
    er de som uttaler seg …"); best first, as in `scored`. A rule for another role than the asker's
    (`ScoredRule.fit` 0: "Når ordfører/varaordfører uttaler seg som partipolitiker, …" to an employee
    asking "Må eg følgje strategien når eg uttalar meg til avisa?") is not one."""
    if not stated or stated & words(f"{best.rule.section} {best.rule.text} {context}"):
        return []
    return [
        c for c in scored
        if c is not best and c.rule.conditional and c.fit > 0 and c.similarity >= min_similarity and stated & words(c.rule.text)
    ]


# The subject of a note ("Krisekommunikasjonsarbeidet" in "Krisekommunikasjonsarbeidet er beskrevet i …"): what
# it leaves to another document, not the document it names.
_SUBJECT_RE = re.compile(r"\s(?:er|blir|vert|vil bli|omtales|behandles|is|are)\s", re.IGNORECASE)


def referred_elsewhere(
    best: ScoredRule, scored: list[ScoredRule], asked: set[str], words: Callable[[str], set[str]], min_similarity: float
) -> list[ScoredRule]:
    """Notes that the documents leave a topic of the question to another document ("Krisekommunikasjonsarbeidet
    er beskrevet i beredskapsplan …, og blir derfor ikke omtalt i denne strategien"; modality "refers") when
    the question names the note's subject and the best rule doesn't: its verdict would be a guess there. `asked`: the question's
    words; `words` gives a rule text's words the same way."""
    named = words(f"{best.rule.section} {best.rule.text}")
    return [
        c for c in scored
        if c.rule.id != best.rule.id and c.rule.modality == "refers" and c.similarity >= min_similarity
        and (asked & words(_SUBJECT_RE.split(c.rule.text, maxsplit=1)[0])) - named
    ]


def prohibitions_about(
    best: ScoredRule,
    scored: list[ScoredRule],
    about: set[str],
    words: Callable[[str], set[str]],
    role: str | None,
    min_similarity: float,
) -> list[ScoredRule]:
    """Prohibitions for this asker, similar enough to the question to be candidates, that name what
    the question is about ("… om en kollega som er sykmeldt?": "Personalsaker skal ikke kommenteres i
    media") when the best rule doesn't ("Øvrige ansatte kan gi faktaopplysninger …"). `about`: the
    words of what it is about (`Question.about`); `words` gives a rule text's words the same way."""
    if not about:
        return []
    missing = about - words(f"{best.rule.section} {best.rule.text}")
    return [
        c
        for c in scored
        if c.rule.id != best.rule.id
        and c.rule.modality == "must_not"
        and (role is None or c.fit > 0)
        and c.similarity >= min_similarity
        and missing & words(c.rule.text)
    ]


def freedoms_it_limits(
    best: ScoredRule, scored: list[ScoredRule], asked: set[str], words: Callable[[str], set[str]]
) -> frozenset[str]:
    """The ids of the permissions in a prohibition's own document that name nothing of the question the
    prohibition names: to "Kan eg bruke stillingstittelen min når eg skriv lesarinnlegg som privatperson?",
    "Kommunal stillingstittel … skal ikke benyttes" is the limit of "Ansatte … har full ytringsfrihet som
    privatpersoner" (written beside it, and again in the press rules), not contradicted by it: the specific
    rule governs. `asked`: the index words of the sentence that asks, without role words; `words` gives a rule
    text's words the same way. Empty unless `best` forbids."""
    if best.rule.modality != "must_not":
        return frozenset()
    named = asked & words(best.rule.text)
    if not named:
        return frozenset()
    return frozenset(
        c.rule.id
        for c in scored
        if c.rule.modality in _PERMITTING
        and c.rule.document_id == best.rule.document_id
        and not named & words(c.rule.text)
    )


def prohibition_over_freedom(
    best: ScoredRule, scored: list[ScoredRule], asked: set[str], words: Callable[[str], set[str]], margin: float,
    asked_text: str,
) -> ScoredRule | None:
    """The prohibition a freedom gives way to as the matching rule: one in its document, written for the asker
    as much as the freedom and scoring within `margin` of it, that names what was asked where the freedom names
    none of it (`freedoms_it_limits`): to "Kan eg bruke stillingstittelen min når eg skriv lesarinnlegg som
    privatperson?", "Kommunal stillingstittel … skal ikke benyttes" over "Ansatte … har full ytringsfrihet som
    privatpersoner". What it names must be a whole word of the question (`asked_text`, the sentence that asks), not
    part of a compound ("… svare på et leserbrev …" does not name "brev"). None when `best` is no freedom or there
    is no such prohibition."""
    if best.rule.modality not in _PERMITTING:
        return None

    def whole_words(text: str) -> set[str]:  # not the parts of a compound ("leserbrev" does not name "brev")
        return _word_starts(text, r"[\w-]{4,}")

    asked_whole = whole_words(asked_text)
    return next(
        (
            c
            for c in scored
            if c.rule.modality == "must_not"
            and c.fit >= best.fit
            and c.score >= best.score - margin
            and best.rule.id in freedoms_it_limits(c, scored, asked, words)
            and asked_whole & whole_words(c.rule.text) - whole_words(best.rule.text)
        ),
        None,
    )


def rules_naming(scored: list[ScoredRule], about: set[str], words: Callable[[str], set[str]]) -> frozenset[str]:
    """The ids of the candidate rules whose text names what the question is about (`about`: its words, as
    for `prohibitions_about`; `words` gives a rule text's words the same way)."""
    if not about:
        return frozenset()
    return frozenset(c.rule.id for c in scored if about & words(c.rule.text))


# "Bør vi bytte …?", "Should I tell …?": an advice question, whose act follows its subject.
_ADVICE_OPENINGS = frozenset("bør burde should".split())
_SUBJECTS = frozenset("jeg eg vi me man du dere de dei i we you they".split())
_NOT_ACTS = frozenset("ikke ikkje not never aldri also også òg heller alltid always egentlig eigentleg really".split())


def names_all_it_forbids(question_words: set[str], rule: Rule, words: Callable[[str], set[str]]) -> bool:
    """Does the question name every word of a prohibition ("Personalsaker skal ikke kommenteres i media" to "Kan jeg
    kommentere personalsaken til NRK?", the glossary giving "media" for "NRK")? Then the prohibition is about what
    was asked however many other words the question has. `question_words`: the question's index words with the
    glossary's terms; `words` gives a rule text's index words the same way."""
    forbidden = words(rule.text)
    return rule.modality == "must_not" and len(forbidden) >= 2 and forbidden <= question_words


def names_the_act(asked: str, rule: Rule, words: Callable[[str], set[str]]) -> bool:
    """Does the rule name the act an advice question asks about ("Bør vi bytte talsperson …?": "bytte")? A
    verb whose stem is too short for an index word (nynorsk "byte") is looked for as the start of a word of
    the rule ("byt"). True where the act can't be told (not such a question, or a word of three letters:
    "Bør jeg dra inn …?")."""
    tokens = re.findall(r"\w+", asked.lower())
    if len(tokens) < 3 or tokens[0] not in _ADVICE_OPENINGS or tokens[1] not in _SUBJECTS:
        return True
    act = next((t for t in tokens[2:] if t not in _NOT_ACTS), "")
    act_words = words(act)
    if act_words:
        return bool(act_words & words(rule.text))
    if len(act) < 4:  # "dra (inn)": too short to tell ("samarbeide tett med" answers it)
        return True
    start = act[:3]
    return any(w.startswith(start) for w in re.findall(r"\w+", rule.text.lower()))


# "…, nå som alt skal være digitalt førstevalg?", "… because I disagree with the decision?": what the question takes
# for granted, not what it asks ("siden" only after a comma: it is also "the page").
_SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+")
_PREMISE_RE = re.compile(
    r"(?:,\s*|\s)(?:nå som|no som|now that|ettersom|fordi|because|given that)\b(?P<premise>[^?.!;,]*?)(?=[?.!;,]|\beller\b|\bor\b|$)"
    r"|,\s*(?:siden|sidan|since)\b(?P<after_comma>[^?.!;,]*?)(?=[?.!;,]|\beller\b|\bor\b|$)",
    re.IGNORECASE,
)
_PREMISED_RULE_RE = re.compile(
    r"\b(?:skal|må|bør|skulle|måtte|burde|should|must|shall|has to|have to|had to|is to|are to|was to|were to|supposed to)\b",
    re.IGNORECASE,
)
_BELIEF_RE = re.compile(
    r"\b(?:trodde|trudde|tenkte|hørte|høyrde|sa|sier|seier|sagt|heard|thought|said|says|told|believed|understood"
    r"|forsto|forstod|skjønte|mener|meiner|påstår)\b",
    re.IGNORECASE,
)


def answers_the_premise(asked: str, rule: Rule, words: Callable[[str], set[str]], told: str = "") -> bool:
    """Does the rule share more words with a rule the question takes for granted than with what it asks? The
    premise is a clause of the sentence that asks ("Skal Bæringen legges ned som papiravis, nå som alt skal
    være digitalt førstevalg?") or a sentence told before or after it ("Må vi fortsette å trykke Bæringen på
    papir? Trodde alt skulle være digitalt førstevalg"), and says what must or should be; against "… digitale
    løsninger skal være førstevalg …" the rule's modal verb answers the premise, not the question. `asked`: the
    sentence that asks; `told`: the question's other sentences. The words saying who asks don't count; `words`
    gives a text's index words (stems), compared by their first five letters, so that nynorsk and inflected
    forms the stemmer leaves apart meet ("digitalt", "digitale"; "førstevalet")."""

    def prefixes(text: str) -> set[str]:
        return {w[:5] for w in words(text)}

    premises, main = [], asked
    found = _PREMISE_RE.search(asked)
    if found is not None:
        premises.append(found.group("premise") or found.group("after_comma") or "")
        main = f"{asked[: found.start()]} {asked[found.end():]}"
    # a sentence told beside the question is a premise where it reports what the asker believes or was told
    # ("Trodde alt skulle være …", "Sjefen sa at jeg må …"), not a plan ("Eg skal halde innlegg …")
    premises += [sentence for sentence in _SENTENCE_END_RE.split(told) if _BELIEF_RE.search(sentence)]
    # "… nå som vedtaket er fattet?" tells a situation, which a rule's condition may name: no premise
    premised = set().union(*(prefixes(p) for p in premises if _PREMISED_RULE_RE.search(p)))
    if not premised:
        return False
    rule_words = prefixes(rule.text)
    return len(premised & rule_words) > len((prefixes(main) - prefixes(own_role_words(main))) & rule_words)


def names_the_limit(question: str, rule: Rule, words: Callable[[str], set[str]]) -> bool:
    """Does the question use a word of the rule's limit that what it allows doesn't use ("… gi vurderinger
    …?" against "kan gi faktaopplysninger …, men skal ikke gi vurderinger …"; "Kan jeg delegere ansvaret
    …?" against "Ledere kan delegere til fagpersoner å uttale seg, men det overordnede ansvaret tilhører
    lederen")? The words saying who asks ("som leder") don't count. `words` gives a text's index words (stems)."""
    clauses = permission_and_limit(rule)
    if clauses is None:
        return False
    allowed, limit = clauses
    asked = words(question) - words(own_role_words(question))
    return bool(asked & (words(limit) - words(allowed)))


def _without_what_was_asked(rule_text: str, question: str) -> bool:
    """Does the rule say "without" the thing the question asks about ("Trenger jeg passord …?" against "Portalen
    skal være åpen for alle, uten passord")? Words compared by their first five letters."""
    asked = _word_starts(question)
    return any(m.group(1).lower()[:5] in asked for m in _WITHOUT_RE.finditer(rule_text))


def decide(
    best: ScoredRule,
    scored: list[ScoredRule],
    intent: str,
    yes_no: bool,
    role: str | None,
    confidence: float,
    min_similarity: float,
    tuning: Tuning,
    asked: str = "",
    restricting: bool = False,
    validity: bool = False,
    for_situation: tuple[ScoredRule, ...] = (),
    asks_about_limit: bool = False,
    about_prohibitions: tuple[ScoredRule, ...] = (),
    naming_about: frozenset[str] = frozenset(),
    limited_freedoms: frozenset[str] = frozenset(),
    advises_the_act: bool = True,
    answers_premise: bool = False,
    question: str = "",
    names_all_forbidden: bool = False,
) -> Decision:
    """The stance for a rule-based answer (not "who" answers, not refusals). `asked` is the sentence that
    asks; `restricting`: it asks whether someone may restrict or sanction what another says
    (bot.answering.questions.Question.restricting); `validity`: whether a rule applies
    (Question.validity); `for_situation`: rules written for the situation the question states that the
    best rule doesn't name (`situational`); `asks_about_limit`: the question names what the best rule's
    limit forbids, not what it allows (`names_the_limit`); `about_prohibitions`: prohibitions about what
    the question is about that the best rule doesn't name (`prohibitions_about`); `naming_about`: the ids
    of the candidate rules that name what the question is about (`rules_naming`); `limited_freedoms`: the ids of
    the freedoms in a prohibition's document that it limits (`freedoms_it_limits`); `advises_the_act`: the
    best rule names the act an advice question asks about (`names_the_act`); `answers_premise`: the best rule
    matches what the question takes for granted more than what it asks (`answers_the_premise`); `question`: the
    whole question, where the asker may say who they are outside the sentence that asks."""
    key = verdict_key(best.rule, intent, yes_no, fits_asker=best.fit > 0 or role is None)
    stance = STANCE_OF[key]

    def depends() -> Decision:  # no verdict: the rules to read
        # the rule written for the situation asked in comes first ("… kriseleiinga er sett. … Kan eg uttale meg …?":
        # "Dersom … kriseledelse etableres, erstattes dette reglementet …")
        return _depends(best, scored, role, min_similarity, tuning, fallback="see_rule", extra=about_prohibitions, first=for_situation)

    if key == "responsible" and not yes_no and role is not None and set(best.rule.roles) <= {role, *PARENTS.get(role, ())}:
        # "Som enhetsleder er jeg usikker på om jeg bør gi pressen opplysningene. Hva skal jeg gjøre da?"
        # answered "Ansvaret ligger hos enhetsledere" from "Enhetsledere … gir faktaopplysninger …": telling
        # the asker the task is theirs doesn't say what to do where a duty or advice for them is closer to the
        # question ("Ved tvil … plikter enhetsleder/avdelingsleder å konferere med …", "Om en bruker … fritar
        # kommunen fra taushetsplikten, bør … leder likevel ikke kommentere saken")
        binding = closer_binding(best, scored, tuning.restriction_margin)
        if binding:
            return Decision("depends", "info", shown(binding))
    if key == "responsible" and not yes_no and not (best.on_topic and best.topic_shared > 0):
        # "Skal pressemeldinger skrives på nynorsk eller bokmål?" answered "Ansvaret ligger hos ordføreren, …"
        # from "I krisesituasjoner er det ordfører, … som er kommunens pressetalspersoner": whose task it is
        # answers a question only from a rule about what it asks
        return depends()
    if key == "responsible" and not yes_no and not _DUTY_ASKED_RE.search(asked):
        # "Hva er hovedkanalen for ekstern info, Facebook eller nettsida?" answered "Ansvaret ligger hos ledere" from
        # "… kommunikasjon … er et lederansvar": whose task something is answers only a question about a task or duty
        return depends()
    if stance in ("yes", "yes_but", "must") and for_situation:
        # the everyday rule's yes or duty may not hold in the situation asked about: both rules to read (a
        # prohibition stays a no: "Personalsaker skal ikke kommenteres" holds in a crisis too)
        return Decision("depends", "info", shown(for_situation))
    if stance == "yes_but" and asks_about_limit:
        # "Kan jeg gi vurderinger til pressen?" answered "Ja, men bare gi faktaopplysninger … – ikke gi
        # vurderinger": what was asked is what the limit forbids, so no "yes" in front of it
        return depends()
    if stance in ("yes", "yes_but", "no", "must") and (validity or answers_premise):
        # "Gjelder pressereglementet fortsatt?" is not answered by the modal verb of the rule it matched, nor "Skal
        # Bæringen legges ned …, nå som alt skal være digitalt førstevalg?" by the duty its premise restates
        return depends()
    if stance in ("yes", "yes_but", "no", "must") and (restricting or _about_others(asked, role, best)):
        # "Kan lederen min hindre meg i å skrive leserinnlegg?" answered from "Ansatte har full
        # ytringsfrihet": the rule's "may" is the employee's, not a yes to stopping them. "Må tillitsvalgte
        # spørre kommunedirektøren?" from a rule that doesn't name them: it may not hold for them.
        return depends()
    if stance == "must" and best.rule.modality in ("must", "should") and (
        _NEGATION_RE.search(best.rule.text) or _without_what_was_asked(best.rule.text, question or asked)
    ):
        # "Bør jeg kommentere saken i media?" answered "Det anbefales" from "… bør saksbehandler eller leder
        # likevel ikke kommentere saken …": a duty or advice that says "not" is no "yes, required"; nor one
        # saying "without" what was asked ("Trenger jeg passord …?" from "Portalen skal være åpen …, uten passord")
        return depends()
    if stance == "must" and (yes_no or key in _WHAT_TO_DO_KEYS):
        # "Må jeg …?" answered "Ja, det er et krav", and "Hva må jeg gjøre …?" answered "Dette er et krav": the
        # same checks. Not where a close rule lets the asker do it without
        # ("Øvrige ansatte kan gi faktaopplysninger …" next to "Ansatte skal opptre lojalt …"), where that rule
        # shares a word of what was asked: "… tiltak som kommunene kan vurdere" beside "Kommunestyret … må ta
        # sitt ansvar for …" lets nobody off anything
        close = peers(best, scored, role, min_similarity, 2 * tuning.peer_margin)
        permitting = [c for c in close if c.rule.modality in _PERMITTING and c.fit >= best.fit and c.topic_shared > 0]
        if permitting:
            return Decision("depends", "info", shown(permitting))
        # the words a duty shares with the question must be more than those saying who asks: "Må jeg som
        # varaordfører svare pressen om administrative saker?" is not named by "Ordfører/varaordfører uttaler seg …"
        names_it = best.on_topic and best.topic_shared > 0 and (
            min(best.shared, best.topic_shared) >= tuning.about_overlap
            or best.similarity >= min_similarity + tuning.duty_margin
        )
        closer = closer_to_the_question(best, scored, role) or others_duty_closer(best, scored, role)
        if closer:
            # "Må jeg gjennomføre medietrening? Er avdelingsleder …" answered from "Enhetsledere og avdelingsledere
            # gir faktaopplysninger …" (it names the role) while "Ledere med mye mediekontakt skal gjennomføre …
            # medietrening" is closer and uses more of the question's words
            return Decision("depends", "info", shown(closer))
        if not best.rule.roles and _INSTITUTION_RE.search(best.rule.text) and _ASKER_SINGULAR_RE.search(question or asked):
            # "Jeg er folkevalgt. Er jeg pliktig til å følge kommunikasjonsplattformen?" answered "Ja, det er et
            # krav" from "Kommuneloven (§4) påpeker kommunens plikt til å aktivt informere …": the municipality's
            # duty is not one the asker can be told is theirs
            return depends()
        if role is not None and role in best.rule.partial:
            # "Må jeg ta medietrening? Jeg er saksbehandler" from "Alle tjenesteledere og relevante fagpersoner skal …":
            # the duty is for some of the asker's role, so whether it is theirs depends
            return depends()
        if best.rule.conditional and _ALWAYS_RE.search(asked):
            # "Må jeg alltid ringe kommunalsjefen før jeg snakker med pressen?" from "Ved tvil om … plikter
            # enhetsleder å konferere med …": the duty holds only where its condition does
            return depends()
        if _NEGATED_DUTY_RE.search(asked):
            # "Må jeg la være å skrive leserinnlegg?" answered "Ja, det er et krav" from "… ansvar for å vurdere …"
            return depends()
        if not names_it or best.rule.restricted or (_PRIVATE_RE.search(asked) and not _PRIVATE_RE.search(best.rule.text)):
            # a duty is a "yes, required" only for what it names: not "Må jeg spørre sjefen før jeg skriver
            # leserinnlegg?" from "Tiltak nevnt … i denne strategien må følges", nor from a rule saying who
            # does what ("Enhetsledere gir faktaopplysninger …"), nor a duty with a limit ("… først og fremst om
            # større saker"), nor a duty of the job for a private post
            return depends()
        if key == "recommended" and not _ASKS_ADVICE_RE.match(asked):
            # "Må vi holde kommunen oppdatert?" answered from "Ofte bør kommunen … holdes oppdatert": advice
            # is no duty, so only a question asking for advice ("Bør jeg …?") gets "Det anbefales" as its answer
            return depends()
        if not advises_the_act:
            # "Bør vi bytte talsperson underveis i en krise?" answered "Det anbefales" from "Det bør være samme
            # person gjennom hele krisen", or "Ja, det er et krav" from "Det må også være navn på hvem som kan
            # tre inn …": the advice or duty is about something else than the act asked about
            return depends()
        if key in _WHAT_TO_DO_KEYS:
            # "Hva gjør vi hvis talspersonen blir syk …?": other duties and advice for the asker about as close are
            # shown with it ("Det bør være samme person gjennom hele krisen" beside "Det må også være navn på hvem
            # som kan tre inn ved fravær …"), and a close prohibition makes it "it depends"
            close = [c for c in peers(best, scored, role, min_similarity, tuning.peer_margin) if c.rule.modality in _BINDING]
            if any(c.rule.modality in _RESTRICTING for c in close):
                return Decision("depends", "info", shown(close))
            return Decision(key, stance, shown(close))
        return Decision(key, stance)
    if key == "see_rule":
        # no verdict from the rule's modality: the rules about as close are shown with it, not one of two near-equals
        # ("Since we have lojalitetsplikt I can't criticise my own workplace publicly, right?": "Det skal imidlertid mye
        # til før lojalitetsplikten innebærer begrensninger i ytringsfriheten" beside the duty of loyalty)
        return depends()
    if stance not in ("yes", "yes_but", "no"):
        return Decision(key, stance)
    if (
        confidence < tuning.verdict_confidence
        or _NEGATED_QUESTION_RE.search(asked)
        or (stance in ("yes", "yes_but") and _tells_it_unmet(question or asked, best.rule))
        or not (about_what_was_asked(best, min_similarity, tuning) or names_all_forbidden)
    ):
        return depends()
    if key in _DUTY_AS_PERMISSION and best.fit < 2:
        # a duty or advice says "yes, but" to "may I …?" only where it is written for the asker's role
        return depends()
    if stance in ("yes", "yes_but") and best.rule.modality != "may" and _NEGATION_RE.search(best.rule.text):
        # "Kan jeg legge ut bilder?" answered by "Pass på at pasienter ikke kommer med på bilder": a duty
        # or advice that says what not to do is a limit the verdict can't summarise as a yes
        return depends()
    if stance in ("yes", "yes_but") and _OWN_OPINION_RE.search(asked) and _ON_BEHALF_RE.search(best.rule.text):
        # "Kan jeg som enhetsleder si hva jeg mener om forslaget?" answered "Ja – med ansvaret …" from "Enhetsledere …
        # gir faktaopplysninger og faglige vurderinger på vegne av sin virksomhet": speaking for the unit is no yes to
        # telling one's own opinion
        return depends()
    if stance == "no" and best.fit < 2 and _OWN_OPINION_RE.search(asked):
        # "Eg er lærar. Kan eg skrive kva eg meiner om ei sak … på kommunen si Facebook-side?" answered "Nei"
        # from "Ikke gi dine egne vurderinger av saker som er til politisk behandling", written for those who
        # run the municipality's accounts: what staff may say as themselves is their freedom of expression,
        # so only a prohibition written for the asker's own role says no to it
        return depends()
    if stance == "no" and (key == "optional" and best.rule.restricted or _MAIN_RULE_RE.search(best.rule.text)):
        # "Må jeg ha fullmakt?" answered "not required" by a permission given "etter fullmakt", or a
        # prohibition "som hovedregel": the condition or the exception is the answer, not a flat no; the
        # exception written with it is shown first ("Faktafeil kan imøtegås etter samråd med …")
        exceptions = tuple(
            c for c in scored if c is not best and c.rule.passage_id == best.rule.passage_id and c.rule.modality in _PERMITTING
        )
        return _depends(
            best, scored, role, min_similarity, tuning, fallback="see_rule", extra=about_prohibitions, first=exceptions + for_situation
        )
    if key == "optional" and APPROVING_RE.search(asked) and not APPROVING_RE.search(best.rule.text):
        # "Må sosiale medier-kontoer for avdelingen godkjennes av noen?" answered "Nei, det er ikke et krav" from
        # "Del gjerne innhold fra kommunens … kontoer": that approval is not needed only a rule about approval says
        return depends()
    close = peers(best, scored, role, min_similarity, tuning.peer_margin)
    if stance == "yes":
        # a plain yes also gives way to a restriction for this asker that is at least about as close to
        # the question as the permission, however the two rank ("Kan jeg bruke jobbmailen som
        # privatperson?": "full ytringsfrihet" next to "Kommunal … e-post skal ikke benyttes")
        as_close = max(min_similarity, best.similarity - tuning.restriction_margin)
        limiting = [
            c
            for c in scored
            if c is not best
            and restricts(c.rule.modality, c.rule.restricted)
            and (c in close or ((role is None or c.fit > 0) and c.similarity >= as_close))
        ]
        # … and to a prohibition for this asker written beside it in its own section, however far it ranks: a
        # freedom stated next to its limits is no plain yes ("Ansatte … har full ytringsfrihet som privatpersoner."
        # beside "Kommunal stillingstittel, brev eller e-post skal ikke benyttes." to "Kan jeg skrive under med
        # «helsesykepleier i … kommune»?")
        limiting += [
            c
            for c in scored
            if c is not best
            and c.rule.modality in _RESTRICTING
            and (role is None or c.fit > 0)
            and (c.rule.document_id, c.rule.section) == (best.rule.document_id, best.rule.section)
        ]
        limiting += about_prohibitions
        if limiting:
            return Decision("depends", "info", shown(limiting))
    elif stance == "yes_but":
        # likewise a "yes, but" gives way to a prohibition that is about as close and uses more of the question's words
        forbidding = [c for c in close if c.rule.modality == "must_not"]
        forbidding += forbidding_as_close(best, scored, role, min_similarity, tuning) + list(about_prohibitions)
        # … but not to the main rule the permission is the written exception to, in the same passage ("Leserbrev
        # … skal som hovedregel ikke besvares. Dersom leserbrev inneholder faktafeil kan dette imøtegås …"): the
        # exception is shown with it
        main_rules = [c for c in forbidding if c.rule.passage_id == best.rule.passage_id and _MAIN_RULE_RE.search(c.rule.text)]
        if main_rules and {c.rule.id for c in main_rules} == {c.rule.id for c in forbidding}:
            return Decision(key, stance, shown(main_rules))
        if forbidding:
            return Decision("depends", "info", shown(forbidding))
    elif stance == "no":
        # what contradicts a "no" is looked for further down than what limits a "yes": a permission,
        # or, when the question asks about a duty, a duty ("not required" next to "skal …")
        close = peers(best, scored, role, min_similarity, 2 * tuning.peer_margin)
        contrary_modalities = _OBLIGING if key == "optional" else _PERMITTING + (_OBLIGING if intent == "obligation" else ())
        contrary = [c for c in close if c.rule.modality in contrary_modalities and not _NEGATION_RE.search(c.rule.text)]
        if best.rule.modality == "must_not" and (best.rule.id in naming_about or names_all_forbidden):
            # "Hva gjør jeg hvis en journalist spør om en ansatt som er sykemeldt?": "Personalsaker skal ikke
            # kommenteres" names what it is about; a permission that doesn't ("Ansatte kan gi faktaopplysninger")
            # is the general rule the specific prohibition makes an exception to
            contrary = [c for c in contrary if c.rule.id in naming_about]
        # a freedom in the prohibition's document, naming nothing of what it forbids, is the rule it limits
        # (`freedoms_it_limits`), where the prohibition is written for the asker's role as much as the freedom
        contrary = [c for c in contrary if not (c.rule.id in limited_freedoms and best.fit >= c.fit)]
        if key == "optional" and best.fit >= 3:
            # "Er eg bunden av strategien?" from a union rep: "Tillitsvalgte … er ikke bundet av denne strategien",
            # written for the asker's own role, exempts them from a duty written for a broader role or for all
            # ("Tiltak … i denne strategien må følges" for employees and leaders): the specific rule governs
            contrary = [c for c in contrary if c.fit >= best.fit]
        if contrary:
            return Decision("depends", "info", shown(contrary))
    return Decision(key, stance)


def shown(candidates: list[ScoredRule] | tuple[ScoredRule, ...]) -> tuple[ScoredRule, ...]:
    """The rules shown beside the matching one: each rule once (the lists merged in `decide` can name the
    same rule), at most ALTERNATIVES_SHOWN - 1, in the order given."""
    unique: dict[str, ScoredRule] = {}
    for c in candidates:
        unique.setdefault(c.rule.id, c)
    return tuple(list(unique.values())[: ALTERNATIVES_SHOWN - 1])


def _depends(
    best: ScoredRule,
    scored: list[ScoredRule],
    role: str | None,
    min_similarity: float,
    tuning: Tuning,
    fallback: str,
    extra: tuple[ScoredRule, ...] = (),
    first: tuple[ScoredRule, ...] = (),
) -> Decision:
    """No verdict: the rules close to the best are shown (`first` before them, `extra` after), or just the
    best rule when it stands alone."""
    close = list(first) + peers(best, scored, role, min_similarity, tuning.peer_margin)
    close += forbidding_as_close(best, scored, role, min_similarity, tuning) + list(extra)
    if close:
        return Decision("depends", "info", shown(close))
    return Decision(fallback, STANCE_OF[fallback])
