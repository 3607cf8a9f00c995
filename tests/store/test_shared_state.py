"""Several replicas, one truth: what one replica writes to the shared state store, the others read;
a key claimed twice is answered once; one sync holds the lock at a time, and a dead holder frees it."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import MetaData, Table, insert, select

from bot.admin.crisis import CrisisStore
from bot.admin.sync.state import SyncStateStore
from bot.store.claims import Claims
from bot.store.database import Database
from bot.store.locks import sync_lock
from bot.store.schema import questions
from tests.standins.postgres_server import new_database


class Busy(Exception):
    pass


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    return new_database(request.getfixturevalue("postgres"))


@pytest.fixture
def replicas(url):
    """Two replicas' connections to the same database, migrated by the first."""
    one, two = Database(url), Database(url)
    one.upgrade()
    yield one, two
    one.close()
    two.close()


def test_a_slack_retry_that_reaches_the_other_replica_is_claimed_once(replicas):
    one, two = replicas
    claims_one, claims_two = Claims(one), Claims(two)
    assert claims_one.claim("slack:event:Ev01") is True
    assert claims_two.claim("slack:event:Ev01") is False  # the retry, on replica 2
    assert claims_two.claim("slack:event:Ev02") is True


def test_a_request_and_its_signature_are_claimed_together_and_only_the_new_key_is_won(replicas):
    one, two = replicas
    assert Claims(one).claim_all({"slack:signature:s1": 360, "slack:request:T1": None}) == {"slack:signature:s1", "slack:request:T1"}
    # replica 2 sees Slack's retry of T1, newly signed: its signature is new, the request is not
    assert Claims(two).claim_all({"slack:signature:s2": 360, "slack:request:T1": None}) == {"slack:signature:s2"}
    assert Claims(two).claim_all({"slack:signature:s1": 360, "slack:request:T1": None}) == set()  # a copy
    assert Claims(one).claim_all({}) == set()


def test_a_key_claimed_at_the_same_moment_by_many_workers_is_won_once(replicas):
    one, two = replicas
    workers = [Claims(one), Claims(two)] * 8
    with ThreadPoolExecutor(16) as pool:
        won = list(pool.map(lambda c: c.claim("teams:activity:conv-1:act-1"), workers))
    assert won.count(True) == 1


async def test_a_burst_of_acknowledgements_claims_together_and_each_key_is_won_by_its_first_asker(replicas):
    """200 requests at once, each claimed before it is acknowledged: a few statements, not 200, and a
    key two of them ask for (a retry beside its original) is won by the one that asked first."""
    import asyncio

    from sqlalchemy import event

    one, _ = replicas
    statements: list[str] = []
    event.listen(one.engine, "before_cursor_execute", lambda _c, _cur, sql, *_: statements.append(sql))
    claims = Claims(one)
    keys = [{f"slack:request:Ev{i:03d}": None, f"slack:signature:s{i:03d}": 360} for i in range(200)]
    keys.insert(100, {"slack:request:Ev007": None})  # a retry of request 7, arriving in the burst

    won = await asyncio.gather(*(claims.claim_all_async(k) for k in keys))

    assert [len(w) for w in won] == [2] * 100 + [0] + [2] * 100
    inserts = [sql for sql in statements if sql.lstrip().upper().startswith("INSERT")]
    assert 1 <= len(inserts) <= 10
    assert await claims.claim_async("slack:request:Ev199") is False  # already won


async def test_when_the_store_fails_every_claim_in_the_statement_gets_the_error(tmp_path):
    import asyncio

    from sqlalchemy.exc import OperationalError

    database = Database(f"sqlite:///{tmp_path / 'never-migrated.sqlite3'}")  # no claims table
    claims = Claims(database)
    results = await asyncio.gather(*(claims.claim_async(f"teams:activity:c:{i}") for i in range(20)), return_exceptions=True)
    assert all(isinstance(r, OperationalError) for r in results)
    database.close()


def test_an_expired_claim_can_be_claimed_again_and_is_forgotten(replicas):
    one, _ = replicas
    expired = Claims(one, seconds=-1)
    assert expired.claim("slack:event:Old") and expired.claim("slack:event:Old")  # each claim expired at once
    assert expired.forget_expired() >= 1


def test_crisis_mode_switched_through_one_replica_is_seen_by_the_other(replicas):
    one, two = replicas
    CrisisStore(one).switch_on("ostre-toten", "Brann ved Lena skole.", "Ordføreren", by="kari")
    notice = CrisisStore(two).active("ostre-toten")
    assert notice is not None and notice.message == "Brann ved Lena skole." and notice.spokesperson == "Ordføreren"
    CrisisStore(two).switch_off("ostre-toten", by="ola")
    assert CrisisStore(one).active("ostre-toten") is None
    assert [h["by"] for h in CrisisStore(one).history()] == ["ola", "kari"]


def test_sync_state_written_by_one_replica_is_read_by_the_other_without_internals_on_show(replicas):
    one, two = replicas
    entry = {"municipality": "modum", "delta_link": "https://graph/delta?token=1", "items": {"a": {}}, "ok": True,
             "summary": {"added": 1}, "error": None, "last_run": "2026-11-30T01:00:00+0000"}
    SyncStateStore(one).write_sources({"drive-modum": entry})
    assert SyncStateStore(two).read()["drive-modum"]["delta_link"] == "https://graph/delta?token=1"
    assert "delta_link" not in SyncStateStore(two).shown()["drive-modum"]
    run = SyncStateStore(one).start_run("modum")
    SyncStateStore(one).finish_run(run, True, "gen-x", "rebuilt", None)
    (latest,) = SyncStateStore(two).runs(1)
    assert latest["generation"] == "gen-x" and latest["ok"] and latest["finished_at"] is not None
    assert SyncStateStore(two).finished_within(60)


def test_one_sync_holds_the_lock_at_a_time(replicas, tmp_path):
    one, two = replicas
    with sync_lock(one, tmp_path, Busy):
        with pytest.raises(Busy):
            with sync_lock(two, tmp_path, Busy):
                pass
    with sync_lock(two, tmp_path, Busy):  # free again
        pass


def test_the_sync_lock_of_a_replica_killed_with_sigkill_is_free_at_once(replicas, tmp_path):
    one, _ = replicas
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, time
            from bot.store.database import Database
            from bot.store.locks import sync_lock
            with sync_lock(Database({one.url!r}), {str(tmp_path)!r}, RuntimeError):
                print("holding", flush=True)
                time.sleep(60)
        """)],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": os.getcwd()},
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        with pytest.raises(Busy):
            with sync_lock(one, tmp_path, Busy):
                pass
        holder.send_signal(signal.SIGKILL)
        holder.wait(10)
        deadline = time.monotonic() + 5
        while True:
            try:
                with sync_lock(one, tmp_path, Busy):
                    break
            except Busy:
                assert time.monotonic() < deadline, "the dead holder's lock was not released"
                time.sleep(0.1)
    finally:
        holder.kill()


def test_the_question_log_of_an_earlier_version_is_adopted_by_the_first_migration(url):
    old = MetaData()
    Table("questions", old, *[c.copy() for c in questions.columns])
    database = Database(url)
    old.create_all(database.engine)
    with database.begin() as conn:
        conn.execute(insert(old.tables["questions"]).values(
            id="q1", asked_at=questions.c.asked_at.type.python_type.now(), platform="slack", question="Kan jeg?", answered=True
        ))
    database.upgrade()
    database.upgrade()  # a second run (another replica starting) changes nothing
    assert database.revision() is not None
    with database.engine.connect() as conn:
        assert conn.execute(select(questions.c.id)).scalars().all() == ["q1"]
    database.close()


async def test_a_claim_asked_while_the_server_stops_gets_an_error_not_a_hang(tmp_path):
    """When the store's threads are gone (interpreter shutdown), a claim fails at once; the next
    claim, once threads can run again, is made as usual."""
    import asyncio

    class Stopping(Database):
        stopping = True

        def submit(self, work):
            if self.stopping:
                raise RuntimeError("cannot schedule new futures after interpreter shutdown")
            super().submit(work)

    database = Stopping(f"sqlite:///{tmp_path / 'stopping.sqlite3'}")
    database.upgrade()
    claims = Claims(database)
    with pytest.raises(RuntimeError, match="shutdown"):
        await asyncio.wait_for(claims.claim_async("slack:event:Ev1"), 5)
    database.stopping = False
    assert await asyncio.wait_for(claims.claim_async("slack:event:Ev1"), 5) is True
    database.close()
