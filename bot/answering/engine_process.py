"""The engine in processes of its own (VEILEDER_ENGINE_PROCESSES=N; off by default): `veileder
serve` then answers there, apart from the process whose event loops take Slack's and Teams'
requests in and post the answers, so answering runs beside them instead of taking turns with them
for the interpreter lock, and an engine that crashes or is killed doesn't take the server with it.

It costs memory: each engine process loads the model again (~1.3 GB resident with the default
model), while the serving process keeps its own engine for readiness, roles and reindexing. On the
2-core development machine it did not bring the burst benchmark's median/drain ratio below what the
engine in the serving process gives (README "Benchmark"), hence off by default.

An engine process loads its own engine from the same settings (model, index folder, and the crisis
state in the same database, read at every answer) and answers `(question, municipality, profile_role)` with a pickled `Answer`.
It reads the index folder's CURRENT generation at every question, as the serving process's engine
does (index.generations.CurrentIndex), so a reindex by an admin, the sync, or another replica on the
shared volume is served by the next question. If the process ends (killed, out of memory), the
questions it held fail with `EngineProcessError` (the asker gets the usual apology with a
reference) and a new process is started for the next question.
"""
from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from typing import Callable

from bot.answering.answer import Answer
from bot.answering.engine import AnswerEngine, CrisisSource, EngineError
from bot.answering.long_lived import freeze_long_lived
from bot.settings import Settings

CrisisOpener = Callable[[Settings], CrisisSource]  # a module-level function: it is sent to the engine process

log = logging.getLogger(__name__)


class EngineProcessError(EngineError):
    """The engine process ended while answering (killed, out of memory), or has been stopped."""


# The one engine of an engine process, loaded by its first call. A module variable only in the
# engine process (a process pool's worker has nowhere else to keep state between calls); the
# serving process never sets it.
_process_engine: AnswerEngine | None = None


def _engine_here(settings: Settings, crisis: CrisisOpener | None) -> AnswerEngine:
    """In the engine process: its engine, loaded at the first call (the model, the crisis state from
    `crisis(settings)`, the current index generation). Load errors (EmbedderError, EngineError …)
    are raised to the caller as any answer's errors are."""
    global _process_engine
    if _process_engine is None:
        from index.embedder import load_embedder

        embedder = load_embedder(settings.model, settings.data_dir, settings.threads)
        engine = AnswerEngine(settings, embedder, crisis=crisis(settings) if crisis is not None else None)
        engine.warm_up()
        _process_engine = engine
    return _process_engine


# The index generation whose objects this engine process last froze (bot.answering.long_lived); engine process only.
_frozen_generation: str | None = None


def _keep_frozen(engine: AnswerEngine) -> str:
    """The generation `engine` serves; the model and that generation are frozen once each (bot.answering.long_lived)."""
    global _frozen_generation
    generation = engine.retriever().stored.generation
    if generation != _frozen_generation:
        freeze_long_lived()
        _frozen_generation = generation
    return generation


def _ask(settings: Settings, crisis: CrisisOpener | None, question: str, municipality: str | None, profile_role: str | None) -> Answer:
    engine = _engine_here(settings, crisis)
    answer = engine.ask(question, municipality=municipality, profile_role=profile_role)
    _keep_frozen(engine)
    return answer


def _loaded(settings: Settings, crisis: CrisisOpener | None) -> tuple[int, str]:
    """(the engine process's id, the index generation it serves), once its engine is loaded."""
    return os.getpid(), _keep_frozen(_engine_here(settings, crisis))


class EngineProcess:
    """`size` engine processes (each loads the model: ~1 GB each with the default model), answering
    one question each at a time, the rest waiting in arrival order. Started by `start`, stopped by
    `close`; a process that dies is replaced at the next question. `crisis(settings)` opens the
    crisis state in an engine process (`bot.admin.crisis.open_crisis_store`; None: no crisis notices)."""

    def __init__(self, settings: Settings, size: int = 1, crisis: CrisisOpener | None = None) -> None:
        if size < 1:
            raise ValueError(f"the engine needs at least one process, not {size}")
        self.size = size
        # The model's threads per engine process: VEILEDER_THREADS, else the cores but one (kept for the
        # process taking requests in) shared among the engine processes (see Settings.serving_threads).
        threads = settings.threads or max(1, ((os.cpu_count() or 1) - 1) // size)
        self.settings = settings.model_copy(update={"threads": threads})
        self.crisis = crisis
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._closed = False

    def _current_pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._closed:
                raise EngineProcessError("the engine process has been stopped (the server is shutting down)")
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=self.size,
                    mp_context=multiprocessing.get_context("spawn"),  # no fork of a process with threads
                )
            return self._pool

    def _forget(self, pool: ProcessPoolExecutor) -> None:
        """Drop a broken pool, so the next question starts a new engine process."""
        with self._lock:
            if self._pool is pool:
                self._pool = None
        pool.shutdown(wait=False, cancel_futures=True)

    async def _call(self, function, *args):
        """`function(*args)` in an engine process. A process that ended while idle is replaced and
        the call goes to the new one; one that ends while holding the call fails it."""
        pool = self._current_pool()
        try:
            future = pool.submit(function, *args)
        except BrokenProcessPool:  # it ended while idle: nothing of this call was lost
            self._forget(pool)
            log.error("the engine process had ended; starting a new one")
            pool = self._current_pool()
            future = pool.submit(function, *args)
        try:
            return await asyncio.wrap_future(future)
        except BrokenProcessPool as exc:
            self._forget(pool)
            log.error("the engine process ended while answering (%s); a new one starts with the next question", exc)
            raise EngineProcessError("the engine process ended while answering; the next question starts a new one") from exc

    async def start(self) -> list[tuple[int, str]]:
        """Start the engine processes and wait until they have loaded their engines (seconds: the
        model, the index). Returns (process id, index generation served) per process; raises what
        loading raised there (EmbedderError, EngineError …), or EngineProcessError if a process ended."""
        return list(await asyncio.gather(*(self._call(_loaded, self.settings, self.crisis) for _ in range(self.size))))

    async def ask(self, question: str, *, municipality: str | None, profile_role: str | None = None) -> Answer:
        """`AnswerEngine.ask` in the engine process, in arrival order; the engine's own errors
        (QuestionError, EngineError …) come back as they are raised there."""
        return await self._call(_ask, self.settings, self.crisis, question, municipality, profile_role)

    def close(self) -> None:
        """Stop the engine processes: the question being answered finishes, waiting ones are cancelled."""
        with self._lock:
            pool, self._pool, self._closed = self._pool, None, True
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
