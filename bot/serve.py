"""`veileder serve`: one aiohttp process for every HTTP front end — Slack's Events API at
`/slack/events` (or Socket Mode), Teams (Bot Framework / Agents SDK) at `/api/messages`,
`/healthz` (alive), `/readyz` (ready for traffic) and `/admin` — assembled here from one
`BotServices`, the only place that knows all front ends.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import time
from typing import AsyncIterator, Callable

from aiohttp import web

from bot.admin.crisis import CrisisStore, open_crisis_store
from bot.admin.question_log import QuestionLog
from bot.admin.report import retention_cleanup_ctx
from bot.admin.sync.schedule import SyncSchedule
from bot.answering.engine import AnswerEngine
from bot.answering.engine_process import EngineProcess
from bot.answering.long_lived import keep_long_lived_frozen_ctx
from bot.background import while_serving
from bot.services import BotServices
from bot.settings import Settings
from bot.store.claims import claims_cleanup_ctx
from bot.store.database import Database
from bot.web.admin_page import mount_admin
from bot.web.undecodable import undecodable_input

log = logging.getLogger(__name__)

SERVICES: web.AppKey[BotServices] = web.AppKey("services", BotServices)
READY_DB_SECONDS = 2.0
INDEX_BUSY_RETRY_SECONDS = 2.0

EngineOpener = Callable[[Database], AnswerEngine]  # loads the model (blocking); builds nothing yet


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
        status = "starting" if services.engine is None else "not ready"
        return web.json_response({"status": status, "problems": problems, **body}, status=503)
    return web.json_response({"status": "ready", **body})


async def _close_workers(services: BotServices) -> None:
    if services.workers is not None:
        services.workers.close()
    if services.engine_process is not None:
        await asyncio.to_thread(services.engine_process.close)
    if services.answer_loop is not None:
        services.answer_loop.close()


def create_web_app(services: BotServices) -> web.Application:
    """The HTTP app: /healthz, /readyz, /admin, Slack's /slack/events (when its token and signing
    secret are set) and Teams' /api/messages (when its connection is configured)."""
    app = web.Application(client_max_size=4 * 1024 * 1024, middlewares=[undecodable_input])
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
    # Last, so the front ends' own cleanup (answers being posted get a few seconds) runs first.
    app.on_cleanup.append(lambda _app: _close_workers(services))
    return app


ADVISER_ROUND_SECONDS = 60  # how often cases from `veileder chat` are posted and overdue cases reminded


async def adviser_round(app: web.Application) -> None:
    """One round for the advisers' channels, in every mounted chat front end: post cases opened in
    `veileder chat`, and remind about cases open past ADVISER_REMINDER_HOURS."""
    fronts = []
    with contextlib.suppress(ImportError):
        from bot.slack.app import SLACK_FRONT_END

        fronts.append(app.get(SLACK_FRONT_END))
    with contextlib.suppress(ImportError):
        from bot.teams.app import TEAMS_BOT

        fronts.append(app.get(TEAMS_BOT))
    for front in fronts:
        advisers = getattr(front, "advisers", None)
        if advisers is None:
            continue
        try:
            await advisers.post_pending()
            await advisers.remind_overdue()
        except Exception:  # a platform or database hiccup must not stop the bot; the next round retries
            log.exception("adviser round failed")


def adviser_rounds(app: web.Application) -> Callable[[web.Application], AsyncIterator[None]]:
    """An aiohttp cleanup context running `adviser_round` every ADVISER_ROUND_SECONDS."""

    async def rounds() -> None:
        while True:
            await adviser_round(app)
            await asyncio.sleep(ADVISER_ROUND_SECONDS)

    return while_serving(rounds, "veileder-adviser-rounds")


def load_engine(open_engine: EngineOpener, database: Database) -> AnswerEngine:
    """The engine with its model loaded, an index served (building the first one if there is none)
    and the language detector and word maps loaded (`AnswerEngine.warm_up`), so the first question
    after /readyz turns 200 is as fast as any other, and questions traced through the model
    (`trace_queries`); while another replica builds that first index
    into the shared folder, wait for it."""
    from index.store import IndexBusy

    engine = open_engine(database)
    while True:
        try:
            engine.warm_up()
            engine.embedder.trace_queries()  # answers beside the event loop: see index.query_graph
            return engine
        except IndexBusy:
            log.info("another replica is building the first index; waiting for it")
            time.sleep(INDEX_BUSY_RETRY_SECONDS)


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
    lines.append(f"  Health       on:  {address}/healthz (alive), {address}/readyz (ready for questions)")
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


def serve(
    settings: Settings, database: Database, open_engine: EngineOpener, host: str, port: int, say: Callable[[str], None] = _say
) -> None:
    """Build the services once, the web app around them, and run until stopped (Ctrl-C, SIGTERM).

    `database` is the shared state store, already migrated. The server listens at once and loads
    the model in the background (`open_engine`): until then /readyz is 503 and questions that
    arrive anyway wait for it. The sync schedule, the question log's retention cleanup and the
    claims' cleanup run as the app's cleanup contexts; with SLACK_APP_TOKEN set, Slack's events
    come over Socket Mode. Once the port is bound, `say` gets the address and one line per front
    end (`front_end_lines`); then a line when questions can be answered, and one when it has stopped.
    """
    services = BotServices(
        settings, None, QuestionLog.open(settings, database), CrisisStore(database),
        engine_process=EngineProcess(settings, settings.engine_processes, open_crisis_store) if settings.engine_processes else None,
    )
    schedule = SyncSchedule(settings, database, engine=services.ready_engine)
    services.reindex = schedule.reindex
    web_app = create_web_app(services)

    async def load_in_background(_app: web.Application) -> None:
        async def run() -> None:
            try:
                engine = await asyncio.to_thread(load_engine, open_engine, database)
                if services.engine_process is not None:  # after load_engine, which builds a missing first index
                    await services.engine_process.start()
            except Exception as exc:  # noqa: BLE001 - /readyz and /healthz say what is wrong
                services.startup_error = str(exc) or type(exc).__name__
                log.error("the bot can't start answering: %s", services.startup_error)
                return
            services.engine_loaded(engine)
            generation = engine.retriever().stored.generation
            answering = (f"{settings.engine_processes} engine process(es)" if services.engine_process is not None
                         else f"{settings.resolved_answer_workers()} answer workers")
            log.info("ready: model loaded, index %s served; %s, %d answer slots", generation, answering, settings.resolved_answer_slots())
            say(f"Ready: model loaded, index {generation} served.")

        services.running["loader"] = asyncio.create_task(run(), name="veileder-load")

    web_app.on_startup.append(load_in_background)

    async def served_generation() -> str:
        engine = await services.ready_engine()
        return await asyncio.to_thread(lambda: engine.retriever().stored.generation)

    web_app.cleanup_ctx.append(keep_long_lived_frozen_ctx(served_generation))
    web_app.cleanup_ctx.append(retention_cleanup_ctx(services.log, settings.retention_days))
    web_app.cleanup_ctx.append(claims_cleanup_ctx(services.claims))
    web_app.cleanup_ctx.append(schedule.running)
    if settings.advisers:
        web_app.cleanup_ctx.append(adviser_rounds(web_app))
    if settings.slack_app_token and settings.slack_bot_token:
        from bot.slack.app import start_socket_mode

        web_app.on_startup.append(lambda app: start_socket_mode(app, services))
    address = f"http://{host}:{port}"

    def started(*_: object) -> None:  # aiohttp calls this once the port is bound
        for line in front_end_lines(web_app, settings, address):
            say(line)

    web.run_app(web_app, host=host, port=port, print=started)
    say(f"Veileder stopped ({address}).")
