"""Requests that aren't the text they claim to be get a 4xx from every handler, never a 500:
the admin page, Slack's /slack/events and Teams' /api/messages, served as `veileder serve` serves them."""
from __future__ import annotations

import logging

import pytest

from bot.admin.crisis import CrisisStore
from bot.store.setup import open_store
from bot.admin.question_log import QuestionLog
from bot.graph.profile import GraphProfiles
from bot.serve import create_web_app
from bot.services import BotServices
from tests.standins.raw_http import raw_request
from tests.standins.slack_standin import BOT_TOKEN, SIGNING_SECRET, signed_headers
from tests.standins.teams_standin import LocalServer


@pytest.fixture
async def bot(settings, engine, monkeypatch):
    monkeypatch.setenv("CONNECTIONS__SERVICE_CONNECTION__SETTINGS__ANONYMOUS_ALLOWED", "true")
    served = settings.model_copy(update={"slack_bot_token": BOT_TOKEN, "slack_signing_secret": SIGNING_SECRET,
                                         "slack_api_url": "http://127.0.0.1:9/api/", "admin_token": "t" * 32})
    services = BotServices(served, engine, QuestionLog.open(served), CrisisStore(open_store(served)), graph_profiles=GraphProfiles(None))
    server = LocalServer(create_web_app(services))
    url = await server.start()
    yield url
    await server.stop()


def _signed(body: bytes, content_type: str) -> list[tuple[str, bytes]]:
    headers = signed_headers(body.decode("latin-1"), content_type)  # signs the same bytes as latin-1 text round-trips
    return [(name, value.encode("latin-1")) for name, value in headers.items()]


@pytest.mark.parametrize(
    "path, headers, body",
    [
        ("/api/messages", [("Content-Type", b"application/json")], b'{"type": "message", "text": "Kan jeg \xff\xfe?"}'),
        ("/api/messages", [("Content-Type", b"application/json; charset=utf-8"), ("X-Name", b"\xff")], b"\xc3\x28"),
        ("/api/messages", [("Authorization", b"Bearer \xff\xfe.abc.def")], b"{}"),
        ("/slack/events", [("Content-Type", b"application/json"), ("X-Slack-Signature", b"v0=\xff"), ("X-Slack-Request-Timestamp", b"\xff")], b"{}"),
        ("/slack/events", [("Content-Type", b"application/json"), ("X-Slack-Signature", b"v0=00"), ("X-Slack-Request-Timestamp", b"soon")], b"{}"),
        ("/slack/events", None, b'{"type": "event_callback", "event": {"text": "\xff"}}'),
        ("/slack/events", None, b"payload=%FF%FE&x=\xff"),
        ("/admin", [("Authorization", b"Bearer \xff")], b""),
    ],
)
async def test_undecodable_headers_and_bodies_get_a_4xx_not_a_500(bot, caplog, path, headers, body):
    if headers is None:  # correctly signed by Slack, yet not UTF-8
        content_type = "application/json" if body.startswith(b"{") else "application/x-www-form-urlencoded"
        headers = _signed(body, content_type)
    with caplog.at_level(logging.ERROR):
        status, _ = await raw_request(bot, "POST" if path != "/admin" else "GET", path, headers, body)
    assert 400 <= status < 500, status
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], [r.getMessage() for r in caplog.records]
