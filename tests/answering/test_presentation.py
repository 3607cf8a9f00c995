"""One answer, three front ends: the terminal, Slack and Teams show what `AnswerView` decided —
the same rules, each quoted once, the same crisis notice, passages and contact — and only format it."""
from __future__ import annotations

import html
import re
from dataclasses import replace
from typing import Any

import pytest
from rich.console import Console

from bot.answering.answer import Answer, CrisisNotice
from bot.answering.presentation import AnswerView
from bot.cli.render import render_answer
from bot.slack.blocks import answer_blocks
from bot.teams.cards import answer_card
from bot.texts import phrase

OSTRE_TOTEN = "ostre-toten"


def fold(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def terminal_shows(answer: Answer) -> str:
    console = Console(record=True, width=100_000, color_system=None)
    render_answer(console, answer)
    return fold(console.export_text())


def texts_in(node: Any, wanted) -> list[str]:
    """Every `text` of the nodes `wanted(node)` accepts, in order, anywhere below `node`."""
    found: list[str] = []
    if isinstance(node, dict):
        if wanted(node) and isinstance(node.get("text"), str):
            found.append(node["text"])
        for value in node.values():
            found += texts_in(value, wanted)
    elif isinstance(node, list):
        for item in node:
            found += texts_in(item, wanted)
    return found


def slack_shows(answer: Answer) -> str:
    blocks, _fallback = answer_blocks(answer, "q1")
    texts = texts_in(blocks, lambda n: n.get("type") in ("mrkdwn", "plain_text"))
    unquoted = re.sub(r"(?m)^> ?", "", "\n".join(texts))
    return fold(html.unescape(unquoted))


def teams_shows(answer: Answer) -> str:
    card = answer_card(answer, "q1")
    return fold("\n".join(texts_in(card["body"], lambda n: n.get("type") == "TextBlock")))


RENDERERS = {"terminal": terminal_shows, "slack": slack_shows, "teams": teams_shows}


def answers(engine) -> list[Answer]:
    who = engine.ask("Hvem uttaler seg på vegne av kommunen?", municipality=OSTRE_TOTEN)
    by_role = engine.ask("Kan jeg uttale meg til pressen?", municipality=OSTRE_TOTEN)
    unit_leader = engine.ask("Kan jeg uttale meg til pressen?", municipality=OSTRE_TOTEN, profile_role="unit_leader")
    english = engine.ask("Can I talk to the press?", municipality=OSTRE_TOTEN, role="employee")
    crisis = replace(
        unit_leader,
        crisis=CrisisNotice("Brann ved Lena skole. Ikke uttal deg til media.", "ordfører Anne Hagen", "2025-03-04T08:00", rule=unit_leader.rule),
    )
    return [who, by_role, unit_leader, english, crisis, it_depends(engine)]


def it_depends(engine) -> Answer:
    """An employee's press question whose candidate rules disagree: "it depends", with the rules to
    read (the engine's other candidates; one repeats the matching rule and one is past the limit, so
    the view must drop both)."""
    answer = engine.ask("Kan jeg uttale meg til pressen?", municipality=OSTRE_TOTEN, role="employee")
    assert answer.rule is not None
    found = {answer.rule.rule_id: answer.rule}
    for question in ("Hvem uttaler seg på vegne av kommunen?", "Kan jeg dele bilder fra jobben på Facebook?", "Hvem informerer i en krise?"):
        other = engine.ask(question, municipality=OSTRE_TOTEN)
        for rule in [other.rule, *(rr.rule for rr in other.role_rules)]:
            if rule is not None:
                found.setdefault(rule.rule_id, rule)
    distinct = [r for r in found.values() if r.rule_id != answer.rule.rule_id and fold(r.text) not in fold(answer.rule.text)]
    assert len(distinct) >= 3, "the Østre Toten documents have more than three rules"
    return replace(
        answer,
        verdict=phrase("verdict_depends", answer.language),
        stance="info",
        alternatives=[distinct[0], answer.rule, distinct[1], distinct[2]],
    )


def test_a_staff_member_sees_the_same_rules_in_the_terminal_slack_and_teams(engine):
    for answer in answers(engine):
        view = AnswerView.of(answer)
        candidates = {r.text for r in [answer.rule, *(rr.rule for rr in answer.role_rules), *answer.alternatives] if r is not None}
        shown = {fold(r.text) for r in view.rules()}
        assert shown, answer.question
        for name, render in RENDERERS.items():
            seen = render(replace(answer, passages=[]))  # a passage may hold a rule's sentence too
            assert fold(view.verdict) in seen, (name, answer.question)
            for rule in view.rules():
                expected = 2 if view.crisis and view.crisis.rule == rule and rule == view.rule else 1
                assert seen.count(fold(rule.text)) == expected, (name, answer.question, rule.rule_id)
            for text in candidates - {r.text for r in view.rules()}:
                assert fold(text) not in seen, (name, answer.question)
            for line in view.meta:
                assert line in seen, (name, line)
            with_passages = render(answer)
            for passage in view.passages:
                assert passage.citation.label() in with_passages, (name, passage.passage_id)
            if view.contact:
                assert view.contact in seen, name


def test_a_rule_found_for_every_role_is_quoted_once_not_once_per_role(engine):
    answer = engine.ask("Hvem uttaler seg på vegne av kommunen?", municipality=OSTRE_TOTEN)
    view = AnswerView.of(answer)
    ids = [r.rule_id for r in view.rules()]
    assert len(ids) == len(set(ids))
    if answer.rule is not None and any(rr.rule.rule_id == answer.rule.rule_id for rr in answer.role_rules):
        assert view.rule is None or not view.role_rules


def test_in_crisis_mode_a_media_answer_does_not_repeat_the_crisis_message(engine):
    base = engine.ask("Kan jeg uttale meg til pressen?", municipality=OSTRE_TOTEN, role="employee")
    message = "Brann ved Lena skole. Ikke uttal deg til media."
    repeated = replace(base, verdict=f"Kommunen er i krisemodus: {message}", crisis=CrisisNotice(message, "ordfører Anne Hagen", "2025-03-04"))
    view = AnswerView.of(repeated)
    assert view.crisis is not None and view.crisis.message is None and view.crisis.spokesperson is None
    for name, render in RENDERERS.items():
        assert render(repeated).count(message) == 1, name


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_the_meta_line_is_in_the_askers_language(engine, language):
    answer = replace(engine.ask("Kan jeg uttale meg til pressen?", municipality=OSTRE_TOTEN, profile_role="unit_leader"), language=language)
    meta = " · ".join(AnswerView.of(answer).meta)
    assert {"nb": "Din rolle", "nn": "Rolla di", "en": "Your role"}[language] in meta
    assert {"nb": "fra profilen din", "nn": "frå profilen din", "en": "from your profile"}[language] in meta


def test_when_it_depends_every_front_end_quotes_the_same_rules_to_read(engine):
    answer = it_depends(engine)
    view = AnswerView.of(answer)
    assert view.rule == answer.rule and view.alternatives == (answer.alternatives[0], answer.alternatives[2])
    also = phrase("also", answer.language)
    for name, render in RENDERERS.items():
        seen = render(replace(answer, passages=[]))
        shown = {rule.rule_id for rule in [view.rule, *answer.alternatives] if fold(rule.text) in seen}
        assert shown == {view.rule.rule_id, *(r.rule_id for r in view.alternatives)}, name
        assert seen.count(also) == len(view.alternatives), name
        for alternative in view.alternatives:
            assert alternative.citation.label() in seen, (name, alternative.rule_id)


def test_document_text_in_a_rule_to_read_stays_inert_in_slack_and_teams(engine):
    answer = it_depends(engine)
    hostile = replace(answer.alternatives[0], text="Se <https://evil.example|her> og [klikk](https://evil.example) <!channel>")
    answer = replace(answer, alternatives=[hostile])
    blocks, _ = answer_blocks(answer, "q1")
    slack = "\n".join(texts_in(blocks, lambda n: n.get("type") == "mrkdwn"))
    assert "<https://evil.example" not in slack and "<!channel>" not in slack and "&lt;!channel&gt;" in slack
    teams = "\n".join(texts_in(answer_card(answer, "q1")["body"], lambda n: n.get("type") == "TextBlock"))
    assert "[klikk](https://evil.example)" not in teams
