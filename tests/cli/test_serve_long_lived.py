"""`veileder serve` keeps the loaded model and the served index generation out of the garbage
collector's full passes (bot.answering.long_lived), and lets a generation go once another is served."""
from __future__ import annotations

import asyncio
import gc
import weakref

from aiohttp import web

from bot.answering.long_lived import keep_long_lived_frozen_ctx


class Generation:
    """Stands for a loaded index generation: objects that refer to each other (a reference cycle)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.rules = [{"generation": self} for _ in range(100)]


def _frozen(obj: object) -> bool:
    return gc.is_tracked(obj) and not any(o is obj for o in gc.get_objects())


async def _until(check, seconds: float = 10.0) -> None:
    for _ in range(int(seconds / 0.01)):
        if check():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("not within the time")


async def test_the_served_generation_is_frozen_once_loaded_and_released_when_another_is_served():
    served = {"current": Generation("g1")}
    engine_loaded = asyncio.Event()

    async def served_generation() -> str:
        await engine_loaded.wait()  # as `veileder serve` waits for the model to load
        return served["current"].name

    web_app = web.Application()
    web_app.cleanup_ctx.append(keep_long_lived_frozen_ctx(served_generation, every_seconds=0.01))
    runner = web.AppRunner(web_app)
    await runner.setup()
    try:
        first = weakref.ref(served["current"])
        await asyncio.sleep(0.05)
        assert not _frozen(first())  # nothing is frozen while the model loads

        engine_loaded.set()
        await _until(lambda: _frozen(first()))

        # An admin reindexes: the old generation is no longer served. Frozen, its reference cycle
        # outlives a full collection; the round that sees the new generation lets it go.
        served["current"] = Generation("g2")
        second = weakref.ref(served["current"])
        await _until(lambda: first() is None)
        await _until(lambda: _frozen(second()))
    finally:
        await runner.cleanup()
        gc.unfreeze()
