"""The database every replica shares: its URL, engine, schema migrations and a thread pool of its own.

`VEILEDER_DATABASE_URL` names it (any SQLAlchemy URL; PostgreSQL for several replicas, e.g.
`postgresql+psycopg://veileder@db/veileder`); without it, SQLite in the data folder
(`DATA_DIR/veileder.sqlite3`) — the same code path on one machine.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from knowledge.errors import VeilederError

log = logging.getLogger(__name__)

T = TypeVar("T")

SQLITE_FILE = "veileder.sqlite3"
MIGRATIONS = "bot.store:migrations"
SCHEMA_REVISION = "0002"  # the newest migration (tests check it is Alembic's head)
# Advisory lock keys (PostgreSQL): fixed numbers, documented so a DBA can read pg_locks.
UPGRADE_LOCK_KEY = 0x5645494C_0001  # "VEIL" · 1: one replica migrates at a time
SYNC_LOCK_KEY = 0x5645494C_0002  # "VEIL" · 2: the sync lock (bot/store/locks.py)
DB_THREADS = 8  # store calls get threads of their own, so acks never queue behind answers


class DatabaseError(VeilederError):
    """The database can't be reached or migrated; the message names the URL (without password) and the cause."""


def default_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / SQLITE_FILE}"


def holder_id() -> str:
    """Who holds a claim or lock: host and process id (for the admin page and the logs)."""
    return f"{socket.gethostname()}:{os.getpid()}"


class Database:
    """One SQLAlchemy engine on the shared database, and its own small thread pool for async callers."""

    def __init__(self, url: str) -> None:
        self.url = url
        options: dict[str, Any] = {} if url.startswith("sqlite") else {"pool_size": DB_THREADS + 4, "max_overflow": 8}
        self.engine: Engine = create_engine(url, future=True, pool_pre_ping=True, **options)
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._write_lock = threading.RLock() if self.is_sqlite else None  # see `begin`
        self._executors: dict[asyncio.AbstractEventLoop, ThreadPoolExecutor] = {}  # see `run`
        self._executors_lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Any) -> "Database":
        """The database the settings name: VEILEDER_DATABASE_URL, else SQLite in DATA_DIR (created)."""
        if settings.database_url:
            return cls(settings.database_url)
        Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
        return cls(default_url(Path(settings.data_dir)))

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def is_postgresql(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def safe_url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    # -- schema ---------------------------------------------------------------------------------

    def upgrade(self) -> None:
        """Bring the schema to the newest migration (Alembic); safe to run from several replicas at once.

        Raises DatabaseError when the database can't be reached or a migration fails."""
        if self._at_newest_revision():
            return  # the common case on every start: no need to load Alembic
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", MIGRATIONS)
        try:
            with self.engine.begin() as conn:
                if self.is_postgresql:  # held to the end of this transaction
                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": UPGRADE_LOCK_KEY})
                config.attributes["connection"] = conn
                command.upgrade(config, "head")
        except SQLAlchemyError as exc:
            raise DatabaseError(f"the database {self.safe_url()} can't be upgraded: {str(exc).splitlines()[0]}") from exc

    def _at_newest_revision(self) -> bool:
        try:
            with self.engine.connect() as conn:
                return conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == SCHEMA_REVISION
        except SQLAlchemyError:  # no such table yet, or unreachable: let the migration say which
            return False

    def revision(self) -> str | None:
        """The schema's migration revision, None before the first `veileder db upgrade`."""
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def ping(self) -> bool:
        """True if a trivial query answers (for /readyz)."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except SQLAlchemyError as exc:
            log.warning("database %s unreachable: %s", self.safe_url(), str(exc).splitlines()[0])
            return False

    # -- use ---------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def begin(self) -> Iterator[Connection]:
        """A transaction, committed at the end of the block (rolled back on an error).

        On SQLite, one at a time per process: SQLite lets one connection write at a time, and one
        that finds the file locked retries from its busy handler, sleeping 1 to 100 ms between
        tries. Under a burst (a claim per request, a log line per answer, from the store's threads
        at once) that made a one-millisecond claim take up to a second; waiting on this lock
        instead wakes as soon as the other transaction ends. Other processes on the same file
        still wait through busy_timeout.
        """
        with self._write_lock if self._write_lock is not None else contextlib.nullcontext():
            with self.engine.begin() as conn:
                yield conn

    async def run(self, work: Callable[[], T]) -> T:
        """Run blocking store work off the event loop, on the store's own threads."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor_for(loop), work)

    def submit(self, work: Callable[[], object]) -> None:
        """Start blocking store work on the store's threads for the running loop, without waiting for it
        (the work reports its own results and errors)."""
        self._executor_for(asyncio.get_running_loop()).submit(work)

    def _executor_for(self, loop: asyncio.AbstractEventLoop) -> ThreadPoolExecutor:
        """The store's threads for callers on `loop`: each event loop has its own, so the answers
        being posted from the answer loop (bot.answering.answer_loop) don't queue their claims and
        log writes behind a burst's acknowledgements, nor those behind the answers."""
        with self._executors_lock:
            for stale in [known for known in self._executors if known.is_closed()]:
                self._executors.pop(stale).shutdown(wait=False)
            executor = self._executors.get(loop)
            if executor is None:
                executor = self._executors[loop] = ThreadPoolExecutor(DB_THREADS, thread_name_prefix="veileder-db")
            return executor

    def close(self) -> None:
        with self._executors_lock:
            executors, self._executors = list(self._executors.values()), {}
        for executor in executors:
            executor.shutdown(wait=False)
        self.engine.dispose()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Several processes on one SQLite file: readers don't block the writer, writers wait their turn."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
