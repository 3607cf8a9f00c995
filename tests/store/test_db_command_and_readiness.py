"""An admin migrates the shared database; a load balancer asks a replica whether it is ready."""
from __future__ import annotations

from aiohttp.test_utils import TestClient, TestServer
from typer.testing import CliRunner

from bot.admin.crisis import CrisisStore
from bot.admin.question_log import QuestionLog
from bot.cli.app import app
from bot.serve import create_web_app
from bot.services import BotServices
from bot.store.database import SCHEMA_REVISION, Database
from bot.store.setup import open_store

runner = CliRunner()


def test_an_admin_upgrades_the_database_schema_and_reads_its_revision(env):
    status = runner.invoke(app, ["db", "status"])
    assert status.exit_code == 0 and "none (run veileder db upgrade)" in status.output
    for _ in range(2):  # a second upgrade (another replica starting) changes nothing
        upgraded = runner.invoke(app, ["db", "upgrade"])
        assert upgraded.exit_code == 0 and f"schema revision {SCHEMA_REVISION}" in upgraded.output, upgraded.output
    assert f"schema revision {SCHEMA_REVISION}" in runner.invoke(app, ["db", "status"]).output


def test_an_unreachable_database_is_one_clear_line(env, monkeypatch):
    monkeypatch.setenv("VEILEDER_DATABASE_URL", "postgresql+psycopg://veileder@127.0.0.1:9/nowhere?connect_timeout=1")
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 2 and "can't be upgraded" in result.output and "Traceback" not in result.output


async def _readyz(services: BotServices) -> tuple[int, dict]:
    async with TestClient(TestServer(create_web_app(services))) as client:
        response = await client.get("/readyz")
        alive = await client.get("/healthz")
        assert alive.status == 200  # alive, whatever readiness says
        return response.status, await response.json()


async def test_readyz_waits_for_the_model_then_says_ready(settings, engine):
    database = open_store(settings)
    services = BotServices(settings, None, QuestionLog.open(settings, database), CrisisStore(database))
    status, body = await _readyz(services)
    assert status == 503 and body["problems"] == ["the model is loading"]
    services.engine_loaded(engine)
    status, body = await _readyz(services)
    assert status == 200 and body["status"] == "ready" and body["index"].startswith("gen-")


async def test_readyz_is_503_while_the_database_cant_be_reached(settings, engine):
    unreachable = Database("postgresql+psycopg://veileder@127.0.0.1:9/nowhere?connect_timeout=1")
    services = BotServices(settings, engine, QuestionLog(unreachable, "salt"), CrisisStore(unreachable))
    status, body = await _readyz(services)
    assert status == 503 and body["problems"] == ["the database can't be reached"]


def test_the_schema_revision_the_store_expects_is_alembics_newest():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from bot.store.database import MIGRATIONS, SCHEMA_REVISION

    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    assert ScriptDirectory.from_config(config).get_current_head() == SCHEMA_REVISION
