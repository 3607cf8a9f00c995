"""`veileder serve`: one aiohttp process for every HTTP front end — Slack's Events API at
`/slack/events` (or Socket Mode), Teams (Bot Framework / Agents SDK) at `/api/messages`,
`/healthz` and `/admin` — assembled here from one `BotServices`, the only place that knows all
front ends.
"""
from __future__ import annotations

import logging

from aiohttp import web

from bot.admin.crisis import CrisisStore
from bot.admin.question_log import QuestionLog
from bot.admin.report import retention_cleanup_ctx
from bot.admin.sync.schedule import SyncSchedule
from bot.answering.engine import AnswerEngine
from bot.services import BotServices
from bot.settings import Settings
from bot.web.admin_page import mount_admin
from bot.web.undecodable import undecodable_input

log = logging.getLogger(__name__)

SERVICES: web.AppKey[BotServices] = web.AppKey("services", BotServices)


async def _healthz(request: web.Request) -> web.Response:
    services: BotServices = request.app[SERVICES]
    try:
        retriever = services.engine.retriever()
        body = {"status": "ok", "index": retriever.stored.generation, "passages": len(retriever.stored.passages)}
        return web.json_response(body)
    except Exception as exc:  # health must answer, whatever is wrong
        return web.json_response({"status": "error", "error": str(exc)}, status=503)


async def _close_workers(services: BotServices) -> None:
    services.workers.close()


def create_web_app(services: BotServices) -> web.Application:
    """The HTTP app: /healthz, /admin, Slack's /slack/events (when its token and signing secret are
    set) and Teams' /api/messages (when its connection is configured)."""
    app = web.Application(client_max_size=4 * 1024 * 1024, middlewares=[undecodable_input])
    app[SERVICES] = services
    app.on_cleanup.append(lambda _app: _close_workers(services))
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


def serve(settings: Settings, engine: AnswerEngine, host: str, port: int) -> None:
    """Build the services once, the web app around them, and run until stopped (Ctrl-C, SIGTERM).

    Opens the question log (creating its tables) and the crisis state; the sync schedule and the
    question log's retention cleanup run as the app's cleanup contexts; with SLACK_APP_TOKEN set,
    Slack's events come over Socket Mode.
    """
    schedule = SyncSchedule(settings, engine.embedder)
    services = BotServices(
        settings, engine, QuestionLog.open(settings), CrisisStore(settings.data_dir), reindex=schedule.reindex
    )
    web_app = create_web_app(services)
    web_app.cleanup_ctx.append(retention_cleanup_ctx(services.log, settings.retention_days))
    web_app.cleanup_ctx.append(schedule.running)
    if settings.slack_app_token and settings.slack_bot_token:
        from bot.slack.app import start_socket_mode

        web_app.on_startup.append(lambda app: start_socket_mode(app, services))
    web.run_app(web_app, host=host, port=port, print=lambda *_: None)
