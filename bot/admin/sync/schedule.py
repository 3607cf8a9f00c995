"""In `veileder serve`: the admins' reindex from the chat, and the sync on a schedule
(VEILEDER_SYNC_INTERVAL_MINUTES). Runs happen off the event loop, one at a time."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from typing import TYPE_CHECKING, AsyncIterator

from bot.admin.sync.runner import SyncError, run_sync
from bot.settings import Settings

if TYPE_CHECKING:  # pragma: no cover
    from aiohttp import web

    from index.embedder import Embedder

log = logging.getLogger(__name__)


class SyncSchedule:
    """`reindex` is the admin's command (a summary line for the chat); `running` is an aiohttp
    cleanup context that syncs every interval while the server runs and stops with it."""

    def __init__(self, settings: Settings, embedder: "Embedder | None" = None) -> None:
        self.settings = settings
        self.embedder = embedder
        self._stop = threading.Event()
        self._lock = asyncio.Lock()

    async def reindex(self, municipality: str | None) -> str:
        async with self._lock:
            loop = asyncio.get_running_loop()
            try:
                summary = await loop.run_in_executor(
                    None,
                    lambda: run_sync(self.settings, municipality, embedder=self.embedder, cancelled=self._stop.is_set),
                )
            except SyncError as exc:
                return str(exc)
        log.info("sync: %s", summary.text().replace("\n", " | "))
        return summary.text()

    async def _every_interval(self, interval: int) -> None:
        while True:
            try:
                await self.reindex(None)
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - the schedule must survive a bad run
                log.exception("scheduled sync failed")
            await asyncio.sleep(interval * 60)

    async def running(self, _app: "web.Application") -> AsyncIterator[None]:
        interval = self.settings.sync_interval_minutes
        if not interval:
            yield
            return
        task = asyncio.create_task(self._every_interval(interval), name="veileder-sync")
        yield
        self._stop.set()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
