"""`veileder serve`: one aiohttp process for every HTTP front end — Slack's Events API at
`/slack/events`, Teams (Bot Framework / Agents SDK) at `/api/messages`, `/healthz` (alive),
`/readyz` (ready for traffic) and `/admin`.

Front ends get a `BotServices` and only render what the engine answers.
"""
from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass, field
from typing import Awaitable, Callable

from aiohttp import web

from bot.web.admin_page import mount_admin
from bot.answering.answer import Answer
from bot.admin.crisis import CrisisStore
from bot.answering.engine import AnswerEngine
from bot.settings import Settings
from bot.admin.question_log import QuestionLog
from bot.store.claims import Claims
from bot.store.database import Database

log = logging.getLogger(__name__)

ReindexFn = Callable[[str | None], Awaitable[str]]  # municipality or None → a summary to show in the chat


@dataclass
class BotServices:
    """What every front end may use: the engine, the question log, crisis state, de-duplication
    claims and the admin reindex, all but the engine in the shared state store (`database`).

    `engine` is None while `veileder serve` is still loading the model (`/readyz` says 503 then);
    `ask` waits for it."""

    settings: Settings
    engine: AnswerEngine | None
    log: QuestionLog
    crisis: CrisisStore
    reindex: ReindexFn | None = None
    extras: dict = field(default_factory=dict)
    claims: Claims | None = None
    startup_error: str | None = None
    _engine_ready: asyncio.Event | None = None

    def __post_init__(self) -> None:
        if self.claims is None:
            self.claims = Claims(self.log.database)

    @property
    def database(self) -> Database:
        return self.log.database

    def engine_loaded(self, engine: AnswerEngine) -> None:
        """Called (on the event loop) when the background start has loaded the engine."""
        self.engine = engine
        if self._engine_ready is not None:
            self._engine_ready.set()

    async def ready_engine(self) -> AnswerEngine:
        """The engine, waiting while the model is still loading."""
        if self.engine is None:
            if self._engine_ready is None:
                self._engine_ready = asyncio.Event()
            await self._engine_ready.wait()
        assert self.engine is not None
        return self.engine

    async def ask(self, question: str, *, municipality: str | None, profile_role: str | None = None) -> Answer:
        """Answer off the event loop (the model is CPU-bound)."""
        engine = await self.ready_engine()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            None, lambda: engine.ask(question, municipality=municipality, profile_role=profile_role)
        )

    def is_admin(self, user_id: str | None) -> bool:
        return bool(user_id) and user_id in self.settings.admin_user_ids()


SERVICES: web.AppKey["BotServices"] = web.AppKey("services", object)


def error_reference() -> str:
    """A short id the asker can quote to IT; the details go to the log under the same id."""
    return uuid.uuid4().hex[:8]


READY_DB_SECONDS = 2.0


async def _healthz(request: web.Request) -> web.Response:
    """Liveness: 200 while the process serves HTTP (a load balancer restarts it otherwise)."""
    services: BotServices = request.app[SERVICES]
    body: dict = {"status": "alive", "model_loaded": services.engine is not None}
    if services.startup_error:
        body["startup_error"] = services.startup_error
    return web.json_response(body)


async def _readyz(request: web.Request) -> web.Response:
    """Readiness: 200 once the model is loaded, an index is served and the database answers; else 503
    with what is missing, so a load balancer sends traffic only where it can be answered."""
    services: BotServices = request.app[SERVICES]
    problems: list[str] = []
    body: dict = {}
    if services.engine is None:
        problems.append(services.startup_error or "the model is loading")
    else:
        try:
            retriever = await asyncio.to_thread(services.engine.retriever)
            body.update(index=retriever.stored.generation, passages=len(retriever.stored.passages))
        except Exception as exc:  # noqa: BLE001 - readiness must answer, whatever is wrong
            problems.append(f"no index served: {exc}")
    try:
        reachable = await asyncio.wait_for(services.database.run(services.database.ping), READY_DB_SECONDS)
    except asyncio.TimeoutError:
        reachable = False
    if not reachable:
        problems.append("the database can't be reached")
    if problems:
        return web.json_response({"status": "starting" if services.engine is None else "not ready", "problems": problems, **body}, status=503)
    return web.json_response({"status": "ready", **body})


def create_web_app(services: BotServices) -> web.Application:
    app = web.Application(client_max_size=4 * 1024 * 1024)
    app[SERVICES] = services
    app.router.add_get("/healthz", _healthz)
    app.router.add_get("/readyz", _readyz)
    mount_admin(app, services)
    settings = services.settings
    if settings.slack_bot_token and settings.slack_signing_secret:
        from bot.slack.app import mount_slack

        mount_slack(app, services)
    try:
        from bot.teams.app import mount_teams
    except ImportError:  # pragma: no cover - Teams front end not installed
        log.info("Teams front end not available")
    else:
        mount_teams(app, services)
    return app
