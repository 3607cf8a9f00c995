"""What an answer shows, decided once for every front end.

`AnswerView.of(answer)` picks the rule to quote, the rules by role, the crisis notice, the meta
line, the passages and the way to a human; the terminal, Slack and Teams renderers only format a
view (and shorten it to their platform's size limits), so the same answer shows the same rules
everywhere.
"""
from __future__ import annotations

from dataclasses import dataclass

from bot.answering.answer import AdviserNoteShown, Answer, FoundPassage, MatchedRule, RoleRule
from bot.answering.stance import ALTERNATIVES_SHOWN
from bot.texts import phrase
from knowledge.roles import role_name

PASSAGES_SHOWN = 3  # of the engine's best passages; the rest stay in the JSON answer
LOW_CONFIDENCE = 0.5  # below this the answer leads with "ask an adviser" (as the engine shows the contact)


@dataclass(frozen=True)
class CrisisView:
    """The crisis notice. `message` (with the spokesperson) is None when the verdict already is the
    crisis message (media questions in crisis mode), so it is never said twice."""

    since: str | None
    message: str | None
    spokesperson: str | None
    rule: MatchedRule | None  # the municipality's own rule for who informs in a crisis


@dataclass(frozen=True)
class AnswerView:
    language: str  # "nb" | "nn" | "en"
    answered: bool
    verdict: str
    crisis: CrisisView | None
    meta: tuple[str, ...]  # municipality · role (and where it was read) · confidence, in the asker's language
    municipality_notice: str | None  # none chosen: which municipality answered and how to choose (shown under the meta line)
    rule: MatchedRule | None  # the matching rule, quoted once
    role_rules: tuple[RoleRule, ...]  # the rules by role, never repeating `rule`
    passages: tuple[FoundPassage, ...]
    contact: str | None  # the way to a human, one line
    note: str | None
    adviser_notes: tuple[AdviserNoteShown, ...] = ()  # shown below the rule, labelled as the department's answers
    ask_adviser_first: bool = False  # refused, low confidence or "it depends": "ask an adviser" comes first
    alternatives: tuple[MatchedRule, ...] = ()  # the other rules to read when it depends, none quoted above

    @classmethod
    def of(cls, answer: Answer) -> "AnswerView":
        rule, role_rules = rules_shown(answer)
        crisis = _crisis(answer)
        return cls(
            language=answer.language,
            answered=answer.answered,
            verdict=answer.verdict,
            crisis=crisis,
            meta=_meta(answer),
            municipality_notice=answer.municipality_notice,
            rule=rule,
            role_rules=tuple(role_rules),
            passages=tuple(answer.passages[:PASSAGES_SHOWN]),
            contact=contact_line(answer) if answer.show_contact else None,
            note=answer.note,
            adviser_notes=tuple(answer.adviser_notes),
            ask_adviser_first=ask_adviser_first(answer),
            alternatives=alternatives_shown(answer, [crisis.rule if crisis else None, rule, *(rr.rule for rr in role_rules)]),
        )

    def rules(self) -> list[MatchedRule]:
        """Every rule the view quotes, in order: the crisis rule, the matching rule, the rules to read
        too ("it depends"), the rules by role."""
        found = [self.crisis.rule] if self.crisis and self.crisis.rule else []
        if self.rule:
            found.append(self.rule)
        return found + list(self.alternatives) + [rr.rule for rr in self.role_rules]


def ask_adviser_first(answer: Answer) -> bool:
    """Whether "ask an adviser" is the first thing offered: a refusal, low confidence, an answer
    that sends the asker to a human first, or one that depends (passages only, or rules by role)."""
    return (
        not answer.answered
        or answer.confidence < LOW_CONFIDENCE
        or answer.show_contact
        or answer.kind == "passages"
        or (answer.kind == "rule" and bool(answer.role_rules))
        or answer.stance in ("info", "refuse")  # no verdict: it depends, or the rules are only to read
    )


def adviser_note_label(note: AdviserNoteShown, language: str) -> str:
    """'Svar fra kommunikasjonsavdelingen (12.03.2026, Ada Berg)' in the asker's language."""
    written = note.written_on
    if len(written) >= 10 and written[4] == "-":
        written = f"{written[8:10]}.{written[5:7]}.{written[0:4]}"
    return phrase("adviser_note_label", language, date=written, name=note.author)


def rules_shown(answer: Answer) -> tuple[MatchedRule | None, list[RoleRule]]:
    """The matching rule and the rules by role, each quoted once.

    When the rule differs by role, the matching rule is shown under its role; when every role has
    the matching rule, the verdict already names the roles and the rule is shown once.
    """
    rule, role_rules = answer.rule, list(answer.role_rules)
    if rule is None:
        return None, role_rules
    if all(rr.rule.rule_id == rule.rule_id for rr in role_rules):
        return rule, []
    if any(rr.rule.rule_id == rule.rule_id for rr in role_rules):
        return None, role_rules
    return rule, role_rules


def alternatives_shown(answer: Answer, quoted: list[MatchedRule | None]) -> tuple[MatchedRule, ...]:
    """The rules an "it depends" answer asks the asker to read besides the matching rule: the engine's
    alternatives in its order, each once, with the matching rule at most stance.ALTERNATIVES_SHOWN rules and none the view already quotes
    (`quoted`: the crisis rule, the matching rule, the rules by role)."""
    seen = {r.rule_id for r in quoted if r is not None}
    shown: list[MatchedRule] = []
    for alternative in answer.alternatives:
        if alternative.rule_id in seen:
            continue
        seen.add(alternative.rule_id)
        shown.append(alternative)
        if len(shown) == ALTERNATIVES_SHOWN - 1:
            break
    return tuple(shown)


def _crisis(answer: Answer) -> CrisisView | None:
    crisis = answer.crisis
    if crisis is None:
        return None
    repeated = crisis.message in answer.verdict
    return CrisisView(
        since=crisis.since or None,
        message=None if repeated else crisis.message,
        spokesperson=None if repeated else crisis.spokesperson,
        rule=crisis.rule,
    )


def _meta(answer: Answer) -> tuple[str, ...]:
    lang = answer.language
    parts: list[str] = []
    if answer.municipality_name:
        parts.append(answer.municipality_name)
    if answer.role:
        role = f"{phrase('role', lang)}: {role_name(answer.role, lang)}"
        source = {"profile": "role_from_profile", "question": "role_from_question"}.get(answer.role_source or "")
        if source:
            role += f" ({phrase(source, lang)})"
        parts.append(role)
    if answer.answered:
        parts.append(f"{phrase('confidence', lang)} {answer.confidence:.0%}")
    return tuple(parts)


def contact_line(answer: Answer) -> str | None:
    """The way to a human, in one line: unit · e-mail · phone · web · chat channels (what is configured)."""
    contact = answer.contact
    if not contact:
        return None
    parts = [p for p in (contact.unit, contact.email, contact.phone, contact.web) if p]
    if contact.teams_channel:
        parts.append(f"Teams: {contact.teams_channel}")
    if contact.slack_channel:
        parts.append(f"Slack: {contact.slack_channel}")
    return " · ".join(parts) if parts else None
