"""An `Answer` as a Microsoft Teams Adaptive Card, and as plain text for clients that can't show cards.

Pure functions: the card shows what the engine answered and decides nothing. Teams renders Adaptive
Cards up to version 1.5 and refuses messages over about 28 KB, so long answers are shortened until
the card fits.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.answering.answer import Answer, Citation, MatchedRule
from bot.answering.presentation import AnswerView, adviser_note_label
from bot.teams.markdown import escape_markdown
from bot.texts import phrase

CARD_VERSION = "1.5"
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
# Teams' limit is ~28 KB for the whole activity; the rest of the envelope stays well under 4 KB.
MAX_CARD_BYTES = 24_000
FEEDBACK = "veileder_feedback"  # marks our card's Action.Submit data

@dataclass(frozen=True)
class _Limits:
    """How much of a long answer is shown; later entries are tried when a card is too big."""

    passages: int
    passage_chars: int
    rule_chars: int
    role_rules: int
    text_chars: int  # verdict, crisis message, note
    fallback_chars: int


_LIMITS = (
    _Limits(passages=5, passage_chars=1500, rule_chars=2500, role_rules=12, text_chars=2000, fallback_chars=1500),
    _Limits(passages=3, passage_chars=700, rule_chars=1200, role_rules=8, text_chars=1000, fallback_chars=700),
    _Limits(passages=2, passage_chars=300, rule_chars=600, role_rules=6, text_chars=600, fallback_chars=300),
    _Limits(passages=0, passage_chars=0, rule_chars=300, role_rules=4, text_chars=300, fallback_chars=150),
    _Limits(passages=0, passage_chars=0, rule_chars=120, role_rules=2, text_chars=120, fallback_chars=80),
)


def answer_card(answer: Answer, question_id: str | None, ask_action: dict[str, Any] | None = None) -> dict[str, Any]:
    """The answer as an Adaptive Card (1.5), shortened until it fits in a Teams message.
    `ask_action` (bot.teams.advisers.ask_action) is offered first when the answer is a refusal,
    unsure or "it depends", else after the feedback buttons."""
    card: dict[str, Any] = {}
    for limits in _LIMITS:
        card = _card(answer, question_id, limits, ask_action)
        if card_size(card) <= MAX_CARD_BYTES:
            return card
    return card  # the last limits keep every part short; only absurd inputs get here


def card_size(card: dict[str, Any]) -> int:
    """Bytes on the wire: the connector client sends JSON with non-ASCII characters escaped."""
    return len(json.dumps(card).encode("utf-8"))


def answer_text(answer: Answer, max_chars: int | None = None) -> str:
    """The answer as plain text: the card's fallback, and what a notification shows."""
    view = AnswerView.of(answer)
    lang = view.language
    lines: list[str] = []
    if view.crisis and view.crisis.message:
        lines.append(f"{phrase('crisis', lang)}: {view.crisis.message}")
    lines.append(view.verdict)
    if view.rule:
        lines.append(f"«{view.rule.text}» — {view.rule.citation.label()}")
    for alternative in view.alternatives:
        lines.append(f"{phrase('also', lang)}: «{alternative.text}» — {alternative.citation.label()}")
    for rr in view.role_rules:
        lines.append(f"{rr.role_label}: «{rr.rule.text}» — {rr.rule.citation.label()}")
    if view.contact:
        lines.append(f"{phrase('contact', lang)}: {view.contact}")
    text = "\n".join(lines)
    return _shorten(text, max_chars) if max_chars else text


def _card(answer: Answer, question_id: str | None, limits: _Limits, ask_action: dict[str, Any] | None = None) -> dict[str, Any]:
    view = AnswerView.of(answer)
    lang = view.language
    body: list[dict[str, Any]] = []
    if view.crisis:
        body.append(_crisis(view, limits))
    body.append(_text(_shorten(view.verdict, limits.text_chars), weight="Bolder", size="Medium"))
    if view.meta:
        body.append(_text(" · ".join(view.meta), size="Small", isSubtle=True, spacing="None"))
    if view.municipality_notice:
        body.append(_text(_shorten(view.municipality_notice, limits.text_chars), size="Small", color="Warning", spacing="Small"))
    rule, role_rules = view.rule, view.role_rules
    if rule:
        body.append(_rule_block(phrase("rule", lang), rule, lang, limits.rule_chars, style="emphasis"))
    for note in view.adviser_notes:  # below the rule, labelled as the department's own answer
        body.append({
            "type": "Container", "spacing": "Medium", "style": "accent",
            "items": [
                _text(adviser_note_label(note, lang), weight="Bolder", size="Small"),
                _text(_shorten(note.text, limits.rule_chars), spacing="Small"),
                _text(phrase("adviser_note_hint", lang), size="Small", isSubtle=True, spacing="Small"),
            ],
        })
    for alternative in view.alternatives:  # "it depends": the other rules to read
        body.append(_rule_block(phrase("also", lang), alternative, lang, limits.rule_chars))
    role_rules = role_rules[: limits.role_rules]
    if role_rules:
        body.append(_text(phrase("by_role", lang), weight="Bolder", spacing="Medium"))
        for rr in role_rules:
            body.append(_rule_block(rr.role_label, rr.rule, lang, limits.rule_chars))
    passages = view.passages[: limits.passages]
    if passages:
        body.append(_text(phrase("passages", lang), weight="Bolder", spacing="Medium"))
        for i, passage in enumerate(passages, start=1):
            body.extend(_passage(i, passage.text, passage.citation, lang, limits.passage_chars))
    if view.contact:
        body.append(_text(f"{phrase('contact', lang)}: {view.contact}", own_links=True, color="Accent", spacing="Medium"))
    if view.note:
        body.append(_text(_shorten(view.note, limits.text_chars), size="Small", isSubtle=True))
    card: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": CARD_SCHEMA,
        "version": CARD_VERSION,
        "msteams": {"width": "Full"},
        "fallbackText": answer_text(answer, limits.fallback_chars),
        "body": body,
    }
    actions = [_feedback(question_id, True, lang), _feedback(question_id, False, lang)] if question_id else []
    if ask_action is not None:
        actions = [ask_action, *actions] if view.ask_adviser_first else [*actions, ask_action]
    if actions:
        card["actions"] = actions
    return card


def _crisis(view: AnswerView, limits: _Limits) -> dict[str, Any]:
    """The crisis notice (its message only when the verdict isn't already the crisis message)."""
    crisis = view.crisis
    assert crisis is not None
    lang = view.language
    head = f"⚠️ {phrase('crisis', lang)}" + (f" ({phrase('since', lang)} {crisis.since[:40]})" if crisis.since else "")
    items = [_text(head, weight="Bolder", color="Attention")]
    if crisis.message:
        items.append(_text(_shorten(crisis.message, limits.text_chars)))
    if crisis.spokesperson:
        items.append(_text(f"{phrase('spokesperson', lang)}: {crisis.spokesperson}", size="Small"))
    if crisis.rule is not None:  # the municipality's own rule for who informs in a crisis
        items.append(_text(f"«{_shorten(crisis.rule.text, limits.text_chars)}»", spacing="Small"))
        items.append(_source(crisis.rule.citation, lang))
    return {"type": "Container", "style": "attention", "bleed": True, "items": items}


def _rule_block(title: str, rule: MatchedRule, lang: str, max_chars: int, style: str | None = None) -> dict[str, Any]:
    container: dict[str, Any] = {
        "type": "Container",
        "spacing": "Medium",
        "items": [
            _text(title, weight="Bolder", size="Small"),
            _text(f"«{_shorten(rule.text, max_chars)}»", spacing="Small"),
            _source(rule.citation, lang),
        ],
    }
    if style:
        container["style"] = style
    return container


def _passage(i: int, text: str, citation: Citation, lang: str, max_chars: int) -> list[dict[str, Any]]:
    """A source line that expands (Action.ToggleVisibility) to the passage's text."""
    target = f"passage-{i}"
    head = {
        "type": "Container",
        "id": f"{target}-head",
        "selectAction": {"type": "Action.ToggleVisibility", "title": phrase("show", lang), "targetElements": [target]},
        "items": [_text(f"▸ {citation.label()}", size="Small", color="Accent")],
    }
    hidden = {
        "type": "Container",
        "id": target,
        "isVisible": False,
        "items": [_text(_shorten(text, max_chars), size="Small")],
    }
    return [head, hidden]


def _source(citation: Citation, lang: str) -> dict[str, Any]:
    """The citation; a link to the document when it has a web address (the catalog's or SharePoint's:
    Veileder's own, never text from a document), with the label escaped like any other text."""
    props = {"size": "Small", "isSubtle": True, "spacing": "Small"}
    if not (citation.url and citation.url.lower().startswith(("https://", "http://"))):
        return _text(f"{phrase('source', lang)}: {citation.label()}", **props)
    target = citation.url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
    text = f"{escape_markdown(phrase('source', lang) + ': ')}[{escape_markdown(citation.label())}]({target})"
    return {"type": "TextBlock", "text": text, "wrap": True, **props}


def _feedback(question_id: str, helpful: bool, lang: str) -> dict[str, Any]:
    return {
        "type": "Action.Submit",
        "title": phrase("helpful" if helpful else "not_helpful", lang),
        "data": {"action": FEEDBACK, "question_id": question_id, "helpful": helpful, "language": lang},
    }


def _text(text: str, *, own_links: bool = False, **props: Any) -> dict[str, Any]:
    """A TextBlock showing `text` literally: Teams reads TextBlocks as Markdown, and none of ours is
    (`own_links`: Veileder's own configured addresses stay links)."""
    return {"type": "TextBlock", "text": escape_markdown(text, own_links=own_links), "wrap": True, **props}


def _shorten(text: str, max_chars: int) -> str:
    """Cut at a word boundary with an ellipsis; the full text stays in the source document."""
    text = text.strip()
    if len(text) <= max_chars:
        return text
    cut = text[: max(1, max_chars - 1)]
    space = cut.rfind(" ")
    if space > max_chars * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,;:") + "…"
