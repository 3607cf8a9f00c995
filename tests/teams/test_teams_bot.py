"""Staff ask in Microsoft Teams: the real Agents SDK app on 127.0.0.1, driven by activities as Teams
sends them, replying to a local stand-in for the Bot Framework connector; roles come from a local
stand-in for Microsoft Graph read by the real msgraph-sdk client.

Anonymous requests are allowed here (the SDK's local-development setting); test_teams_auth.py covers
authentication.
"""
from __future__ import annotations

import logging
import re
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from bot.admin.crisis import CrisisStore
from bot.store.setup import open_store
from bot.graph.client import graph_client
from bot.graph.profile import GraphProfiles
from bot.serve import create_web_app
from bot.services import BotServices
from bot.texts import phrase
from bot.admin.question_log import QuestionLog, questions
from tests.conftest import hashing_settings
from tests.standins.teams_standin import (
    ADMIN_AAD,
    KARI_AAD,
    OLA_AAD,
    OTHER_TENANT,
    TENANT,
    FakeConnector,
    FakeGraph,
    LocalCredential,
    LocalServer,
    Sent,
    app_installed,
    card_submit,
    channel_message,
    free_port_url,
    personal_message,
)

# Worded close to Østre Toten's press rules 6 (unit leaders) and 7 (other staff), so the hashing
# embedder used in tests finds them; the answer differs by role.
PRESS_QUESTION = "Kan jeg gi faktaopplysninger og vurderinger til pressen?"
UNIT_LEADER_RULE = "Enhetsledere og avdelingsledere gir faktaopplysninger"
EMPLOYEE_RULE = "Øvrige ansatte kan gi faktaopplysninger"


@pytest.fixture
def settings(tmp_path, built_index):
    """Staff in our tenant belong to Østre Toten; anyone else gets the default, Asker."""
    return hashing_settings(
        tmp_path,
        index_dir=built_index,
        municipality="asker",
        tenant_municipalities={TENANT: "ostre-toten"},
        admin_users=ADMIN_AAD,
    )


@pytest.fixture
def anonymous_sdk(monkeypatch):
    """The SDK's connection settings for local development: no app id, anonymous requests allowed."""
    monkeypatch.setenv("CONNECTIONS__SERVICE_CONNECTION__SETTINGS__ANONYMOUS_ALLOWED", "true")


@pytest.fixture
async def graph():
    fake = FakeGraph(
        users={
            KARI_AAD: {"jobTitle": "Enhetsleder hjemmetjenesten", "department": "Helse og omsorg"},
            OLA_AAD: {"jobTitle": None, "department": None},
        }
    )
    await fake.start()
    yield fake
    await fake.stop()


class Teams:
    """Teams as seen by the bot: posts activities to /api/messages and reads what came back."""

    def __init__(self, bot_url: str, connector: FakeConnector, services: BotServices) -> None:
        self.bot_url = bot_url
        self.connector = connector
        self.services = services
        self.session = aiohttp.ClientSession()

    async def post(self, activity: dict[str, Any], headers: dict[str, str] | None = None) -> int:
        """Post an activity; returns the HTTP status once the answer (sent proactively) is in too."""
        async with self.session.post(f"{self.bot_url}api/messages", json=activity, headers=headers) as response:
            status = response.status
        bot = self.services.running.get("teams_bot")
        if bot is not None:
            await bot.drain()
        return status

    def reply(self) -> Sent:
        (message,) = self.connector.messages()
        return message

    def stored_questions(self) -> list[Any]:
        with self.services.log.engine.connect() as conn:
            return list(conn.execute(select(questions)))


async def start_teams(settings, engine, connector, profiles: GraphProfiles, reindex=None):
    services = BotServices(
        settings=settings,
        engine=engine,
        log=QuestionLog.open(settings),
        crisis=CrisisStore(open_store(settings)),
        reindex=reindex,
        graph_profiles=profiles,
    )
    server = LocalServer(create_web_app(services))
    url = await server.start()
    return server, Teams(url, connector, services)


@pytest.fixture
async def teams(settings, engine, connector, graph, anonymous_sdk):
    """`veileder serve` with Teams, Graph answering for our staff."""
    credential = LocalCredential()
    profiles = GraphProfiles(graph_client(credential, graph.url))
    server, client = await start_teams(settings, engine, connector, profiles)
    yield client
    await client.session.close()
    await server.stop()
    await profiles.close()


def card_texts(card: dict[str, Any]) -> list[str]:
    """The TextBlock texts a card shows before anything is expanded, in order (Markdown escapes read
    as Teams shows them: `\\_` is `_`)."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("isVisible") is False:
                return
            if node.get("type") == "TextBlock":
                found.append(re.sub(r"\\(.)", r"\1", node["text"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card.get("body", []))
    return found


async def test_when_the_connector_is_slow_to_take_typing_the_answer_still_comes_after_it(teams, connector):
    # Typing is sent while the answer is worked on; the answer waits for it, so the asker
    # never sees "typing" after the answer.
    connector.typing_delay = 0.5
    activity = personal_message(connector.url, PRESS_QUESTION, aad=KARI_AAD)

    assert await teams.post(activity) in (200, 202)

    assert [s.type for s in connector.sent] == ["typing", "message"]
    assert teams.reply().reply_to_id == activity["id"]


async def test_a_unit_leader_asks_in_a_personal_chat_and_gets_the_unit_leader_rule_as_a_card(teams, connector, graph):
    activity = personal_message(connector.url, PRESS_QUESTION, aad=KARI_AAD)

    assert await teams.post(activity) in (200, 202)

    # typing first, then the answer, both replying to the question in the same chat
    assert connector.typing(), "typing indicator while working"
    assert connector.sent.index(connector.typing()[0]) < connector.sent.index(teams.reply())
    reply = teams.reply()
    assert reply.conversation_id == activity["conversation"]["id"]
    assert reply.reply_to_id == activity["id"]
    assert reply.activity["recipient"]["id"] == activity["from"]["id"]

    card = reply.card
    assert card is not None and card["type"] == "AdaptiveCard" and card["version"] == "1.5"
    texts = card_texts(card)
    assert any(UNIT_LEADER_RULE in t for t in texts), texts
    assert any("Kommunikasjonsstrategi for Østre Toten kommune › Vedlegg 4" in t and "punkt 6" in t for t in texts)
    assert any("Din rolle: enhetsledere (fra profilen din)" in t for t in texts)
    assert not any(EMPLOYEE_RULE in t for t in texts), "only the asker's rule, not every role's"
    assert reply.activity["summary"]

    # the role was read from Graph with the real client
    (request,) = graph.requests
    assert request.path == f"/v1.0/users/{KARI_AAD}"
    assert request.query["$select"] == "jobTitle,department"
    assert request.headers["Authorization"] == "Bearer graph-test-token"

    # the question is stored, and the feedback buttons point at it
    (stored,) = teams.stored_questions()
    assert (stored.platform, stored.municipality, stored.role, stored.question) == ("teams", "ostre-toten", "unit_leader", PRESS_QUESTION)
    helpful, not_helpful = card["actions"]
    assert helpful["type"] == not_helpful["type"] == "Action.Submit"
    assert helpful["data"]["question_id"] == not_helpful["data"]["question_id"] == stored.id
    assert (helpful["data"]["helpful"], not_helpful["data"]["helpful"]) == (True, False)


async def test_a_second_question_reuses_the_cached_role(teams, connector, graph):
    await teams.post(personal_message(connector.url, PRESS_QUESTION))
    await teams.post(personal_message(connector.url, "Hvem gir faktaopplysninger og faglige vurderinger til pressen?"))

    assert len(connector.messages()) == 2
    assert len(graph.requests) == 1
    assert [q.role for q in teams.stored_questions()] == ["unit_leader", "unit_leader"]


async def test_answers_one_after_another_reuse_the_connection_to_the_connector(teams, connector):
    # Each answer is a turn of its own; without a shared pool each opened a new connection (in
    # production a TLS handshake per answer).
    for question in (PRESS_QUESTION, "Hvem uttaler seg i en krise?", "Kan jeg dele bilder fra jobben?"):
        await teams.post(personal_message(connector.url, question))

    assert len(connector.messages()) == 3
    answers_came_over = {sent.peer for sent in connector.messages()}
    assert None not in answers_came_over and len(answers_came_over) == 1


async def test_someone_without_a_title_in_entra_sees_the_rule_for_each_role(teams, connector):
    await teams.post(personal_message(connector.url, PRESS_QUESTION, aad=OLA_AAD, name="Ola Nordmann"))

    texts = card_texts(teams.reply().card)
    assert any("Svaret avhenger av rollen din" in t for t in texts)
    assert any(UNIT_LEADER_RULE in t for t in texts) and any(EMPLOYEE_RULE in t for t in texts)
    assert not any("Din rolle" in t for t in texts)


async def test_asking_in_a_channel_by_mentioning_the_bot_answers_in_the_thread(teams, connector):
    activity = channel_message(connector.url, PRESS_QUESTION)

    await teams.post(activity)

    reply = teams.reply()
    assert reply.conversation_id == activity["conversation"]["id"]  # "19:…@thread.tacv2;messageid=…": the thread
    assert reply.reply_to_id == activity["id"]
    assert any(UNIT_LEADER_RULE in t for t in card_texts(reply.card))
    (stored,) = teams.stored_questions()
    assert stored.question == PRESS_QUESTION, "the @mention is not part of the question"


async def test_a_group_chat_message_that_does_not_mention_the_bot_is_left_alone(teams, connector):
    await teams.post(channel_message(connector.url, PRESS_QUESTION, mention_bot=False, conversation_type="groupChat"))

    assert connector.sent == []
    assert teams.stored_questions() == []


async def test_clicking_helpful_on_the_card_stores_the_feedback_and_says_thanks(teams, connector):
    await teams.post(personal_message(connector.url, PRESS_QUESTION))
    answered = teams.reply()
    helpful = answered.card["actions"][0]

    await teams.post(card_submit(connector.url, answered, helpful["data"]))

    thanks = connector.messages()[-1]
    assert thanks.activity["text"] == "Takk for tilbakemeldingen!"
    assert thanks.conversation_id == answered.conversation_id
    assert teams.services.log.feedback_for(helpful["data"]["question_id"]) == [True]
    assert len(teams.stored_questions()) == 1, "a click is not a question"


async def test_a_click_being_handled_when_the_server_stops_is_still_thanked(settings, engine, connector, graph, anonymous_sdk, monkeypatch):
    # the connections to the connector close only after the requests in hand have been answered
    import asyncio
    import time

    profiles = GraphProfiles(graph_client(LocalCredential(), graph.url))
    server, teams = await start_teams(settings, engine, connector, profiles)
    await teams.post(personal_message(connector.url, PRESS_QUESTION))
    answered = teams.reply()
    record = teams.services.log.record_feedback

    def slow_record(*args, **kwargs):
        time.sleep(0.5)  # the store is slow just as the server is told to stop
        return record(*args, **kwargs)

    monkeypatch.setattr(teams.services.log, "record_feedback", slow_record)
    click = asyncio.ensure_future(teams.post(card_submit(connector.url, answered, answered.card["actions"][0]["data"])))
    await asyncio.sleep(0.2)
    await server.stop()

    assert await click in (200, 202)
    assert connector.messages()[-1].activity["text"] == "Takk for tilbakemeldingen!"
    await teams.session.close()
    await profiles.close()


async def test_when_the_question_log_cannot_be_written_the_answer_still_comes_and_its_buttons_say_so_when_clicked(teams, connector, caplog):
    from sqlalchemy import text

    with teams.services.log.engine.begin() as conn:  # the log's tables gone: every write fails
        conn.execute(text("DROP TABLE feedback"))
        conn.execute(text("DROP TABLE questions"))
        conn.execute(text("CREATE TABLE questions (id VARCHAR(36) PRIMARY KEY)"))  # a log that takes no line: every insert fails
        conn.execute(text("CREATE TABLE feedback (id INTEGER PRIMARY KEY)"))

    with caplog.at_level(logging.ERROR, logger="bot.teams.app"):
        await teams.post(personal_message(connector.url, PRESS_QUESTION, aad=KARI_AAD))

    answered = teams.reply()
    assert any(UNIT_LEADER_RULE in t for t in card_texts(answered.card))
    assert "could not record a Teams question" in caplog.text

    await teams.post(card_submit(connector.url, answered, answered.card["actions"][0]["data"]))

    assert "fant ikke spørsmålet" in connector.messages()[-1].activity["text"]


async def test_feedback_on_an_unknown_question_is_answered_politely(teams, connector):
    await teams.post(personal_message(connector.url, PRESS_QUESTION))
    data = {**teams.reply().card["actions"][1]["data"], "question_id": "no-such-question"}

    await teams.post(card_submit(connector.url, teams.reply(), data))

    assert "fant ikke spørsmålet" in connector.messages()[-1].activity["text"]


async def test_staff_of_an_unmapped_tenant_get_the_default_municipality(teams, connector):
    await teams.post(personal_message(connector.url, PRESS_QUESTION, tenant=OTHER_TENANT))

    (stored,) = teams.stored_questions()
    assert stored.municipality == "asker"
    assert any("Asker kommune" in t for t in card_texts(teams.reply().card))


async def test_an_unusable_question_gets_the_engines_explanation_as_is(teams, connector, settings):
    await teams.post(personal_message(connector.url, "Kan jeg " + "uttale meg " * settings.max_question_chars))

    text = teams.reply().activity["text"]
    assert text.startswith("Spørsmålet er") and "tegn langt" in text  # in the asker's language
    assert teams.stored_questions() == []


async def test_installing_the_app_in_a_personal_chat_gets_a_welcome(teams, connector):
    await teams.post(app_installed(connector.url))

    assert "Kan jeg uttale meg til pressen?" in teams.reply().activity["text"]


async def test_when_graph_is_down_the_answer_still_comes_without_a_role(settings, engine, connector, anonymous_sdk, caplog):
    profiles = GraphProfiles(graph_client(LocalCredential(), free_port_url()), timeout=2.0)
    server, teams = await start_teams(settings, engine, connector, profiles)
    try:
        with caplog.at_level(logging.WARNING, logger="bot.graph.profile"):
            await teams.post(personal_message(connector.url, PRESS_QUESTION))
    finally:
        await teams.session.close()
        await server.stop()
        await profiles.close()

    texts = card_texts(teams.reply().card)
    assert any(UNIT_LEADER_RULE in t for t in texts)
    assert not any("Din rolle" in t for t in texts)
    (stored,) = teams.stored_questions()
    assert stored.role is None
    assert "no role from Microsoft Graph" in caplog.text


async def test_without_graph_settings_questions_are_answered_without_roles(settings, engine, connector, anonymous_sdk):
    profiles = GraphProfiles.from_settings(settings)
    assert not profiles.enabled
    server, teams = await start_teams(settings, engine, connector, profiles)
    try:
        await teams.post(personal_message(connector.url, PRESS_QUESTION))
    finally:
        await teams.session.close()
        await server.stop()

    (stored,) = teams.stored_questions()
    assert stored.answered and stored.role is None


# -- admin: reindex ---------------------------------------------------------------------------


async def test_an_admin_types_reindex_and_the_index_is_rebuilt_for_their_municipality(settings, engine, connector, anonymous_sdk):
    calls: list[str | None] = []

    async def reindex(municipality: str | None) -> str:
        calls.append(municipality)
        return "Indeksen er oppdatert: 5 dokumenter."

    server, teams = await start_teams(settings, engine, connector, GraphProfiles(None), reindex=reindex)
    try:
        await teams.post(personal_message(connector.url, "reindex", aad=ADMIN_AAD, name="Admin"))
        await teams.post(channel_message(connector.url, "reindex", aad=KARI_AAD))
    finally:
        await teams.session.close()
        await server.stop()

    assert calls == ["ostre-toten"]
    done, refused = connector.messages()
    assert done.activity["text"] == "Indeksen er oppdatert: 5 dokumenter."
    assert refused.activity["text"] == "Beklager, bare administratorer kan oppdatere indeksen."
    assert teams.stored_questions() == []


async def test_reindex_when_it_is_not_set_up_says_so(teams, connector, settings):
    await teams.post(personal_message(connector.url, "reindex", aad=ADMIN_AAD, locale="en-US"))

    assert teams.reply().activity["text"] == phrase("reindex_unavailable", "en")


async def test_a_failure_gets_a_short_apology_with_a_reference_and_the_details_go_to_the_log(settings, engine, connector, anonymous_sdk, caplog):
    async def reindex(municipality: str | None) -> str:
        raise RuntimeError("disk full while writing generation 7")

    server, teams = await start_teams(settings, engine, connector, GraphProfiles(None), reindex=reindex)
    try:
        with caplog.at_level(logging.ERROR, logger="bot.teams.app"):
            await teams.post(personal_message(connector.url, "reindex", aad=ADMIN_AAD))
    finally:
        await teams.session.close()
        await server.stop()

    text = teams.reply().activity["text"]
    assert text.startswith("Beklager, noe gikk galt.")
    assert "disk full" not in text
    reference = re.fullmatch(r"Beklager, .*referanse `([0-9a-f]{8})`\.", text).group(1)
    assert f"[ref {reference}]" in caplog.text and "disk full while writing generation 7" in caplog.text


async def test_an_activity_teams_sends_again_is_acknowledged_and_answered_once(teams, connector):
    activity = personal_message(connector.url, PRESS_QUESTION)
    assert await teams.post(activity) == 202
    assert await teams.post(activity) == 202  # Teams re-sends when it got no timely answer
    assert len(connector.messages()) == 1
    assert len(teams.stored_questions()) == 1
    # the same activity id in another conversation is another activity
    other = {**activity, "conversation": {**activity["conversation"], "id": "a:1personal-other"}}
    assert await teams.post(other) == 202
    assert len(connector.messages()) == 2


async def test_a_tenant_mapped_to_no_municipality_is_told_whose_rules_answered(tmp_path, built_index, connector, graph, anonymous_sdk):
    from bot.answering.engine import AnswerEngine
    from index.embedder import HashingEmbedder

    unmapped = hashing_settings(tmp_path, index_dir=built_index)  # no municipality, no tenant mapping
    engine = AnswerEngine(unmapped, embedder=HashingEmbedder())
    profiles = GraphProfiles(graph_client(LocalCredential(), graph.url))
    server, client = await start_teams(unmapped, engine, connector, profiles)
    try:
        await client.post(personal_message(connector.url, PRESS_QUESTION, aad=KARI_AAD))
        texts = card_texts(client.reply().card)
    finally:
        await client.session.close()
        await server.stop()
        await profiles.close()
    expected = engine.ask(PRESS_QUESTION, profile_role="unit_leader")
    assert expected.municipality_notice and expected.municipality_notice.startswith("Ingen kommune er valgt")
    assert expected.municipality_notice in texts
    assert any(t.startswith(expected.municipality_name) for t in texts)  # the meta line names it too
