"""A question as typed: validated, cleaned, and read for what kind of answer it wants."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace

from bot.texts import phrase
from index.lexical import GLOSSARY
from knowledge.cleaning import remove_format_characters
from knowledge.errors import VeilederError

_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
_WHO_RE = re.compile(
    r"^\s*(?:hvem|kven|who|whom)\b|\b(?:hvem|kven|who)\s+(?:har|gir|skal|kan|uttaler|speaks?|is|are|gives?|may|can|should|answers?|svarer"
    r"|acts?|handles?|takes?|leads?|decides?|approves?|fronts?|må|bør|får|must|needs?|has to|have to)\b",
    re.I,
)
# "Kva eining har hovudansvaret for …?", "Which department handles …?": which unit holds a duty is a "who"
# question ("Hvilken rolle har tillitsvalgte …?" asks what a role does, so "rolle" is not among these).
_WHICH_UNIT_RE = re.compile(
    r"^\s*(?:hvilken|hvilke|kva for ei?n?|kva|which|what)\s+(?:enhet|eining|avdeling|avdelinga|instans|unit|department|office|team)\b", re.I
)
# "Er det bare ordføreren som kan uttale seg?", "Is it only leaders who need to know …?": whether one role is the
# only holder is answered by who holds it; a yes or no from a rule's modal verb would say neither.
_ONLY_WHO_RE = re.compile(
    r"^\s*(?:er|is|are)\s+(?:det|dette|it|this|they)\s+(?:bare|berre|kun|only|just)\b.{1,80}?\b(?:som|who|that)\b"
    r"|\b(?:den eneste|den einaste|the only (?:one|ones|person|people))\s+(?:som|who|that)\b",
    re.I,
)
_YES_NO_RE = re.compile(
    r"^\s*(?:kan|må|skal|bør|burde|får|har|er|gjelder|trenger|treng|trengs|may|can|could|must|should|do|does|am|is|are|have|shall|need|needs)\b"
    r"|\b(?:er det lov|har jeg lov|har eg lov|er det greit|går det an|is it ok|is it okay|am i allowed|are we allowed)\b",
    re.I,
)
# "Som hovedtillitsvalgt i Fagforbundet, kan jeg gå ut i media …?": a lead-in before the question proper.
_LEAD_IN_RE = re.compile(
    r"^[^,:;–]{1,80}[,:;–]\s*(?=(?:kan|må|skal|bør|får|har|er|can|may|must|should)\s+(?:jeg|eg|vi|me|du|man|i|we)\b)", re.I
)
_FIRST_PERSON_RE = re.compile(r"\b(?:jeg|eg|meg|min|mitt|mine|vi|oss|vår|våre|I|I'm|me|my|we|us|our)\b")
_PERMISSION_RE = re.compile(
    r"\b(?:kan|får|lov|greit|greitt|tillatt|tillate|går det an|may|can|could|allowed|ok|okay|permitted)\b", re.I
)
# "Skal vi sende vedtaksbrev på papir eller digitalt?": a choice between two things, not a yes/no question
# (unlike "Kan jeg …, eller er det bare ordføreren …?", whose second part is a clause of its own).
_CHOICE_RE = re.compile(r"\b(?:eller|or)\s+(?P<after>(?:\S+\s*){1,3})", re.I)
# "… dersom A eller B?": the alternatives of a condition, not answers to choose between
_CONDITION_BEFORE_RE = re.compile(r"\b(?:dersom|hvis|viss|når|if|when|in case)\b", re.I)
_CLAUSE_WORDS = frozenset("jeg eg du vi me de dei det han hun ho man en i we you it they that there this is are er".split())
# "Hva kan jeg uttale meg om?": what the asker may do, answered by a permission within its scope.
_SCOPE_RE = re.compile(r"(?:^|[,:;–-])\s*(?:hva|kva|what)\b.*\b(?:kan|får|may|can|allowed)\b", re.I)
_OBLIGATION_RE = re.compile(
    r"\b(?:må|skal|bør|plikt\w*|pålagt|påkrevd|obligatorisk|forplikt\w*|krav|nødt|trenger|treng|ansvar\w*|jobb(?:en)?"
    r"|oppgave\w*|oppgåve\w*|forventes|forventa|bundet|bunden|bunne"
    r"|have to|has to|must|should|need to|needs to|required|mandatory|compulsory|obliged|bound|duty|responsib\w+|expected|part of my job)\b",
    re.I,
)
# "Er det mitt ansvar …?", "Er kommunene pålagt å …?", "Har jeg plikt til …?", "Is it my job …?": a yes/no question about a duty.
_DUTY_NOUN_RE = re.compile(
    r"\b(?:ansvar\w*|jobb(?:en)?|oppgave\w*|oppgåve\w*|plikt\w*|pålagt|påkrevd|obligatorisk|forplikt\w*|krav|nødt|bundet|bunden|bunne"
    r"|duty|job|responsib\w+|required|mandatory|compulsory|obliged|bound|expected)\b",
    re.I,
)
# "Hva må jeg gjøre klart?", "Kva gjer vi om talspersonen blir sjuk?", "What should I point them to?": what the
# asker is to do, which a duty or advice for them answers (not "Hva skal kommunikasjonsenheten gjøre …?", nor
# "Hvordan bør vi …?", which asks how).
_WHAT_TO_DO_RE = re.compile(
    r"^\s*(?:hva|kva|what)\s+(?:må|skal|bør|burde|gjør|gjer|must|should|do|have|need)\s+(?:jeg|eg|vi|me|i|we)\b", re.IGNORECASE
)
_OBLIGATION_START_RE = re.compile(r"\s*(?:må|skal|bør|trenger|treng|must|should|do|does|have|need|needs)\b", re.I)
# "Hvem skal jeg konferere med?", "Kven må eg kontakte?", "Who should I tell?": the asker does the act; the
# answer is someone else.
_ASKER_ACTS_RE = re.compile(r"^\s*(?:hvem|kven|who|whom)\s+(?:\w+\s+)?(?:jeg|eg|vi|me|i|we)\b", re.IGNORECASE)
# "Hvem har ansvar for at vi ansatte kjenner strategien?", "Who makes sure that we …?": the asker is whom the task
# is done for, so not who holds it either.
_ASKER_SERVED_RE = re.compile(r"^\s*(?:hvem|kven|who)\b.*\b(?:at|that)\s+(?:jeg|eg|vi|me|i|we)\b", re.IGNORECASE)
# "Hvem kan jeg spørre om råd?", "Kven kan hjelpe meg med …?", "Who do I contact …?": whom the asker turns to for
# help or advice, answered by a rule saying who advises or assists (bot.answering.matching.ADVISING_RE).
_SEEKS_HELP_RE = re.compile(
    r"\b(?:råd|rådføre|rådføring|hjelp|hjelpe|bistand|bistå|veiledning|rettleiing|spørre|spørje|kontakte|ta det med"
    r"|advice|advise|help|assist\w*|guidance|contact|consult|turn to|ask)\b",
    re.IGNORECASE,
)
# "Hvem bestemmer hvem som …?", "Hvem må godkjenne at jeg …?": a "who" question about who decides, or who
# approves or authorises; APPROVING_RE also tells a rule that says who approves (bot.answering.matching.holders).
_DECIDING_RE = re.compile(r"\b(?:bestem\w*|avgj\w*|velge\w*|velg|decide\w*|choose\w*|chooses)\b", re.IGNORECASE)
APPROVING_RE = re.compile(
    r"\b(?:godkjen\w*|fullmakt\w*|samtykke\w*|klarer\w*|approv\w*|authori[sz]\w*|consent\w*|sign(?:s|ed)? off)\b", re.IGNORECASE
)
_SENTENCE_RE = re.compile(r"(?<=[.!?:;–—])\s+")
# Abbreviations a sentence doesn't end at ("… i store saker, t.d. omorganisering av heile kommunen?").
_ABBREVIATIONS = frozenset(
    "f.eks t.d bl.a m.a dvs d.v.s osv o.s.v evt ca mv m.v m.m o.l jf jfr nr pkt kap e.g i.e etc approx vs".split()
)
_SPACED_HYPHEN_RE = re.compile(r"\s+-\s+")
# "… – ordføraren eller kommunedirektøren?": the choice offered after a dash, no question of its own.
_BARE_CHOICE_RE = re.compile(r"\s*(?:\w+\s+){0,2}\w+\s+(?:eller|or)\s+(?:\w+\s+){0,2}\w+\s*\?\s*", re.IGNORECASE)


# Questions about facts the strategies don't settle: how many or how much, when, who a person is,
# what a law text or a penalty says, what a term means. The documents may mention the subject, but
# a rule is never the answer to them (issue 9). General question forms in bokmål, nynorsk, English.
_FACTUAL_RE = re.compile(
    r"\b(?:hvor|kor) (?:mange|gammel)\b|\bhow (?:many|old)\b|\bhow much (?:is|does|do|money)\b"
    r"|\b(?:hvor|kor) (?:mye|mykje) (?:koster|kostar|tjener|tener|betaler|betalar|penger|pengar|kroner)\b"
    # an amount to spend ("Hvor mye kan enheten min bruke på annonser?", "How much can we spend on ads?")
    r"|\b(?:hvor|kor) (?:mye|mykje)\b(?:\s+\w+){0,4}?\s+(?:(?:bruke|bruka|brukes|spandere)\s+på|budsjett\w*)\b"
    r"|\bhow much\b(?:\s+\w+){0,4}?\s+(?:spend|spent|budget\w*)\b"
    r"|\b(?:hva|kva) (?:koster|kostar|kosta)\b|\bwhat does it cost\b|\b(?:does|do|will|would)\s+(?:\w+\s+){0,4}cost\b"
    r"|\b(?:hvilket|kva for eit?|which) (?:år|dato|parti|party|year|date)\b|\bnår ble\b|\bwhen (?:was|did)\b"
    r"|\b(?:hvilken|hvilke|kva for ein|which) (?:journalist|journalister|reporter|reporters|person|personer|people)\b"
    r"|\b(?:telefonnummer|telefonnummeret|mobilnummer|e-postadresse|phone number|email address|e-mail address)\b"
    r"|\b(?:ordlyd|ordlyden|lovteksten|word for word|verbatim|straff|straffen|straffa|penalty|punishment|bot for)\b"
    r"|\b(?:section|paragraf|§)\s*\d+\s+(?:of|i|av)\b"
    r"|\b(?:hva|kva) (?:er|var) (?:forskjellen|skilnaden|skilnaden)\b|\bdifference between\b",
    re.IGNORECASE,
)
# The asker as a subject: "jeg", "vi", nynorsk "eg", "me", English "I" (capital only: "i" is a preposition), "we".
_ASKER = r"(?:jeg|eg|vi|me|we|(?-i:I))"
# "Bør jeg …", "Må eg …", "Can we …", "Do I …": the question's verb, then the asker as its subject
_ASKER_IS_SUBJECT_RE = re.compile(
    rf"\W*(?:(?:men|og|så|but|and|so)\s+)?\w+\s+{_ASKER}\b"
    # "Er det (egentlig) mitt ansvar …?", "Is it really my job …?": the asker's own duty is asked about
    r"|\W*(?:er|is)\s+(?:det|dette|it|this)\s+(?:\w+\s+)?(?:mitt|mi|min|mine|vårt|vår|my|our)\s+"
    r"(?:ansvar|oppgåve|oppgave|jobb|plikt|responsibility|job|task|duty)\b",
    re.IGNORECASE,
)
# "Kan jeg svare en journalist på hvor mange brukere vi har?", "May I tell the reporter how many …?": whether
# the asker may tell a fact, which the documents' rules answer, not the fact itself.
_MAY_TELL_RE = re.compile(
    rf"\W*(?:kan|kunne|får|må|bør|skal|may|can|could|should|must)\s+{_ASKER}\b.{{0,60}}?"
    r"\b(?:svare|svara|si|seie|fortelle|fortelje|oppgi|opplyse|gi ut|dele|tell|say|give out|share|answer|disclose|reveal)\b",
    re.IGNORECASE,
)
# "Hva betyr klarspråk?": a term the documents may define; answered with passages, never a verdict.
_DEFINITION_RE = re.compile(
    r"\b(?:hva|kva) (?:betyr|tyder|meines med|menes med)\b|\bwhat (?:does|do) .{1,40} mean\b|\bwhat is meant by\b"
    r"|\bdefinisjon\w*\b|\bdefinition\b",
    re.IGNORECASE,
)
# "Hvem er ordføreren (nå)?", "Who is the mayor?": the person holding a role, not the role's duty.
_WHO_IS_RE = re.compile(r"^\s*(?:hvem|kven|who)(?: er| is|'s| var| was)\s+(?:the |current |nå |no )?(?P<rest>.+?)\??\s*$", re.IGNORECASE)
# "Hvem er pressekontakt i større saker?": a function the documents give a role ("Kommunikasjonssjefen er
# pressekontakt …"), not a person's name.
_FUNCTION_RE = re.compile(
    r"(?:\w+ )?(?:pressekontakt\w*|talsperson\w*|kontaktperson\w*|ansvarleg|ansvarlig\w*|press contacts?|spokes(?:person|man|woman)s?|contact persons?)\b",
    re.IGNORECASE,
)
_DUTY_WORDS_RE = re.compile(r"\b(?:ansvar\w*|responsib\w*|skal|må|kan|bør|plikt\w*|should|must|may|can|for|til|på vegne|on behalf)\b", re.IGNORECASE)
# Words that make a string of words a question or a request (a keyword string has none of them).
_FUNCTION_WORDS = frozenset(
    "hva hvem hvordan hvorfor hvor når kva kven korleis kvifor kvar what who how why where when which "
    "kan må skal bør får har er gjelder may can could must should do does is are am have "
    "jeg eg meg vi me oss du dere dykk i me my we our you "
    "om til på med for av fra frå og eller i about to on with for of from and or in the a an".split()
)
_WORD_RE = re.compile(r"[\wæøå'-]+", re.IGNORECASE)
# "Kan lederen min hindre meg i å skrive leserinnlegg?", "Kan jeg bli sagt opp for å kritisere kommunen?",
# "Kan jeg nekte ansatte å uttale seg?": whether someone may restrict or sanction what another says. A
# rule's modal verb answers what its subject may do, so "kan" in "Ansatte har full ytringsfrihet" is not
# a yes to stopping them; such questions get the rules to read, never a yes or no from the modal verb.
_RESTRICTING_RE = re.compile(
    r"\b(?:hindre[rs]?|hindra|nekte[rs]?|nekta|forby(?:r|de|des)?|forbode|stoppe[rs]?|stanse[rs]?|straffe[rs]?|straffa"
    r"|sanksjon\w*|refse[rs]?|irettesett\w*|advarsel|åtvaring|munnkurv\w*|sensur\w*|sensurere\w*"
    r"|sies opp|seiast opp|si meg opp|seie meg opp|sagt opp|oppsigelse|oppseiing|sparke[st]?|sparka|sparken|avskjed\w*"
    r"|konsekvens\w*|kreve at|krevje at|pålegge|påleggje|slette[rs]? (?:innlegget|innlegg|kommentar\w*)"
    r"|prevent\w*|stop|stopp|forbid\w*|ban|punish\w*|sanction\w*|fired?|dismiss\w*|silence|gag|censor\w*|consequences)\b",
    re.IGNORECASE,
)

# "Under en krise med kriseledelse, kan jeg …?", "Hvis det blir krise – …", "… under en krise?", "… i en
# krise?": the situation the question is asked for, where a rule written for that situation may replace
# the usual one. "i" only before an article: "… i avisa?" names a place, not a situation.
_SITUATION_RE = re.compile(
    r"^\s*(?:under|hvis|viss|dersom|når|ved|if|during|when|in case of|in the event of|(?:i|in)(?=\s+(?:en|ei|et|a|an)\s))\s+"
    r"(?!(?:kan|må|skal|bør|får|er|har|gjør|trenger|treng|vil|kunne|burde|can|may|must|should|shall|do|does|did|is|are"
    r"|am|was|will|would|could|need|have|has)\b)"  # "Når kan jeg …?", "When am I allowed …?" ask when
    r"(?P<lead>[^,–—:;?]+)[,–—:;]"
    r"|\b(?:under|ved|during|in the event of|(?:i|in)(?=\s+(?:en|ei|et|a|an)\s))\s+(?P<tail>(?:(?:en|ei|et|a|an|the)\s+)?[\wæøå-]+(?:\s+[\wæøå-]+)?)\s*\??\s*$"
    r"|[^,–—:;]\s(?:hvis|viss|dersom|når|if|when)\s+(?!(?:kan|må|skal|bør|can|may|must|should|ikke|ikkje|not|da|then)\b)(?P<condition>[^,–—:;?]+)\?\s*$",
    re.IGNORECASE,
)
# Events that make a crisis, told anywhere in a question ("Det er flaum og vi må evakuere sjukeheimen …"): the
# words the lexical glossary gives "krise" for, and the word itself.
_CRISIS_EVENT_RE = re.compile(
    r"\b(?:" + "|".join(sorted((re.escape(w) for w, terms in GLOSSARY.items() if "krise" in terms.split()), key=len, reverse=True))
    + r"|kris[ae]\w*|kriseled\w*|kriseleiing\w*|crisis)\b",
    re.IGNORECASE,
)
# "Gjelder pressereglementet fortsatt?", "Does the press policy apply during a crisis?": whether a rule
# applies, which a rule's modal verb doesn't answer ("skal" in the rule is no "Ja, det er et krav").
_VALIDITY_RE = re.compile(
    # also after a lead-in: "Eg sit i kommunestyret, gjeld kommunikasjonsstrategien for meg?"
    r"(?:^|[,:;–]\s*)(?:gjelder|gjeld|gjaldt)\b|^\s*(?:does|do|is|are|will)\b.*\b(?:apply|applies|still valid|in force)\b", re.IGNORECASE
)

# "Kan jeg gi faktaopplysninger til pressen om en kollega som er sykmeldt?": what the question is about,
# where a prohibition on that subject may stand beside the permission that ranks first.
_ABOUT_RE = re.compile(r"\b(?:om|about|regarding|concerning)\s+(?P<about>[^?.!]{3,120})\?\s*$", re.IGNORECASE)

_EMPTY = "The question is empty – Spørsmålet er tomt. Ask e.g. «Kan jeg uttale meg til pressen?»"
class QuestionError(VeilederError, ValueError):
    """A question that can't be answered as typed; the message says what to do instead."""


class EmptyQuestion(QuestionError):
    """Nothing was asked (front ends answer with their own prompt, e.g. a bare @mention)."""


@dataclass(frozen=True)
class Question:
    text: str
    # "who" | "permission" | "obligation" | "scope" (what may I …) | "action" (what am I to do: _WHAT_TO_DO_RE) | "open"
    intent: str
    yes_no: bool
    first_person: bool = False  # about the asker ("Kan jeg …?"), so the answer depends on their role
    form: str = "question"  # "question" | "factual" (people, numbers, dates, law text) | "definition" | "keywords"
    restricting: bool = False  # asks whether someone may restrict or sanction what another says (_RESTRICTING_RE)
    situation: str = ""  # the situation it is asked for ("en krise med kriseledelse"; _SITUATION_RE), or ""
    validity: bool = False  # asks whether a rule applies ("Gjelder pressereglementet fortsatt?"; _VALIDITY_RE)
    about: str = ""  # what it is about ("en kollega som er sykmeldt"; _ABOUT_RE), or ""
    # "Hvem skal jeg konferere med?", "Hvem har ansvar for at vi …?": whom the asker turns to or is served by, so
    # not the asker (_ASKER_ACTS_RE, _ASKER_SERVED_RE)
    asker_acts: bool = False
    asks_who_decides: bool = False  # "Hvem bestemmer …?" (_DECIDING_RE)
    asks_who_approves: bool = False  # "Hvem må godkjenne …?" (APPROVING_RE)
    asks_if_only: bool = False  # "Er det bare ordføreren som …?", "Is it only leaders who …?" (_ONLY_WHO_RE)
    seeks_help: bool = False  # "Hvem kan jeg spørre om råd?": whom the asker turns to for help or advice (_SEEKS_HELP_RE)


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


# "Kven har ansvaret for drifta av kontoen?", "Hvem er ansvarlig for å oppdatere nettsidene?": the task asked about.
_RESPONSIBLE_FOR_RE = re.compile(
    r"\b(?:ansvar(?:et|a)?|ansvarleg|ansvarlig|hovudansvaret|hovedansvaret|responsible|responsibility)\s+for\s+(?:å\s+|to\s+)?"
    # "… ansvar for å få det rettet opp?": the task is what is to be done, not "få"
    r"(?:(?:få|gjøre|gjere|ta|get|make)\s+(?:det|dette|den|dei|de|it|this|them)?\s*)?(?P<task>\w{4,})"
    # "Who runs the account day to day?", "Hvem drifter kontoen?": the task is the verb
    r"|\b(?:who|hvem|kven)\s+(?P<verb>runs|operates|drifter|driftar)\b"
    # "Hvem skal svare på spørsmål på Facebook-siden?", "Kven må godkjenne det?": the verb after the modal one
    r"|\b(?:who|hvem|kven)\s+(?:skal|må|bør|kan|should|must|will|can|is to)\s+(?:egentlig\s+|eigentleg\s+|actually\s+|really\s+)?"
    # (not "uttale seg", "speak": speaking for the municipality is what every such rule is about, no task of its own)
    r"(?!(?:jeg|eg|vi|me|du|dere|de|dei|i|we|you|they|være|vere|bli|be|ha|have|få|gjøre|gjere|ta|do|get|make|take"
    r"|uttale|uttala|snakke|snakka|prate|speak|talk)\b)(?P<modal_verb>\w{4,})",
    re.IGNORECASE,
)


def task_asked(question: str) -> str:
    """The task a "who is responsible for …?" question names ("drifta" in "Kven har ansvaret for drifta av …?"),
    or ""."""
    found = _RESPONSIBLE_FOR_RE.search(asked_sentence(question))
    return (found.group("task") or found.group("verb") or found.group("modal_verb")) if found else ""


# Two roles offered as alternatives: "ordføreren eller rådmannen", "the mayor or the rådmann"
_ALTERNATIVE_GAP_RE = re.compile(r"\s*,?\s*(?:(?:the|en|ein|ei)\s+)?(?:eller|or)\s+(?:(?:the|en|ein|ei)\s+)?", re.IGNORECASE)


def roles_offered(question: str) -> set[str]:
    """The roles a question offers as alternatives ("Hvem uttaler seg, ordføreren eller rådmannen?"), or an empty set."""
    from knowledge.roles import find_roles

    mentions = find_roles(question)
    offered: set[str] = set()
    for first, second in zip(mentions, mentions[1:]):
        if _ALTERNATIVE_GAP_RE.fullmatch(question[first.end: second.start]) and first.role != second.role:
            offered |= {first.role, second.role}
    return offered


def asker_is_subject(sentence: str) -> bool:
    """The sentence that asks has the asker as its subject, right after its verb ("Bør jeg dra inn
    kommunikasjonsenheten …?", "Do I need to tell the mayor?"), unlike "Må tillitsvalgte …?"."""
    return bool(_ASKER_IS_SUBJECT_RE.match(sentence))


def question_form(text: str) -> str:
    """'factual' for questions about people, numbers, dates and law texts; 'definition' for what a term
    means; 'keywords' for a
    string of words that asks nothing ("presse presse media journalist"); 'question' otherwise. Facts and
    definitions are looked for in the sentence that asks: "En journalist spør hvor mange plasser det er på
    avdelingen. Kan jeg svare på det?" asks for a permission, not a number, and so does "Kan jeg svare en
    journalist på hvor mange brukere vi har?"."""
    from knowledge.roles import find_roles

    asking = asked_sentence(text)
    factual = _FACTUAL_RE.search(asking)
    if factual and not _MAY_TELL_RE.search(asking) and not _DECIDING_RE.search(asking[: factual.start()]):
        # "… lurte på hvor mange brukere vi har, kan jeg bare svare han?" asks a permission; "Who decides which
        # person speaks …?" who decides
        return "factual"
    if _DEFINITION_RE.search(asking):
        return "definition"
    who_is = _WHO_IS_RE.match(text)
    if who_is and not _DUTY_WORDS_RE.search(who_is.group("rest")) and not _FUNCTION_RE.match(who_is.group("rest")):
        rest = who_is.group("rest")
        mentions = find_roles(rest)
        if mentions and mentions[0].start <= 4:
            return "factual"  # "Hvem er kommunikasjonsdirektør i Asker nå?": a person, not a duty
    words = [w.lower() for w in _WORD_RE.findall(text)]
    if len(words) >= 2 and "?" not in text and not any(w in _FUNCTION_WORDS for w in words):
        return "keywords"
    return "question"


def asked_sentence(text: str) -> str:
    """The sentence that asks: the last one ending in '?' ("Skal være med i et innslag … Hva må jeg gjøre
    klart?"), else the last sentence; not broken after an abbreviation ("t.d.", "f.eks."). A hyphen
    between spaces is a dash, as typed in chat."""
    sentences: list[str] = []
    for piece in _SENTENCE_RE.split(_as_dashes(text).strip()):
        if sentences and sentences[-1].rsplit(None, 1)[-1].rstrip(".").lower() in _ABBREVIATIONS:
            sentences[-1] = f"{sentences[-1]} {piece}"
        else:
            sentences.append(piece)
    sentences = [x for x in sentences if re.search(r"\w", x)]
    asking = [x for x in sentences if x.rstrip().endswith("?")]
    asks_itself = [x for x in asking if len(x.split()) >= 3 and not _BARE_CHOICE_RE.fullmatch(x)]
    if asking and not asks_itself:  # a tag ("Er e-post greit – eller?") asks with the sentence before it
        last = len(sentences) - 1 - sentences[::-1].index(asking[-1])
        return " ".join(sentences[max(0, last - 1): last + 1])
    return (asks_itself or sentences or [text])[-1]


def _is_choice(asked: str) -> bool:
    """Does the question offer two things to choose between ("på papir eller digitalt")?"""
    match = _CHOICE_RE.search(asked)
    if match is None:
        return False
    if _CONDITION_BEFORE_RE.search(asked[: match.start()]):
        return False  # "Må vi ha nokon som kan ta over dersom talspersonen blir sjuk eller krisa varer lenge?"
    after = {w.lower().strip(",.?!") for w in match.group("after").split()}
    return not (after & _CLAUSE_WORDS)


def _as_dashes(text: str) -> str:
    """"Som enhetsleder - kan jeg …?": a hyphen between spaces, as typed in chat, is the dash it stands for."""
    return _SPACED_HYPHEN_RE.sub(" – ", text)


def read_question(text: str) -> Question:
    """What kind of answer the question asks for, read from the sentence that asks."""
    first_person = bool(_FIRST_PERSON_RE.search(text))
    form = question_form(text)
    if form != "question":
        return Question(text, "open", False, first_person, form)
    situation = _SITUATION_RE.search(_as_dashes(text).strip())
    stated = (situation.group("lead") or situation.group("tail") or situation.group("condition") or "").strip() if situation else ""
    asked = asked_sentence(text)
    if not stated:
        # "Det er flaum og vi må evakuere sjukeheimen, kriseleiinga er sett. NRK ringjer meg. Kan eg …?": a crisis
        # told in sentences of their own is the situation asked in
        told = _CRISIS_EVENT_RE.findall(text)
        stated = " ".join(dict.fromkeys(w.lower() for w in told))
    if situation is not None and situation.group("lead") and asked.strip().startswith(situation.group(0).strip()):
        asked = asked.strip()[len(situation.group(0).strip()):]  # "Ved en ulykke, skal kritikk …?" asks "skal kritikk …?"
    asked = _LEAD_IN_RE.sub("", asked)
    restricting = bool(_RESTRICTING_RE.search(asked))
    validity = bool(_VALIDITY_RE.search(asked))
    about_match = _ABOUT_RE.search(asked)
    about = about_match.group("about").strip() if about_match else ""

    def question(intent: str, yes_no: bool) -> Question:
        return Question(
            text, intent, yes_no, first_person, restricting=restricting, situation=stated, validity=validity, about=about
        )

    if _WHO_RE.search(asked) or _ONLY_WHO_RE.search(asked) or _WHICH_UNIT_RE.search(asked):
        return replace(
            question("who", False), asker_acts=bool(_ASKER_ACTS_RE.search(asked) or _ASKER_SERVED_RE.search(asked)),
            asks_who_decides=bool(_DECIDING_RE.search(asked)), asks_who_approves=bool(APPROVING_RE.search(asked)),
            asks_if_only=bool(_ONLY_WHO_RE.search(asked)), seeks_help=bool(_SEEKS_HELP_RE.search(asked)),
        )
    yes_no = bool(_YES_NO_RE.search(asked)) and not _is_choice(asked)
    if _WHAT_TO_DO_RE.match(asked):
        return question("action", False)
    if not yes_no and _SCOPE_RE.search(asked) and not _OBLIGATION_RE.search(asked):
        return question("scope", False)
    if _OBLIGATION_RE.search(asked) and (yes_no or not _PERMISSION_RE.search(asked)):
        duty_start = _OBLIGATION_START_RE.match(asked) or (
            re.match(r"\s*(?:er|is|am|are|har|has)\b", asked, re.I) and _DUTY_NOUN_RE.search(asked)
        )
        # a duty word in a yes/no question that neither starts as one nor asks a permission ("Har departementet
        # bestemt hvilke tiltak kommunen må gjennomføre?") asks what someone did: no modal verb answers it
        intent = "obligation" if duty_start else "permission" if _PERMISSION_RE.search(asked) else "open"
        return question(intent if yes_no else "open", yes_no)
    if _PERMISSION_RE.search(asked) and yes_no:
        return question("permission", True)
    return question("open", yes_no)
