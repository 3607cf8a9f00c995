"""A staff member asks a communications adviser from Teams: the real Agents SDK app, Adaptive Card
actions as Teams sends them, and proactive messages through the connector stand-in."""
from __future__ import annotations

from typing import Any

import pytest

from bot.admin.cases import ANSWERED, CLAIMED, CLOSED, OPEN
from bot.teams.advisers import ASK, ASK_SEND, CLAIM, HELPFUL, REPLY
from bot.texts import phrase
from tests.conftest import hashing_settings
from tests.standins.teams_standin import ADMIN_AAD, KARI_AAD, OLA_AAD, TENANT, Sent, card_submit, personal_message
from bot.graph.client import graph_client
from bot.graph.profile import GraphProfiles
from bot.teams.app import TEAMS_BOT
from tests.standins.teams_standin import LocalCredential
from tests.teams.test_teams_bot import card_texts, graph, start_teams  # noqa: F401 - fixtures

ADVISERS_CONVERSATION = "19:kommunikasjonsradgivere0123@thread.tacv2"
REFUSED = "Når blir feriepengene utbetalt i år?"
REPLY_TEXT = "Feriepengene utbetales i juni. Spør lønn om detaljer."


@pytest.fixture
def settings(tmp_path, built_index, connector):
    return hashing_settings(
        tmp_path,
        index_dir=built_index,
        municipality="asker",
        tenant_municipalities={TENANT: "ostre-toten"},
        advisers={"ostre-toten": {"teams": {"conversation_id": ADVISERS_CONVERSATION, "service_url": connector.url}, "users": [ADMIN_AAD]}},
    )


@pytest.fixture
def anonymous_sdk(monkeypatch):
    monkeypatch.setenv("CONNECTIONS__SERVICE_CONNECTION__SETTINGS__ANONYMOUS_ALLOWED", "true")


@pytest.fixture
async def teams(settings, engine, connector, graph, anonymous_sdk):  # noqa: F811
    """`veileder serve` with Teams; `teams.bot` is the running TeamsBot."""
    profiles = GraphProfiles(graph_client(LocalCredential(), graph.url))
    server, client = await start_teams(settings, engine, connector, profiles)
    client.bot = server.server.app[TEAMS_BOT]
    yield client
    await client.session.close()
    await server.stop()
    await profiles.close()


def submit(connector_url: str, card_message: Sent, data: dict[str, Any], *, aad: str, name: str) -> dict[str, Any]:
    activity = card_submit(connector_url, card_message, data, aad=aad)
    activity["from"]["name"] = name
    return activity


def action(card: dict[str, Any], kind: str) -> dict[str, Any]:
    """The card's action whose data carries `kind` (Action.ShowCard forms included)."""
    for each in card.get("actions", []):
        if (each.get("data") or {}).get("action") == kind:
            return each
        for inner in (each.get("card") or {}).get("actions", []):
            if (inner.get("data") or {}).get("action") == kind:
                return inner
    raise AssertionError(f"no {kind} action in the card")


def in_conversation(connector, conversation_id: str) -> list[Sent]:
    return [s for s in connector.messages() if s.conversation_id == conversation_id]


async def test_a_refused_question_reaches_an_adviser_and_the_reply_comes_back_proactively(teams, connector):  # noqa: F811
    asked = personal_message(connector.url, REFUSED, aad=KARI_AAD)
    assert await teams.post(asked) in (200, 202)
    answer = teams.reply()
    ask = answer.card["actions"][0]  # first on a refusal
    assert ask["title"] == "Spør en rådgiver" and ask["data"]["action"] == ASK

    # The form card: the question pre-filled, who will see it.
    assert await teams.post(submit(connector.url, answer, ask["data"], aad=KARI_AAD, name="Kari Nordmann")) in (200, 202)
    form = connector.messages()[-1]
    question_input = next(e for e in form.card["body"] if e.get("id") == "question")
    assert question_input["value"] == REFUSED
    assert any("Kommunikasjonsrådgiverne i Østre Toten" in t for t in card_texts(form.card))

    send = action(form.card, ASK_SEND)
    await teams.post(submit(connector.url, form, {**send["data"], "question": REFUSED, "note": "Gjelder sommerjobben"}, aad=KARI_AAD, name="Kari Nordmann"))
    [case_message] = in_conversation(connector, ADVISERS_CONVERSATION)
    texts = " ".join(card_texts(case_message.card))
    assert REFUSED in texts and "Kari Nordmann" in texts and "Gjelder sommerjobben" in texts
    assert connector.messages()[-1].activity["text"] == phrase("ask_sent", "nb")
    [case] = teams.services.cases.summary("ostre-toten").open
    assert case.state == OPEN and case.case_message["activity_id"]

    # Someone who isn't an adviser is refused; the adviser claims, twice: one update.
    claim = action(case_message.card, CLAIM)
    await teams.post(submit(connector.url, case_message, claim["data"], aad=OLA_AAD, name="Ola Hansen"))
    assert connector.messages()[-1].activity["text"] == phrase("case_not_adviser", "nb")
    assert teams.services.cases.get(case.id).state == OPEN
    await teams.post(submit(connector.url, case_message, claim["data"], aad=ADMIN_AAD, name="Ada Berg"))
    await teams.post(submit(connector.url, case_message, claim["data"], aad=ADMIN_AAD, name="Ada Berg"))
    assert teams.services.cases.get(case.id).state == CLAIMED
    [updated] = connector.updated
    assert updated.reply_to_id == case.case_message["activity_id"]
    assert any("Ada Berg har saken" in t for t in card_texts(updated.activity["attachments"][0]["content"]))

    # The reply goes proactively to Kari's chat, as a person's answer; a double submit changes nothing.
    reply = action(case_message.card, REPLY)
    before = len(in_conversation(connector, answer.conversation_id))
    await teams.post(submit(connector.url, case_message, {**reply["data"], "reply": REPLY_TEXT, "add_to_kb": "true"}, aad=ADMIN_AAD, name="Ada Berg"))
    await teams.post(submit(connector.url, case_message, {**reply["data"], "reply": "Et annet svar", "add_to_kb": "false"}, aad=ADMIN_AAD, name="Ada Berg"))
    answered = teams.services.cases.get(case.id)
    assert answered.state == ANSWERED and answered.reply == REPLY_TEXT and answered.note_id
    [human] = in_conversation(connector, answer.conversation_id)[before:]
    texts = card_texts(human.card)
    assert texts[0] == "👤 Svar fra en kommunikasjonsrådgiver: Ada Berg" and REPLY_TEXT in texts
    [note] = teams.services.cases.notes("ostre-toten")
    assert note.author_name == "Ada Berg"

    helpful = action(human.card, HELPFUL)
    await teams.post(submit(connector.url, human, helpful["data"], aad=KARI_AAD, name="Kari Nordmann"))
    assert teams.services.cases.get(case.id).state == CLOSED


async def test_a_confident_answer_offers_an_adviser_after_the_feedback_buttons(teams, connector):  # noqa: F811
    await teams.post(personal_message(connector.url, "Kan jeg gi faktaopplysninger og vurderinger til pressen?", aad=KARI_AAD))
    actions = [a.get("data", {}).get("action") for a in teams.reply().card["actions"]]
    assert ASK in actions


async def test_a_case_open_too_long_gets_a_reminder_under_its_card(teams, connector):  # noqa: F811
    await teams.post(personal_message(connector.url, REFUSED, aad=KARI_AAD))
    answer = teams.reply()
    await teams.post(submit(connector.url, answer, answer.card["actions"][0]["data"], aad=KARI_AAD, name="Kari Nordmann"))
    form = connector.messages()[-1]
    await teams.post(submit(connector.url, form, {**action(form.card, ASK_SEND)["data"], "question": REFUSED}, aad=KARI_AAD, name="Kari Nordmann"))
    [case] = teams.services.cases.summary("ostre-toten").open
    bot = teams.bot
    object.__setattr__(teams.services, "settings", teams.services.settings.model_copy(update={"adviser_reminder_hours": 1e-9}))
    assert await bot.advisers.remind_overdue() == 1
    [reminder] = in_conversation(connector, f"{ADVISERS_CONVERSATION};messageid={case.case_message['activity_id']}")
    assert "Påminnelse" in reminder.activity["text"]  # in the case's thread
