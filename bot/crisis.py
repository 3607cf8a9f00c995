"""Crisis mode per municipality, switched by an admin and kept on disk so it survives restarts."""
from __future__ import annotations

import json
import os
import threading
import time
import uuid
from pathlib import Path

from bot.answer import CrisisNotice

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
            return json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (json.JSONDecodeError, OSError):
            return {}

    def _write(self, data: dict[str, dict]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".crisis-{uuid.uuid4().hex[:8]}.json")
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
        os.replace(tmp, self.path)

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
        state = self._read().get(municipality)
        if not state or not state.get("on"):
            return None
        return CrisisNotice(state.get("message") or DEFAULT_MESSAGE["nb"], state.get("spokesperson"), state.get("since", ""))
