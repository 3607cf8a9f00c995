"""Crisis mode per municipality, switched by an admin and kept on disk so it survives restarts."""
from __future__ import annotations

import json
import logging
import threading
import time
from pathlib import Path

from bot.answering.answer import CrisisNotice
from knowledge.errors import StorageError, VeilederError
from knowledge.files import write_json_atomically

log = logging.getLogger(__name__)


class CrisisStateError(VeilederError):
    """The crisis state file can't be read; it is never silently taken as "no crisis" by an admin command."""

DEFAULT_MESSAGE = {
    "nb": "Informasjonsansvaret følger beredskapsplanen. Ikke uttal deg til media; henvis til kommunens talsperson.",
}


class CrisisStore:
    """`crisis.json` in the data folder: {municipality: {on, message, spokesperson, since, by}}."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "crisis.json"
        self._lock = threading.Lock()

    def _read(self) -> dict[str, dict]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (json.JSONDecodeError, UnicodeDecodeError, OSError) as exc:
            raise CrisisStateError(
                f"the crisis state in {self.path} can't be read ({exc}); switch crisis mode on or off again after fixing or removing it"
            ) from exc
        if not isinstance(data, dict):
            raise CrisisStateError(f"the crisis state in {self.path} is not an object; fix or remove it")
        return data

    def _write(self, data: dict[str, dict]) -> None:
        try:
            write_json_atomically(self.path, data)
        except OSError as exc:  # a full or read-only data folder: the admin gets one line to act on
            raise CrisisStateError(str(StorageError.from_os_error(exc, "the crisis state", self.path.parent, "VEILEDER_DATA_DIR"))) from exc

    def switch_on(self, municipality: str, message: str | None, spokesperson: str | None, by: str) -> dict:
        with self._lock:
            data = self._read()
            data[municipality] = {
                "on": True,
                "message": message or DEFAULT_MESSAGE["nb"],
                "spokesperson": spokesperson,
                "since": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "by": by,
            }
            self._write(data)
            return data[municipality]

    def switch_off(self, municipality: str, by: str) -> dict:
        with self._lock:
            data = self._read()
            state = data.get(municipality, {})
            data[municipality] = {**state, "on": False, "off_since": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "off_by": by}
            self._write(data)
            return data[municipality]

    def status(self) -> dict[str, dict]:
        return self._read()

    def active(self, municipality: str) -> CrisisNotice | None:
        """The crisis notice if crisis mode is on; a broken state file is logged loudly and answers go on."""
        try:
            state = self._read().get(municipality)
        except CrisisStateError as exc:
            log.error("%s", exc)
            return None
        if not state or not state.get("on"):
            return None
        return CrisisNotice(state.get("message") or DEFAULT_MESSAGE["nb"], state.get("spokesperson"), state.get("since", ""))
