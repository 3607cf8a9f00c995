"""Opening the shared state store: the database the settings name, migrated to the newest schema,
with the state files of earlier versions (crisis.json, sync-state.json) taken in once."""
from __future__ import annotations

import json
import logging
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

from bot.store.database import Database
from bot.store.schema import crisis_state, sync_sources
from knowledge.errors import VeilederError

log = logging.getLogger(__name__)

LEGACY_CRISIS_FILE = "crisis.json"
LEGACY_SYNC_FILE = "sync-state.json"


class LegacyStateError(VeilederError):
    """A state file of an earlier version can't be read; it stays where it is until fixed or removed."""


def open_store(settings: Any, *, upgrade: bool = True) -> Database:
    """The shared database, migrated (`upgrade`) and with legacy files imported. DatabaseError or
    LegacyStateError with a message an admin can act on."""
    database = Database.from_settings(settings)
    if upgrade:
        database.upgrade()
        import_legacy_files(database, Path(settings.data_dir))
    return database


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    for parse in (datetime.fromisoformat, lambda v: datetime.strptime(v, "%Y-%m-%dT%H:%M:%S%z")):
        try:
            parsed = parse(value)
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
        except ValueError:
            continue
    return None


def _read_legacy(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise LegacyStateError(
            f"the state file {path} of an earlier version can't be read ({exc}); fix or remove it, then run 'veileder db upgrade'"
        ) from exc
    if not isinstance(data, dict):
        raise LegacyStateError(f"the state file {path} is not an object; fix or remove it, then run 'veileder db upgrade'")
    return data


def import_legacy_files(database: Database, data_dir: Path) -> None:
    """Take `crisis.json` and `sync-state.json` of an earlier version into the database (only into
    empty tables), then rename them `*.imported` so it happens once."""
    crisis_file, sync_file = data_dir / LEGACY_CRISIS_FILE, data_dir / LEGACY_SYNC_FILE
    if crisis_file.exists():
        data = _read_legacy(crisis_file) or {}
        with database.begin() as conn:
            if not conn.execute(select(func.count()).select_from(crisis_state)).scalar():
                for municipality, state in data.items():
                    state = state if isinstance(state, dict) else {}
                    conn.execute(insert(crisis_state).values(
                        municipality=str(municipality), active=bool(state.get("on")), message=state.get("message"),
                        spokesperson=state.get("spokesperson"), since=_parse_time(state.get("since")), by=state.get("by"),
                        off_since=_parse_time(state.get("off_since")), off_by=state.get("off_by"),
                    ))
        crisis_file.rename(crisis_file.with_name(crisis_file.name + ".imported"))
        log.info("crisis state imported from %s", crisis_file)
    if sync_file.exists():
        try:
            data = _read_legacy(sync_file) or {}
        except LegacyStateError as exc:  # the sync state can be rebuilt by a full sync: not worth stopping for
            log.warning("%s; every source starts with a full sync", exc)
            data = {}
        with database.begin() as conn:
            if not conn.execute(select(func.count()).select_from(sync_sources)).scalar():
                for key, entry in data.items():
                    entry = entry if isinstance(entry, dict) else {}
                    conn.execute(insert(sync_sources).values(
                        key=str(key), municipality=entry.get("municipality"), state=json.dumps(entry, ensure_ascii=False),
                        last_run=_parse_time(entry.get("last_run")), ok=entry.get("ok"), error=entry.get("error"),
                    ))
        sync_file.rename(sync_file.with_name(sync_file.name + ".imported"))
        log.info("sync state imported from %s", sync_file)
