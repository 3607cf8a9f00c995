"""Head-of-line latency under a burst: `python -m bench.burst` (`make bench-burst`).

200 questions arrive at once — as 200 signed Slack events at `/slack/events`, then as 200 Teams
activities at `/api/messages` — at the real front ends, served by aiohttp on 127.0.0.1, with the
repository's Slack and Bot Framework stand-ins (tests/standins/) receiving the answers. For each
question the time from its arrival to its answer being posted is measured; printed per front end:

    median time to answer / time to drain the whole burst

With answers coming out in arrival order as each is ready, the median asker waits about half the
drain time (≈ 0.5); when every answer waits until the whole burst is computed it is ≈ 1.0. Target
(issue 15): ≤ 0.6 for both front ends.

The engine is the configured one (VEILEDER_MODEL, index in VEILEDER_INDEX_DIR); `--model hashing`
uses the fast test embedder over the bundled documents in a temporary folder.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path

QUESTIONS = [
    ("Kan jeg uttale meg til pressen?", "ostre-toten"),
    ("Hvem gir politiske kommentarer?", "ostre-toten"),
    ("Who speaks for the municipality in a crisis?", "modum"),
    ("Kan eg leggje ut bilete frå jobben?", "asker"),
    ("Hvilke sosiale medier bruker kommunen?", "baerum"),
]


def _services(settings, engine, **overrides):
    from bot.admin.crisis import CrisisStore
    from bot.admin.question_log import QuestionLog
    from bot.services import BotServices

    from bot.store.setup import open_store

    settings = settings.model_copy(update=overrides)
    database = open_store(settings)
    return BotServices(settings, engine, QuestionLog.open(settings, database), CrisisStore(database))


def _ratio(arrived: dict[str, float], answered: dict[str, float]) -> tuple[float, float, float, int]:
    waits = [answered[k] - arrived[k] for k in arrived if k in answered]
    start = min(arrived.values())
    drain = max(answered.values()) - start if answered else float("nan")
    median = statistics.median(waits) if waits else float("nan")
    return median, drain, median / drain, len(waits)


async def slack_burst(settings, engine, n: int) -> tuple[float, float, float, int]:
    from aiohttp import web
    from aiohttp.test_utils import TestClient, TestServer

    from bot.slack.app import mount_slack
    from tests.standins.slack_standin import BOT_TOKEN, SIGNING_SECRET, TEAM_ID, FakeSlack, SlackSender, dm

    answered: dict[str, float] = {}

    class TimedSlack(FakeSlack):
        def _record(self) -> None:
            call = self.calls[-1]
            if call.method in ("chat.update", "chat.postMessage") and call.args.get("blocks"):
                answered.setdefault(str(call.args.get("channel")), time.perf_counter())
            super()._record()

    fake = await TimedSlack().start()
    services = _services(settings, engine, slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING_SECRET,
                         slack_api_url=fake.api_url, slack_team_municipalities={TEAM_ID: "ostre-toten"})
    app = web.Application()
    mount_slack(app, services)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    sender = SlackSender(client, fake)
    arrived: dict[str, float] = {}

    async def one(i: int) -> None:
        channel = f"D{i:05d}"
        question = QUESTIONS[i % len(QUESTIONS)][0]
        arrived[channel] = time.perf_counter()
        response = await sender.event(dm(question, f"U{i:05d}", channel=channel))
        assert response.status == 200, response.status

    try:
        await asyncio.gather(*(one(i) for i in range(n)))
        await fake.wait_until(lambda: len(answered) >= n, timeout=600)
    finally:
        await client.close()
        await fake.stop()
        getattr(services, "workers", None) and services.workers.close()
    return _ratio(arrived, answered)


async def teams_burst(settings, engine, n: int) -> tuple[float, float, float, int]:
    import aiohttp

    from bot.graph.profile import GraphProfiles
    from bot.serve import create_web_app
    from tests.standins.teams_standin import FakeConnector, LocalServer, personal_message

    os.environ["CONNECTIONS__SERVICE_CONNECTION__SETTINGS__ANONYMOUS_ALLOWED"] = "true"
    answered: dict[str, float] = {}

    class TimedConnector(FakeConnector):
        async def _receive(self, request):
            response = await super()._receive(request)
            sent = self.sent[-1]
            if sent.type == "message" and sent.card is not None:
                answered.setdefault(sent.conversation_id, time.perf_counter())
            return response

    connector = TimedConnector()
    await connector.start()
    services = _services(settings, engine, tenant_municipalities={}, municipality="ostre-toten")
    services = type(services)(**{**services.__dict__, "graph_profiles": GraphProfiles(None)})
    server = LocalServer(create_web_app(services))
    url = await server.start()
    arrived: dict[str, float] = {}

    async def one(session: aiohttp.ClientSession, i: int) -> None:
        aad = str(uuid.UUID(int=i + 1))
        activity = personal_message(connector.url, QUESTIONS[i % len(QUESTIONS)][0], aad=aad)
        conversation = activity["conversation"]["id"]
        arrived[conversation] = time.perf_counter()
        async with session.post(f"{url}api/messages", json=activity) as response:
            assert response.status < 300, response.status

    try:
        connector_limit = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector_limit, timeout=aiohttp.ClientTimeout(total=900)) as session:
            await asyncio.gather(*(one(session, i) for i in range(n)))
        bot = services.running.get("teams_bot")
        if bot is not None:  # answers come as proactive replies after the acknowledgement
            await bot.drain()
    finally:
        await server.stop()
        await connector.stop()
    return _ratio(arrived, answered)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=200, help="questions in the burst (default 200)")
    parser.add_argument("--model", help="'hashing' for the fast test embedder (default: VEILEDER_MODEL)")
    args = parser.parse_args()

    import logging

    logging.basicConfig(level=logging.ERROR)
    from bot.answering.engine import AnswerEngine
    from bot.settings import Settings
    from index.builder import build_index
    from index.embedder import HashingEmbedder, load_embedder
    from knowledge.library import bundled_documents_dir, load_knowledge

    tmp = Path(tempfile.mkdtemp(prefix="veileder-burst-"))
    if args.model == "hashing":
        settings = Settings(_env_file=None, model="hashing", data_dir=tmp / "data", index_dir=tmp / "index")
        embedder = HashingEmbedder()
        build_index(load_knowledge(bundled_documents_dir()), embedder, settings.resolved_index_dir())
    else:
        base = Settings()
        settings = base.model_copy(update={"data_dir": tmp / "data", "index_dir": base.resolved_index_dir()})
        embedder = load_embedder(base.model, base.data_dir, base.threads)
        if not (settings.resolved_index_dir() / "CURRENT").exists():
            build_index(load_knowledge(base.setup_documents_dir()), embedder, settings.resolved_index_dir())
    engine = AnswerEngine(settings, embedder=embedder)
    engine.warm_up()  # index, language detector, word maps: as `veileder serve` does before /readyz
    engine.ask(*QUESTIONS[0][:1], municipality="ostre-toten")  # warm: model and caches
    print(f"burst of {args.n} questions, {getattr(settings, 'resolved_answer_workers', lambda: '?')()} answer workers, model {settings.model}")
    for name, burst in (("Slack events", slack_burst), ("Teams activities", teams_burst)):
        median, drain, ratio, answered = asyncio.run(burst(settings, engine, args.n))
        verdict = "ok" if ratio <= 0.6 and answered == args.n else "over target"
        print(f"{args.n} concurrent {name}: {answered} answered, median time to answer {median:.2f} s, "
              f"drain {drain:.2f} s, median/drain {ratio:.2f}   target ≤ 0.6 ({verdict})")



if __name__ == "__main__":
    main()
