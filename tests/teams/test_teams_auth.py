"""Production Teams requests are authenticated by the Agents SDK: a request without a valid Bot
Framework token is refused with 401 and gets no answer — and refusing it never makes the server
contact an outside host (no signing-key lookups for tokens that can't be valid).
"""
from __future__ import annotations

import base64
import json
import socket

import aiohttp
import jwt
import pytest
from microsoft_agents.hosting.core import JwtTokenValidator

from bot.admin.crisis import CrisisStore
from bot.store.setup import open_store
from bot.graph.profile import GraphProfiles
from bot.serve import create_web_app
from bot.services import BotServices
from bot.admin.question_log import QuestionLog
from bot.teams.app import token_problem
from tests.standins.teams_standin import LocalServer, personal_message

APP_ID = "00000000-0000-4000-8000-0000000b0771"
SDK = "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__"


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


CLAIMS = {"iss": "https://api.botframework.com", "aud": APP_ID, "serviceurl": "http://127.0.0.1/", "exp": 4102444800}
UNSIGNED_WITHOUT_KEY_ID = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(CLAIMS)}."
RS256_WITHOUT_KEY_ID = f"{_b64({'alg': 'RS256', 'typ': 'JWT'})}.{_b64(CLAIMS)}.c2lnbmF0dXJl"


@pytest.fixture
def outside_hosts(monkeypatch):
    """Every name lookup for a host other than this machine is recorded and refused."""
    looked_up: list[str] = []
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name not in ("127.0.0.1", "localhost", "::1"):
            looked_up.append(name)
            raise socket.gaierror(f"test: no outside hosts ({name})")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return looked_up


@pytest.fixture
def production_sdk(monkeypatch):
    """The SDK's settings as in production: app id, secret and tenant; anonymous requests not allowed."""
    monkeypatch.setenv(f"{SDK}CLIENTID", APP_ID)
    monkeypatch.setenv(f"{SDK}CLIENTSECRET", "not-a-real-secret")
    monkeypatch.setenv(f"{SDK}TENANTID", "5f1c0b2e-0000-4000-8000-0000000a5e00")
    monkeypatch.delenv(f"{SDK}ANONYMOUS_ALLOWED", raising=False)


@pytest.fixture
async def bot_url(settings, engine):
    services = BotServices(
        settings=settings,
        engine=engine,
        log=QuestionLog.open(settings),
        crisis=CrisisStore(open_store(settings)),
        graph_profiles=GraphProfiles(None),
    )
    server = LocalServer(create_web_app(services))
    url = await server.start()
    yield url
    await server.stop()


async def post(bot_url: str, activity: dict, authorization: str | None) -> int:
    headers = {"Authorization": authorization} if authorization is not None else {}
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{bot_url}api/messages", json=activity, headers=headers) as response:
            return response.status


@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param(None, id="no token"),
        pytest.param("Bearer not-a-jwt", id="malformed token"),
        pytest.param("Bearer a.b.c", id="malformed token parts"),
        pytest.param("Basic dXNlcjpwYXNz", id="not a bearer token"),
        pytest.param(f"Bearer {UNSIGNED_WITHOUT_KEY_ID}", id="unsigned JWT without key id"),
        pytest.param(f"Bearer {RS256_WITHOUT_KEY_ID}", id="RS256 JWT without key id"),
        pytest.param(f"Bearer {jwt.encode(CLAIMS, 'guessed-secret-of-32-bytes-or-more!', algorithm='HS256')}", id="HS256 JWT"),
    ],
)
async def test_a_request_without_a_valid_token_is_refused_and_not_answered(
    production_sdk, outside_hosts, connector, bot_url, authorization
):
    status = await post(bot_url, personal_message(connector.url, "Kan jeg uttale meg til pressen?"), authorization)

    assert status == 401
    assert connector.sent == []
    assert outside_hosts == []


async def test_a_crash_in_the_sdks_token_validation_is_a_401_not_a_500(production_sdk, outside_hosts, connector, bot_url, monkeypatch):
    validated: list[str] = []

    async def crash(self, token):
        validated.append(token)
        raise KeyError("kid")  # what the SDK's validator does today with a token that has no key id

    monkeypatch.setattr(JwtTokenValidator, "validate_token", crash)
    token = jwt.encode(CLAIMS, "x" * 32, algorithm="HS256", headers={"kid": "key-1"}).split(".")
    token[0] = _b64({"alg": "RS256", "typ": "JWT", "kid": "key-1"})  # passes the local checks, reaches the SDK

    status = await post(bot_url, personal_message(connector.url, "Kan jeg uttale meg til pressen?"), f"Bearer {'.'.join(token)}")

    assert status == 401
    assert len(validated) == 1, "the token reached the SDK's validator"
    assert connector.sent == []


def test_only_tokens_the_sdk_could_accept_reach_its_validator():
    assert token_problem(None) is None  # the SDK itself decides about a missing token
    assert token_problem("Bearer not-a-jwt") == "malformed token"
    assert token_problem(f"Bearer {UNSIGNED_WITHOUT_KEY_ID}") == "token not signed with RS256"
    assert token_problem(f"Bearer {RS256_WITHOUT_KEY_ID}") == "token without a key id"
    with_key_id = f"{_b64({'alg': 'RS256', 'kid': 'abc'})}.{_b64(CLAIMS)}.c2ln"
    assert token_problem(f"Bearer {with_key_id}") is None


async def test_without_the_sdk_connection_settings_teams_is_not_mounted(monkeypatch, settings, engine, connector):
    for name in ("CLIENTID", "CLIENTSECRET", "TENANTID", "ANONYMOUS_ALLOWED"):
        monkeypatch.delenv(f"{SDK}{name}", raising=False)
    services = BotServices(
        settings=settings, engine=engine, log=QuestionLog.open(settings), crisis=CrisisStore(open_store(settings))
    )
    server = LocalServer(create_web_app(services))
    url = await server.start()
    try:
        status = await post(url, personal_message(connector.url, "Kan jeg uttale meg til pressen?"), None)
    finally:
        await server.stop()

    assert status == 404
    assert connector.sent == []
