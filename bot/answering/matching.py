"""Choosing the matching rule: the rule in the retrieved text that answers the question and applies to the asker.

Each candidate rule (from the best passages and their section) is scored by how close its own
text is to the question, how well its passage ranked, whether it applies to the asker's role,
and whether its modality fits what was asked ("Hvem …?" wants a responsibility, "Kan jeg …?" a
permission or prohibition).
"""
from __future__ import annotations

from dataclasses import dataclass, field
import re
from typing import Callable

import numpy as np

from bot.answering.questions import APPROVING_RE
from bot.answering.ranking import RANKER_WEIGHTS, fit_weight_change, ranking_features
from index.lexical import expand_query
from index.retrieval import Hit, Retriever
from knowledge.roles import PARENTS, applies_to, find_roles, role_stated_in
from knowledge.rules import Rule

# Weights, tuned on the development and held-out questions (see README "Quality"). A rule's score
# is 0.6 × its own similarity to the question + 0.25 × its passage's retrieval score + the IDF-weighted
# share of the question's words it uses, then adjusted:
# - role fit: 4 written for exactly the asker's role in contrast to others ("Øvrige ansatte …"),
#   3 for the asker's role, 2 for a broader role (leaders for a unit leader), 1 for everyone,
#   0 for another role (pushed well down);
_ROLE_FIT_BONUS = {4: 0.1, 3: 0.06, 2: 0.02, 1: 0.0, 0: -0.2}
# - the asker's own entry in a list of rules per role ranks a little higher still;
_OWN_ENTRY_BONUS = 0.02
# - "Dersom …" rules answer a question only when it names a situation too, or tells the rule's own
#   ("Hadde et uplanlagt intervju i dag. Må jeg si fra?": "Dersom en av kommunens talspersoner … har et
#   uplanlagt intervju med media …"): at least this IDF-weighted share of the condition's words.
_CONDITIONAL_PENALTY = 0.03
_CONDITIONAL_QUESTION_RE = re.compile(r"\b(?:hvis|dersom|når|viss|if|when|during|ved)\b", re.I)
# (a verb right after "som" is the relative clause's: "Kritikk som gjelder egen arbeidsplass, skal …")
_CONDITION_END_RE = re.compile(r",|(?<!som )(?<!who )(?<!that )\b(?:skal|må|bør|kan|er|gjelder|shall|must|should|may|is|are)\b", re.I)
_CONDITION_WORD_RE = re.compile(r"^\s*(?:dersom|hvis|viss|om|når|ved|if|when|where)\s+", re.I)
CONDITION_TOLD = 0.5
# - and a rule written for the very situation the question tells ("Hadde et uplanlagt intervju med NRK i dag. Må jeg
#   si fra til noen?": "Dersom en av kommunens talspersoner … har et uplanlagt intervju med media …") ranks a
#   little higher, over a general rule about the same thing ("Etter intervju skal du forespørre sitatsjekk"): one
#   that opens with "Dersom", "Når", "Ved" …, of whose situation the question tells three words or more.
#   Not for "who" questions, which ask who holds a task, not what to do in a situation.
_SITUATION_BONUS = 0.03
_SITUATION_WORDS = 3
# What each kind of question is answered by: the first modality directly, the others as well.
_INTENT_MODALITIES = {
    "who": ("responsible", "must", "may"),
    "permission": ("may", "must_not", "should_not", "responsible"),  # yes or no are equally direct answers
    "obligation": ("must", "should", "must_not", "responsible"),
    "action": ("must", "should", "must_not", "should_not"),  # "Hva må jeg gjøre …?": what to do or not to do, alike
}
_INTENT_BONUS = (0.05, 0.03)
RULE_OVERLAP_WEIGHT = 0.15
# The two sides of the municipality a rule is often written for one of: political matters (the mayor,
# committee leaders) and administrative ones (the chief executive, unit leaders).
_DOMAINS = (
    re.compile(r"\bpoliti(?:sk|ske|kk|kken|kar|karar|karane|ker|kere|kerne|cal|cs|cians?)\b", re.IGNORECASE),
    re.compile(r"\badministra(?:tiv|tive|sjon|sjonen|tion)\b", re.IGNORECASE),
)
OTHER_DOMAIN_PENALTY = 0.1  # hand-score units; about what a role written for another asker costs
SAME_DOMAIN_BONUS = 0.02  # a rule naming the side the question asks about, over one naming neither
STRONG_MARGIN = 0.07  # above the calibration's minimum: similar enough to need no shared word
CANDIDATE_PASSAGES = 12
NEIGHBOUR_SECTIONS = 3
WHO_MARGIN = 0.06
# A rule saying who advises, assists or is to be contacted ("Kommunikasjonsrådgiver … kontaktes når medarbeidere
# eller ledere ønsker rådføring") answers "Hvem kan jeg spørre om råd?" over one saying who speaks.
ADVISING_RE = re.compile(
    r"rådgiv|rådgj|rådfør|\bråd\b|bistå|bistand|hjelpe?\b|hjelper\b|kontaktes\b|veiled|rettleie?\b|rettleiing"
    r"|konferere|spørres\b|kontaktperson",
    re.IGNORECASE,
)
ADVISING_BONUS = 0.04  # hand-score units; measured 0.04–0.08 alike (README "Quality"), 0.02 too little


@dataclass(frozen=True)
class ScoredRule:
    rule: Rule
    score: float
    similarity: float  # cosine of the rule's text to the question
    fit: int  # applies_to() of the asker's role
    on_topic: bool = True  # shares a word with the question other than role words
    shared: float = 0.0  # IDF-weighted share of the question's words the rule (with its section title) uses
    topic_shared: float = 0.0  # the same for the question's words other than those saying who asks
    features: np.ndarray | None = field(default=None, compare=False, repr=False)  # bot/ranking.FEATURES


def _fit(rule: Rule, role: str | None) -> int:
    """applies_to(), plus 4 for a rule written for exactly this role in contrast to others ("Øvrige ansatte …")."""
    fit = applies_to(rule.roles, role)
    if fit == 3 and rule.exclusive:
        return 4
    # "Øvrige ansatte …" means the employees not named by the neighbouring rules (leaders have their own).
    if rule.exclusive and role is not None and role != "employee" and "leader" in PARENTS.get(role, ()) + (role,):
        return 0
    return fit


def candidate_rules(
    retriever: Retriever, hits: list[Hit], query_vector: np.ndarray, municipality: str | None = None, rule_search: int = 0
) -> list[tuple[Rule, Hit, str]]:
    """(rule, the passage hit it counts with, where it was found: passage | section | rule_search) for the rules in the best passages, in the other passages of the best passages' sections, and the
    `rule_search` rules (of the municipality) whose own vectors are closest to the question."""
    seen: set[str] = set()
    out: list[tuple[Rule, Hit, str]] = []
    for hit in hits[:CANDIDATE_PASSAGES]:
        if not hit.passage.parts:
            for rule in retriever.rules_by_passage.get(hit.passage.id, []):
                if rule.id not in seen:
                    seen.add(rule.id)
                    out.append((rule, hit, "passage"))
            continue
        # A section found as a whole: each part's rules count with that part's own similarity.
        for part_id in hit.passage.parts:
            rules = [r for r in retriever.rules_by_passage.get(part_id, []) if r.id not in seen]
            if not rules:
                continue
            part = retriever.passages_by_id[part_id]
            dense = float(retriever.stored.vectors[retriever.passage_rows[part_id]] @ query_vector)
            part_hit = Hit(part, dense + retriever.lexical_weight * hit.lexical, dense, hit.lexical)
            for rule in rules:
                seen.add(rule.id)
                out.append((rule, part_hit, "passage"))
    sections = dict.fromkeys((h.passage.document_id, h.passage.section) for h in hits[:NEIGHBOUR_SECTIONS])
    rows = sorted(i for section in sections for i in retriever.section_rows.get(section, []))
    for i in rows:
        passage = retriever.stored.passages[i]
        rules = [r for r in retriever.rules_by_passage.get(passage.id, []) if r.id not in seen]
        if not rules:
            continue
        # a neighbour of a best passage counts with its own similarity, without lexical support
        dense = float(retriever.stored.vectors[i] @ query_vector)
        for rule in rules:
            seen.add(rule.id)
            out.append((rule, Hit(passage, dense, dense, 0.0), "section"))
    if rule_search and len(retriever.stored.rules):
        similarities = retriever.stored.rule_vectors @ query_vector.astype(np.float32)
        if municipality is not None:
            similarities = np.where(retriever.rule_municipalities == municipality, similarities, -1.0)
        for i in np.argsort(-similarities)[:rule_search]:
            rule = retriever.stored.rules[int(i)]
            if rule.id in seen or similarities[i] < 0:
                continue
            seen.add(rule.id)
            row = retriever.passage_rows[rule.passage_id]
            dense = float(retriever.stored.vectors[row] @ query_vector)
            out.append((rule, Hit(retriever.stored.passages[row], dense, dense, 0.0), "rule_search"))
    return out


def score_rules(
    retriever: Retriever,
    question: str,
    hits: list[Hit],
    query_vector: np.ndarray,
    role: str | None,
    intent: str,
    municipality: str | None = None,
    rule_search: int = 0,
    weights: "np.ndarray | tuple[float, ...] | None" = None,
    seeks_help: bool = False,
) -> list[ScoredRule]:
    """Every candidate rule with its score, best first. The score is the ranker's weights (bot/ranking.py,
    chosen by cross-validation) applied to the candidate's features; the first feature is the
    hand-weighted score below, so weights (1, 0, 0, …) rank as that score alone. `seeks_help`: the question
    asks whom the asker turns to for help or advice (bot.answering.questions.Question.seeks_help)."""
    candidates = candidate_rules(retriever, hits, query_vector, municipality, rule_search)
    if not candidates:
        return []
    vectors = retriever.stored.rule_vectors[[retriever.rule_rows[r.id] for r, _, _ in candidates]]
    similarities = vectors @ query_vector.astype(np.float32)
    wanted = _INTENT_MODALITIES.get(intent, ())
    lexical = retriever.stored.lexical
    question_words = set(lexical.tokenize(expand_query(question)))
    question_weight = sum(lexical.idf(t) for t in question_words) or 1.0
    # Words that only say who is asking don't make a rule on-topic; a role the question is about does.
    # Nor does the municipality's name ("Kven er pressekontakt i Kinn kommune …?").
    topic_words = {w for w in question_words - retriever.role_words if not retriever.names_place(w)}
    topic_words |= set(lexical.tokenize(roles_asked_about(question)))
    # … and without the words naming the asker's own role ("som varaordfører": "vara", "varaordfører")
    asked_words = topic_words - set(lexical.tokenize(own_role_words(question)))
    asked_weight = sum(lexical.idf(t) for t in asked_words) or 1.0
    conditional_question = bool(_CONDITIONAL_QUESTION_RE.search(question))
    documents = retriever.stored.manifest["documents"]
    best_similarity = float(similarities.max())
    best_hit = max(hit.score for _, hit, _ in candidates)
    rows = []
    for (rule, hit, source), similarity in zip(candidates, similarities):
        fit = _fit(rule, role)
        rule_words = retriever.rule_words[rule.id]
        shared = sum(lexical.idf(t) for t in question_words & rule_words) / question_weight
        topic_shared = sum(lexical.idf(t) for t in asked_words & rule_words) / asked_weight
        score = 0.6 * float(similarity) + 0.25 * hit.score + RULE_OVERLAP_WEIGHT * shared + _ROLE_FIT_BONUS[fit]
        direct = secondary = False
        if rule.modality in wanted:
            direct = rule.modality == wanted[0] or (intent == "permission" and rule.modality == "must_not") or intent == "action"
            secondary = not direct
            score += _INTENT_BONUS[0] if direct else _INTENT_BONUS[1]
        condition = _condition_words(rule, lexical, retriever.role_words)
        condition_told = _tells_condition(condition, asked_words, lexical)
        condition_unmet = rule.conditional and not conditional_question and not condition_told
        if condition_unmet:
            score -= _CONDITIONAL_PENALTY
        if condition_told and intent != "who" and _CONDITION_WORD_RE.match(rule.text) and len(condition & asked_words) >= _SITUATION_WORDS:
            score += _SITUATION_BONUS
        own_entry = fit >= 3 and (rule.document_id, rule.section) in retriever.role_list_sections
        if own_entry:
            score += _OWN_ENTRY_BONUS  # the asker's own entry in a list of rules per role
        if intent == "who" and (rule.roles or describes_holder(rule)):
            score += 0.02
        if intent == "who" and seeks_help and ADVISING_RE.search(rule.text):
            score += ADVISING_BONUS
        if other_domain(question, rule.text):
            score -= OTHER_DOMAIN_PENALTY
        elif same_domain(question, rule.text):
            score += SAME_DOMAIN_BONUS
        on_topic = bool(topic_words & rule_words)
        x = ranking_features(
            hand_score=score,
            similarity_gap=float(similarity) - best_similarity,
            passage_gap=hit.score - best_hit,
            shared=shared,
            on_topic=on_topic,
            fit=fit,
            direct=direct,
            secondary=secondary,
            unconditional_question=condition_unmet,
            superseded=bool(documents.get(rule.document_id, {}).get("superseded_by")),
            source=source,
            rule=rule,
            intent=intent,
        )
        rows.append((rule, float(similarity), fit, on_topic, shared, topic_shared, x))
    weights = np.asarray(weights if weights is not None else RANKER_WEIGHTS, dtype=np.float32)
    scored = [
        ScoredRule(rule, float(x @ weights), similarity, fit, on_topic, shared, topic_shared, x)
        for rule, similarity, fit, on_topic, shared, topic_shared, x in rows
    ]
    scored.sort(key=lambda s: -s.score)
    return scored


def condition_of(rule: Rule) -> str:
    """The situation a conditional rule is written for: its words before the first comma or verb of its main
    clause, without the word that opens it ("en av kommunens talspersoner … har et uplanlagt intervju med
    media" from "Dersom en av … media er det viktig at …"); "" for a rule that isn't conditional."""
    if not rule.conditional:
        return ""
    end = _CONDITION_END_RE.search(rule.text, 1)
    return _CONDITION_WORD_RE.sub("", rule.text[: end.start()]) if end else ""


def _condition_words(rule: Rule, lexical, role_words: set[str]) -> set[str]:
    """The index words of the situation a conditional rule is written for (`condition_of`), without words naming
    roles; empty for a rule that isn't conditional."""
    return set(lexical.tokenize(condition_of(rule))) - role_words if rule.conditional else set()


def _tells_condition(condition: set[str], asked_words: set[str], lexical) -> bool:
    """Does the question (`asked_words`: its index words) tell CONDITION_TOLD of a rule's condition words
    (`_condition_words`) by IDF weight?"""
    weight = sum(lexical.idf(t) for t in condition)
    return weight > 0 and sum(lexical.idf(t) for t in condition & asked_words) / weight >= CONDITION_TOLD


def other_domain(question: str, rule_text: str) -> bool:
    """Is the rule written for the other side of the municipality than the question asks about? "Hvem
    uttaler seg … i en politisk sak?" against "Rådmannen uttaler seg om administrative forhold …": the
    question names one of political and administrative matters, the rule only the other."""
    asked, named = _sides(question), _sides(rule_text)
    return sum(asked) == 1 and not any(a and n for a, n in zip(asked, named)) and any(named)


def same_domain(question: str, rule_text: str) -> bool:
    """Does the rule name the side of the municipality the question asks about? "Hvem uttaler seg … om en
    omorganisering av hele administrasjonen?" and "Rådmannen uttaler seg om administrative forhold …", where
    "Ordfører/varaordfører uttaler seg på vegne av kommunen" names neither side."""
    asked = _sides(question)
    return sum(asked) == 1 and any(a and n for a, n in zip(asked, _sides(rule_text)))


def _sides(text: str) -> tuple[bool, bool]:
    """Whether the text names political matters, and whether administrative ones (`_DOMAINS`)."""
    political, administrative = (bool(domain.search(text)) for domain in _DOMAINS)
    return political, administrative


def own_role_words(question: str) -> str:
    """The words naming the asker's own role where the question states it ("Må jeg som varaordfører …?")."""
    own = role_stated_in(question)
    return " ".join(m.words for m in find_roles(question) if own and m.role == own)


def roles_asked_about(question: str) -> str:
    """The role words a question is about ("Hva kan rådmannen uttale seg om?"), not the asker's own."""
    own = role_stated_in(question)
    return " ".join(m.words for m in find_roles(question) if m.role != own)


def matching_rule(
    scored: list[ScoredRule], role: str | None, min_similarity: float, strong_margin: float = STRONG_MARGIN
) -> ScoredRule | None:
    """The best rule that applies to the asker and is close enough to the question to be its answer."""
    for candidate in scored:
        if role is not None and candidate.fit == 0:
            continue
        # a rule that shares no word with the question but role words must be very close to count
        if candidate.similarity >= min_similarity and (candidate.on_topic or candidate.similarity >= min_similarity + strong_margin):
            return candidate
        return None
    return None


def role_fit_change(candidate: ScoredRule, fit: int) -> float:
    """How much the candidate's score would change if it were scored for a role with this fit."""
    return RANKER_WEIGHTS[0] * (_ROLE_FIT_BONUS[fit] - _ROLE_FIT_BONUS[candidate.fit]) + fit_weight_change(candidate.fit, fit)


def rules_by_role(
    scored: list[ScoredRule],
    best: ScoredRule | None,
    min_similarity: float,
    whole_list: bool = False,
    margin: float = WHO_MARGIN,
) -> dict[str, ScoredRule]:
    """One rule per role among the rules close to the best: who holds the duty, or how the answer
    differs by role. Each role gets the rule it would get if it asked ("Øvrige ansatte …" for
    employees, not a rule that merely mentions them)."""
    if best is None:
        return {}
    section = (best.rule.document_id, best.rule.section)
    per_role: dict[str, tuple[float, ScoredRule]] = {}
    for candidate in scored:
        if not candidate.rule.roles:
            continue
        # In a list of rules per role, every role's entry belongs to the answer; elsewhere only close ones.
        listed = whole_list and (candidate.rule.document_id, candidate.rule.section) == section
        if not listed and (candidate.score < best.score - margin or candidate.similarity < min_similarity):
            continue
        if listed and candidate.rule.modality not in ("responsible", "may", "must"):
            continue
        for role in candidate.rule.roles:
            as_if_asked = candidate.score + role_fit_change(candidate, _fit(candidate.rule, role))
            if role not in per_role or as_if_asked > per_role[role][0]:
                per_role[role] = (as_if_asked, candidate)
    return {role: pair[1] for role, pair in per_role.items()}


# "… at de ikke uttaler seg på kommunens vegne", "does not speak on behalf of": a role denied the right
# to speak for the municipality, whatever the sentence's modal verb.
_DENIAL_RE = re.compile(
    r"\b(?:ikke|ikkje|aldri|never|not)\s+(?:\w+\s+){0,3}?(?:på\s+(?:\w+\s+)?vegne|på\s+(?:\w+\s+)?vegner|on\s+(?:\w+\s+)?behalf"
    r"|uttale|uttaler|uttalar|snakke|snakker|representere|representerer|speak|speaks|represent)",
    re.IGNORECASE,
)


def grants(rule: Rule) -> bool:
    """A rule that gives its roles, or whom it describes ("Den som leder krisehåndteringen …", `Rule.holder`), a
    duty or a right (and so answers "who …?"), not one that limits or denies them ("Ansatte … presiserer at de
    ikke uttaler seg på kommunens vegne")."""
    return (
        bool(rule.roles or describes_holder(rule))
        and rule.modality in ("responsible", "must", "may")
        and not _DENIAL_RE.search(rule.text)
    )


# A role speaking as someone else's ("… at de uttaler seg som representant for en fagforening", "… som
# privatperson"), and a question about who speaks for the municipality ("… på vegner av kommunen?")
_FOR_OTHERS_RE = re.compile(
    r"\b(?:som|as)\s+(?:en\s+|ein\s+|a\s+|an\s+)?(?:representant\w*|privatperson\w*|private\s+(?:person|individual)s?"
    r"|representatives?\s+of)\b",
    re.IGNORECASE,
)
_FOR_THE_MUNICIPALITY_RE = re.compile(
    r"\bpå\s+(?:\w+\s+)?vegne?r?\s+av\s+(?:\w+\s+)?(?:kommune\w*|fylkeskommune\w*)|\b(?:kommunens|kommunen sine?)\s+vegne?r?\b"
    r"|\bon\s+(?:the\s+)?(?:municipality's|council's|county's)\s+behalf\b|\bon\s+behalf\s+of\s+(?:the\s+)?(?:municipality|council|county)\b"
    r"|\bspeaks?\s+for\s+(?:the\s+)?(?:municipality|council|county|us)\b|\buttaler\s+seg\s+for\s+kommunen\b",
    re.IGNORECASE,
)


def grants_for(question: str) -> Callable[[Rule], bool]:
    """`grants` for a "who …?" question: one about who speaks for the municipality ("Kven skal uttale seg til
    media på vegner av kommunen?") is not answered by a rule whose role speaks as someone else's
    representative or as a private person ("Tillitsvalgte har selv ansvar for å klargjøre … at de uttaler
    seg som representant for en fagforening")."""
    if not _FOR_THE_MUNICIPALITY_RE.search(question):
        return grants
    return lambda rule: grants(rule) and not _FOR_OTHERS_RE.search(rule.text)


def conditional_permission(rule: Rule) -> bool:
    """A permission given only on a condition or within a limit ("Uttalelser fra andre ledere kan kun skje
    etter særskilt samtykke fra kommunedirektøren"): it doesn't make its roles the ones who speak."""
    return rule.modality == "may" and rule.restricted


# A rule giving the right to decide who does something ("Arbeidsgiver kan bestemme hvem som skal uttale seg …").
_DECIDES_WHO_RE = re.compile(
    r"\b(?:bestemme|bestemmer|avgjøre|avgjør|avgjere|velge|velger|decide|decides|choose)\s+(?:\w+\s+)?(?:hvem|kven|who)\b",
    re.IGNORECASE,
)


def described_holder(best: ScoredRule) -> str:
    """Whom a "who …?" answer names where the quoted rule describes them rather than naming a role ("Den som
    leder krisehåndteringen er ansvarlig for at informasjon blir gitt …"), on the same terms as `holders`; else ""."""
    return best.rule.holder if describes_holder(best.rule) and grants(best.rule) else ""


def describes_holder(rule: Rule) -> bool:
    """The rule gives whom it describes a duty (`Rule.holder`). A permission for them ("De som kommuniserer på
    vegne av … kan ha flere roller") says what they may do, not who does it."""
    return bool(rule.holder) and rule.modality != "may"


def holders(
    best: ScoredRule,
    asks_who_decides: bool = False,
    asks_who_approves: bool = False,
    asked: frozenset[str] = frozenset(),
    words: "Callable[[str], set[str]] | None" = None,
) -> dict[str, ScoredRule]:
    """The roles a "who …?" answer names: those the quoted rule gives the duty or the right to, and only
    those — neighbouring rules with other qualifiers ("… om administrative forhold" beside "… om politiske
    saker") or about something else would put roles on the list the quoted rule doesn't name; none from a
    permission on a condition ("… kan kun skje etter særskilt samtykke"). A rule giving the right to decide
    who does something names its roles only to a question about who decides (`asks_who_decides`), not to
    "Hvem kan uttale seg …?"; a question about who approves (`asks_who_approves`: "Hvem må godkjenne at jeg
    uttaler meg …?") gets names only from a rule that says who approves, not from "Ordføreren uttaler seg …"."""
    text = best.rule.text
    if not grants(best.rule) or conditional_permission(best.rule) or _roles_only_in_a_clause(text):
        return {}
    if best.rule.holder:
        return {}  # the rule describes whom it is for (`described_holder`); its roles come from the heading
    if (_DECIDES_WHO_RE.search(text) and not asks_who_decides) or (asks_who_approves and not APPROVING_RE.search(text)):
        return {}
    if words is not None:
        clause_roles = _roles_of_the_clause_asked_about(text, asked, words)
        if clause_roles is not None:
            return {role: best for role in clause_roles}
    return {role: best for role in best.rule.roles}


# Main clauses joined in one sentence, each with a subject of its own: "Tenesteleiar er ansvarleg for drifta av
# kontoen, og kommunedirektøren eller informasjon og service skal ha administratorrettar til kontoen."
_COORDINATED_RE = re.compile(r",\s+(?:og|men|and|but)\s+|;\s+", re.IGNORECASE)


def _roles_of_the_clause_asked_about(
    text: str, asked: frozenset[str], words: "Callable[[str], set[str]]"
) -> tuple[str, ...] | None:
    """Where the sentence gives different roles different things in clauses of their own, the roles named in
    the clause that uses most of what was asked (`asked`: the question's index words; `words` gives a text's);
    () when no clause uses more of it than the others (the answer then names nobody); None for a sentence
    with one subject."""
    clauses = _COORDINATED_RE.split(text)
    named = [tuple(dict.fromkeys(m.role for m in find_roles(clause))) for clause in clauses]
    with_roles = [(clause, roles) for clause, roles in zip(clauses, named) if roles]
    if len(with_roles) < 2 or len({roles for _clause, roles in with_roles}) < 2:
        return None
    overlaps = sorted(((len(asked & words(clause)), roles) for clause, roles in with_roles), key=lambda o: -o[0])
    if overlaps[0][0] == 0 or overlaps[0][0] == overlaps[1][0]:
        return ()
    return overlaps[0][1]


# A clause the sentence's roles may sit in without being its subject: "Verdiene er en veiviser når hver
# enkelt ansatt uttaler seg …" gives the values a role, not the employees a task.
_CLAUSE_RE = re.compile(r"\b(?:når|dersom|hvis|viss|whenever|when|if)\b", re.IGNORECASE)


def _roles_only_in_a_clause(text: str) -> bool:
    """Every role the sentence names is in a "når/dersom/hvis …" clause after its main clause."""
    clause = _CLAUSE_RE.search(text)
    mentions = find_roles(text)
    return clause is not None and clause.start() > 0 and bool(mentions) and all(m.start > clause.start() for m in mentions)


def role_entries(granting: list[ScoredRule], best: ScoredRule, min_similarity: float) -> dict[str, ScoredRule]:
    """Each role's rule to show beside a "who …?" answer outside a role list: the close rules in the quoted
    rule's section that share a word of what was asked (a rule elsewhere that merely scores close,
    "Medarbeidere har ansvar for å dele relevant informasjon" to "Hvem uttaler seg … ved et dataangrep?",
    is about something else), none on a condition. `granting`: candidates that `grants`, best first."""
    section = (best.rule.document_id, best.rule.section)
    naming = [
        c for c in granting
        if not conditional_permission(c.rule)
        and (c.rule.id == best.rule.id or (c.on_topic and (c.rule.document_id, c.rule.section) == section))
    ]
    return rules_by_role(naming, best, min_similarity)


def current_rules_first(scored: list[ScoredRule], retriever: Retriever, min_similarity: float) -> list[ScoredRule]:
    """The candidates without a superseded document's rules wherever the current document of the same
    municipality has a rule close to the question; superseded rules stay only where nothing current answers."""
    documents = retriever.stored.manifest["documents"]

    def superseded(rule: Rule) -> bool:
        return bool(documents.get(rule.document_id, {}).get("superseded_by"))

    current = {c.rule.municipality for c in scored if not superseded(c.rule) and c.on_topic and c.similarity >= min_similarity}
    return [c for c in scored if not (superseded(c.rule) and c.rule.municipality in current)]
