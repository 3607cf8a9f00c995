"""Crisis mode per municipality, switched by an admin and kept in the shared state store, so every
replica sees it (and it survives restarts); each switch is kept in its history."""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from bot.answering.answer import CrisisNotice
from bot.settings import Settings
from bot.store.database import Database
from bot.store.schema import crisis_history, crisis_state
from knowledge.errors import VeilederError

log = logging.getLogger(__name__)


class CrisisStateError(VeilederError):
    """The crisis state can't be read or written; it is never silently taken as "no crisis" by an admin command."""


DEFAULT_MESSAGE = {
    "nb": "Informasjonsansvaret følger beredskapsplanen. Ikke uttal deg til media; henvis til kommunens talsperson.",
}


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite hands back naive UTC
        value = value.replace(tzinfo=timezone.utc)
    return value.isoformat(timespec="seconds")


class CrisisStore:
    """Rows of `crisis_state` (one per municipality) and `crisis_history` (one per switch).

    `status()` gives {municipality: {on, message, spokesperson, since, by, off_since, off_by}},
    times as ISO 8601 UTC text."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def switch_on(self, municipality: str, message: str | None, spokesperson: str | None, by: str) -> dict:
        return self._switch(municipality, True, message or DEFAULT_MESSAGE["nb"], spokesperson, by)

    def switch_off(self, municipality: str, by: str) -> dict:
        return self._switch(municipality, False, None, None, by)

    def _switch(self, municipality: str, on: bool, message: str | None, spokesperson: str | None, by: str) -> dict:
        now = datetime.now(timezone.utc)
        try:
            with self.database.begin() as conn:
                exists = conn.execute(select(crisis_state.c.municipality).where(crisis_state.c.municipality == municipality)).first()
                values: dict[str, Any] = (
                    {"active": True, "message": message, "spokesperson": spokesperson, "since": now, "by": by}
                    if on else {"active": False, "off_since": now, "off_by": by}
                )
                if exists:
                    conn.execute(update(crisis_state).where(crisis_state.c.municipality == municipality).values(**values))
                else:
                    conn.execute(insert(crisis_state).values(municipality=municipality, **values))
                conn.execute(insert(crisis_history).values(
                    municipality=municipality, switched_at=now, active=on, by=by, message=message, spokesperson=spokesperson
                ))
        except SQLAlchemyError as exc:
            raise CrisisStateError(f"crisis mode could not be switched in {self.database.safe_url()}: {str(exc).splitlines()[0]}") from exc
        return self.status()[municipality]

    def status(self) -> dict[str, dict]:
        """Every municipality that has been switched, on or off. CrisisStateError if the store can't be read."""
        try:
            with self.database.engine.connect() as conn:
                rows = conn.execute(select(crisis_state)).all()
        except SQLAlchemyError as exc:
            raise CrisisStateError(f"the crisis state in {self.database.safe_url()} can't be read: {str(exc).splitlines()[0]}") from exc
        return {row.municipality: _as_dict(row) for row in rows}

    def history(self, municipality: str | None = None, limit: int = 50) -> list[dict]:
        """The latest switches, newest first: {municipality, at, on, by, message, spokesperson}."""
        query = select(crisis_history).order_by(crisis_history.c.id.desc()).limit(limit)
        if municipality:
            query = query.where(crisis_history.c.municipality == municipality)
        with self.database.engine.connect() as conn:
            return [
                {"municipality": r.municipality, "at": _iso(r.switched_at), "on": r.active, "by": r.by,
                 "message": r.message, "spokesperson": r.spokesperson}
                for r in conn.execute(query)
            ]

    def active(self, municipality: str) -> CrisisNotice | None:
        """The crisis notice if crisis mode is on (read on every answer, so a switch on any replica
        counts at once); an unreachable store is logged loudly and answers go on."""
        try:
            with self.database.engine.connect() as conn:
                row = conn.execute(select(crisis_state).where(crisis_state.c.municipality == municipality)).first()
        except SQLAlchemyError as exc:
            log.error("crisis state can't be read from %s: %s", self.database.safe_url(), str(exc).splitlines()[0])
            return None
        if row is None or not row.active:
            return None
        return CrisisNotice(row.message or DEFAULT_MESSAGE["nb"], row.spokesperson, _iso(row.since) or "")


def _as_dict(row: Any) -> dict:
    state = {"on": bool(row.active), "message": row.message, "spokesperson": row.spokesperson, "since": _iso(row.since), "by": row.by}
    if row.off_since is not None:
        state.update(off_since=_iso(row.off_since), off_by=row.off_by)
    return state


def open_crisis_store(settings: Settings) -> CrisisStore:
    """The crisis state in the database the settings name, on connections of its own (an engine
    process opens it this way: `bot.answering.engine_process`)."""
    return CrisisStore(Database.from_settings(settings))
