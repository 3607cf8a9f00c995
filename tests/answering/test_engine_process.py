"""`veileder serve` answers in an engine process of its own: staff get the same answers as from the
engine in the serving process, an admin's reindex is served by the next question, and an engine
process that is killed costs the askers it held an apology with a reference, not a hang; the next
question starts a new one."""
from __future__ import annotations

import asyncio
import os
import re
import signal

import pytest

from bot.admin.crisis import CrisisStore, open_crisis_store
from bot.admin.question_log import QuestionLog
from bot.answering.engine_process import EngineProcess, EngineProcessError
from bot.services import BotServices
from bot.store.setup import open_store
from index.builder import build_index
from index.embedder import HashingEmbedder
from knowledge.library import load_knowledge
from tests.conftest import hashing_settings
from tests.documents import small_library

PRESS = "Kan jeg uttale meg til pressen?"
HOME = "ostre-toten"


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.fixture
async def engine_process(settings):
    process = EngineProcess(settings, crisis=open_crisis_store)
    yield process
    await asyncio.to_thread(process.close)


def services_answering_in(process: EngineProcess, settings, engine) -> BotServices:
    database = open_store(settings)
    return BotServices(settings, engine, QuestionLog.open(settings, database), CrisisStore(database), engine_process=process)


async def test_a_staff_member_gets_the_same_answer_from_the_engine_process_as_from_the_engine(settings, engine, engine_process):
    services = services_answering_in(engine_process, settings, engine)
    [(pid, generation)] = await engine_process.start()
    assert pid != os.getpid() and generation == engine.retriever().stored.generation

    answer = await services.ask(PRESS, municipality=HOME, profile_role="employee")

    expected = engine.ask(PRESS, municipality=HOME, profile_role="employee")
    assert answer == expected  # the whole Answer, rule, citations and passages, came back intact
    services.workers.close()


async def test_a_question_the_engine_refuses_is_refused_the_same_way_through_the_process(settings, engine, engine_process):
    from bot.answering.engine import UnknownMunicipality

    services = services_answering_in(engine_process, settings, engine)
    with pytest.raises(UnknownMunicipality, match="Unknown municipality 'atlantis'"):
        await services.ask(PRESS, municipality="atlantis")
    services.workers.close()


async def test_crisis_mode_switched_on_by_an_admin_leads_the_answers_from_the_engine_process(settings, engine_process):
    await engine_process.start()
    CrisisStore(open_store(settings)).switch_on(HOME, "Henvis alle henvendelser til ordføreren.", "Ordføreren", by="admin")

    answer = await engine_process.ask(PRESS, municipality=HOME)

    assert answer.crisis is not None and answer.crisis.spokesperson == "Ordføreren"
    assert "ordføreren" in answer.verdict.lower()


NEW_ROUTINE = (
    "# Svartid\n\nKommunen svarer innbyggerne innen to virkedager på henvendelser som kommer inn på "
    "e-post eller i sosiale medier.\n"
)


async def test_an_admins_reindex_is_served_by_the_engine_process_with_the_next_question(tmp_path):
    docs = small_library(tmp_path / "docs")
    settings = hashing_settings(tmp_path, documents_dir=docs)
    build_index(load_knowledge(docs), HashingEmbedder(), settings.resolved_index_dir())
    process = EngineProcess(settings)
    try:
        [(_, before)] = await process.start()
        question = "Hvor raskt svarer kommunen innbyggerne?"
        answer = await process.ask(question, municipality="testby")
        assert not any("to virkedager" in p.text for p in answer.passages)

        (docs / "testby" / "ny-rutine.txt").write_text(NEW_ROUTINE, encoding="utf-8")
        build_index(load_knowledge(docs), HashingEmbedder(), settings.resolved_index_dir())  # as `veileder index` or a sync does

        answer = await process.ask(question, municipality="testby")
        assert any("to virkedager" in p.text for p in answer.passages)
        [(_, after)] = await process.start()
        assert after != before
    finally:
        await asyncio.to_thread(process.close)


async def test_a_killed_engine_process_fails_the_questions_it_held_and_the_next_question_starts_a_new_one(engine_process):
    [(first_pid, _)] = await engine_process.start()
    asked = [asyncio.ensure_future(engine_process.ask(PRESS, municipality=HOME)) for _ in range(40)]
    done, _ = await asyncio.wait(asked, return_when=asyncio.FIRST_COMPLETED)
    os.kill(first_pid, signal.SIGKILL)  # as the kernel's OOM killer would

    results = await asyncio.wait_for(asyncio.gather(*asked, return_exceptions=True), 30)  # nobody hangs
    failed = [r for r in results if isinstance(r, BaseException)]
    assert failed and all(isinstance(r, EngineProcessError) for r in failed)
    assert len(failed) < len(asked)  # those answered before the kill kept their answers

    answer = await engine_process.ask(PRESS, municipality=HOME)
    assert answer.answered
    [(second_pid, _)] = await engine_process.start()
    assert second_pid != first_pid and _gone(first_pid)


async def test_an_engine_process_that_ended_while_idle_is_replaced_without_failing_a_question(engine_process):
    [(pid, _)] = await engine_process.start()
    os.kill(pid, signal.SIGKILL)
    await asyncio.sleep(0.5)  # the pool notices the process is gone

    answer = await engine_process.ask(PRESS, municipality=HOME)

    assert answer.answered


async def test_stopping_leaves_no_engine_process_behind(settings):
    process = EngineProcess(settings)
    [(pid, _)] = await process.start()
    await asyncio.to_thread(process.close)
    assert _gone(pid)
    with pytest.raises(EngineProcessError, match="stopped"):
        await process.ask(PRESS, municipality=HOME)


async def test_a_slack_dm_held_by_a_killed_engine_process_gets_an_apology_with_a_reference(settings, engine, engine_process):
    from aiohttp import web
    from aiohttp.test_utils import TestClient, TestServer

    from bot.slack.app import SLACK_FRONT_END, mount_slack
    from tests.standins.slack_standin import BOT_TOKEN, SIGNING_SECRET, TEAM_ID, FakeSlack, SlackSender, dm

    fake = await FakeSlack().start()
    slack_settings = settings.model_copy(update={
        "slack_bot_token": BOT_TOKEN, "slack_signing_secret": SIGNING_SECRET, "slack_api_url": fake.api_url,
        "municipality": HOME, "slack_team_municipalities": {TEAM_ID: HOME},
    })
    services = services_answering_in(engine_process, slack_settings, engine)
    app = web.Application()
    mount_slack(app, services)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    send, front = SlackSender(client, fake), app[SLACK_FRONT_END]
    try:
        [(pid, _)] = await engine_process.start()
        os.kill(pid, signal.SIGSTOP)  # the process holds every question it is given, however fast it would answer
        for i in range(20):
            await send.event(dm(PRESS, f"U0ASKER{i:02d}", channel=f"D0ASKER{i:02d}"))
        await asyncio.sleep(0.5)  # the answer loop hands the questions over
        os.kill(pid, signal.SIGKILL)
        await asyncio.wait_for(front.drain(), 30)
        posts = fake.posted()
        assert len({p["channel"] for p in posts}) == 20  # every asker got a reply
        apologies = [p for p in posts if p["text"].startswith("Beklager")]
        assert apologies and all(re.search(r"referanse `[0-9a-f]{8}`", p["text"]) for p in apologies)

        await send.event(dm(PRESS, "U0LATER", channel="D0LATER"))
        await asyncio.wait_for(front.drain(), 30)
        [later] = [p for p in fake.posted() if p["channel"] == "D0LATER"]
        assert not later["text"].startswith("Beklager")  # answered by a new engine process
    finally:
        await client.close()
        await fake.stop()
        services.answer_loop.close()
        services.workers.close()
