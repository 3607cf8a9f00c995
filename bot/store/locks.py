"""The sync lock: one sync (and so one index build) at a time across every replica.

On PostgreSQL a session-level advisory lock, held on a connection of its own for the whole run:
if the holder dies (even `kill -9`), PostgreSQL ends its session and the lock is free at once.
On SQLite (one machine) a lock file in the data folder, released by the kernel when the holder dies.
"""
from __future__ import annotations

import contextlib
import logging
from pathlib import Path
from typing import Callable, Iterator

from sqlalchemy import text

from bot.store.database import SYNC_LOCK_KEY, Database
from knowledge.files import exclusive_lock

log = logging.getLogger(__name__)

LOCK_FILE = ".sync.lock"


@contextlib.contextmanager
def sync_lock(database: Database, data_dir: Path, busy: Callable[[], Exception]) -> Iterator[None]:
    """Hold the sync lock for the `with` block; raise `busy()` at once if another process holds it."""
    if not database.is_postgresql:
        with exclusive_lock(Path(data_dir) / LOCK_FILE, busy):
            yield
        return
    with database.engine.connect() as conn:
        got = conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": SYNC_LOCK_KEY}).scalar()
        conn.commit()
        if not got:
            raise busy()
        try:
            yield
        finally:
            try:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": SYNC_LOCK_KEY})
                conn.commit()
            except Exception:  # noqa: BLE001 - a dropped connection has released it already
                log.warning("could not release the sync lock explicitly; the database session ending releases it")
                conn.invalidate()
