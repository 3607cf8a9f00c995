"""Several replicas behind a load balancer: two real `veileder serve` processes on 127.0.0.1 share
the throwaway PostgreSQL and one index folder, with the Slack and Teams stand-ins.

An admin switches crisis mode on one replica and the other answers with it; Slack retries and Teams
re-sends reach the other replica, or the same one after a restart, and are answered once; an admin
reindexes through one replica and the other serves the new index; a replica killed mid-build leaves
the other answering and free to build; 400 questions at once are each answered once
(how fast they are acknowledged is measured by `python -m bench.replicas`); /readyz is 503 until a replica can answer.
"""
from __future__ import annotations

import asyncio
import shutil
import time
import uuid
from pathlib import Path

import aiohttp
import psycopg
import pytest
import pytest_asyncio

from index.store import current_generation
from knowledge.library import bundled_documents_dir
from tests.replicas.cluster import BackgroundLoop, Replica, shared_env, unique_dm_channel
from tests.standins.postgres_server import new_database
from tests.standins.slack_standin import (
    FakeSlack, Person, SlackSender, buttons, channel_message, dm, mention, new_ts, signed_headers,
)
from tests.standins.teams_standin import FakeConnector, personal_message

pytestmark = pytest.mark.asyncio(loop_scope="module")

PRESS = "Kan jeg uttale meg til pressen?"
ASKER = "U0ANSATT01"
ADMIN = "U0ADMIN001"
APOLOGY = "gikk galt"


@pytest.fixture(scope="module")
def standins():
    background = BackgroundLoop()
    yield background
    background.close()


@pytest.fixture(scope="module")
def slack(standins):
    fake = FakeSlack(people={ASKER: Person("Kari Ansatt", "Rådgiver"), ADMIN: Person("Ada Admin", "IT-rådgiver")})
    standins.run(fake.start())
    yield fake
    standins.run(fake.stop())


@pytest.fixture(scope="module")
def teams_connector(standins):
    fake = FakeConnector()
    standins.run(fake.start())
    yield fake
    standins.run(fake.stop())


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def session():
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as s:
        yield s


class Cluster:
    def __init__(self, root: Path, database_url: str, one: Replica, two: Replica) -> None:
        self.root, self.database_url, self.one, self.two = root, database_url, one, two
        self.index_dir = root / "shared" / "index"
        self.documents_dir = root / "shared" / "documents"

    def sql(self, query: str, *args) -> list[tuple]:
        url = self.database_url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(url) as conn:
            return conn.execute(query, args).fetchall()

    def generation(self) -> str:
        current = current_generation(self.index_dir)
        assert current is not None
        return current.name

    def add_documents(self, count: int, tag: str) -> None:
        """New strategy documents for Modum in the shared documents folder (an admin's upload)."""
        source = next((self.documents_dir / "modum").glob("*.txt")).read_text(encoding="utf-8")
        for n in range(count):
            (self.documents_dir / "modum" / f"tillegg-{tag}-{n}.txt").write_text(f"Tillegg {tag} {n}\n\n{source}", encoding="utf-8")


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def cluster(tmp_path_factory, postgres, slack, session):
    root = tmp_path_factory.mktemp("replicas")
    shutil.copytree(bundled_documents_dir(), root / "shared" / "documents")
    (root / "shared" / "index").mkdir(parents=True)  # empty: the first replica builds it on start
    database_url = new_database(postgres)
    env = shared_env(root, database_url, slack.api_url, admins=ADMIN)
    one, two = Replica("replica-1", env, root), Replica("replica-2", env, root)
    one.start()
    two.start()
    try:
        await asyncio.gather(one.wait_ready(session, 120), two.wait_ready(session, 120))
        yield Cluster(root, database_url, one, two)
    finally:
        one.stop()
        two.stop()


def answers_in(slack: FakeSlack, channel: str) -> list[dict]:
    return [m for m in slack.posted() if m.get("channel") == channel]


async def answered(slack: FakeSlack, channel: str, timeout: float = 15) -> dict:
    (message,) = await until(lambda: answers_in(slack, channel), timeout, f"an answer in {channel}")
    return message


def teams_activity(connector: FakeConnector, text: str) -> dict:
    activity = personal_message(connector.url, text)
    activity["id"] = f"1:{uuid.uuid4().hex}"
    activity["conversation"]["id"] = f"a:1personal-{uuid.uuid4().hex}"
    return activity


def teams_answers(connector: FakeConnector, activity: dict) -> list:
    return [m for m in connector.messages() if m.conversation_id == activity["conversation"]["id"]]


async def until(check, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while not (result := check()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)
    return result


# -- readiness ---------------------------------------------------------------------------------------


async def test_readyz_is_503_until_the_model_and_index_are_loaded_then_200(cluster, session):
    # Replica 1 started on an empty index folder and built the index first: the load balancer saw 503 meanwhile.
    for replica in (cluster.one, cluster.two):
        assert replica.readiness[0] == 503 and replica.readiness[-1] == 200, replica.readiness
        assert set(replica.readiness) == {503, 200}
    async with session.get(f"{cluster.two.url}/healthz") as response:
        assert response.status == 200 and (await response.json())["status"] == "alive"
    async with session.get(f"{cluster.two.url}/readyz") as response:
        assert (await response.json())["index"] == cluster.generation()
    # one index, built once, for both
    assert len(list(cluster.index_dir.glob("gen-*"))) == 1


# -- crisis mode ---------------------------------------------------------------------------------------


async def test_crisis_mode_switched_on_through_replica_1_leads_replica_2s_media_answers_within_2_s(cluster, slack, session):
    result = await cluster.one.cli("crisis", "on", "-m", "ostre-toten", "--message", "Brann ved Lena skole.",
                                   "--spokesperson", "Ordføreren", "--by", "beredskap")
    assert result.returncode == 0, result.stderr
    switched = time.monotonic()
    channel = unique_dm_channel()
    await cluster.two.slack_event(session, dm(PRESS, ASKER, channel=channel))
    answer = await answered(slack, channel, 2)
    assert time.monotonic() - switched < 2
    assert "Brann ved Lena skole." in str(answer["blocks"]) and "Ordføreren" in str(answer["blocks"])

    result = await cluster.two.cli("crisis", "off", "-m", "ostre-toten", "--by", "beredskap")
    assert result.returncode == 0, result.stderr
    channel = unique_dm_channel()
    await cluster.one.slack_event(session, dm(PRESS, ASKER, channel=channel))
    assert "Brann ved Lena skole." not in str((await answered(slack, channel, 2))["blocks"])
    history = cluster.sql("SELECT active, by FROM crisis_history ORDER BY id")
    assert history == [(True, "beredskap"), (False, "beredskap")]


# -- exactly once ----------------------------------------------------------------------------------------


async def test_a_slack_retry_to_the_other_replica_and_a_teams_resend_to_it_are_answered_once(cluster, slack, teams_connector, session):
    channel, event_id = unique_dm_channel(), f"Ev{uuid.uuid4().hex[:10].upper()}"
    event = dm(PRESS, ASKER, channel=channel)
    assert (await cluster.one.slack_event(session, event, event_id=event_id))[0] == 200
    assert (await cluster.two.slack_event(session, event, event_id=event_id, retry=1))[0] == 200
    await answered(slack, channel)
    activity = teams_activity(teams_connector, PRESS)
    assert (await cluster.one.teams_activity(session, activity))[0] in (200, 202)
    assert (await cluster.two.teams_activity(session, activity))[0] in (200, 202)
    await until(lambda: teams_answers(teams_connector, activity), 15, "the Teams answer")
    await asyncio.sleep(1.0)  # time enough for a second answer, were one coming
    assert len(answers_in(slack, channel)) == 1
    assert len(teams_answers(teams_connector, activity)) == 1


async def test_an_event_and_an_activity_delivered_before_and_after_a_restart_are_answered_once(cluster, slack, teams_connector, session):
    channel, event_id = unique_dm_channel(), f"Ev{uuid.uuid4().hex[:10].upper()}"
    event = dm(PRESS, ASKER, channel=channel)
    activity = teams_activity(teams_connector, PRESS)
    await cluster.one.slack_event(session, event, event_id=event_id)
    await cluster.one.teams_activity(session, activity)
    await answered(slack, channel)
    await until(lambda: teams_answers(teams_connector, activity), 15, "the Teams answer")

    cluster.one.stop()
    cluster.one.start()
    await cluster.one.wait_ready(session)
    assert (await cluster.one.slack_event(session, event, event_id=event_id, retry=2))[0] == 200
    assert (await cluster.one.teams_activity(session, activity))[0] in (200, 202)
    await asyncio.sleep(1.0)
    assert len(answers_in(slack, channel)) == 1
    assert len(teams_answers(teams_connector, activity)) == 1


async def test_a_signed_slash_command_and_button_click_replayed_to_replica_2_are_refused_and_handled_once(cluster, slack, session):
    # Someone who captured a signed request sends it again, byte for byte, within its five minutes,
    # to the other replica: refused there as on the replica that took it, and never handled twice.
    sender = SlackSender(None, slack)  # type: ignore[arg-type]
    hook = f"replayed-{uuid.uuid4().hex[:6]}"
    body = sender.command_body(PRESS, ASKER, hook=hook)
    headers = signed_headers(body, "application/x-www-form-urlencoded")
    status, acknowledgement = await cluster.one.slack_post(session, body, headers)
    assert status == 200 and "text" in acknowledgement
    for replica in (cluster.two, cluster.one):
        status, refusal = await replica.slack_post(session, body, headers)
        assert status == 401 and "replayed" in refusal
    (answer,) = await until(lambda: slack.hook_messages(hook), 15, "the slash command's answer")

    feedback_before = cluster.sql("SELECT count(*) FROM feedback")[0][0]
    body = sender.click_body(buttons(answer["blocks"])["feedback_helpful"], ASKER, ephemeral=True, hook=f"{hook}-click")
    headers = signed_headers(body, "application/x-www-form-urlencoded")
    assert (await cluster.one.slack_post(session, body, headers))[0] == 200
    assert (await cluster.two.slack_post(session, body, headers))[0] == 401
    await until(lambda: slack.hook_messages(f"{hook}-click"), 15, "the thanks for the feedback")
    await asyncio.sleep(1.0)  # time enough for a second answer, were one coming
    assert len(slack.hook_messages(hook)) == 1 and len(slack.hook_messages(f"{hook}-click")) == 1
    assert cluster.sql("SELECT count(*) FROM feedback")[0][0] == feedback_before + 1


async def test_a_follow_up_in_a_thread_answered_by_replica_1_is_answered_by_replica_2(cluster, slack, session):
    channel, ts = "C" + uuid.uuid4().hex[:10].upper(), new_ts()
    await cluster.one.slack_event(session, mention(f"<@U0VEILEDER> {PRESS}", ASKER, channel=channel, ts=ts))
    await answered(slack, channel)
    await cluster.two.slack_event(session, channel_message("Gjelder det også sosiale medier?", ASKER, channel=channel, thread_ts=ts))
    await until(lambda: len(answers_in(slack, channel)) == 2, 15, "the follow-up's answer")
    assert all(m.get("thread_ts") == ts for m in answers_in(slack, channel))


async def test_200_slack_events_and_200_teams_activities_over_both_replicas_are_each_answered_once(
    cluster, slack, teams_connector, session
):
    replicas = [cluster.one, cluster.two]
    channels = [unique_dm_channel() for _ in range(200)]
    activities = [teams_activity(teams_connector, PRESS) for _ in range(200)]
    sends = [replicas[n % 2].slack_event(session, dm(PRESS, ASKER, channel=c)) for n, c in enumerate(channels)]
    sends += [replicas[n % 2].teams_activity(session, a) for n, a in enumerate(activities)]
    results = await asyncio.gather(*sends)
    statuses = [status for status, _ in results]
    assert statuses[:200] == [200] * 200 and all(s in (200, 202) for s in statuses[200:]), statuses
    # How fast the acknowledgements come is a benchmark figure (python -m bench.replicas), not a test:
    # on a loaded 2-core machine it measures the machine.

    await until(lambda: all(answers_in(slack, c) for c in channels), 120, "every Slack answer")
    await until(lambda: all(teams_answers(teams_connector, a) for a in activities), 120, "every Teams answer")
    await asyncio.sleep(1.0)
    assert all(len(answers_in(slack, c)) == 1 for c in channels)
    assert all(len(teams_answers(teams_connector, a)) == 1 for a in activities)
    slack_texts = [answers_in(slack, c)[0].get("text", "") for c in channels]
    assert not [t for t in slack_texts if APOLOGY in t], "errors in Slack answers"
    assert all(teams_answers(teams_connector, a)[0].card is not None for a in activities), "errors in Teams answers"


# -- one index, built once, served by all -----------------------------------------------------------------


def reindex_command(slack: FakeSlack, hook: str) -> str:
    return SlackSender(None, slack).command_body("reindex", ADMIN, hook=hook)  # type: ignore[arg-type]


def hook_texts(slack: FakeSlack, hook: str) -> list[str]:
    return [body.get("text", "") for body in slack.hook_messages(hook)]


async def test_a_reindex_through_replica_1_is_served_by_replica_2_and_two_at_once_run_one_build(cluster, slack, session):
    before = cluster.generation()
    cluster.add_documents(1, "a")
    hook = f"reindex-{uuid.uuid4().hex[:6]}"
    assert await cluster.one.slack_form(session, reindex_command(slack, hook)) == 200
    await until(lambda: any("rebuilt" in t for t in hook_texts(slack, hook)), 60, "the rebuilt index")
    after = cluster.generation()
    assert after != before
    async with session.get(f"{cluster.two.url}/readyz") as response:
        assert (await response.json())["index"] == after  # no restart

    runs_before = cluster.sql("SELECT count(*) FROM sync_runs")[0][0]
    cluster.add_documents(1, "b")
    hooks = [f"twice-{uuid.uuid4().hex[:6]}" for _ in range(2)]
    await asyncio.gather(
        cluster.one.slack_form(session, reindex_command(slack, hooks[0])),
        cluster.two.slack_form(session, reindex_command(slack, hooks[1])),
    )
    replies = await until(lambda: [t for h in hooks for t in hook_texts(slack, h) if "Index" in t or "already running" in t]
                          if all(any("Index" in t or "already running" in t for t in hook_texts(slack, h)) for h in hooks) else None,
                          60, "both reindex replies")
    assert sum("already running" in t for t in replies) == 1, replies
    assert cluster.sql("SELECT count(*) FROM sync_runs")[0][0] == runs_before + 1  # one build


async def test_kill_9_of_the_lock_holder_mid_build_leaves_replica_2_answering_and_free_to_build(cluster, slack, session):
    before = cluster.generation()
    cluster.add_documents(12, "c")  # enough to take a couple of seconds to build
    holder = f"%:{cluster.one.process.pid}"
    await cluster.one.slack_form(session, reindex_command(slack, f"killed-{uuid.uuid4().hex[:6]}"))
    await until(lambda: cluster.sql("SELECT id FROM sync_runs WHERE holder LIKE %s AND finished_at IS NULL", holder), 30, "the build to start")
    cluster.one.kill9()
    assert cluster.generation() == before  # the half-made build never became current

    channel = unique_dm_channel()
    await cluster.two.slack_event(session, dm(PRESS, ASKER, channel=channel))
    assert APOLOGY not in (await answered(slack, channel)).get("text", "")
    async with session.get(f"{cluster.two.url}/readyz") as response:
        assert response.status == 200 and (await response.json())["index"] == before

    hook = f"after-kill-{uuid.uuid4().hex[:6]}"
    await cluster.two.slack_form(session, reindex_command(slack, hook))  # the dead holder's lock is free
    await until(lambda: any("rebuilt" in t for t in hook_texts(slack, hook)), 60, "the rebuilt index")
    assert cluster.generation() != before
    async with session.get(f"{cluster.two.url}/readyz") as response:
        assert (await response.json())["index"] == cluster.generation()
