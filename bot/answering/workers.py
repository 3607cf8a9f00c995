"""The engine's own worker pool: questions are answered a few at a time, first come first served.

The engine is CPU-bound (embedding, search), so answering is done off the event loop. On the
event loop's shared default executor, a burst of 200 questions would queue every other small
job — the question-log write that comes before each reply — behind all 200 engine calls, and
nobody would get an answer until the whole burst had been computed. With a pool of its own, the
answers come out in arrival order as each is ready, while the log writes and other short jobs
keep running beside it.
"""
from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, TypeVar

T = TypeVar("T")


class AnswerWorkers:
    """At most `size` engine calls at once (threads start on first use); the rest wait in FIFO order."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError(f"the answer worker pool needs at least one worker, not {size}")
        self.size = size
        self._pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix="veileder-answer")

    async def run(self, work: Callable[[], T]) -> T:
        """`work()` on one of the pool's threads; the caller's coroutine waits without blocking the loop."""
        return await asyncio.get_running_loop().run_in_executor(self._pool, work)

    def close(self) -> None:
        """Stop taking work; running calls finish, waiting ones are cancelled."""
        self._pool.shutdown(wait=False, cancel_futures=True)
