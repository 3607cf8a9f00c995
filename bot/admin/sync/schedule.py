"""In `veileder serve`: the admins' reindex from the chat, and the sync on a schedule
(VEILEDER_SYNC_INTERVAL_MINUTES). Runs happen off the event loop, one at a time on every replica
together (the sync lock): a reindex asked for while one runs on this replica joins it (one build,
both askers told its result); while another replica holds the lock the asker is told so, and that
replica's new index is served here as soon as it is swapped in."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from typing import TYPE_CHECKING, AsyncIterator, Awaitable, Callable

from bot.admin.sync.runner import SyncError, run_sync
from bot.admin.sync.state import SyncStateStore
from bot.settings import Settings
from bot.store.database import Database

if TYPE_CHECKING:  # pragma: no cover
    from aiohttp import web

    from bot.answering.engine import AnswerEngine
    from index.embedder import Embedder

log = logging.getLogger(__name__)

RECENT_SHARE = 0.9  # a run any replica finished within 90 % of the interval counts as this turn's


class SyncSchedule:
    """`reindex` is the admin's command (a summary line for the chat); `running` is an aiohttp
    cleanup context that syncs every interval while the server runs and stops with it.

    The embedder comes from `embedder`, else from `engine()` (awaited: in `veileder serve` the
    model may still be loading)."""

    def __init__(
        self,
        settings: Settings,
        database: Database,
        embedder: "Embedder | None" = None,
        engine: Callable[[], Awaitable["AnswerEngine"]] | None = None,
    ) -> None:
        self.settings = settings
        self.database = database
        self.embedder = embedder
        self._engine = engine
        self._stop = threading.Event()
        self._current: asyncio.Future[str] | None = None

    async def reindex(self, municipality: str | None) -> str:
        if self._current is None or self._current.done():
            self._current = asyncio.ensure_future(self._run(municipality))
        return await asyncio.shield(self._current)

    async def _run(self, municipality: str | None) -> str:
        embedder = self.embedder
        if embedder is None and self._engine is not None:
            embedder = (await self._engine()).embedder
        loop = asyncio.get_running_loop()
        try:
            summary = await loop.run_in_executor(
                None,
                lambda: run_sync(self.settings, municipality, embedder=embedder, cancelled=self._stop.is_set, database=self.database),
            )
        except SyncError as exc:
            return str(exc)
        log.info("sync: %s", summary.text().replace("\n", " | "))
        return summary.text()

    async def _every_interval(self, interval: int) -> None:
        store = SyncStateStore(self.database)
        while True:
            try:
                # Every replica keeps the schedule; a run another replica finished lately counts as ours.
                if not await self.database.run(lambda: store.finished_within(interval * 60 * RECENT_SHARE)):
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
