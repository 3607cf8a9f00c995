"""The answer engine: a question (and what is known of the asker) in, an `Answer` out.

It holds the loaded model and the generation that serves (`index.generations.CurrentIndex`:
a generation swapped in on disk is loaded by the next question, while questions already being
answered finish on the generation they started with), and assembles one immutable `Answer`.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Callable, Protocol

from knowledge.errors import VeilederError
from bot.answering.adviser_notes import with_adviser_notes
from bot.answering.answer import Answer, Citation, CrisisNotice, FoundPassage, MatchedRule, RoleRule
from bot.answering.citations import citation_of
from bot.answering.language import detect_language
from bot.answering.matching import (
    WHO_MARGIN,
    ScoredRule,
    current_rules_first,
    described_holder,
    grants_for,
    holders,
    role_entries,
    matching_rule,
    rules_by_role,
    score_rules,
)
from bot.answering.role_map import crisis_rule
from bot.answering.questions import Question, QuestionError, asked_sentence, clean_question, read_question, roles_offered, task_asked
from bot.answering.scope import scope_of
from bot.answering.stance import (
    answers_the_premise,
    answers_whether_only,
    decide,
    for_a_crisis_not_asked,
    freedoms_it_limits,
    names_all_it_forbids,
    names_the_act,
    names_the_limit,
    prohibition_over_freedom,
    prohibitions_about,
    referred_elsewhere,
    rules_naming,
    shown,
    situational,
)
from bot.answering.tuning import DEFAULT as DEFAULT_TUNING, Tuning
from bot.answering.verdicts import roles_phrase, say, verdict_text
from bot.answering.wordmaps import bokmal_words, word_map
from bot.settings import Settings
from bot.texts import phrase
from index.embedder import Embedder, load_embedder
from index.generations import CurrentIndex, NoUsableIndex
from index.lexical import expand_query, with_lemmas
from index.retrieval import Hit, Retriever
from knowledge.catalog import Contact
from knowledge.passages import Passage
from knowledge.roles import ROLES, role_name, role_stated_in
from knowledge.rules import Rule

log = logging.getLogger(__name__)

PASSAGES_SHOWN = 5
RETRIEVE = 16  # passages considered for the matching rule; the best PASSAGES_SHOWN are shown
DEFAULT_ROLE = "employee"


class EngineError(VeilederError):
    """The engine can't answer at all (no index, wrong model); the message says how to fix it."""


class UnknownMunicipality(QuestionError):
    pass


class UnknownRole(QuestionError):
    pass


class CrisisSource(Protocol):
    def active(self, municipality: str) -> CrisisNotice | None: ...


class AnswerEngine:
    """Answers questions from one index folder with one embedding model.

    The constructor does no work: pass a loaded `embedder`, or call `AnswerEngine.open(settings)`,
    which loads the model named in the settings first."""

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder,
        crisis: CrisisSource | None = None,
        on_missing_index: Callable[["AnswerEngine"], None] | None = None,
    ) -> None:
        self.settings = settings
        self.index_dir: Path = settings.resolved_index_dir()
        self.embedder = embedder
        self.crisis = crisis
        on_missing = (lambda: on_missing_index(self)) if on_missing_index is not None else None
        self.index = CurrentIndex(self.index_dir, self.embedder, on_missing)

    @classmethod
    def open(
        cls,
        settings: Settings,
        crisis: CrisisSource | None = None,
        on_missing_index: Callable[["AnswerEngine"], None] | None = None,
    ) -> "AnswerEngine":
        """An engine with the embedding model `settings.model` loaded (blocking, seconds; the default
        model is converted once into the data folder; raises index.embedder.EmbedderError when it
        can't be loaded). The index is read at the first question."""
        embedder = load_embedder(settings.model, settings.data_dir, settings.threads)
        return cls(settings, embedder, crisis=crisis, on_missing_index=on_missing_index)

    # -- the index -------------------------------------------------------------------------

    def retriever(self) -> Retriever:
        """The retriever for the current generation (see index.generations.CurrentIndex)."""
        try:
            return self.index.retriever()
        except NoUsableIndex as exc:
            raise EngineError(str(exc)) from exc

    def warm_up(self) -> None:
        """Load what the first answer would otherwise load: the index generation, the language detector,
        the nynorsk/English word maps and simplemma's bokmål lemmas (about 2.5 s together)."""
        self.retriever()
        detect_language("Kan jeg uttale meg til pressen?")
        for language in ("nn", "en"):
            word_map(language)
        with_lemmas("større")

    def municipalities(self) -> list[str]:
        return self.retriever().municipalities

    def municipality_name(self, key: str) -> str:
        return _municipality_name(self.retriever(), key)

    def contact(self, municipality: str | None) -> Contact | None:
        return _contact(self.retriever(), municipality)

    # -- answering -------------------------------------------------------------------------

    def validate(
        self, municipality: str | None, role: str | None, retriever: Retriever | None = None
    ) -> tuple[str | None, str | None]:
        retriever = retriever or self.retriever()
        municipality = municipality or self.settings.municipality
        if municipality is not None:
            municipality = municipality.strip().lower()
            if municipality not in retriever.municipalities:
                raise UnknownMunicipality(
                    f"Unknown municipality '{municipality}'. Valid: {', '.join(retriever.municipalities)}"
                )
        if role is not None:
            role = role.strip().lower()
            if role not in ROLES:
                raise UnknownRole(f"Unknown role '{role}'. Valid: {', '.join(ROLES)}")
        return municipality, role

    def ask(
        self,
        question: str,
        municipality: str | None = None,
        role: str | None = None,
        profile_role: str | None = None,
        tuning: Tuning | None = None,
    ) -> Answer:
        """Answer one question from the current index generation, with matching adviser notes attached last.

            engine = AnswerEngine.open(settings, crisis=CrisisStore(open_store(settings)))  # bot.store.setup.open_store
            answer = engine.ask("Kan jeg uttale meg til pressen?", municipality="ostre-toten", role="employee")
            answer.verdict, answer.rule.text, answer.rule.citation.label()

        `role` is what the asker chose (--role; one of knowledge.roles.ROLES), `profile_role` what
        a front end read from their profile; a role stated in the question wins over both. Returns
        an `Answer`: `kind` "rule" | "who" | "passages" | "refused", the verdict in the question's
        language (nb, nn or en) and its `stance` (yes | yes_but | no | must | who | info | refuse,
        checked against the other candidate rules by bot.answering.stance), the matching rule quoted
        with its source, up to PASSAGES_SHOWN
        passages (`score` is the fused retrieval score) and `confidence` in 0..1. Raises
        QuestionError (empty, or longer than MAX_QUESTION_CHARS characters), UnknownMunicipality,
        UnknownRole, or EngineError when there is no usable index. `tuning` overrides the
        cross-validated thresholds (bot.answering.tuning; for measuring them).
        """
        text = clean_question(question, self.settings.max_question_chars)
        retriever = self.retriever()  # one generation for the whole answer, even if a new one is swapped in meanwhile
        municipality, role = self.validate(municipality, role, retriever)
        vector = retriever.encode(text)
        answer = self._ruled(text, vector, retriever, municipality, role, profile_role, tuning or DEFAULT_TUNING)
        bar = self.embedder.calibration.threshold("unknown", answer.language)
        return with_adviser_notes(answer, retriever, vector, bar)

    def _ruled(
        self,
        text: str,
        vector,
        retriever: Retriever,
        municipality: str | None,
        role: str | None,
        profile_role: str | None,
        tuning: Tuning,
    ) -> Answer:
        """The answer from the documents alone: verdict, rule, passages (adviser notes come after)."""
        language = detect_language(text)
        parsed = read_question(text)
        asker_role, role_source = next(
            ((r, s) for r, s in ((role_stated_in(text), "question"), (profile_role, "profile"), (role, "option")) if r),
            (None, None),
        )
        lexical_text = _with_bokmal_words(text, language)
        hits = retriever.search(lexical_text, municipality, k=RETRIEVE, vector=vector)
        unchosen: tuple[str, ...] = ()
        if municipality is None and len(retriever.municipalities) > 1 and hits:
            # No municipality given or configured: the best-matching passage's municipality answers,
            # alone, and the answer says so (see `Answer.unchosen_among`).
            municipality, unchosen = hits[0].passage.municipality, tuple(retriever.municipalities)
            hits = retriever.search(lexical_text, municipality, k=RETRIEVE, vector=vector)
        crisis = self._crisis_notice(retriever, municipality)
        asked = dict(
            question=text,
            language=language,
            municipality=municipality,
            municipality_name=_municipality_name(retriever, municipality) if municipality else None,
            role=asker_role,
            role_source=role_source,
            contact=_contact(retriever, municipality),
            crisis=crisis,
            unchosen_among=unchosen,
            municipality_notice=_unchosen_notice(retriever, municipality, unchosen, language) if unchosen else None,
        )
        passages = [self._found(retriever, h) for h in retriever.present(hits, vector)[:PASSAGES_SHOWN]]
        min_similarity = self.embedder.calibration.min_rule_similarity + tuning.rule_similarity_offset
        scoring_role = _scoring_role(parsed.intent, asker_role)
        scored: list[ScoredRule] | None = None
        answerable = bool(hits) and parsed.form != "factual"  # people, numbers, dates and law texts: never settled
        if answerable and not self._answerable(text, language, hits[0]):
            # A question in the domain's words whose passages all match weakly may still match a rule well
            # ("Det brenner på skolen min og NRK ringer meg. … Kan jeg stille opp?"): answered (cautiously,
            # its confidence is low) where a candidate rule is clearly similar.
            answerable = scope_of(text) == "in"
            if answerable:
                scored = self._candidates(retriever, lexical_text, hits, vector, scoring_role, parsed, municipality, tuning)
                needed = self.embedder.calibration.rescue_threshold(language)
                answerable = any(c.similarity >= needed for c in scored)
        if not answerable:
            return Answer(
                **asked, answered=False, kind="refused", verdict=say("refused", language), stance="refuse", rule=None,
                passages=passages, confidence=self._confidence(hits[0].dense if hits else 0.0, language), show_contact=True,
            )

        if scored is None:
            scored = self._candidates(retriever, lexical_text, hits, vector, scoring_role, parsed, municipality, tuning)
        best = matching_rule(scored, scoring_role, min_similarity, tuning.strong_margin)
        if parsed.form in ("definition", "keywords"):
            best = None  # it asks for no rule: what the documents say, without a verdict
        confidence = self._confidence(hits[0].dense, language, best)
        if best is None:
            ruling = _Ruling("passages", say("passages", language), "info")
        elif parsed.intent == "who":
            ruling = self._answer_who(retriever, scored, best, language, min_similarity, parsed, asker_role)
            quoted = next((c for c in scored if ruling.rule and c.rule.id == ruling.rule.rule_id), best)
            for_situation = _for_situation(retriever, quoted, scored, parsed, min_similarity)
            if for_situation:  # "Hvis det blir krise – hvem snakker med media?": the everyday list may not hold
                ruling = _Ruling(
                    "rule", verdict_text("depends", quoted.rule, language).text, "info", self._matched(retriever, quoted.rule),
                    alternatives=[self._matched(retriever, c.rule) for c in shown(for_situation)],
                )
        else:
            ruling = self._answer_with_rule(
                retriever, scored, best, parsed, language, asker_role, confidence, min_similarity, tuning
            )
        verdict, stance = ruling.verdict, ruling.stance
        show_contact = confidence < 0.5 or ruling.check_first or stance == "info"
        note = None
        if ruling.rule is not None:
            passages = self._evidence_first(retriever, retriever.present(hits, vector), ruling.rule)
            if ruling.rule.citation.superseded:
                note = _superseded_note(retriever, ruling.rule, language)
        if crisis is not None and _about_media(text, best.rule if best else None):
            verdict, stance, show_contact = _crisis_verdict(crisis, language), "info", True
        return Answer(
            **asked, answered=True, kind=ruling.kind, verdict=verdict, stance=stance, rule=ruling.rule,
            passages=passages, confidence=confidence, role_rules=ruling.role_rules, alternatives=ruling.alternatives,
            show_contact=show_contact, note=note,
        )

    def candidates(
        self, question: str, municipality: str | None = None, role: str | None = None, tuning: Tuning | None = None
    ) -> list[ScoredRule]:
        """The candidate rules for a question, best first, as `ask` ranks them (for measuring the ranker)."""
        text = clean_question(question, self.settings.max_question_chars)
        retriever = self.retriever()
        municipality, role = self.validate(municipality, role, retriever)
        vector = retriever.encode(text)
        lexical_text = _with_bokmal_words(text, detect_language(text))
        hits = retriever.search(lexical_text, municipality, k=RETRIEVE, vector=vector)
        if municipality is None and len(retriever.municipalities) > 1 and hits:
            municipality = hits[0].passage.municipality  # as `ask` answers when none was chosen
            hits = retriever.search(lexical_text, municipality, k=RETRIEVE, vector=vector)
        if not hits:
            return []
        parsed = read_question(text)
        scoring_role = _scoring_role(parsed.intent, role_stated_in(text) or role)
        return self._candidates(retriever, lexical_text, hits, vector, scoring_role, parsed, municipality, tuning or DEFAULT_TUNING)

    def _candidates(
        self,
        retriever: Retriever,
        text: str,
        hits: list[Hit],
        vector,
        role: str | None,
        parsed: Question,
        municipality: str | None,
        tuning: Tuning,
    ) -> list[ScoredRule]:
        min_similarity = self.embedder.calibration.min_rule_similarity + tuning.rule_similarity_offset
        scored = score_rules(
            retriever, text, hits, vector, role, parsed.intent, municipality, tuning.rule_search, tuning.weights,
            seeks_help=parsed.seeks_help,
        )
        return current_rules_first(scored, retriever, min_similarity)

    def _answer_who(
        self, retriever: Retriever, scored: list[ScoredRule], best: ScoredRule, language: str, min_similarity: float,
        parsed: Question, asker_role: str | None,
    ) -> "_Ruling":
        """"Hvem …?": the roles the quoted rule gives the duty or the right to (bot.answering.matching.holders),
        with every role's entry when the rule is part of a role list, else the close rules of its section
        (`role_entries`). A rule that limits or denies a role ("… uttaler seg ikke på kommunens vegne") or
        permits it only on a condition, or gives the right to decide who does what was asked, never puts that
        role in the verdict. Where the question is whom the asker turns to ("Hvem skal jeg konferere med?",
        `Question.asker_acts`), a verdict naming only the asker's role would send them to themselves, and
        where it asks whether only some roles hold it ("Er det bare rådmannen som …?"), a verdict naming just
        those would say "yes, only them" for a rule that doesn't, and one naming only others answers another
        question (`answers_whether_only`): the rules are shown to read instead; so are they where the rule
        is for a crisis the question doesn't name (`for_a_crisis_not_asked`), or shares no word of what was
        asked (`ScoredRule.on_topic`). A close rule naming the task asked about ("… ansvaret for drifta …",
        `task_asked`), or naming someone other than the asker where the asker turns to or is served by the
        holder, answers over the best one."""
        answers_who = grants_for(parsed.text)
        granting = [c for c in scored if answers_who(c.rule)]

        def close_to(rule: ScoredRule) -> list[ScoredRule]:  # the granting rules that may answer in its place
            return [c for c in granting if c is not rule and c.score >= rule.score - WHO_MARGIN and c.similarity >= min_similarity]

        asked, words = frozenset(_asked_words(retriever, parsed.text)), partial(_index_words, retriever)
        if not answers_who(best.rule):
            # a rule giving someone a task answers in place of the best one only where its own sentence names some
            # of what was asked: not "Som tilsett har du eit sjølvstendig ansvar for … omdømme" (under a press
            # heading) to "who is allowed to speak to the press on behalf of Kinn kommune?"
            best = next((c for c in close_to(best) if asked & words(c.rule.text)), best)
        # the task a "who is responsible for …?" names, in words of the documents ("drifta"; "runs" → "drift")
        task = {w for w in _index_words(retriever, expand_query(task_asked(parsed.text))) if retriever.stored.lexical.knows(w)}

        def names_task(candidate: ScoredRule) -> bool:
            return bool(task & retriever.rule_words[candidate.rule.id])

        elsewhere: ScoredRule | None = None  # a rule giving the task to someone, not as close as the best
        if task and not names_task(best):
            # "Kven har ansvaret for drifta av ein offisiell konto …?": the rule naming the task ("Tenesteleiar er
            # ansvarleg for drifta …") over a close one about the same thing that doesn't ("… skal opprettast av …")
            best = next((c for c in close_to(best) if names_task(c)), best)
            if not names_task(best):
                # "Who runs each official account day to day?" (English, so the rule "Virksomhetsleder er ansvarlig
                # for driften …" is less similar than "… opprettes av rådmannen"): both to read, no one named
                elsewhere = next((c for c in granting if names_task(c)), None)

        def named_by(candidate: ScoredRule) -> dict:
            return holders(candidate, parsed.asks_who_decides, parsed.asks_who_approves, asked=asked, words=words)

        named = named_by(best)
        described = described_holder(best)
        if parsed.asker_acts and named and set(named) == {asker_role}:
            # "Hvem har ansvar for at vi ansatte kjenner strategien?" from "Øvrige ansatte har et ansvar for å følge
            # strategien": a close rule naming someone else answers it ("Etatsledere er ansvarlig for at …")
            others = ((c, n) for c in close_to(best) for n in [named_by(c)] if n and set(n) != {asker_role})
            best, named = next(others, (best, named))
        offered = roles_offered(parsed.text)
        if len(offered) >= 2 and len(set(named) & offered) == 1:
            # "who speaks for Modum to the media, the mayor or the rådmann?": where a close rule gives the other role
            # offered the task too ("Ordfører/varaordfører uttaler seg på vegne av Modum kommune" beside "Rådmannen
            # uttaler seg om administrative forhold …"), both are named, not the one that ranked first
            for c in close_to(best):
                also = {role: c for role in named_by(c) if role in offered and role not in named}
                if also:
                    named = {**named, **also}
                    break
        role_list = (best.rule.document_id, best.rule.section) in retriever.role_list_sections
        listed = (
            rules_by_role(granting, best, min_similarity, whole_list=True) if role_list
            else {**role_entries(granting, best, min_similarity), **named}
        )
        role_rules = self._role_rules(retriever, self._in_document_order(retriever, listed), language)
        if (
            not (named or described)
            or (parsed.asker_acts and set(named) == {asker_role})
            or (parsed.asks_if_only and not answers_whether_only(named, parsed.text, best.rule))
            or for_a_crisis_not_asked(best.rule, parsed.text)
            or not best.on_topic  # "Kven er pressekontakt i Kinn …?" from a rule about who creates Kinn's accounts
        ):
            return _Ruling("who", say("see_rule", language), "info", self._matched(retriever, best.rule), role_rules)
        if elsewhere is not None:
            return _Ruling(
                "who", say("depends", language), "info", self._matched(retriever, best.rule), role_rules,
                alternatives=[self._matched(retriever, elsewhere.rule)],
            )
        return _Ruling(
            "who",
            say("who", language, roles=_capitalised(described or roles_phrase(list(named), language))),
            "who",
            self._matched(retriever, best.rule),
            role_rules,
        )

    def _answer_with_rule(
        self,
        retriever: Retriever,
        scored: list[ScoredRule],
        best: ScoredRule,
        parsed: Question,
        language: str,
        asker_role: str | None,
        confidence: float,
        min_similarity: float,
        tuning: Tuning,
    ) -> "_Ruling":
        """The matching rule and its verdict, checked against the other candidate rules
        (bot.answering.stance); for a first-person question from an unknown role whose answer differs
        by role, each role's rule (ordinary staff's quoted)."""
        asked = asked_sentence(parsed.text)
        words = partial(_index_words, retriever)
        asked_words = _asked_words(retriever, asked)
        if parsed.intent == "permission":
            # the specific prohibition, not the freedom it limits, is the rule for what was asked
            best = prohibition_over_freedom(best, scored, asked_words, words, 2 * tuning.peer_margin, asked) or best
        rule = self._matched(retriever, best.rule)
        for_situation = _for_situation(retriever, best, scored, parsed, min_similarity)
        asks_about_limit = names_the_limit(asked, best.rule, words)
        about = _asked_words(retriever, parsed.about)
        about_prohibitions = prohibitions_about(best, scored, about, words, asker_role, min_similarity)
        decision = decide(
            best, scored, parsed.intent, parsed.yes_no, asker_role, confidence, min_similarity, tuning, asked,
            restricting=parsed.restricting, validity=parsed.validity, for_situation=tuple(for_situation),
            asks_about_limit=asks_about_limit, about_prohibitions=tuple(about_prohibitions),
            naming_about=rules_naming(scored, about, words), advises_the_act=names_the_act(asked, best.rule, words),
            limited_freedoms=freedoms_it_limits(best, scored, asked_words, words),
            answers_premise=answers_the_premise(asked, best.rule, words, told=parsed.text.replace(asked, " ")),
            question=parsed.text,
            names_all_forbidden=names_all_it_forbids(_asked_words(retriever, parsed.text), best.rule, words),
        )
        verdict = verdict_text(decision.key, best.rule, language)
        text, stance = verdict.text, verdict.stance
        alternatives = [self._matched(retriever, c.rule) for c in decision.alternatives]
        role_rules: list[RoleRule] = []
        if asker_role is None and parsed.first_person and best.rule.roles:
            role_list = (best.rule.document_id, best.rule.section) in retriever.role_list_sections
            per_role = rules_by_role(scored, best, min_similarity, whole_list=role_list)
            if len(per_role) > 1:
                role_rules = self._role_rules(retriever, self._in_document_order(retriever, per_role), language)
                text, stance, alternatives = say("by_role", language), "info", []
                if DEFAULT_ROLE in per_role:
                    rule = self._matched(retriever, per_role[DEFAULT_ROLE].rule)
        return _Ruling("rule", text, stance, rule, role_rules, alternatives, check_first=_asks_to_check_first(best.rule))

    def _crisis_notice(self, retriever: Retriever, municipality: str | None) -> CrisisNotice | None:
        crisis = self.crisis.active(municipality) if (self.crisis and municipality) else None
        return replace(crisis, rule=self._crisis_rule(retriever, municipality)) if crisis and municipality else None

    def _answerable(self, text: str, language: str, top: Hit) -> bool:
        """A question that uses no word of the communication domain must match much better than one that does."""
        return top.dense >= self.embedder.calibration.threshold(scope_of(text), language)

    def _confidence(self, top_dense: float, language: str, best: ScoredRule | None = None) -> float:
        low, high = self.embedder.calibration.confidence_range.get(language, (0.78, 0.92))
        base = min(1.0, max(0.0, (top_dense - low) / (high - low)))
        if best is not None:
            base = 0.7 * base + 0.3 * min(1.0, max(0.0, (best.similarity - low) / (high - low)))
        return base

    def _citation(self, retriever: Retriever, passage_or_rule: Passage | Rule) -> Citation:
        passage = retriever.passages_by_id.get(passage_or_rule.passage_id) if isinstance(passage_or_rule, Rule) else None
        return citation_of(retriever.stored, passage_or_rule, passage)

    def _evidence_first(self, retriever: Retriever, hits: list[Hit], rule: MatchedRule) -> list[FoundPassage]:
        """The passage holding the quoted rule leads the list (it is the answer's evidence); the rest
        follow in retrieval order."""
        passage_id = rule.rule_id.rsplit(":", 1)[0]
        evidence = next((h for h in hits if h.passage.id == passage_id or passage_id in h.passage.parts), None)
        if evidence is None and passage_id in retriever.passages_by_id:
            top = hits[0] if hits else None
            evidence = Hit(retriever.passages_by_id[passage_id], top.score if top else 0.0, top.dense if top else 0.0, 0.0)
        ordered = ([evidence] if evidence else []) + [h for h in hits if h is not evidence]
        return [self._found(retriever, h) for h in ordered[:PASSAGES_SHOWN]]

    def _crisis_rule(self, retriever: Retriever, municipality: str) -> MatchedRule | None:
        """The municipality's own rule for who informs in a crisis, quoted first while crisis mode is on."""
        return crisis_rule(retriever.stored, municipality)

    def _found(self, retriever: Retriever, hit: Hit) -> FoundPassage:
        return FoundPassage(hit.passage.id, hit.passage.text, self._citation(retriever, hit.passage), hit.score)

    def _matched(self, retriever: Retriever, rule: Rule) -> MatchedRule:
        return MatchedRule(rule.id, rule.text, rule.modality, rule.roles, self._citation(retriever, rule))

    @staticmethod
    def _in_document_order(retriever: Retriever, per_role: dict[str, ScoredRule]) -> dict[str, ScoredRule]:
        """Roles in the order the document lists them, as staff will find them when they look it up."""
        return dict(sorted(per_role.items(), key=lambda kv: retriever.passages_by_id[kv[1].rule.passage_id].order))

    def _role_rules(self, retriever: Retriever, per_role: dict[str, ScoredRule], language: str) -> list[RoleRule]:
        return [
            RoleRule(role, _capitalised(role_name(role, language)), self._matched(retriever, scored.rule))
            for role, scored in per_role.items()
        ]


@dataclass(frozen=True)
class _Ruling:
    """What the matching rule decides about an answer: its kind, verdict and quoted rules."""

    kind: str  # "rule" | "who" | "passages"
    verdict: str
    stance: str  # bot.answering.verdicts.STANCES
    rule: MatchedRule | None = None
    role_rules: list[RoleRule] = field(default_factory=list)
    alternatives: list[MatchedRule] = field(default_factory=list)  # the other rules to read when it depends
    check_first: bool = False  # the rule sends the asker to a human first


def _for_situation(
    retriever: Retriever, best: ScoredRule, scored: list[ScoredRule], parsed: Question, min_similarity: float
) -> list[ScoredRule]:
    """The rules to read instead of a verdict from the best rule: those written for the situation the question
    states (bot.answering.stance.situational) and notes leaving a topic it names to another document
    (`referred_elsewhere`). Words are the index's: with the glossary's Norwegian terms ("a crisis" →
    krise, kriseledelse), without role words; stems of four letters or more, so a compound's short part
    ("led" in "kriseledelse") doesn't meet "leder"; the situation's words also in their base forms
    ("store saker" is what "… pressekontakt i større saker" names: `with_lemmas`)."""
    words = partial(_index_words, retriever)
    notes = [c for c in scored if c.rule.modality == "refers"]  # rare: most documents leave nothing elsewhere
    referred = referred_elsewhere(best, notes, _asked_words(retriever, parsed.text), words, min_similarity) if notes else []
    if not parsed.situation:
        return referred
    passage = retriever.passages_by_id.get(best.rule.passage_id)
    stated = _asked_words(retriever, with_lemmas(parsed.situation))
    return situational(
        best, scored, stated, lambda text: words(with_lemmas(text)), min_similarity, context=passage.text if passage else "",
    ) + referred


def _index_words(retriever: Retriever, text: str) -> set[str]:
    """The text's index words (stems, compounds with their parts) of four letters or more, no numbers."""
    return {w for w in retriever.stored.lexical.tokenize(text) if len(w) >= 4 and not w.isdigit()}


def _asked_words(retriever: Retriever, part: str) -> set[str]:
    """A part of the question ("en krise", "a crisis", "en kollega som er sykmeldt") as index words, with
    the glossary's Norwegian terms and without role words; empty for ""."""
    return _index_words(retriever, expand_query(part)) - retriever.role_words if part else set()


def _scoring_role(intent: str, asker_role: str | None) -> str | None:
    """The role candidate rules are scored for: the asker's, except for "Hvem …?", which asks who holds a
    duty or a right whoever asks — the asker's role would only pull their own rules forward ("Hvem uttaler
    seg på vegne av kommunen?" from an employee answered "Ansatte")."""
    return None if intent == "who" else asker_role


def _with_bokmal_words(text: str, language: str) -> str:
    """A nynorsk or English question with the bokmål words for its words appended, for the lexical side
    (BM25 and shared words); the dense side embeds the question as asked."""
    extra = bokmal_words(text, language) if language in ("nn", "en") else ""
    return f"{text} {extra}" if extra else text


def _superseded_note(retriever: Retriever, rule: MatchedRule, language: str) -> str:
    """'The quoted rule is from a superseded document: … replaced by …' in the asker's language."""
    documents = retriever.stored.manifest["documents"]
    newer = documents.get(documents.get(rule.citation.document_id, {}).get("superseded_by") or "", {})
    return say("superseded", language, old=rule.citation.document, new=newer.get("title") or "?")


def _unchosen_notice(retriever: Retriever, answered_by: str, keys: tuple[str, ...], language: str) -> str:
    """Which municipality answered when none was chosen, and how to choose, in the asker's language.

    Answering from the best-matching municipality and saying so — rather than asking back which
    municipality first — is chosen for staff: most questions (press, social media, crisis) get the
    same kind of rule everywhere, so an answer now with its municipality named beside the verdict
    serves better than a round trip; the name is in the meta line of every front end, and this
    notice says how to make the choice for good (`-m KEY`, VEILEDER_MUNICIPALITY, the Slack team /
    Teams tenant mappings). It only appears when the index holds several municipalities and none
    was given or configured, which in a configured Slack or Teams deployment doesn't happen.
    """
    return phrase(
        "municipality_unchosen", language,
        name=_municipality_name(retriever, answered_by), count=len(keys), keys=", ".join(keys),
    )


def _municipality_name(retriever: Retriever, key: str) -> str:
    info = retriever.stored.municipalities.get(key)
    return info.name if info else key


def _contact(retriever: Retriever, municipality: str | None) -> Contact | None:
    info = retriever.stored.municipalities.get(municipality) if municipality else None
    return info.contact if info else None


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _asks_to_check_first(rule: Rule) -> bool:
    """A rule that says 'agree with your leader / the communications department first' sends the asker to a human."""
    text = rule.text.lower()
    return any(w in text for w in ("avtalt med", "konferere", "samråd", "kontaktes", "kommunikasjonsavdeling", "kommunikasjonsrådgiver"))


_MEDIA_WORDS = ("press", "medi", "journalist", "avis", "uttal", "sosial", "facebook", "twitter", "instagram", "offentlig", "statement", "speak", "post", "comment", "kommentar")


def _about_media(question: str, rule: Rule | None) -> bool:
    text = f"{question} {rule.text if rule else ''}".lower()
    return any(w in text for w in _MEDIA_WORDS)


def _crisis_verdict(crisis: CrisisNotice, language: str) -> str:
    message = crisis.message.strip()
    verdict = say("crisis", language, message=message if message.endswith((".", "!", "?")) else f"{message}.")
    if crisis.spokesperson:
        verdict += " " + say("crisis_spokesperson", language, who=crisis.spokesperson)
    return verdict
