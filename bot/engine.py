"""The answer engine: a question (and what is known of the asker) in, an `Answer` out.

It holds the loaded model and the current index generation; when a new generation is swapped
in on disk (a rebuild, a sync) the next question loads it, while questions already being
answered finish on the generation they started with.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import replace
from pathlib import Path
from typing import Callable, Protocol

from knowledge.errors import VeilederError
from bot.answer import Answer, Citation, CrisisNotice, FoundPassage, MatchedRule, RoleRule
from bot.language import detect_language
from bot.matching import ScoredRule, matching_rule, rules_by_role, score_rules
from bot.role_map import crisis_rule
from bot.questions import Question, QuestionError, clean_question, read_question
from bot.scope import scope_of
from bot.settings import Settings
from bot.verdicts import roles_phrase, say, verdict_for
from index.embedder import Embedder, load_embedder
from index.retrieval import Hit, Retriever
from index.store import IndexCorrupt, IndexMissing, current_generation, load_generation
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
    """Answers questions from one index folder with one embedding model."""

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder | None = None,
        crisis: CrisisSource | None = None,
        on_missing_index: Callable[["AnswerEngine"], None] | None = None,
    ) -> None:
        self.settings = settings
        self.index_dir: Path = settings.resolved_index_dir()
        self.embedder = embedder or load_embedder(settings.model, settings.data_dir, settings.threads)
        self.crisis = crisis
        self._lock = threading.Lock()
        self._retriever: Retriever | None = None
        self._generation: Path | None = None
        self._on_missing_index = on_missing_index

    # -- the index -------------------------------------------------------------------------

    def retriever(self) -> Retriever:
        """The retriever for the current generation, reloading when a new one has been swapped in."""
        generation = current_generation(self.index_dir)
        if generation is None and self._on_missing_index is not None and self._retriever is None:
            self._on_missing_index(self)
            generation = current_generation(self.index_dir)
        if generation is None:
            if self._retriever is not None:
                return self._retriever  # keep serving what we have
            raise EngineError(f"no index in {self.index_dir}; build one with 'veileder index'")
        if generation != self._generation:
            with self._lock:
                # Read CURRENT again under the lock: a thread that read it before a swap must not
                # load the older generation over the newer one another thread has just loaded.
                generation = current_generation(self.index_dir) or generation
                if generation != self._generation:
                    try:
                        stored = load_generation(generation)
                        retriever = Retriever(stored, self.embedder)
                    except (IndexCorrupt, IndexMissing, ValueError) as exc:
                        if self._retriever is not None:
                            log.error("new index %s can't be used, still serving %s: %s", generation, self._generation, exc)
                            return self._retriever
                        raise EngineError(str(exc)) from exc
                    self._retriever, self._generation = retriever, generation
                    log.info("serving index %s", generation.name)
        assert self._retriever is not None
        return self._retriever

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
    ) -> Answer:
        """Answer one question. `role` is what the asker chose (--role); `profile_role` what a front end read from their profile."""
        text = clean_question(question, self.settings.max_question_chars)
        retriever = self.retriever()  # one generation for the whole answer, even if a new one is swapped in meanwhile
        municipality, role = self.validate(municipality, role, retriever)
        language = detect_language(text)
        parsed = read_question(text)
        asker_role, role_source = next(
            ((r, s) for r, s in ((role_stated_in(text), "question"), (profile_role, "profile"), (role, "option")) if r),
            (None, None),
        )
        vector = retriever.encode(text)
        hits = retriever.search(text, municipality, k=RETRIEVE, vector=vector)
        crisis = self._crisis_notice(retriever, municipality)
        answer = Answer(
            question=text,
            language=language,
            municipality=municipality,
            municipality_name=_municipality_name(retriever, municipality) if municipality else None,
            role=asker_role,
            role_source=role_source,
            answered=False,
            kind="refused",
            verdict=say("refused", language),
            rule=None,
            passages=[self._found(retriever, h) for h in retriever.present(hits, vector)[:PASSAGES_SHOWN]],
            confidence=self._confidence(hits[0].dense if hits else 0.0, language),
            contact=_contact(retriever, municipality),
            show_contact=True,
            crisis=crisis,
        )
        if not hits or not self._answerable(text, language, hits[0]):
            return answer

        scored = score_rules(retriever, text, hits, vector, asker_role, parsed.intent)
        best = matching_rule(scored, asker_role, self.embedder.calibration.min_rule_similarity)
        answer.answered = True
        answer.confidence = self._confidence(hits[0].dense, language, best)
        answer.show_contact = answer.confidence < 0.5
        if best is None:
            answer.kind, answer.verdict = "passages", say("passages", language)
        elif parsed.intent == "who":
            self._answer_who(answer, retriever, scored, best)
        else:
            self._answer_with_rule(answer, retriever, scored, best, parsed)
        if answer.rule is not None:
            answer.passages = self._evidence_first(retriever, retriever.present(hits, vector), answer.rule)
        if crisis is not None and _about_media(text, best.rule if best else None):
            answer.verdict = _crisis_verdict(crisis, language)
            answer.show_contact = True
        return answer

    def _answer_who(self, answer: Answer, retriever: Retriever, scored: list[ScoredRule], best: ScoredRule) -> None:
        """"Hvem …?": the roles that hold the duty, and every role's entry when the rule is part of a role list."""
        min_similarity = self.embedder.calibration.min_rule_similarity
        role_list = (best.rule.document_id, best.rule.section) in retriever.role_list_sections
        holders = rules_by_role(scored, best, min_similarity) or {r: best for r in best.rule.roles}
        listed = rules_by_role(scored, best, min_similarity, whole_list=True) if role_list else holders
        answer.kind = "who"
        answer.rule = self._matched(retriever, best.rule)
        answer.role_rules = self._role_rules(retriever, self._in_document_order(retriever, listed), answer.language)
        answer.verdict = say("who", answer.language, roles=_capitalised(roles_phrase(list(holders), answer.language)))

    def _answer_with_rule(
        self, answer: Answer, retriever: Retriever, scored: list[ScoredRule], best: ScoredRule, parsed: Question
    ) -> None:
        """The matching rule and its verdict; for a first-person question from an unknown role whose
        answer differs by role, each role's rule (ordinary staff's quoted)."""
        answer.kind = "rule"
        answer.rule = self._matched(retriever, best.rule)
        answer.verdict = verdict_for(best.rule, parsed.intent, parsed.yes_no, answer.language, fits_asker=best.fit > 0)
        if answer.role is None and parsed.first_person and best.rule.roles:
            role_list = (best.rule.document_id, best.rule.section) in retriever.role_list_sections
            per_role = rules_by_role(scored, best, self.embedder.calibration.min_rule_similarity, whole_list=role_list)
            if len(per_role) > 1:
                answer.role_rules = self._role_rules(retriever, self._in_document_order(retriever, per_role), answer.language)
                answer.verdict = say("by_role", answer.language)
                if DEFAULT_ROLE in per_role:
                    answer.rule = self._matched(retriever, per_role[DEFAULT_ROLE].rule)
        if _asks_to_check_first(best.rule):
            answer.show_contact = True

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
        documents = retriever.stored.manifest["documents"]
        doc = documents.get(passage_or_rule.document_id, {})
        section = passage_or_rule.section if isinstance(passage_or_rule, Rule) else passage_or_rule.section_title
        passage = retriever.passages_by_id.get(passage_or_rule.passage_id) if isinstance(passage_or_rule, Rule) else passage_or_rule
        return Citation(
            document=doc.get("title") or passage_or_rule.document_id,
            document_id=passage_or_rule.document_id,
            municipality=passage_or_rule.municipality,
            municipality_name=_municipality_name(retriever, passage_or_rule.municipality),
            section=section,
            item=passage_or_rule.item,
            period=doc.get("period"),
            superseded=bool(doc.get("superseded_by")),
            page=getattr(passage, "page", None),
            url=doc.get("url"),
        )

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
        found = crisis_rule(retriever.stored, municipality)
        if found is None:
            return None
        source = next((r for r in retriever.stored.rules if r.id == found.rule_id), None) or retriever.passages_by_id[found.rule_id]
        return MatchedRule(found.rule_id, found.text, found.modality, found.roles, self._citation(retriever, source))

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
