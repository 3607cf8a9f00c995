"""Rules: the normative sentences inside passages — what someone may, must, must not, should do, or is responsible for.

A rule keeps its exact text (quoted to staff, never paraphrased), the roles it applies to
(read from the sentence's subject, or from the section it stands in: "Medarbeidere",
"Er du leder?"), its modality and its source.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import simplemma

from knowledge.passages import Passage
from knowledge.roles import RoleMention, find_roles

MODALITIES = ("may", "must", "must_not", "should", "should_not", "responsible", "refers")

_ABBREVIATIONS = ("f.eks", "o.l", "evt", "bl.a", "jfr", "jf", "m.m", "mm", "osv", "ca", "dvs", "nr", "kap", "pkt", "e.g", "i.e", "etc", "s")
_SPLIT_RE = re.compile(r"(?<=[.!?])\s+(?=[A-ZÆØÅ«\"(])")

# Cues in the order they are tried where two start at the same place; each is (modality, pattern).
_CUES: list[tuple[str, re.Pattern[str]]] = [
    (m, re.compile(p, re.IGNORECASE))
    for m, p in (
        ("must_not", r"\b(?:skal|må|kan)(?:\s+\w+){0,3}?\s+(?:ikke|ikkje)\b|\b(?:ikke|ikkje)\s+(?:skal|må)\b|^(?:ikke|ikkje)\b|\baldri\b|\bforbudt\b|\bforbode\b|\bskal ingen\b|\bmust not\b|\bshall not\b|\bnever\b"),
        ("should_not", r"\bbør(?:\s+(?!som\b|at\b|hva\b|kva\b|hvis\b|viss\b|når\b|dersom\b|fordi\b|slik\b)\w+){0,5}?\s+(?:ikke|ikkje)\b|\bunngå\b|\bfrarådes\b|\bfrårådd\b|\bvær (?:svært |særlig )?(?:forsiktig|varsam|varsom)\b|\bshould not\b|\bavoid\b"),
        ("responsible", r"\b\w*ansvar(?:et|lig|lige|leg|lege)?\b|\bligger (?:til|hos)\b|\btilligger\b|\buttaler seg (?:på vegne|om|som politisk)\b|\bskal gis av\b|\bbesvares av\b|\ber (?:pressekontakt|rådgiver|talsperson)\b|\ber (?:kommunens |fylkeskommunens )?(?:presse)?(?:kontakt|talsperson)(?:er|ar|ane|ene)\b|\bvære (?:kommunens |fylkeskommunens )?(?:presse)?(?:talsperson|pressekontakt)(?:en|er|ar)?\b|\bflyttes\b.*\btil\b|\bkontaktes\b|\bgir faktaopplysninger\b|\bresponsible\b|\bspeaks? for\b"),
        ("must", r"\bskal\b|\bmå\b|\bplikter\b|\bplikt til\b|\bkrever\b|\ber pålagt\b|\bmust\b|\bshall\b"),
        ("should", r"\bbør\b|\banbefales\b|\btilrådd\b|\boppfordres\b|\bviktig (?:å|at)\b|\bhusk\b|\bpass på\b|^vær\b|^svar\b|^rett\b|^tilpass\b|^delta\b|^bruk\b|^velg\b|^bestem\b|^takk\b|\bshould\b"),
        # "Krisekommunikasjonsarbeidet er beskrevet i beredskapsplanen, og blir derfor ikke omtalt i denne
        # strategien": the document leaves a topic to another one (a verdict from it would be a guess)
        ("refers", r"\b(?:blir|er|vil bli|vert)\s+(?:derfor\s+)?(?:ikke|ikkje)\s+(?:omtalt|omtala|behandlet|behandla|beskrevet|beskrive)\s+i\s+(?:denne|dette|dei|disse)\b"
                   r"|\b(?:omtales|behandles|omtalast|behandlast)\s+(?:derfor\s+)?(?:ikke|ikkje)\s+i\s+(?:denne|dette)\b|\bis not (?:covered|described|dealt with) in this\b"),
        ("may", r"\bkan\b|\bhar (?:full )?rett til\b|\bhar anledning til\b|\bhar (?:full )?ytringsfrihet\b|\bytre seg fritt\b|\bfristilt\b|\bikke bundet av\b|\bomfattes ikke\b|\bgjerne\b|\bhar lov\b|\ber tillatt\b|\bmay\b|\bcan\b"),
    )
]
_PRIORITY = {m: i for i, m in enumerate(("refers", "must_not", "should_not", "responsible", "must", "should", "may"))}
_CONDITION_RE = re.compile(
    r"^(?:dersom|hvis|om|når|ved|velger|så lenge|i saker|if|when|where|unless)\b|^\S+(?:\s+\S+)?\s+som\s+(?!hovedregel)\w+",
    re.IGNORECASE,
)
_DESCRIBES_RE = re.compile(r"\b(?:hvordan|hvorfor|hvilke|hvilken|hva|korleis|kva)\b", re.IGNORECASE)
# "Slik kan alle ansatte jobbe …", "På denne måten kan vi …", "Gjennom god bruk av … kan … løftes frem": what
# follows from something, or what a means can achieve, not a permission.
_CONSEQUENCE_RE = re.compile(
    r"^(?:slik|på denne måten|dermed|således|da|dette|det|gjennom|ved å|ved hjelp av|through|by means of)\b", re.IGNORECASE
)
# "… kan dette over tid føre til …", "Omdømme kan forklares med …": what may happen, not what someone may do.
_POSSIBILITY_RE = re.compile(
    r"\b(?:kan|can)\s+(?:(?:dette|det|this|it)\s+)?(?:\w+\s+){0,2}?"
    r"(?:føre|bidra|skape|medføre|resultere|bli|verte|oppfattes|oppfattast|oppleves|opplevast|forklares|forklarast"
    r"|lead|result|cause|become|be seen)\b"
    # (but "… kan dette imøtegås …", "kan det gis …": a passive after it says what may be done)
    r"|\b(?:kan|can)\s+(?:dette|det|this|it)\b(?!\s+\w+s\b)",
    re.IGNORECASE,
)
# The holder of a duty named after the cue: "skal gis av ordfører", "ligger til ordføreren", "flyttes … til".
_HOLDER_RE = re.compile(
    r"(?:\bav(?:\s+(?:andre|øvrige|alle|de))?|\bligger (?:til|hos)|\btilligger|\bflyttes\b.*\btil)\s*$", re.IGNORECASE
)
# "Det er viktig at så vel folkevalgte, ledere og ansatte er kjent med …": the roles opening the clause the cue governs
# (the gap from the cue's start: "viktig at så vel ")
_THAT_CLAUSE_RE = re.compile(r"\S+\s+(?:at|that)(?:\s+(?:så vel|både|også|alle))?\s*", re.IGNORECASE)
_POINTS_AT_RE = re.compile(r"\b(?:til|av|hos|by|to)\s*$", re.IGNORECASE)
_COORDINATION_RE = re.compile(r"[\s,/]*(?:og|eller|and|or)?[\s,/]*", re.IGNORECASE)
_RESTRICTION_RE = re.compile(
    r"\bmen\b(?!\s+(?:også|og|òg)\b)|\bmed mindre\b|\bbare\b|\bkun\b|\bgitt at\b|\bså lenge\b|\binnenfor\b"
    # a permission on a condition: "… uttale seg på vegne av kommunen etter fullmakt", "i samråd med …"
    r"|\better (?:\w+ )?(?:fullmakt|avtale|godkjenning|samråd|klarering|delegering|delegasjon)\b|\bi samråd med\b"
    r"|\bførst og fremst\b|\bprimært\b|\bhovedsakelig\b|\bi hovedsak\b|\bforutsatt\b|\bså ?fremt\b|\bdersom\b|\bhvis\b|\bviss\b|\bunless\b|\bprovided (?:that )?\b|\bonly\b",
    re.IGNORECASE,
)
# A duty or advice that holds only in part of what it names: "Ledere med mye mediekontakt skal …", "… er
# pressekontakt i større saker", "… bidra operativt der det vurderes som nødvendig".
_SCOPE_RE = re.compile(
    r"\bmed (?:mye|stor|hyppig|jevnlig|særlig|spesiell)\b"
    r"|\bi (?:større|store|viktige|alvorlige|enkelte|spesielle|særlige|særskilte|visse|prinsipielle) (?:saker|tilfeller|tilfelle|hendelser)\b"
    r"|\bunntaksvis\b|\bi unntakstilfeller\b|\bsom (?:et )?unntak\b|\bin (?:special|exceptional|some) cases\b"
    r"|\b(?:der|når|hvor|om) det (?:vurderes|anses|finnes|er) (?:som )?(?:nødvendig|hensiktsmessig|relevant|naturlig|formålstjenlig|aktuelt)\b"
    r"|\bved behov\b|\bom nødvendig\b|\better behov\b|\bwhere (?:necessary|relevant|appropriate)\b|\bif (?:necessary|needed)\b",
    re.IGNORECASE,
)
# A role named only in part: "relevante fagpersoner", "enkelte ansatte", "utvalgte medarbeidere".
_PART_OF_ROLE_RE = re.compile(r"\b(?:relevante|aktuelle|enkelte|utvalgte|visse|noen|berørte|relevant|selected|some)\s+$", re.IGNORECASE)
# Descriptions and goals that use "skal"/"kan" without telling anyone what to do.
_NOT_NORMATIVE_RE = re.compile(r"^(?:hva|hvem|hvordan|hvilke|hvilken|hvor|er dette)\b|\?$", re.IGNORECASE)


@dataclass(frozen=True)
class Rule:
    """A normative sentence with its roles, modality and source."""

    id: str
    text: str
    modality: str
    roles: tuple[str, ...]
    passage_id: str
    document_id: str
    municipality: str
    section: str
    item: str | None
    restricted: bool = False  # "…, men skal ikke gi vurderinger": a permission with limits; "Ledere med mye mediekontakt skal …": a duty for part of what it names
    exclusive: bool = False  # "Øvrige ansatte": everyone the neighbouring rules don't name
    conditional: bool = False  # "Dersom …", "Ansatte som er deltakere …": applies only in a situation
    partial: tuple[str, ...] = ()  # roles it names only in part: "relevante fagpersoner" (some staff, not all)
    holder: str = ""  # whom it is for where a description says it, not a role: "Den som leder krisehåndteringen"


def _restricted(sentence: str, modality: str, cue_start: int) -> bool:
    """A permission or responsibility with a limit or condition after its cue ("…, men skal ikke gi
    vurderinger", "… etter fullmakt"), or a rule that holds only in part of what it names (_SCOPE_RE:
    "Ledere med mye mediekontakt skal …", "I særskilte tilfeller kan …"), wherever in the sentence
    that part is named."""
    if modality in ("may", "responsible") and _RESTRICTION_RE.search(sentence[cue_start:]):
        return True
    # "I særskilte tilfeller kan kommunikasjonsrådgiver være talsperson": a permission for some cases only
    return modality in ("may", "must", "should", "responsible") and bool(_SCOPE_RE.search(sentence))


# A subject that describes whom the rule is for instead of naming a role: "Den som leder krisehåndteringen er
# ansvarlig …", "Det er et godt prinsipp at den som er nærmest saken skal uttale seg", "Whoever leads … is".
_DESCRIBED_HOLDER_RE = re.compile(
    r"(?:^|\b(?:at|that)\s+)((?:(?:den|de|dei)\s+som|the (?:one|person) who|whoever)\b\s+[^,;:]{3,80}?)"
    r"(?:\s+(?:er|har|blir|is|has|are))?\s*$",
    re.IGNORECASE,
)


def _holder_described(sentence: str, cue_start: int) -> str:
    """The description of whom the rule is for, where the subject before its cue is one naming no role ("Den som
    leder krisehåndteringen"), else ""."""
    found = _DESCRIBED_HOLDER_RE.search(sentence[:cue_start])
    return found.group(1) if found and not find_roles(found.group(1)) else ""


def _subject_roles(sentence: str) -> tuple[str, ...]:
    """The role a sentence opens with ("Kommunikasjonsseksjonen bidrar i …"), or ()."""
    mentions = find_roles(sentence)
    return (mentions[0].role,) if mentions and len(sentence[: mentions[0].start].split()) <= 1 else ()


def _named_in_part(sentence: str, roles: tuple[str, ...]) -> tuple[str, ...]:
    """The rule's roles that the sentence names only with a word choosing some of them ("Alle tjenesteledere
    og relevante fagpersoner …": staff in part, service leaders in full)."""
    mentions = [m for m in find_roles(sentence) if m.role in roles]
    in_part = {m.role for m in mentions if _PART_OF_ROLE_RE.search(sentence[: m.start])}
    in_full = {m.role for m in mentions if not _PART_OF_ROLE_RE.search(sentence[: m.start])}
    return tuple(r for r in roles if r in in_part and r not in in_full)


def split_sentences(text: str) -> list[str]:
    """Sentences of a passage, not broken after abbreviations such as 'f.eks.' or 'o.l.'."""
    pieces = _SPLIT_RE.split(text.replace("\n• ", " • ").replace("\n", " "))
    sentences: list[str] = []
    for piece in pieces:
        if sentences:
            prev_word = sentences[-1].rsplit(" ", 1)[-1].rstrip(".").lower()
            if prev_word in _ABBREVIATIONS:
                sentences[-1] = f"{sentences[-1]} {piece}"
                continue
        sentences.append(piece.strip())
    return [s for s in sentences if s]


def modality_of(sentence: str) -> tuple[str, int] | None:
    """The sentence's leading modality and where its cue starts, or None if it is not normative."""
    if _NOT_NORMATIVE_RE.search(sentence.strip()):
        return None
    best: tuple[int, int, str] | None = None
    for modality, pattern in _CUES:
        m = pattern.search(sentence)
        if m is None:
            continue
        key = (m.start(), _PRIORITY[modality])
        if best is None or key < best[:2]:
            best = (m.start(), _PRIORITY[modality], modality)
    if best is None:
        return None
    start, _, modality = best
    if _DESCRIBES_RE.search(sentence[:start]):
        return None  # "… er retningsgivende for hvordan ansatte skal opptre" describes, it doesn't rule
    if modality == "may" and (_CONSEQUENCE_RE.search(sentence) or _POSSIBILITY_RE.search(sentence[start:])):
        return None
    # "kan gi …, men skal ikke …" leads with the permission; "skal ikke" right at the cue is a prohibition.
    return modality, start


# A subordinate clause: a role named in it before the rule's cue is not who the rule is for ("I
# krisesituasjoner hvor rådmannen har satt beredskapsledelse bør det …", "Informasjon som angår
# kommunens ansatte bør …", "Når media kontakter enheten …, skal …").
_CLAUSE_OPENER_RE = re.compile(
    r"\b(?:hvor|kor|når|dersom|hvis|viss|fordi|mens|som|at|where|when|if|because|while|which|who|that)\b", re.IGNORECASE
)


def _in_a_clause(sentence: str, mention: RoleMention, cue_start: int) -> bool:
    """The role is named inside a subordinate clause that the rule's cue is not part of: after a clause
    opener, and not right before the cue ("Det er et mål at alle arbeidstakere skal …": the role is the
    cue's subject). "Som" right before the role names it ("Som leder skal du …", "Den som leder
    krisehåndteringen …": the one leading it)."""
    if len(sentence[mention.end: cue_start].split()) <= 1:
        return False
    before = sentence[: mention.start]
    return any(
        not (m.group(0).lower() == "som" and not before[m.end():].strip()) for m in _CLAUSE_OPENER_RE.finditer(before)
    )


# The writer as the subject before the cue ("Nedenfor viser jeg til noen tiltak som kommunene kan vurdere …"
# in a ministry's letter): such a sentence refers neither to the previous sentence's subject nor to the
# roles its heading names ("… styrke de ansattes ytringsfrihet").
_WRITER_RE = re.compile(r"\b(?:jeg|eg)\b", re.IGNORECASE)
# Someone's statement reported before the cue ("Sivilombudsmannen uttaler at kommunene kan ha behov for …"):
# the modal verb is in what they said, about its own subject, not about the previous sentence's.
_REPORTED_RE = re.compile(
    r"\b(?:uttaler|uttalar|mener|meiner|sier|seier|skriver|påpeker|peker på|konkluderer|understreker|"
    r"says|states|notes|points out|concludes|stresses)\s+(?:at|that)\b",
    re.IGNORECASE,
)


# A role right after one of these before the cue is whom something goes to or comes from, not who the rule is
# for ("God kommunikasjon til folkevalgte, ledere og ansatte setter dem i stand til å ivareta sitt ansvar",
# "Dialogen med tillitsvalgte skal …").
_OBJECT_PREPOSITION_RE = re.compile(
    r"\b(?:til|fra|frå|med|overfor|mot|to|from|with|towards)\s+(?:(?:alle|våre|vare|dei|de|kommunens|kommunen\s+sine)\s+)?$",
    re.IGNORECASE,
)


def _not_after_a_preposition(sentence: str, mentions: list[RoleMention]) -> list[RoleMention]:
    """The mentions but those governed by a preposition, with the roles listed together with them."""
    kept: list[RoleMention] = []
    governed: RoleMention | None = None
    for m in mentions:
        if governed is not None and _COORDINATION_RE.fullmatch(sentence[governed.end: m.start]):
            governed = m
            continue
        governed = m if _OBJECT_PREPOSITION_RE.search(sentence[: m.start]) else None
        if governed is None:
            kept.append(m)
    return kept


# What may stand before the modal verb of a sentence that is about the previous sentence's roles: nothing (the
# subject follows the verb: "Er det mest hensiktsmessig, kan uttalelser … overlates til …"), a pronoun ("De skal
# …", "Du har plikt …", "… er det viktig å …"), or a unit named again in short ("Seksjonen har også ansvaret …").
_REFERRING_SUBJECT_RE = re.compile(
    r"(?:(?:er|var|blir|vert|is|was)\s+)?(?:(?:de|dei|du|dere|han|hun|ho|man|det|dette|they|you|he|she|it|this"
    r"|seksjonen|avdelingen|avdelinga|enheten|eininga|etaten|staben|teamet|kontoret|tjenesten|tenesta)\b.*)?",
    re.IGNORECASE,
)
# A passive after the modal verb ("… kan overlates til …", "Ansvar kan delegeres …", "… skal involveres …"): who
# does it is whom the previous sentence named.
_PASSIVE_VERB = r"\w{3,}(?:es|ast)\b"  # "overlates", "delegeres", "underrettes", nynorsk "varslast"
_PASSIVE_AFTER_RE = re.compile(rf"^\W*(?:\w+\W+){{0,5}}?{_PASSIVE_VERB}", re.IGNORECASE)


# A passive verb right after the roles named after the cue ("… at kommunalsjef … underrettes", "… at leder
# straks varsles"): they are whom it is done to.
_NOTIFIED_RE = re.compile(
    rf"\s*(?:(?:straks|alltid|også|òg|umiddelbart|snarest|raskt)\s+)?{_PASSIVE_VERB}(?!\s+av\b)", re.IGNORECASE
)


def _refers_back(sentence: str, cue_start: int) -> bool:
    """Whether a sentence naming no role is about the roles of the sentence before it: its subject refers
    back to them, or its verb is a passive they are the agents of. Not "Portalen skal være åpen for alle"
    after a sentence about staff, nor "Vi skal velge digitale kanaler …" (the municipality) or
    "Kommunikasjonsstrategien skal være en del av kommunens lederopplæring" after one about leaders."""
    before = sentence[:cue_start].rsplit(",", 1)[-1].strip()
    if _REFERRING_SUBJECT_RE.fullmatch(before):
        return True
    return bool(_PASSIVE_AFTER_RE.match(sentence[cue_start:]))


def _roles_for(
    sentence: str, cue_start: int, passage: Passage, previous: tuple[str, ...], addressed: bool = False
) -> tuple[tuple[str, ...], bool]:
    """Who the rule is for, in order of evidence: the subject before the cue (not a role named in a
    subordinate clause); a subject right after it ("plikter enhetsleder …"); in a passage's first
    sentence, the role the cue points at ("ligger til ordføreren", "gis av ordfører"); the previous
    sentence's subject ("Uttalelser kan overlates …" in the etatsledere paragraph); the lead-in or
    section heading ("Medarbeidere", "Er du leder?"). An `addressed` rule (an imperative: "Send
    søknad til kommunedirektøren …") is for its reader: only the lead-in or heading names them, the
    roles in the sentence are whom it is sent to or about."""
    if addressed:
        for context in (passage.lead, *reversed(passage.section)):
            found = find_roles(context)
            if found:
                return tuple(dict.fromkeys(m.role for m in found)), any(m.exclusive for m in found)
        return (), False
    mentions = find_roles(sentence)
    chosen: list[RoleMention] = [
        m for m in _not_after_a_preposition(sentence, mentions)
        if m.end <= cue_start and not _in_a_clause(sentence, m, cue_start)
    ]
    if not chosen:
        after = [m for m in mentions if m.start >= cue_start]
        if after:
            gap = sentence[cue_start: after[0].start]
            inverted = len(gap.split()) <= 2
            if inverted or _HOLDER_RE.search(gap) or _THAT_CLAUSE_RE.fullmatch(gap) or (not previous and _POINTS_AT_RE.search(gap)):
                chosen = [after[0]]
                for m in after[1:]:
                    if not _COORDINATION_RE.fullmatch(sentence[chosen[-1].end: m.start]):
                        break
                    chosen.append(m)
                if _NOTIFIED_RE.match(sentence[chosen[-1].end:]):
                    # "… er det viktig at kommunalsjef, kommunedirektør, eller kommunikasjonsrådgiver underrettes …":
                    # whom something is done to (the subject of a passive), not who the rule is for
                    return (), False
    if not chosen and (_WRITER_RE.search(sentence[:cue_start]) or _REPORTED_RE.search(sentence[:cue_start])):
        return (), False  # the writer's own sentence, or a statement reported, names whom it is for, or is for all
    if not chosen and previous and _refers_back(sentence, cue_start):
        return previous, False
    if not chosen:
        for context in (passage.lead, *reversed(passage.section)):
            found = find_roles(context)
            if found:
                chosen = found
                break
    roles = tuple(dict.fromkeys(m.role for m in chosen))
    return roles, any(m.exclusive for m in chosen)


# An s-passive verb and its agent: "Offisielle kontoer … opprettes av rådmannen", "… opprettast av …".
_PASSIVE_AGENT_RE = re.compile(r"\b\w{3,}(?:s|ast)\s+av\s+(?:\w+\s+)?$", re.IGNORECASE)


def _done_by_a_role(sentence: str) -> tuple[str, int] | None:
    """("responsible", where the verb starts) for a sentence saying a role does something in the passive
    with no modal verb ("Offisielle kontoer med navn … opprettes av rådmannen."): whoever it names after
    "av" holds that task; None otherwise."""
    for mention in find_roles(sentence):
        m = _PASSIVE_AGENT_RE.search(sentence[: mention.start])
        if m:
            return "responsible", m.start()
    return None


# "Ikke gi egne vurderinger …", "Aldri del …": an imperative said in the negative.
_NEGATED_IMPERATIVE_RE = re.compile(r"^\s*(?:ikke|ikkje|aldri|never|don't|do not)\s+(?=\w)", re.IGNORECASE)

# Short verbs whose imperative is the infinitive ("Ta kontakt …", "Gi beskjed …").
_SHORT_IMPERATIVES = frozenset("ta gå gi la se få be bli vær ver tenk".split())
# A word after which the first word is a subject, not an imperative ("Leder er …", "Plan skal …").
_AFTER_SUBJECT = frozenset("er var har skal kan må bør vil blir ble og i på for som med til av fra frå eller sitt sin si".split())


def is_imperative(sentence: str, vocabulary: frozenset[str]) -> bool:
    """"Skriv inn navn …", "Vurder grundig …", "Del gjerne …": the first word is a verb's imperative —
    its infinitive (the word + -e, nynorsk also -a) occurs in the same document or is the word's
    lemma in simplemma's bokmål or nynorsk dictionary ("send" → "sende"), and the next word doesn't
    make it a subject."""
    words = re.findall(r"[\wæøåÆØÅ]+", sentence)
    if len(words) < 4 or not words[0][:1].isupper() or find_roles(words[0]):
        return False
    first, second = words[0].lower(), words[1].lower()
    if second in _AFTER_SUBJECT or len(first) < 2:
        return False
    if first in _SHORT_IMPERATIVES:
        return True
    if len(first) < 3:
        return False
    return f"{first}e" in vocabulary or _lemma_is_infinitive(first)


# Endings of derived nouns ("bevissthet", "opplysning", "informasjon"): never an imperative, though
# simplemma's nynorsk dictionary lemmatises some of them as if they were ("bevissthet" → "bevissthete").
_NOUN_ENDINGS = ("het", "heit", "else", "ing", "sjon", "skap", "dom", "itet", "ment")


def _lemma_is_infinitive(word: str) -> bool:
    """The word's bokmål or nynorsk lemma is the word + -e or -a: an imperative form ("prioriter")."""
    if word.endswith(_NOUN_ENDINGS):
        return False
    return any(simplemma.lemmatize(word, lang=lang) in (f"{word}e", f"{word}a") for lang in ("nb", "nn"))


def extract_rules(passage: Passage, vocabulary: frozenset[str] = frozenset()) -> list[Rule]:
    """The rules in one passage; a list passage with a normative lead-in is one rule as a whole.
    `vocabulary` (the document's words, lower case) lets an imperative sentence count as advice."""
    if passage.kind in ("outline", "section"):
        return []  # their sentences are rules of the passages they are made of
    if passage.kind == "list":
        # the whole list is one rule when its lead-in is normative; otherwise each bullet may be one
        whole = passage.text.replace("\n", " ")
        lead, *bullets = whole.split(" • ")
        units = [(whole, lead)]
        if modality_of(lead) is None and not (vocabulary and is_imperative(lead, vocabulary)):
            units += [(b.strip(), b.strip()) for b in bullets]
    else:
        units = [(sentence, sentence) for sentence in split_sentences(passage.text)]
    rules: list[Rule] = []
    previous: tuple[str, ...] = ()
    for n, (sentence, cue_text) in enumerate(units):
        found = modality_of(cue_text)
        if found is None and passage.item and n == 0 and not _NOT_NORMATIVE_RE.search(sentence):
            found = ("must", 0)  # a numbered provision of a rule list is binding even without a modal verb
        addressed = bool(vocabulary) and not _NOT_NORMATIVE_RE.search(cue_text) and is_imperative(
            _NEGATED_IMPERATIVE_RE.sub("", cue_text, count=1).capitalize(), vocabulary
        )
        if found is None and addressed:
            found = ("should", 0)
        if found is None and not _NOT_NORMATIVE_RE.search(cue_text):
            found = _done_by_a_role(cue_text)
        addressed = addressed and found is not None and found[1] == 0  # the imperative is the rule's cue
        if found is None or len(sentence) < 12:
            # not a rule, but its subject may be what the next sentence refers back to ("Kommunikasjonsseksjonen
            # bidrar i … Seksjonen har også ansvaret for …")
            previous = _subject_roles(sentence) or previous
            continue
        modality, cue_start = found
        holder = "" if addressed else _holder_described(sentence, cue_start)
        roles, exclusive = _roles_for(sentence, cue_start, passage, previous, addressed)
        partial = _named_in_part(sentence, roles)
        previous = roles
        rules.append(
            Rule(
                id=f"{passage.id}:{n}",
                text=sentence,
                modality=modality,
                roles=roles,
                passage_id=passage.id,
                document_id=passage.document_id,
                municipality=passage.municipality,
                section=passage.section_title,
                item=passage.item,
                restricted=_restricted(sentence, modality, cue_start),
                exclusive=exclusive,
                conditional=modality == "refers" or bool(_CONDITION_RE.search(sentence)),  # a note applies where it names
                partial=partial,
                holder=holder,
            )
        )
    return rules


ROLE_LIST_MIN_ROLES = 3


def role_list_sections(rules: list[Rule]) -> set[tuple[str, str]]:
    """(document, section) of the sections that give different roles different rules — Østre Toten's
    press rules 3–10, Modum's "Ansvar og roller": the most authoritative answer to "may I, as …"."""
    roles_in_section: dict[tuple[str, str], set[str]] = {}
    for rule in rules:
        roles_in_section.setdefault((rule.document_id, rule.section), set()).update(rule.roles)
    return {key for key, roles in roles_in_section.items() if len(roles) >= ROLE_LIST_MIN_ROLES}
