"""The answer as Block Kit: what a staff member reads in Slack, always within Slack's limits
(validated with slack_sdk's own Block Kit models), and the app manifest."""
from __future__ import annotations

import dataclasses
import json
from importlib.resources import files

import pytest
import yaml
from slack_sdk.models.blocks import Block

from bot.answering.answer import Answer, Citation, CrisisNotice, FoundPassage, MatchedRule, RoleRule
from bot.answering.presentation import contact_line
from bot.slack.blocks import (
    MAX_BLOCKS,
    MAX_TEXT,
    answer_blocks,
    chunks,
    escape,
    help_blocks,
    roles_blocks,
    shorten,
)
from knowledge.catalog import Contact
from knowledge.roles import ROLES, role_name
from tests.standins.slack_standin import all_text, block_problem, buttons

QUESTIONS = [
    ("Kan jeg uttale meg til pressen?", "ostre-toten"),
    ("Hvem uttaler seg til media?", "modum"),
    ("Kan ansatte bruke sosiale medier?", "baerum"),
    ("Kan eg uttale meg til pressa?", "asker"),
    ("Can I speak to the press?", "ostre-toten"),
    ("What is the weather tomorrow?", "ostre-toten"),
]


def assert_slack_accepts(blocks: list[dict], text: str) -> None:
    """What Slack checks before it accepts a message, using slack_sdk's Block Kit models."""
    assert block_problem(blocks) is None, block_problem(blocks)
    assert len(blocks) <= MAX_BLOCKS
    for block in blocks:
        parsed = Block.parse(block)
        assert parsed.to_dict() == block  # nothing unknown, nothing dropped, every validator passed
        if block["type"] == "section":
            assert 0 < len(block["text"]["text"]) <= MAX_TEXT
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150
        for element in block.get("elements", []):
            if element.get("type") == "button":
                assert len(element["value"]) <= 2000 and len(element["text"]["text"]) <= 75
            elif isinstance(element.get("text"), str):
                assert len(element["text"]) <= MAX_TEXT
    assert 0 < len(text) <= 3000


@pytest.mark.parametrize(("question", "municipality"), QUESTIONS)
def test_real_answers_render_with_verdict_rule_source_and_buttons(engine, question, municipality):
    answer = engine.ask(question, municipality=municipality)
    blocks, text = answer_blocks(answer, "0b7c4a52-9f1e-4d7b-a0d3-2c6f5e8a1b90")
    assert_slack_accepts(blocks, text)
    seen = all_text(blocks)
    assert escape(answer.verdict) in seen and text.startswith(escape(answer.verdict))
    if answer.rule is not None:
        assert escape(answer.rule.citation.label()) in seen
        assert escape(answer.rule.text)[:100] in seen.replace("\n> ", " ")
    for rr in answer.role_rules:
        assert escape(rr.role_label) in seen
    for passage in answer.passages[:3]:
        assert escape(passage.citation.label()) in seen
    line = contact_line(answer)
    assert (escape(line) in seen) == bool(answer.show_contact and line)
    assert set(buttons(blocks)) == {"feedback_helpful", "feedback_not_helpful"}


def citation(n: int = 1, long: bool = False) -> Citation:
    return Citation(
        document="Kommunikasjonsstrategi for Østre Toten kommune" + (" – med vedlegg" * 40 if long else ""),
        document_id="ostre-toten/strategi",
        municipality="ostre-toten",
        municipality_name="Østre Toten kommune",
        section=f"Vedlegg 4: Kjøreregler for kontakt med pressen <{n}>" + (" og media" * 300 if long else ""),
        item=str(n),
        period="2019–2023",
        superseded=n % 2 == 0,
    )


def rule(text: str, n: int = 1, long_citation: bool = False) -> MatchedRule:
    return MatchedRule(f"ostre-toten/strategi:{n}:0", text, "may", ("employee",), citation(n, long_citation))


def enormous_answer(language: str = "nb") -> Answer:
    """Everything an answer can hold, each far over Slack's limits, with Slack's control characters in it."""
    sentence = "Ansatte kan uttale seg om eget fagfelt <!channel> & svare på spørsmål fra <@U123> om saker de kjenner. "
    return Answer(
        question="Kan jeg uttale meg til pressen? " * 70,
        language=language,
        municipality="ostre-toten",
        municipality_name="Østre Toten kommune",
        role="unit_leader",
        role_source="profile",
        answered=True,
        kind="rule",
        verdict="Ja, men bare " + sentence * 120,
        rule=rule(sentence * 600, long_citation=True),
        passages=[FoundPassage(f"p{i}", sentence * 100, citation(i, long=True), 0.9) for i in range(5)],
        confidence=0.73,
        role_rules=[RoleRule(r, role_name(r, language) * 20, rule(sentence * 50, i)) for i, r in enumerate(ROLES * 3)],
        contact=Contact(unit="Kommunikasjonsavdelingen" * 100, email="post@ostre-toten.kommune.no", slack_channel="#kommunikasjon"),
        show_contact=True,
        crisis=CrisisNotice("Ikke uttal deg til media. " * 300, "Ordføreren " * 50, "2024-03-01T08:00:00+0100"),
        note="Rollen er lest fra profilen din. " * 100,
    )


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_a_very_long_answer_is_split_and_shortened_never_rejected(language):
    answer = enormous_answer(language)
    share = json.dumps({"key": "k", "question_id": "q", "question": answer.question[:1900]}, ensure_ascii=False)
    blocks, text = answer_blocks(answer, "3f0e3c9e-4f86-4d2e-9a59-0b1f6b1f7c11", share_value=share, shared_by="U0KARI")
    assert_slack_accepts(blocks, text)
    assert len(blocks) <= MAX_BLOCKS
    assert blocks[-1]["type"] == "actions"  # the buttons survive whatever was cut
    assert set(buttons(blocks)) == {"feedback_helpful", "feedback_not_helpful", "share_answer"}
    seen = all_text(blocks)
    assert "<!channel>" not in seen and "<@U123>" not in seen  # document text can't ping anyone
    assert "&lt;!channel&gt;" in seen
    assert "<@U0KARI>" in seen  # only the deliberate mention of who shared it


def test_a_huge_share_value_is_left_out_rather_than_rejected():
    answer = enormous_answer()
    blocks, text = answer_blocks(answer, None, share_value="x" * 2001)
    assert_slack_accepts(blocks, text)
    assert buttons(blocks) == {}


def test_without_a_question_id_there_are_no_feedback_buttons_and_the_contact_only_when_relevant(engine):
    answer = engine.ask("Kan jeg uttale meg til pressen?", municipality="ostre-toten")
    answer = dataclasses.replace(answer, show_contact=False)
    blocks, _ = answer_blocks(answer, None)
    assert buttons(blocks) == {} and blocks[-1]["type"] != "divider"
    assert ":speech_balloon:" not in all_text(blocks)
    answer = dataclasses.replace(answer, show_contact=True)
    blocks, _ = answer_blocks(answer, None)
    assert escape(contact_line(answer)) in all_text(blocks)


def test_the_answer_speaks_the_askers_language(engine):
    answer = engine.ask("Can I speak to the press?", municipality="ostre-toten")
    assert answer.language == "en"
    blocks, _ = answer_blocks(answer, "q")
    seen = all_text(blocks)
    assert "👍 Helpful" in seen and "Was this helpful?" in seen
    assert "Regelen" not in seen and "Nyttig" not in seen


def test_text_is_cut_at_spaces_and_counts_slacks_escapes():
    text = "a&b " * 1000
    pieces = chunks(text, 100)
    assert all(len(escape(p)) <= 100 for p in pieces)
    assert " ".join(pieces) == text.strip()
    assert len(escape(shorten(text, 50))) <= 50 and shorten(text, 50).endswith("…")
    assert shorten("kort", 50) == "kort"


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_help_and_roles_texts_are_valid_block_kit(language):
    blocks, text = help_blocks(language)
    assert_slack_accepts(blocks, text)
    assert "/veileder" in all_text(blocks)
    for title, role in (("Enhetsleder hjemmetjenesten", "unit_leader"), (None, None)):
        blocks, text = roles_blocks(language, title, role)
        assert_slack_accepts(blocks, text)
        seen = all_text(blocks)
        assert all(role_name(r, language)[1:] in seen for r in ROLES)
        assert (title or "") in seen


@pytest.mark.parametrize("language", ["nb", "en"])
def test_roles_shows_who_may_say_what_in_the_municipality(built_index, language):
    from bot.answering.role_map import build_role_map
    from index.store import load_index

    role_map = build_role_map(load_index(built_index), "ostre-toten")
    blocks, text = roles_blocks(language, "Enhetsleder hjemmetjenesten", "unit_leader", role_map)
    assert_slack_accepts(blocks, text)
    seen = all_text(blocks)
    assert "Østre Toten kommune" in text
    assert seen.index("Enhetsledere og avdelingsledere gir faktaopplysninger") < seen.index("Øvrige ansatte kan gi faktaopplysninger")
    from bot.texts import phrase

    assert phrase("item", language, item="6") in seen and phrase("item", language, item="7") in seen  # "punkt 6", "item 6"


def test_the_manifest_asks_for_what_the_app_uses():
    manifest = yaml.safe_load(files("bot.slack").joinpath("manifest.yaml").read_text(encoding="utf-8"))
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"app_mentions:read", "im:history", "channels:history", "chat:write", "commands", "users:read", "reactions:write"} <= scopes
    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == "/veileder" and command["url"].endswith("/slack/events")
    settings = manifest["settings"]
    assert {"app_mention", "message.im", "message.channels"} <= set(settings["event_subscriptions"]["bot_events"])
    assert settings["event_subscriptions"]["request_url"].endswith("/slack/events")
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["socket_mode_enabled"] is False
    assert manifest["features"]["bot_user"]["display_name"] == "Veileder"
