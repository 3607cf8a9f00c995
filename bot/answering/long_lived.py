"""The model and the served index kept out of Python's full garbage collections.

Python's cyclic garbage collector, on a full (oldest-generation) pass, walks every container
object the process holds, and every thread waits while it does: the event loop taking requests in,
the answer loop posting answers and the engine's workers alike. With the model and an index
loaded that is millions of objects. In `veileder serve` under a burst of 200 questions
(`bench.burst`, 2-core machine) such passes took 0.1–0.3 s each, a few per burst, and no answer
moved while they ran; once these objects were frozen, the full passes took 10–35 ms.

The model lives as long as the process and an index generation as long as it is served, so once
loaded they are moved out of the collector's generations (`gc.freeze`), and again when another
generation is served. Objects that become garbage by reference counting are freed at once either
way; only reference cycles among frozen objects wait for the next `freeze_long_lived`, which
first unfreezes, so a generation no longer served is collected then.
"""
from __future__ import annotations

import asyncio
import gc
import logging
from typing import Awaitable, Callable

from bot.background import while_serving

log = logging.getLogger(__name__)

CHECK_SECONDS = 60.0  # how often `veileder serve` looks for a newly served index generation


def freeze_long_lived() -> None:
    """Collect what is garbage now (frozen objects included), then move every object left out of the
    collector's generations. One full collection, ~0.3 s with the default model loaded, during which
    every thread waits: call it when the model or a new index generation has just been loaded,
    never per question."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def keep_long_lived_frozen_ctx(served_generation: Callable[[], Awaitable[str]], every_seconds: float = CHECK_SECONDS):
    """An aiohttp cleanup context for `veileder serve`: `freeze_long_lived` once the engine is
    loaded, and again whenever another index generation is served, looked for every
    `every_seconds`. `served_generation()` waits until the engine is loaded and returns the
    generation it serves; an error from it (no usable index) is logged and retried next round."""

    async def keep_frozen() -> None:
        frozen: str | None = None
        while True:
            try:
                generation = await served_generation()
            except Exception as exc:  # noqa: BLE001 - the next round looks again
                log.debug("no served index generation to freeze (%s)", exc)
            else:
                if generation != frozen:
                    await asyncio.to_thread(freeze_long_lived)
                    frozen = generation
                    log.info("model and index generation %s kept out of full garbage collections", generation)
            await asyncio.sleep(every_seconds)

    return while_serving(keep_frozen, "veileder-keep-frozen")
