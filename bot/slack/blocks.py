"""An `Answer` as Slack Block Kit, plus the Slack front end's other texts (help, roles, apologies).

Pure functions only: nothing here talks to Slack or decides an answer's content. Every block stays
within Slack's limits (50 blocks, 3,000 characters per text, 2,000 per button value, 75 per
button label) because Slack rejects the whole message otherwise: long text is split or
shortened here. (No header blocks: a verdict can be longer than a header's 150 characters.)
"""
from __future__ import annotations

import json
import re

from typing import TYPE_CHECKING

from bot.answering.answer import Answer, Citation, MatchedRule
from bot.answering.presentation import AnswerView, adviser_note_label
from bot.texts import phrase
from knowledge.roles import ROLES, role_name

if TYPE_CHECKING:  # pragma: no cover
    from bot.answering.role_map import RoleMap

MAX_BLOCKS = 50
MAX_TEXT = 3000  # a section's or context element's text
MAX_BUTTON_VALUE = 2000
MAX_BUTTON_TEXT = 75
MAX_FALLBACK = 3000  # the notification text; Slack allows more, but nobody reads it

PASSAGE_CHARS = 500
ROLE_RULE_CHARS = 1200
ROLE_RULES_SHOWN = 12
VERDICT_SECTIONS = 2
RULE_SECTIONS = 3
QUESTION_CHARS = 300  # the question quoted above a shared answer

ACTION_HELPFUL = "feedback_helpful"
ACTION_NOT_HELPFUL = "feedback_not_helpful"
ACTION_SHARE = "share_answer"
ACTION_ASK_ADVISER = "ask_adviser"  # handled in bot.slack.advisers

# -- small helpers ----------------------------------------------------------------------------


def escape(text: str) -> str:
    """Slack's three control characters, so document text can't turn into links or mentions."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _escaped_len(char: str) -> int:
    return {"&": 5, "<": 4, ">": 4}.get(char, 1)


def escaped_length(text: str) -> int:
    """len(escape(text)), without building the escaped text."""
    return len(text) + 4 * text.count("&") + 3 * (text.count("<") + text.count(">"))


def _prefix_fitting(text: str, size: int) -> int:
    """How many characters of `text` fit in `size` once escaped, preferring to end at a space."""
    if escaped_length(text) <= size:
        return len(text)
    if escaped_length(text) == len(text):  # nothing to escape: the first `size` characters fit
        cut = size
    else:
        used = 0
        for cut, char in enumerate(text):
            used += _escaped_len(char)
            if used > size:
                break
    space = text.rfind(" ", 0, cut)
    return space if space > cut // 2 else cut


def chunks(text: str, size: int) -> list[str]:
    """`text` cut into pieces of at most `size` characters once escaped, at spaces where possible."""
    pieces: list[str] = []
    rest = text.strip()
    while rest:
        cut = max(1, _prefix_fitting(rest, size))
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return pieces


def shorten(text: str, size: int) -> str:
    """`text` within `size` characters once escaped, ending in '…' when cut (not yet escaped)."""
    text = text.strip()
    if escaped_length(text) <= size:
        return text
    return text[: _prefix_fitting(text, size - 1)].rstrip() + "…"


def _clip(mrkdwn: str, size: int = MAX_TEXT) -> str:
    """Last guard on already formatted text: never over the limit."""
    return mrkdwn if len(mrkdwn) <= size else mrkdwn[: size - 1] + "…"


def _section(mrkdwn: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _clip(mrkdwn)}}


def _context(*mrkdwn: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": _clip(t)} for t in mrkdwn[:10] if t]}


def _quote(text: str) -> str:
    """Already escaped text as a Slack quote, every line marked."""
    return "\n".join("> " + line if line.strip() else ">" for line in text.splitlines() or [""])


def _button(text: str, action_id: str, value: str, style: str | None = None) -> dict:
    button = {
        "type": "button",
        "text": {"type": "plain_text", "text": text[:MAX_BUTTON_TEXT], "emoji": True},
        "action_id": action_id[:255],
        "value": value[:MAX_BUTTON_VALUE],
    }
    if style:
        button["style"] = style
    return button


def _source(citation: Citation, language: str, size: int = MAX_TEXT - 40) -> str:
    """':page_facing_up: Document › Section › punkt 7 (2015–)', escaped, within `size` characters."""
    text = citation.label()
    if citation.period:
        text += f" ({citation.period})"
    if citation.superseded:
        text += f" – {phrase('superseded', language)}"
    if citation.url and len(citation.url) < size // 2:
        return f":page_facing_up: <{citation.url}|{escape(shorten(text, size - len(citation.url) - 20))}>"
    return ":page_facing_up: " + escape(shorten(text, size - 20))


# -- the answer -------------------------------------------------------------------------------


def _verdict_blocks(view: AnswerView) -> list[dict]:
    pieces = chunks(" ".join(view.verdict.split()), MAX_TEXT - 10)  # one line: bold doesn't span lines
    if len(pieces) > VERDICT_SECTIONS:
        pieces = pieces[: VERDICT_SECTIONS - 1] + [shorten(" ".join(pieces[VERDICT_SECTIONS - 1 :]), MAX_TEXT - 10)]
    return [_section(f"*{escape(p)}*") for p in pieces]


def _crisis_blocks(view: AnswerView) -> list[dict]:
    crisis = view.crisis
    if crisis is None:
        return []
    lang = view.language
    text = f":rotating_light: *{phrase('crisis', lang)}*"
    if crisis.since:
        text += f" ({phrase('since', lang)} {escape(crisis.since[:40])})"
    if crisis.message:
        text += f"\n{escape(shorten(crisis.message, MAX_TEXT - 400))}"
    if crisis.spokesperson:
        text += f"\n{phrase('spokesperson', lang)}: {escape(shorten(crisis.spokesperson, 200))}"
    if crisis.rule is not None:  # the municipality's own rule for who informs in a crisis
        text += f"\n>{escape(shorten(crisis.rule.text, 1200))}\n_{escape(shorten(crisis.rule.citation.label(), 400))}_"
    return [_section(text)]


def _meta_block(view: AnswerView) -> dict | None:
    texts = [escape(" · ".join(view.meta))] if view.meta else []
    if view.municipality_notice:
        texts.append(escape(shorten(view.municipality_notice, 600)))
    if view.note:
        texts.append(escape(shorten(view.note, 500)))
    return _context(*texts) if texts else None


def _rule_blocks(rule: MatchedRule, language: str, title: str | None = None) -> list[dict]:
    """A quoted rule under `title` (default: "the rule"), in at most RULE_SECTIONS sections, and its source."""
    title = title or phrase("rule", language)
    room = MAX_TEXT - 200  # the title, quote marks and line prefixes
    pieces = chunks(rule.text, room)
    if len(pieces) > RULE_SECTIONS:
        pieces = pieces[: RULE_SECTIONS - 1] + [shorten(" ".join(pieces[RULE_SECTIONS - 1 :]), room)]
    blocks = []
    for i, piece in enumerate(pieces):
        text = escape(piece)
        if i == 0:
            text = "«" + text
        if i == len(pieces) - 1:
            text += "»"
        body = _quote(text)
        blocks.append(_section(f"*{escape(title)}*\n{body}" if i == 0 else body))
    blocks.append(_context(_source(rule.citation, language)))
    return blocks


def _adviser_note_blocks(view: AnswerView) -> list[dict]:
    """Earlier answers from the communications department, below the rule and labelled as theirs."""
    blocks = []
    for note in view.adviser_notes:
        label = escape(adviser_note_label(note, view.language))
        blocks.append(_section(f":speech_balloon: *{label}*\n{_quote(escape(shorten(note.text, MAX_TEXT - 400)))}"))
        blocks.append(_context(escape(phrase("adviser_note_hint", view.language))))
    return blocks


def _role_rule_blocks(view: AnswerView) -> list[dict]:
    if not view.role_rules:
        return []
    lang = view.language
    blocks = [_section(f"*{phrase('by_role', lang)}*")]
    shown = view.role_rules[:ROLE_RULES_SHOWN]
    for rr in shown:
        quote = _quote("«" + escape(shorten(rr.rule.text, ROLE_RULE_CHARS)) + "»")
        source = _source(rr.rule.citation, lang, size=800)
        blocks.append(_section(f"*{escape(shorten(rr.role_label, 200))}*\n{quote}\n_{source}_"))
    hidden = len(view.role_rules) - len(shown)
    if hidden > 0:
        blocks.append(_context(phrase("more_roles", lang, n=str(hidden))))
    return blocks


def _passage_blocks(view: AnswerView) -> list[dict]:
    if not view.passages:
        return []
    lang = view.language
    blocks = [_section(f"*{phrase('passages', lang)}*")]
    for p in view.passages:
        blocks.append(_section(escape(shorten(p.text, PASSAGE_CHARS))))
        blocks.append(_context(_source(p.citation, lang)))
    return blocks


def _contact_blocks(view: AnswerView) -> list[dict]:
    if not view.contact:
        return []
    return [_section(f":speech_balloon: {phrase('contact', view.language)}: {escape(shorten(view.contact, MAX_TEXT - 100))}")]


def _action_blocks(
    answer: Answer, question_id: str | None, share_value: str | None, ask_value: str | None = None, ask_first: bool = False
) -> list[dict]:
    lang = answer.language
    buttons = []
    ask = _button(phrase("ask_adviser", lang), ACTION_ASK_ADVISER, ask_value, style="primary" if ask_first else None) if ask_value else None
    if ask and ask_first:
        buttons.append(ask)
    if question_id:
        value = json.dumps({"question_id": question_id, "language": lang})
        buttons.append(_button(phrase("helpful", lang), f"{ACTION_HELPFUL}:{question_id}", value))
        buttons.append(_button(phrase("not_helpful", lang), f"{ACTION_NOT_HELPFUL}:{question_id}", value))
    if share_value and len(share_value) <= MAX_BUTTON_VALUE:
        buttons.append(_button(phrase("share", lang), ACTION_SHARE, share_value, style=None if ask_first and ask else "primary"))
    if ask and not ask_first:
        buttons.append(ask)
    if not buttons:
        return []
    blocks = []
    if question_id:
        blocks.append(_context(phrase("helpful_question", lang)))
    blocks.append({"type": "actions", "elements": buttons})
    return blocks


def _asked_block(answer: Answer, shared_by: str | None) -> list[dict]:
    if not shared_by:
        return []
    who = f"<@{re.sub(r'[^A-Z0-9]', '', shared_by.upper())}>"
    return [_context(f"{phrase('asked', answer.language, user=who)}: «{escape(shorten(answer.question, QUESTION_CHARS))}»")]


def fallback_text(answer: Answer) -> str:
    """What notifications and screen readers show: the verdict, and the matching rule with its source."""
    text = escape(shorten(answer.verdict, 1000))
    if answer.rule is not None:
        rule, source = shorten(answer.rule.text, 1500), shorten(answer.rule.citation.label(), 400)
        text += f"\n«{escape(rule)}» — {escape(source)}"
    return _clip(text, MAX_FALLBACK)


def _within_limits(content: list[dict], footer: list[dict], language: str) -> list[dict]:
    """At most MAX_BLOCKS blocks: content is cut (with a note) so the buttons always fit."""
    room = MAX_BLOCKS - len(footer)
    if len(content) > room:
        content = content[: room - 1] + [_context(phrase("more", language))]
    return content + footer


def answer_blocks(
    answer: Answer,
    question_id: str | None,
    *,
    share_value: str | None = None,
    shared_by: str | None = None,
    ask_value: str | None = None,
) -> tuple[list[dict], str]:
    """The answer as Block Kit blocks and the fallback text.

    `question_id` (from the question log) puts feedback buttons on the answer; `share_value` adds
    a "share in channel" button carrying that value; `shared_by` (a user id) quotes the question
    above the answer, for a shared copy that others read without the question; `ask_value` adds
    "ask an adviser" (first when the answer is a refusal, unsure or "it depends").
    """
    view = AnswerView.of(answer)
    lang = view.language
    blocks: list[dict] = []
    blocks += _asked_block(answer, shared_by)
    blocks += _crisis_blocks(view)
    blocks += _verdict_blocks(view)
    meta = _meta_block(view)
    if meta is not None:
        blocks.append(meta)
    if view.rule is not None:
        blocks += _rule_blocks(view.rule, lang)
    blocks += _adviser_note_blocks(view)
    for alternative in view.alternatives:  # "it depends": the other rules to read
        blocks += _rule_blocks(alternative, lang, phrase("also", lang))
    blocks += _role_rule_blocks(view)
    blocks += _passage_blocks(view)
    blocks += _contact_blocks(view)
    actions = _action_blocks(answer, question_id, share_value, ask_value, view.ask_adviser_first)
    footer = [{"type": "divider"}, *actions] if actions else []
    return _within_limits(blocks, footer, lang), fallback_text(answer)


# -- help and roles ---------------------------------------------------------------------------


def help_blocks(language: str = "nb") -> tuple[list[dict], str]:
    """What the bot does and how to ask it, for `/veileder help`."""
    paragraphs = [phrase("help_intro", language), phrase("help_commands", language)]
    return [_section(p) for p in paragraphs], paragraphs[0].replace("*", "")


def roles_blocks(
    language: str, title: str | None, role: str | None, role_map: "RoleMap | None" = None
) -> tuple[list[dict], str]:
    """Who may say what in the asker's municipality (the role map, the asker's own role in full, the
    others by their first rule per topic), and which role the asker's profile title maps to."""
    if title and role:
        yours = phrase("roles_yours", language).format(title=escape(shorten(title, 200)), role=escape(role_name(role, language)))
    else:
        yours = phrase("roles_unknown", language)
    if role_map is None or not role_map.roles:
        names = "\n".join(f"• {role_name(r, language)[:1].upper()}{role_name(r, language)[1:]}" for r in ROLES)
        heading = phrase("roles_title", language)
        blocks = [_section(f"{heading}\n{escape(names)}"), _section(yours), _context(phrase("roles_override", language))]
        return blocks, f"{heading.replace('*', '')}: " + ", ".join(role_name(r, language) for r in ROLES)
    from bot.answering.role_map import topic_name as name_of_topic

    heading = phrase("roles_map_title", language).format(municipality=escape(role_map.municipality_name))
    blocks = [_section(f"*{heading}*"), _section(yours)]
    ordered = sorted(role_map.roles, key=lambda r: r != role)  # the asker's own role first
    for each in ordered:
        per_topic = 3 if each == role else 1
        lines = [f"*{escape(role_name(each, language)[:1].upper() + role_name(each, language)[1:])}*"]
        for topic, rules in role_map.cells[each].items():
            topic_name = name_of_topic(topic, language)
            for rule in rules[:per_topic]:
                source = rule.citation.section + (f" › {phrase('item', language, item=rule.citation.item)}" if rule.citation.item else "")
                lines.append(f"• _{escape(topic_name)}_: {escape(shorten(rule.text, 220))} ({escape(shorten(source, 120))})")
        blocks.append(_section(shorten("\n".join(lines), MAX_TEXT)))
    blocks.append(_context(phrase("roles_override", language)))
    return blocks[:MAX_BLOCKS], heading.replace("*", "")