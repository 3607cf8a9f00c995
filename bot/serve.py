"""`veileder serve`: one aiohttp process for every HTTP front end — Slack's Events API at
`/slack/events`, Teams (Bot Framework / Agents SDK) at `/api/messages`, `/healthz` and `/admin`.

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

log = logging.getLogger(__name__)

ReindexFn = Callable[[str | None], Awaitable[str]]  # municipality or None → a summary to show in the chat


@dataclass
class BotServices:
    """What every front end may use: the engine, the question log, crisis state, and the admin reindex."""

    settings: Settings
    engine: AnswerEngine
    log: QuestionLog
    crisis: CrisisStore
    reindex: ReindexFn | None = None
    extras: dict = field(default_factory=dict)

    async def ask(self, question: str, *, municipality: str | None, profile_role: str | None = None) -> Answer:
        """Answer off the event loop (the model is CPU-bound)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            None, lambda: self.engine.ask(question, municipality=municipality, profile_role=profile_role)
        )

    def is_admin(self, user_id: str | None) -> bool:
        return bool(user_id) and user_id in self.settings.admin_user_ids()


SERVICES: web.AppKey["BotServices"] = web.AppKey("services", object)


def error_reference() -> str:
    """A short id the asker can quote to IT; the details go to the log under the same id."""
    return uuid.uuid4().hex[:8]


async def _healthz(request: web.Request) -> web.Response:
    services: BotServices = request.app[SERVICES]
    try:
        retriever = services.engine.retriever()
        body = {"status": "ok", "index": retriever.stored.generation, "passages": len(retriever.stored.passages)}
        return web.json_response(body)
    except Exception as exc:  # health must answer, whatever is wrong
        return web.json_response({"status": "error", "error": str(exc)}, status=503)


def create_web_app(services: BotServices) -> web.Application:
    app = web.Application(client_max_size=4 * 1024 * 1024)
    app[SERVICES] = services
    app.router.add_get("/healthz", _healthz)
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
