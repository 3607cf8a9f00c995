"""Group commit: store writes asked for at about the same time, made in one transaction.

Under a burst (200 questions at once) one small transaction per request or answer queued for the
store's one writer (SQLite allows one at a time; `Database.begin` serialises them in a process)
and took turns for the interpreter lock with the answers being posted. Here the first caller's
write starts at once on a store thread; the writes asked for while it runs wait and go together
into the next transaction, so a burst takes a few transactions instead of hundreds, and nobody
waits longer than one transaction behind the others.
"""
from __future__ import annotations

import asyncio
import threading
from concurrent.futures import Future, InvalidStateError
from typing import Callable, Generic, Sequence, TypeVar

from bot.store.database import Database

T = TypeVar("T")
R = TypeVar("R")


class GroupCommit(Generic[T, R]):
    """Runs `write(items) -> results` (one result per item, in order; blocking, one transaction)
    on the store's threads for batches of the items callers `submit`.

    A batch holds items up to `limit` in total `size` (at least one item); an error raised by
    `write` is raised to every caller whose item was in that batch.
    """

    def __init__(
        self,
        database: Database,
        write: Callable[[list[T]], Sequence[R]],
        *,
        limit: int = 1000,
        size: Callable[[T], int] = lambda _item: 1,
    ) -> None:
        self.database = database
        self._write = write
        self._limit = limit
        self._size = size
        self._waiting: list[tuple[T, Future[R]]] = []
        self._lock = threading.Lock()
        self._writing = False  # a store thread is writing the waiting items

    async def submit(self, item: T) -> R:
        """`item` written together with the items other callers (on any event loop) submit meanwhile;
        returns its result, or raises what its batch's write raised."""
        future: Future[R] = Future()
        with self._lock:
            self._waiting.append((item, future))
            start, self._writing = not self._writing, True
        if start:
            try:
                self.database.submit(self._write_waiting)
            except RuntimeError as exc:  # the store's threads are shut down (the server is stopping)
                self._fail_waiting(exc)
        return await asyncio.wrap_future(future)

    def _fail_waiting(self, exc: BaseException) -> None:
        """Every waiting caller gets `exc`; the next submit starts a writer again."""
        with self._lock:
            waiting, self._waiting, self._writing = self._waiting, [], False
        for _, future in waiting:
            _settle(future, exception=exc)

    def _next_batch(self) -> list[tuple[T, Future[R]]]:
        with self._lock:
            batch: list[tuple[T, Future[R]]] = []
            total = 0
            while self._waiting and (not batch or total + self._size(self._waiting[0][0]) <= self._limit):
                batch.append(self._waiting.pop(0))
                total += self._size(batch[-1][0])
            if not batch:
                self._writing = False
            return batch

    def _write_waiting(self) -> None:
        """On a store thread: write the waiting items, a batch at a time, until none wait."""
        while batch := self._next_batch():
            try:
                results = self._write([item for item, _ in batch])
            except Exception as exc:  # noqa: BLE001 - every caller in the batch gets its error
                for _, future in batch:
                    _settle(future, exception=exc)
                continue
            for (_, future), result in zip(batch, results, strict=True):
                _settle(future, result)


def _settle(future: Future, result: object = None, exception: BaseException | None = None) -> None:
    """Give a waiting caller its result (or the error); one that stopped waiting (cancelled) is skipped."""
    try:
        if exception is not None:
            future.set_exception(exception)
        else:
            future.set_result(result)
    except InvalidStateError:  # cancelled meanwhile
        pass
