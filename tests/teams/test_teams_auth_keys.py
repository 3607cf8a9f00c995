"""Forged Teams tokens can't hold real ones up: Microsoft's signing keys are fetched with a bounded
timeout and cached, unknown key ids are remembered, and a client that keeps sending refused
requests is slowed down (429) — tested against a loopback key server that stops answering."""
from __future__ import annotations

import asyncio
import time
import uuid

import aiohttp
import jwt
import pytest
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.admin.crisis import CrisisStore
from bot.store.setup import open_store
from bot.admin.question_log import QuestionLog
from bot.graph.profile import GraphProfiles
from bot.serve import create_web_app
from bot.services import BotServices
from bot.teams import auth
from bot.teams.auth import RefusalLimiter, SigningKeyError, SigningKeys
from tests.standins.teams_standin import LocalServer, personal_message
from tests.teams.test_teams_auth import APP_ID, outside_hosts, production_sdk  # noqa: F401 - fixtures

REAL_KID = "microsoft-key-1"


class KeyServer:
    """Microsoft's signing-key endpoint on 127.0.0.1: answers with the key set until `silent`, then never answers."""

    def __init__(self) -> None:
        self.private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.silent = False
        self.requests = 0
        self._never = asyncio.Event()
        self._server: LocalServer | None = None
        self.url = ""

    async def start(self) -> str:
        app = web.Application()
        app.router.add_get("/keys", self._keys)
        self._server = LocalServer(app)
        self.url = (await self._server.start()) + "keys"
        return self.url

    async def stop(self) -> None:
        self._never.set()
        if self._server:
            await self._server.stop()

    async def _keys(self, request: web.Request) -> web.Response:
        self.requests += 1
        if self.silent:
            await self._never.wait()
        public = jwt.algorithms.RSAAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        return web.json_response({"keys": [{**public, "kid": REAL_KID, "use": "sig", "alg": "RS256"}]})

    def token(self, service_url: str, kid: str = REAL_KID, key=None) -> str:
        claims = {"iss": "https://api.botframework.com", "aud": APP_ID, "serviceurl": service_url, "exp": int(time.time()) + 600}
        return jwt.encode(claims, key or self.private_key, algorithm="RS256", headers={"kid": kid})


@pytest.fixture
async def key_server():
    server = KeyServer()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def bot_url(settings, engine, key_server, monkeypatch):
    monkeypatch.setattr(auth, "FETCH_TIMEOUT_S", 1.0)
    monkeypatch.setattr(auth, "REFRESH_INTERVAL_S", 0.2)  # so the forged ids below do make it refresh
    services = BotServices(
        settings=settings.model_copy(update={"teams_jwks_url": key_server.url}),
        engine=engine,
        log=QuestionLog.open(settings),
        crisis=CrisisStore(open_store(settings)),
        graph_profiles=GraphProfiles(None),
    )
    server = LocalServer(create_web_app(services))
    url = await server.start()
    yield url
    await server.stop()


async def post(url: str, activity: dict, token: str) -> tuple[int, float]:
    started = time.perf_counter()
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{url}api/messages", json=activity, headers={"Authorization": f"Bearer {token}"}) as response:
            return response.status, time.perf_counter() - started


async def test_forged_tokens_with_unknown_key_ids_do_not_hold_a_real_token_up(
    production_sdk, outside_hosts, connector, bot_url, key_server
):
    activity = personal_message(connector.url, "Kan jeg uttale meg til pressen?")
    status, _ = await post(bot_url, activity, key_server.token(connector.url))
    assert status != 401  # the key set is fetched once and the real token accepted
    key_server.silent = True  # from now on Microsoft's key endpoint never answers
    await asyncio.sleep(0.3)

    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = [post(bot_url, activity, key_server.token(connector.url, kid=f"forged-{i}", key=forger)) for i in range(5)]
    real = post(bot_url, activity, key_server.token(connector.url))
    *forged_results, (real_status, real_seconds) = await asyncio.gather(*forged, real)

    assert real_status != 401 and real_seconds < 1.0, "the real token waited for the forged ones"
    assert [s for s, _ in forged_results] == [401] * 5
    assert max(seconds for _, seconds in forged_results) < 3.0, "a key fetch was not bounded"

    started = time.perf_counter()
    again = await asyncio.gather(*[post(bot_url, activity, key_server.token(connector.url, kid="forged-0", key=forger)) for _ in range(5)])
    assert [s for s, _ in again] == [401] * 5 and time.perf_counter() - started < 1.0  # remembered as unknown
    assert key_server.requests == 2  # the first fetch and one refresh, not one per forged token


async def test_a_key_set_is_fetched_once_and_an_unknown_key_id_refreshes_it_at_most_once_per_interval(key_server):
    now = [1000.0]
    keys = SigningKeys(jwks_url=key_server.url, refresh_interval_s=300, unknown_key_ttl_s=3600, clock=lambda: now[0])

    for _ in range(3):
        assert (await keys.get_signing_key("https://login.botframework.com/v1/.well-known/keys", {"kid": REAL_KID})).key_id == REAL_KID
    for kid in ("a", "b", "c", "a"):
        with pytest.raises(SigningKeyError):
            await keys.get_signing_key("ignored", {"kid": kid})
    assert key_server.requests == 1  # fetched a moment ago: unknown ids are unknown
    now[0] += 301
    with pytest.raises(SigningKeyError):
        await keys.get_signing_key("ignored", {"kid": "a"})  # remembered for an hour, no new fetch
    with pytest.raises(SigningKeyError):
        await keys.get_signing_key("ignored", {"kid": "d"})  # a new unknown id may refresh once more
    with pytest.raises(SigningKeyError):
        await keys.get_signing_key("ignored", {"kid": "e"})
    assert key_server.requests == 2


async def test_a_key_endpoint_that_never_answers_costs_one_bounded_wait(key_server):
    key_server.silent = True
    keys = SigningKeys(jwks_url=key_server.url, fetch_timeout_s=0.5)
    started = time.perf_counter()
    results = await asyncio.gather(*[keys.get_signing_key("x", {"kid": f"k{i}"}) for i in range(5)], return_exceptions=True)
    assert all(isinstance(r, SigningKeyError) for r in results)
    assert time.perf_counter() - started < 2.0
    assert keys.fetches == 1


async def test_a_client_refused_again_and_again_is_slowed_down(production_sdk, outside_hosts, connector, bot_url, monkeypatch):
    activity = personal_message(connector.url, "Kan jeg uttale meg til pressen?")
    statuses = []
    async with aiohttp.ClientSession() as session:
        for _ in range(35):
            async with session.post(f"{bot_url}api/messages", json=activity, headers={"Authorization": "Bearer not-a-jwt"}) as response:
                statuses.append(response.status)
                retry_after = response.headers.get("Retry-After")
    assert statuses[:30] == [401] * 30 and set(statuses[30:]) == {429}
    assert retry_after and int(retry_after) > 0
    assert connector.sent == []


def test_refusals_are_counted_per_address_in_a_sliding_window():
    now = [0.0]
    limiter = RefusalLimiter(max_refusals=3, window_s=60, clock=lambda: now[0])
    for _ in range(3):
        limiter.refused("10.0.0.1")
    assert limiter.blocked("10.0.0.1") == 60 and limiter.blocked("10.0.0.2") == 0
    now[0] += 61
    assert limiter.blocked("10.0.0.1") == 0
