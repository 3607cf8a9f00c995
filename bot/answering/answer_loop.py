"""The answer loop: an asyncio event loop on a thread of its own, where questions are answered and
the answers posted, apart from the event loop that receives Slack's and Teams' requests.

Why: under a burst (200 questions at once) the receiving loop is busy checking signatures,
claiming requests in the state store and acknowledging them. When answering ran on that loop too,
every answer's steps (the asker's profile, the typing indicator, posting the answer) took turns
with every request still being taken in, so nobody got an answer until the whole burst had been
received: the median asker waited ~0.8 of the time the burst took, not ~0.5 (`bench.burst`).
On a loop of its own an answer is posted as soon as the engine has it, while requests are still
being taken in; the engine's worker pool (`AnswerWorkers`) keeps answers in arrival order.

The loop takes at most `slots` questions at once, first come first served (VEILEDER_ANSWER_SLOTS,
by default 8 per engine worker, see `Settings.resolved_answer_slots`): with all 200 at once,
every asker's first step (the "working" reaction or typing indicator) would again go before
anyone's answer, and the burst's acknowledgements would wait behind the answers' work.

Only the answering work goes here (coroutines that make their own HTTP calls on whichever loop
runs them); acknowledgements, claims and admin work stay on the receiving loop.
"""
from __future__ import annotations

import asyncio
import threading
from typing import Coroutine, TypeVar

T = TypeVar("T")


class AnswerLoop:
    """Runs coroutines on one event loop in a daemon thread, started with the first one."""

    def __init__(self, slots: int, name: str = "veileder-answer-loop") -> None:
        if slots < 1:
            raise ValueError(f"the answer loop needs at least one slot, not {slots}")
        self.slots = slots
        self.name = name
        self._gate: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None or self._loop.is_closed():
                loop = asyncio.new_event_loop()
                started = threading.Event()

                def run() -> None:
                    asyncio.set_event_loop(loop)
                    loop.call_soon(started.set)
                    loop.run_forever()

                self._thread = threading.Thread(target=run, name=self.name, daemon=True)
                self._thread.start()
                started.wait()
                self._loop = loop
                self._gate = None
            return self._loop

    def is_current(self) -> bool:
        """True when called on the answer loop."""
        try:
            return self._loop is not None and asyncio.get_running_loop() is self._loop
        except RuntimeError:  # no loop running here
            return False

    def run(self, work: Coroutine[object, object, T]) -> asyncio.Future[T]:
        """Hand `work` to the answer loop now and return a future of the calling event loop that
        gives its result; it runs there at most `slots` at once, in the order handed over, and
        cancelling the returned future cancels the work there.

        Handed over at the call, not when a task of the calling loop first runs: under a burst that
        loop has every other request's next step queued first, so an answer whose request was taken
        in at once waited for the whole burst to be taken in before its work could start."""
        return asyncio.wrap_future(asyncio.run_coroutine_threadsafe(self._in_turn(work), self._running_loop()))

    async def _in_turn(self, work: Coroutine[object, object, T]) -> T:
        if self._gate is None:  # made on the answer loop, the only loop that uses it
            self._gate = asyncio.Semaphore(self.slots)
        try:
            async with self._gate:
                return await work
        finally:
            work.close()  # never started when cancelled while waiting for a slot

    def close(self) -> None:
        """Stop the loop (after the caller has given its work time to finish, see the front ends' `close`)."""
        with self._lock:
            loop, thread, self._loop, self._thread = self._loop, self._thread, None, None
        if loop is None or thread is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=5)
        if not thread.is_alive():
            loop.close()
