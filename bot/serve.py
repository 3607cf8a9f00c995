"""`veileder serve`: one aiohttp process for every HTTP front end — Slack's Events API at
`/slack/events` (or Socket Mode), Teams (Bot Framework / Agents SDK) at `/api/messages`,
`/healthz` and `/admin` — assembled here from one `BotServices`, the only place that knows all
front ends.
"""
from __future__ import annotations

import logging
import sys
from typing import Callable

from aiohttp import web

from bot.admin.crisis import CrisisStore
from bot.admin.question_log import QuestionLog
from bot.admin.report import retention_cleanup_ctx
from bot.admin.sync.schedule import SyncSchedule
from bot.answering.engine import AnswerEngine
from bot.services import BotServices
from bot.settings import Settings
from bot.web.admin_page import mount_admin

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


def create_web_app(services: BotServices) -> web.Application:
    """The HTTP app: /healthz, /admin, Slack's /slack/events (when its token and signing secret are
    set) and Teams' /api/messages (when its connection is configured)."""
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


TEAMS_SETTINGS = "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID, __CLIENTSECRET and __TENANTID"


def _unset(**values: object) -> str:
    """The names among `values` that are not set, joined with "and"."""
    return " and ".join(name for name, value in values.items() if not value)


def front_end_lines(app: web.Application, settings: Settings, address: str) -> list[str]:
    """What an operator reads when `veileder serve` starts: one line per front end, on (at which
    path) or off (and which setting turns it on). Read from the routes `create_web_app` mounted and
    the settings that start Socket Mode and the sync schedule, so the lines can't disagree with
    what answers."""
    paths = {route.resource.canonical for route in app.router.routes() if route.resource is not None}
    lines = [f"Veileder is serving at {address}"]
    if "/slack/events" in paths:
        lines.append(f"  Slack        on:  Events API at {address}/slack/events")
    else:
        missing = _unset(SLACK_BOT_TOKEN=settings.slack_bot_token, SLACK_SIGNING_SECRET=settings.slack_signing_secret)
        lines.append(f"  Slack        off: Events API (/slack/events) needs {missing}")
    if settings.slack_app_token and settings.slack_bot_token:
        lines.append("  Slack        on:  Socket Mode (no public URL needed)")
    else:
        missing = _unset(SLACK_BOT_TOKEN=settings.slack_bot_token, SLACK_APP_TOKEN=settings.slack_app_token)
        lines.append(f"  Slack        off: Socket Mode needs {missing}")
    if "/api/messages" in paths:
        lines.append(f"  Teams        on:  {address}/api/messages")
    else:
        lines.append(f"  Teams        off: /api/messages needs {TEAMS_SETTINGS}")
    if settings.admin_token:
        lines.append(f"  Admin page   on:  {address}/admin (open /admin?token=… once, or send Authorization: Bearer …)")
    else:
        lines.append("  Admin page   off: /admin needs VEILEDER_ADMIN_TOKEN")
    lines.append(f"  Health       on:  {address}/healthz")
    if settings.sync_interval_minutes and settings.sharepoint_sources:
        lines.append(f"  SharePoint   on:  synced every {settings.sync_interval_minutes} min")
    else:
        missing = _unset(
            VEILEDER_SHAREPOINT_SOURCES=settings.sharepoint_sources, VEILEDER_SYNC_INTERVAL_MINUTES=settings.sync_interval_minutes
        )
        lines.append(f"  SharePoint   off: scheduled sync needs {missing}")
    lines.append("Stop with Ctrl-C (or SIGTERM).")
    return lines


def _say(line: str) -> None:
    """Operator lines go to stdout as they are, whatever the logging configuration."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def serve(settings: Settings, engine: AnswerEngine, host: str, port: int, say: Callable[[str], None] = _say) -> None:
    """Build the services once, the web app around them, and run until stopped (Ctrl-C, SIGTERM).

    Opens the question log (creating its tables) and the crisis state; the sync schedule and the
    question log's retention cleanup run as the app's cleanup contexts; with SLACK_APP_TOKEN set,
    Slack's events come over Socket Mode. Once the port is bound, `say` gets the address and one
    line per front end (`front_end_lines`); when the server has stopped, a last line.
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
    address = f"http://{host}:{port}"

    def started(*_: object) -> None:  # aiohttp calls this once the port is bound
        for line in front_end_lines(web_app, settings, address):
            say(line)

    web.run_app(web_app, host=host, port=port, print=started)
    say(f"Veileder stopped ({address}).")
