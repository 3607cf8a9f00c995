"""Sync state and history in the shared state store: per source its delta link, item tree and
last run (`sync_sources`), and one row per run (`sync_runs`: who ran it, when, which index
generation it made, its summary or error). Every replica reads the same rows."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import delete, insert, select, update

from bot.store.database import Database, holder_id
from bot.store.schema import sync_runs, sync_sources

SHOWN_FIELDS = ("municipality", "last_run", "ok", "summary", "error")


def _aware(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=timezone.utc) if value is not None and value.tzinfo is None else value


class SyncStateStore:
    """Read and record sync state; blocking (call off the event loop)."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def read(self) -> dict[str, dict[str, Any]]:
        """{source key: {delta_link, drive_id, mirror, items, ok, summary, error, municipality, last_run}};
        an unreadable entry counts as none (that source then starts with a full sync)."""
        with self.database.engine.connect() as conn:
            rows = conn.execute(select(sync_sources.c.key, sync_sources.c.state)).all()
        state: dict[str, dict[str, Any]] = {}
        for key, text in rows:
            try:
                entry = json.loads(text)
            except ValueError:
                continue
            if isinstance(entry, dict):
                state[key] = entry
        return state

    def shown(self) -> dict[str, dict[str, Any]]:
        """What the admin page shows per source (no delta links or item trees)."""
        return {key: {f: entry.get(f) for f in SHOWN_FIELDS if f in entry} for key, entry in self.read().items()}

    def write_sources(self, entries: dict[str, dict[str, Any]]) -> None:
        """Store these sources' entries (replacing their earlier ones), in one transaction."""
        with self.database.begin() as conn:
            for key, entry in entries.items():
                values = dict(
                    municipality=entry.get("municipality"), state=json.dumps(entry, ensure_ascii=False),
                    last_run=datetime.now(timezone.utc), ok=entry.get("ok"), error=entry.get("error"),
                )
                if conn.execute(update(sync_sources).where(sync_sources.c.key == key).values(**values)).rowcount == 0:
                    conn.execute(insert(sync_sources).values(key=key, **values))

    def start_run(self, municipality: str | None) -> int:
        with self.database.begin() as conn:
            result = conn.execute(insert(sync_runs).values(started_at=datetime.now(timezone.utc), holder=holder_id(), municipality=municipality))
            return int(result.inserted_primary_key[0])

    def finish_run(self, run_id: int, ok: bool, generation: str | None, summary: str, error: str | None) -> None:
        with self.database.begin() as conn:
            conn.execute(update(sync_runs).where(sync_runs.c.id == run_id).values(
                finished_at=datetime.now(timezone.utc), ok=ok, generation=generation, summary=summary[:20000], error=error,
            ))

    def runs(self, limit: int = 20) -> list[dict[str, Any]]:
        """The latest runs, newest first: {id, started_at, finished_at, holder, municipality, ok, generation, summary, error}."""
        with self.database.engine.connect() as conn:
            rows = conn.execute(select(sync_runs).order_by(sync_runs.c.id.desc()).limit(limit)).all()
        return [
            {**row._asdict(), "started_at": _aware(row.started_at), "finished_at": _aware(row.finished_at)}
            for row in rows
        ]

    def finished_within(self, seconds: float) -> bool:
        """True if some replica finished a run in the last `seconds` (a schedule then skips its turn)."""
        since = datetime.now(timezone.utc) - timedelta(seconds=seconds)
        with self.database.engine.connect() as conn:
            return conn.execute(select(sync_runs.c.id).where(sync_runs.c.finished_at >= since).limit(1)).first() is not None

    def forget_runs_before(self, cutoff: datetime) -> int:
        with self.database.begin() as conn:
            return conn.execute(delete(sync_runs).where(sync_runs.c.started_at < cutoff)).rowcount or 0
