"""A burst of Teams activities: their turns are taken a few at a time, in the order they came, and
none waits for its place without end."""
from __future__ import annotations

import asyncio

from bot.teams.turn_gate import TurnGate


async def test_a_burst_of_turns_runs_a_few_at_a_time_in_arrival_order():
    gate = TurnGate(at_once=2)
    running, most_at_once, started = 0, 0, []

    async def turn(n: int) -> int:
        nonlocal running, most_at_once
        running += 1
        most_at_once = max(most_at_once, running)
        started.append(n)
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        running -= 1
        return n

    results = await asyncio.gather(*(gate.run(lambda n=n: turn(n)) for n in range(10)))

    assert results == list(range(10))
    assert started == list(range(10))
    assert most_at_once == 2


async def test_a_turn_that_has_waited_long_enough_runs_even_when_every_place_is_taken():
    gate = TurnGate(at_once=1, wait_seconds=0.05)
    never = asyncio.Event()
    stuck = asyncio.ensure_future(gate.run(never.wait))  # holds the only place
    await asyncio.sleep(0)

    async def answered() -> str:
        return "answered"

    assert await asyncio.wait_for(gate.run(answered), 5) == "answered"
    stuck.cancel()


async def test_a_failing_turn_gives_its_place_back():
    gate = TurnGate(at_once=1, wait_seconds=5)

    async def fails() -> None:
        raise RuntimeError("the connector is down")

    for _ in range(3):
        try:
            await gate.run(fails)
        except RuntimeError:
            pass

    async def answered() -> str:
        return "answered"

    assert await asyncio.wait_for(gate.run(answered), 1) == "answered"


async def test_a_turn_stuck_on_a_connector_that_never_answers_gives_its_place_back():
    gate = TurnGate(at_once=1, wait_seconds=0.5)
    never = asyncio.Event()
    stuck = asyncio.ensure_future(gate.run(never.wait))
    await asyncio.sleep(0.6)  # past its lease

    async def answered() -> str:
        return "answered"

    # the place is free again: the next turn needn't wait out its own 0.5 s
    assert await asyncio.wait_for(gate.run(answered), 0.4) == "answered"
    stuck.cancel()
