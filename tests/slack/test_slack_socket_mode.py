"""Socket Mode: with SLACK_APP_TOKEN set the bot needs no public address. A local WebSocket server
plays Slack's side: apps.connections.open hands out its ws:// URL, it greets with `hello`, sends
envelopes, and checks that each is acknowledged with its envelope id."""
from __future__ import annotations

import uuid

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.store.setup import open_store
from bot.admin.crisis import CrisisStore
from bot.services import BotServices
from bot.slack.app import SlackFrontEnd, start_socket_mode
from bot.slack.blocks import escape
from bot.texts import phrase as slack_text
from bot.admin.question_log import QuestionLog
from tests.standins.slack_standin import APP_TOKEN, BOT_TOKEN, TEAM_ID, FakeSlack, Person, dm, event_callback

STAFF = "U0KARI"
PRESS = "Kan jeg uttale meg til pressen?"


@pytest.fixture
async def fake_slack():
    fake = await FakeSlack(people={STAFF: Person("Kari Nordmann", "Saksbehandler")}).start()
    yield fake
    await fake.stop()


@pytest.fixture
async def socket_bot(settings, engine, fake_slack, monkeypatch):
    """The bot started as `veileder serve` starts it with an app token: Socket Mode from an on_startup
    hook, no signing secret and no HTTP endpoint; stopping the server closes the connection."""
    for proxy in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.delenv(proxy, raising=False)
    values = {"slack_bot_token": BOT_TOKEN, "slack_app_token": APP_TOKEN, "slack_api_url": fake_slack.api_url, "municipality": "ostre-toten"}
    socket_settings = settings.model_copy(update=values)
    services = BotServices(socket_settings, engine, QuestionLog.open(socket_settings), CrisisStore(open_store(socket_settings)))
    app = web.Application()
    front = SlackFrontEnd(services)
    app.on_startup.append(lambda app: start_socket_mode(app, services, front))
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        await fake_slack.wait_until(lambda: fake_slack.connected)
        yield front
    finally:
        await server.close()
    assert front.socket is None and not fake_slack.connected


def envelope(kind: str, payload: dict, *, retry_attempt: int = 0) -> dict:
    return {
        "envelope_id": str(uuid.uuid4()),
        "type": kind,
        "accepts_response_payload": kind != "events_api",
        "retry_attempt": retry_attempt,
        "retry_reason": "timeout" if retry_attempt else "",
        "payload": payload,
    }


async def test_a_dm_over_socket_mode_is_acknowledged_by_envelope_id_and_answered(socket_bot, fake_slack, engine):
    [opened] = [c for c in fake_slack.calls if c.method == "apps.connections.open"]
    assert opened.token == APP_TOKEN

    event = dm(PRESS, STAFF)
    sent = envelope("events_api", event_callback(event))
    await fake_slack.send_envelope(sent)

    acks = await fake_slack.wait_until(lambda: [m for m in fake_slack.socket_received if m.get("envelope_id") == sent["envelope_id"]])
    assert acks == [{"envelope_id": sent["envelope_id"]}]
    [post] = await fake_slack.wait_until(fake_slack.posted)
    expected = engine.ask(PRESS, municipality="ostre-toten", profile_role="employee")
    assert post["channel"] == event["channel"]
    assert post["text"].startswith(escape(expected.verdict))

    # Slack redelivers the event in a new envelope: acknowledged again, answered only once.
    retried = envelope("events_api", sent["payload"], retry_attempt=1)
    await fake_slack.send_envelope(retried)
    await fake_slack.wait_until(lambda: [m for m in fake_slack.socket_received if m.get("envelope_id") == retried["envelope_id"]])
    await socket_bot.drain()
    assert len(fake_slack.posted()) == 1


async def test_a_slash_command_over_socket_mode_is_acknowledged_with_the_working_message(socket_bot, fake_slack):
    command = {
        "token": "legacy-verification-token",
        "team_id": TEAM_ID,
        "channel_id": "C0KOMMUNIKASJON",
        "user_id": STAFF,
        "command": "/veileder",
        "text": PRESS,
        "api_app_id": "A0VEILEDER",
        "response_url": fake_slack.response_url("socket-command"),
        "trigger_id": "1337.42.abcdef",
    }
    sent = envelope("slash_commands", command)
    await fake_slack.send_envelope(sent)
    [ack] = await fake_slack.wait_until(lambda: [m for m in fake_slack.socket_received if m.get("envelope_id") == sent["envelope_id"]])
    assert ack["payload"]["text"] == slack_text("working", "nb")
    [answer] = await fake_slack.wait_until(lambda: fake_slack.hook_messages("socket-command"))
    assert answer["response_type"] == "ephemeral" and answer["blocks"]
