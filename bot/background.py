"""Work that runs as long as `veileder serve` does: a loop started with the web app and cancelled
when the app stops (the question log's retention, expired claims, the advisers' rounds, keeping the
model and index out of full garbage collections)."""
from __future__ import annotations

import asyncio
import contextlib
from typing import Any, AsyncIterator, Awaitable, Callable


def while_serving(work: Callable[[], Awaitable[None]], name: str) -> Callable[[Any], AsyncIterator[None]]:
    """An aiohttp cleanup context (`web_app.cleanup_ctx.append(...)`): `work()` runs as the task
    `name` from the app's start-up to its clean-up, which cancels it and waits until it has ended."""

    async def context(_app: Any) -> AsyncIterator[None]:
        task = asyncio.create_task(work(), name=name)
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return context
