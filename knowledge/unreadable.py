"""File versions that went over a reading limit, remembered so they are not read again and again.

A decompression bomb costs a worker its whole time or memory limit each time it is read; a
scheduled sync would pay that on every run. Such a version is remembered by content hash, with the
limits it failed under, in STATE_DIR/unreadable-files.json; it is read again when the file changes
or the limits change.
"""
from __future__ import annotations

import json
from pathlib import Path

from knowledge.files import write_json_atomically
from knowledge.isolation import ReadLimits

UNREADABLE_MEMO = "unreadable-files.json"
NOT_RETRIED = "not retried until the file changes or the limits are raised"


class UnreadableVersions:
    """The remembered versions in `state_dir` (None: remember nothing) under `limits`."""

    def __init__(self, state_dir: Path | None, limits: ReadLimits) -> None:
        self.state_dir = state_dir
        self.limits = limits
        self.entries: dict[str, dict] = {}
        if state_dir is not None:
            try:
                data = json.loads((state_dir / UNREADABLE_MEMO).read_text(encoding="utf-8"))
                self.entries = data if isinstance(data, dict) else {}
            except (OSError, ValueError):
                self.entries = {}

    def reason(self, digest: str) -> str | None:
        """Why this version was not read last time, if it failed under the same limits."""
        entry = self.entries.get(digest)
        if entry and entry.get("limits") == self.limits.describe():
            return f"{entry.get('reason')} ({NOT_RETRIED})"
        return None

    def remember(self, digest: str, path: str, reason: str) -> None:
        if self.state_dir is None:
            return
        self.entries[digest] = {"path": path, "reason": reason, "limits": self.limits.describe()}
        write_json_atomically(self.state_dir / UNREADABLE_MEMO, self.entries)
