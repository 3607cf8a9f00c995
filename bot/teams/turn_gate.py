"""Incoming Teams turns taken a few at a time, in arrival order.

Why: under a burst (200 activities at once) the receiving loop ran every activity's turn at once,
each step of each turn taking its turn with every other's; the first activity's turn ended, and its
answer could start, only when nearly every other turn had been taken in too. With at most
`TURNS_AT_ONCE` turns at once, in the order the activities arrived, the first answers start within
a few turns' time and answers come out in arrival order (`bench.burst`, five questions asked 40
times each: the median asker waited 0.57–0.65 of the burst's drain time with every turn at once,
0.49–0.55 with four).

Acknowledgements then spread over the burst instead of all coming first (the slowest of 200 took
2.5–3 s instead of 0.6–0.9 s), so no turn waits for its place longer than `WAIT_SECONDS`: past that
it runs at once, and Teams (which gives up on an activity after about 15 s) never waits too long;
nor does a turn keep its place longer than that (one stuck on a connector that doesn't answer).
Only turns whose token has been checked pass here, so forged requests can't take places from real
ones. Slack's events are not gated: Slack re-sends an event it hasn't seen acknowledged within 3 s,
and a gate that kept acknowledgements under about 1 s didn't help its ratio (0.58, 0.59).
"""
from __future__ import annotations

import asyncio
from typing import Awaitable, Callable, TypeVar

T = TypeVar("T")

TURNS_AT_ONCE = 4
WAIT_SECONDS = 5.0


class TurnGate:
    """At most `at_once` turns run at once, first come first served (asyncio's semaphore wakes its
    waiters in order); one that has waited `wait_seconds` runs anyway, and one that has run for
    `wait_seconds` gives its place to the next (a turn stuck on a connector that doesn't answer
    holds no place for longer than that)."""

    def __init__(self, at_once: int = TURNS_AT_ONCE, wait_seconds: float = WAIT_SECONDS) -> None:
        if at_once < 1:
            raise ValueError(f"a turn gate lets at least one turn through, not {at_once}")
        self.wait_seconds = wait_seconds
        self._places = asyncio.Semaphore(at_once)

    async def run(self, turn: Callable[[], Awaitable[T]]) -> T:
        """`turn()` once a place is free, or after `wait_seconds` without one."""
        try:
            async with asyncio.timeout(self.wait_seconds):
                await self._places.acquire()
        except TimeoutError:
            return await turn()
        released = False

        def give_back() -> None:
            nonlocal released
            if not released:
                released = True
                self._places.release()

        lease = asyncio.get_running_loop().call_later(self.wait_seconds, give_back)
        try:
            return await turn()
        finally:
            lease.cancel()
            give_back()
