"""The one-line verdict, in the asker's language, derived from the matching rule's modality and roles.

The verdict never adds content the rule doesn't hold: a permission with limits repeats the
rule's own words for what is allowed and what is not (in Norwegian, as quoted); in English it
says what kind of rule it is and points to the quote.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from bot.texts import phrase
from knowledge.roles import role_name
from knowledge.rules import Rule

_MAY_RE = re.compile(r"\bkan (?:også |gjerne )?(.+?)(?:,? men\b|\.$|$)", re.I)
_BUT_NOT_RE = re.compile(r"\bmen (?:skal |må |bør )?ikke (.+?)(?:\.$|$)", re.I)

STANCES = ("yes", "yes_but", "no", "must", "who", "info", "refuse")

# What each verdict means for the asker (the answer contract's `stance`): a permission with a limit
# or a condition is `yes_but`; "not required" and "better not" are `no`; a duty or a recommendation
# the asker should follow is `must`.
STANCE_OF: dict[str, str] = {
    "yes": "yes",
    "yes_limits": "yes_but",
    "yes_if": "yes_but",
    "yes_careful": "yes_but",
    "yes_duty": "yes_but",
    "no": "no",
    "rather_not": "no",
    "must_not_do": "no",
    "optional": "no",
    "required": "must",
    "within_scope": "yes_but",
    "forbidden": "no",
    "recommended": "must",
    "required_what": "must",  # "Hva må jeg gjøre …?" answered by a duty: "Dette er et krav – se regelen under."
    "recommended_what": "must",  # … by advice: "Dette anbefales – se regelen under."
    "responsible": "must",  # "Ansvaret ligger hos …": a duty of those roles
    "who": "who",
    "rule_for": "info",
    "see_rule": "info",
    "passages": "info",
    "by_role": "info",
    "depends": "info",
    "refused": "refuse",
}


@dataclass(frozen=True)
class Verdict:
    """The verdict's meaning for the asker (one of STANCES) and its one-line text in their language."""

    stance: str
    text: str


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


# The allowed part can follow "Ja, men bare" when it starts with what one may do ("gi faktaopplysninger …"),
# not with a qualifier ("som privatpersoner …", "også …") or a passive verb ("gis av …").
_STITCHABLE_RE = re.compile(r"\s*(?!som\b|også\b|òg\b|kun\b|bare\b|berre\b)(?!\w+s\b)\w+", re.IGNORECASE)


# The clause that limits a permission: "…, men …", "… så lenge dette ikke innebærer brudd på taushetsplikten"
_LIMIT_RE = re.compile(r"\b(?:men|så lenge|forutsatt at|med mindre|as long as|provided that|unless)\s+(.+?)(?:\.$|$)", re.I)
# A sentence that opens with an adverbial ("I særskilte tilfeller kan kommunikasjonsrådgiver være
# talsperson"): its subject follows "kan", and the limit may be the adverbial, so nothing after "kan" is
# what one may do.
_FRONTED_RE = re.compile(r"^\s*(?:i|ved|under|når|dersom|hvis|om|etter|før|unntaksvis|in|when|if|during)\b", re.I)


def permission_and_limit(rule: Rule) -> tuple[str, str] | None:
    """(what a permission allows, the clause that limits it), however the limit is written:
    "Ledere kan delegere til fagpersoner å uttale seg, men det overordnede ansvaret tilhører lederen"
    as well as "…, men skal ikke gi vurderinger …" and "… kan … ytre seg fritt …, så lenge dette ikke
    innebærer brudd på taushetsplikten"; else None."""
    allowed, limit = _MAY_RE.search(rule.text), _LIMIT_RE.search(rule.text)
    if not allowed or not limit or allowed.start() > limit.start():  # "…, men må være bevisst på hvordan det kan …"
        return None
    return rule.text[allowed.start(1): limit.start()].rstrip(" ,"), limit.group(1)


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
    if (
        allowed
        and _STITCHABLE_RE.match(allowed.group(1))
        and not re.search(r"\bmen\b", rule.text, re.I)
        and not _FRONTED_RE.match(rule.text)
    ):
        return f"{head} {allowed.group(1).strip()}."
    # "Ledere kan delegere …, men det overordnede ansvaret tilhører lederen", "… kan som privatpersoner
    # ytre seg …", "… kan også gis av andre": the limit isn't a clause to quote, so the rule is read whole
    return say("yes_limits_rule", language)


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
    # "Hva kan jeg uttale meg om?": allowed, within what the rule says
    ("scope", "may"): "within_scope",
    ("scope", "responsible"): "within_scope",
    ("scope", "must_not"): "forbidden",
    # "Hva gjør jeg hvis en journalist spør om en sykemeldt ansatt?": the rule forbids it
    ("what", "must_not"): "forbidden",
    ("what", "should_not"): "rather_not",
    # A yes/no question that asks neither permission nor duty ("Har tillitsvalgte noen rolle i
    # internkommunikasjonen?") takes no yes or no from the rule's modality: not "Ja, det er et krav" from
    # "Medarbeiderne skal oppleve at de er inkludert …", nor a "Ja, men" from a "may" that may mean "not bound".
}


# "Hva må jeg gjøre …?" (intent "action", bot.answering.questions._WHAT_TO_DO_RE) answered by a duty or advice
_WHAT_TO_DO = {"must": "required_what", "should": "recommended_what"}


def verdict_for(rule: Rule, intent: str, yes_no: bool, language: str, fits_asker: bool = True) -> Verdict:
    """The verdict a rule gives for this kind of question: its stance and its text, which say the same."""
    return verdict_text(verdict_key(rule, intent, yes_no, fits_asker), rule, language)


def verdict_text(key: str, rule: Rule, language: str) -> Verdict:
    """The verdict for a verdict key (`verdict_<key>` in bot/texts; see verdict_key), in the asker's language, with its stance."""
    roles = roles_phrase(rule.roles, language)
    if key == "who":
        return Verdict("who", say("who", language, roles=roles[:1].upper() + roles[1:] if rule.roles else roles))
    if key == "yes_limits":
        return Verdict("yes_but", _limits(rule, language))
    if key in ("rule_for", "responsible"):
        return Verdict(STANCE_OF[key], say(key, language, roles=roles))
    return Verdict(STANCE_OF[key], say(key, language))


# "Vær varsom når du svarer på faglige spørsmål …", "Vær svært forsiktig med ironi": caution, not "better not".
# Such a rule ranks as a restriction (knowledge/rules.py reads it as should_not) but its verdict is advice's.
_CAUTION_RE = re.compile(r"^\s*(?:vær|ver|be)\s+(?:svært |særlig |spesielt |very |particularly )?(?:forsiktig|varsom|varsam|careful|cautious)\b", re.I)


def verdict_key(rule: Rule, intent: str, yes_no: bool, fits_asker: bool = True) -> str:
    """Which verdict (`verdict_<key>` in bot/texts) the rule gives for this kind of question."""
    if intent == "who":
        return "who"
    if not fits_asker:
        return "rule_for"
    if rule.modality == "should_not" and _CAUTION_RE.match(rule.text):
        rule = replace(rule, modality="should")
    if intent == "scope" or (intent in ("open", "action") and not yes_no and rule.modality in ("must_not", "should_not")):
        key = _YES_NO.get(("scope" if intent == "scope" else "what", rule.modality))
        if key == "within_scope" and rule.restricted:
            return "yes_limits"
        if key:
            return key
    if yes_no:
        key = _YES_NO.get((intent, rule.modality))
        if key == "yes" and rule.restricted:
            return "yes_limits"
        if key:
            return key
    if intent == "action" and rule.modality in _WHAT_TO_DO:
        return _WHAT_TO_DO[rule.modality]
    if rule.modality == "responsible" and rule.roles:
        return "responsible"
    if rule.modality == "may" and rule.restricted and not yes_no:
        # a yes/no question that asks neither may nor must ("Er jeg bundet av …?" read otherwise) gets no
        # "Ja, men …" from a permission's modal verb
        return "yes_limits"
    return "see_rule"
