"""The communications department sees the questions that reached its advisers: open and answered
cases with their times, the median time to the first reply and the topics, in `veileder report`
and on /admin (checked in headless Chromium)."""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from bot.store.schema import adviser_cases
from bot.cli.app import app
from tests.web.test_admin_page import TOKEN, Server, admin_services, chromium, needs_chromium

OPEN_QUESTION = "Kan jeg dele bilder fra julebordet på Facebook?"
ANSWERED_QUESTION = "Når blir feriepengene utbetalt i år?"


def advisers_at_work(services) -> None:
    """Two cases: one answered three hours after it was asked, one still open (claimed)."""
    cases = services.cases
    for question in (ANSWERED_QUESTION, OPEN_QUESTION):
        answer = services.engine.ask(question, municipality="ostre-toten")
        case = cases.open_case(answer, platform="slack", asker_id="U1", asker_name="Kari Nordmann", reply_to={"channel": "D1"})
        if question == ANSWERED_QUESTION:
            cases.reply(case.id, "U0ADA", "Ada Berg", "I juni.")
            with cases.engine.begin() as conn:
                conn.execute(update(adviser_cases).where(adviser_cases.c.id == case.id).values(created_at=datetime.now(timezone.utc) - timedelta(hours=3)))
        else:
            cases.claim(case.id, "U0PER", "Per Presse")


@pytest.fixture
async def bot(settings, engine):
    services = admin_services(settings, engine)
    advisers_at_work(services)
    server = await Server(services).start()
    yield server
    await server.stop()


@needs_chromium
async def test_the_admin_page_lists_open_and_answered_cases_with_times_in_chromium(bot, tmp_path):
    dom = await chromium(f"{bot.url}/admin?token={TOKEN}", tmp_path, "--dump-dom")
    section = dom[dom.index('id="saker"'):]
    section = section[: section.index("</section>")]
    assert "Saker til kommunikasjonsrådgiverne" in section
    open_part, answered_part = section.split("<h3>Besvarte saker</h3>")[0], section.split("<h3>Besvarte saker</h3>")[1]
    assert OPEN_QUESTION in open_part and "Per Presse har saken" in open_part
    assert ANSWERED_QUESTION in answered_part and "Ada Berg" in answered_part and "3,0 t" in answered_part
    assert re.search(r"Median tid til første svar</dt><dd>3,0 t", section)


async def test_the_status_json_lists_the_cases(bot):
    import aiohttp

    async with aiohttp.ClientSession() as http:
        async with http.get(f"{bot.url}/admin/status.json", headers={"Authorization": f"Bearer {TOKEN}"}) as response:
            data = await response.json()
    cases = data["report"]["adviser_cases"]
    assert [c["question"] for c in cases["open"]] == [OPEN_QUESTION]
    assert [c["question"] for c in cases["answered"]] == [ANSWERED_QUESTION]
    assert cases["median_hours_to_reply"] == pytest.approx(3.0, abs=0.05)
    assert sum(t["cases"] for t in cases["topics"]) == 2


def test_veileder_report_shows_the_advisers_cases(env, settings, engine):
    from bot.admin.crisis import CrisisStore
    from bot.admin.question_log import QuestionLog
    from bot.services import BotServices
    from bot.settings import Settings

    cli_settings = Settings()  # as the command reads it from the environment `env` set up
    log = QuestionLog.open(cli_settings)
    services = BotServices(cli_settings, engine, log, CrisisStore(log.database))
    advisers_at_work(services)
    runner = CliRunner()
    shown = runner.invoke(app, ["report"], catch_exceptions=False)
    assert shown.exit_code == 0
    text = " ".join(shown.output.split())
    assert "Saker til kommunikasjonsrådgiverne" in text and "1 åpne · 1 besvart" in text
    assert "median tid til første svar: 3,0 t" in text
    data = json.loads(runner.invoke(app, ["report", "--json"], catch_exceptions=False).output)
    assert len(data["adviser_cases"]["open"]) == 1
