"""The one-line verdict, in the asker's language, derived from the matching rule's modality and roles.

The verdict never adds content the rule doesn't hold: a permission with limits repeats the
rule's own words for what is allowed and what is not (in Norwegian, as quoted); in English it
says what kind of rule it is and points to the quote.
"""
from __future__ import annotations

import re

from bot.texts import phrase
from knowledge.roles import role_name
from knowledge.rules import Rule

_MAY_RE = re.compile(r"\bkan (?:også |gjerne )?(.+?)(?:,? men\b|\.$|$)", re.I)
_BUT_NOT_RE = re.compile(r"\bmen (?:skal |må |bør )?ikke (.+?)(?:\.$|$)", re.I)

def say(key: str, language: str, **values: str) -> str:
    """A verdict text (`verdict_<key>` in bot/texts) in the asker's language."""
    return phrase(f"verdict_{key}", language, **values)


def roles_phrase(roles: tuple[str, ...] | list[str], language: str) -> str:
    names = [role_name(r, language) for r in roles]
    if not names:
        return {"nb": "alle", "nn": "alle", "en": "everyone"}.get(language, "alle")
    if len(names) == 1:
        return names[0]
    joiner = {"nb": " og ", "nn": " og ", "en": " and "}.get(language, " og ")
    return ", ".join(names[:-1]) + joiner + names[-1]


def _limits(rule: Rule, language: str) -> str:
    """'Ja, men bare: kan gi faktaopplysninger … – ikke gi vurderinger …' from the rule's own words."""
    if language == "en":
        return say("yes_limits", language) + " (quoted below in Norwegian)."
    allowed = _MAY_RE.search(rule.text)
    forbidden = _BUT_NOT_RE.search(rule.text)
    head = say("yes_limits", language)
    if allowed and forbidden:
        negation = "ikkje" if language == "nn" else "ikke"
        return f"{head} {allowed.group(1).strip()} – {negation} {forbidden.group(1).strip()}."
    if allowed:
        return f"{head} {allowed.group(1).strip()}."
    return f"{head} {rule.text}"


# (kind of question, the rule's modality) → verdict: "Kan jeg …?" answered by a duty is a yes with
# that duty; "Må jeg …?" answered by a permission is a no, but you may.
_YES_NO: dict[tuple[str, str], str] = {
    ("permission", "may"): "yes",
    ("permission", "must_not"): "no",
    ("permission", "should_not"): "rather_not",
    ("permission", "must"): "yes_if",
    ("permission", "should"): "yes_careful",
    ("permission", "responsible"): "yes_duty",
    ("obligation", "must"): "required",
    ("obligation", "responsible"): "required",
    ("obligation", "should"): "recommended",
    ("obligation", "may"): "optional",
    ("obligation", "must_not"): "must_not_do",
    ("obligation", "should_not"): "rather_not",
    ("open", "may"): "yes",
    ("open", "must_not"): "no",
    ("open", "should_not"): "rather_not",
    ("open", "must"): "required",
    ("open", "should"): "recommended",
}


def verdict_for(rule: Rule, intent: str, yes_no: bool, language: str, fits_asker: bool = True) -> str:
    """The verdict a rule gives for this kind of question."""
    roles = roles_phrase(rule.roles, language)
    if intent == "who":
        return say("who", language, roles=roles[:1].upper() + roles[1:] if rule.roles else roles)
    if not fits_asker:
        return say("rule_for", language, roles=roles)
    if yes_no:
        key = _YES_NO.get((intent, rule.modality))
        if key == "yes" and rule.restricted:
            return _limits(rule, language)
        if key:
            return say(key, language)
    if rule.modality == "responsible" and rule.roles:
        return say("responsible", language, roles=roles)
    if rule.modality == "may" and rule.restricted:
        return _limits(rule, language)
    return say("see_rule", language)
