"""The running services every front end shares, built once by `veileder serve` (see `bot.serve`)."""
from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

from bot.admin.cases import CaseStore
from bot.admin.crisis import CrisisStore
from bot.admin.question_log import QuestionLog
from bot.answering.answer import Answer
from bot.answering.answer_loop import AnswerLoop
from bot.answering.engine import AnswerEngine
from bot.answering.engine_process import EngineProcess
from bot.answering.workers import AnswerWorkers
from bot.graph.profile import GraphProfiles
from bot.settings import Settings
from bot.store.claims import Claims
from bot.store.database import Database

ReindexFn = Callable[[str | None], Awaitable[str]]  # municipality or None → a summary to show in the chat


@dataclass
class BotServices:
    """What every front end may use: the engine, the question log, crisis state, the admin reindex
    (None: chat admins can't reindex), the Teams profile lookup (None: made from the Graph settings)
    and the de-duplication claims (default: in the question log's database) — all but the engine in
    the shared state store (`database`).

    Not frozen for one reason: `veileder serve` listens before the model is loaded, so `engine` is
    None until `engine_loaded` (`/readyz` says 503 meanwhile, and `ask` waits); `startup_error`
    says why it never loaded. `running` holds what front ends start at run time (the Teams bot)."""

    settings: Settings
    engine: AnswerEngine | None
    log: QuestionLog
    crisis: CrisisStore
    reindex: ReindexFn | None = None
    graph_profiles: GraphProfiles | None = None
    claims: Claims | None = None
    cases: CaseStore | None = None  # the advisers' cases (None: on the question log's database)
    startup_error: str | None = None
    running: dict[str, Any] = field(default_factory=dict)
    _engine_ready: dict[asyncio.AbstractEventLoop, asyncio.Event] = field(default_factory=dict, repr=False)
    workers: AnswerWorkers | None = None  # the engine's own pool; None: `settings.answer_workers` threads
    answer_loop: AnswerLoop | None = None  # where front ends answer and post (see bot.answering.answer_loop); None: a new one
    engine_process: EngineProcess | None = None  # where questions are answered when set (`veileder serve`); None: on `workers`

    def __post_init__(self) -> None:
        if self.claims is None:
            self.claims = Claims(self.log.database)
        if self.cases is None:  # no I/O: the store only holds the log's engine
            self.cases = CaseStore(self.log)
        if self.workers is None:  # its threads start with the first question
            self.workers = AnswerWorkers(self.settings.resolved_answer_workers())
        if self.answer_loop is None:  # its thread starts with the first question
            self.answer_loop = AnswerLoop(slots=self.settings.resolved_answer_slots())

    @property
    def database(self) -> Database:
        return self.log.database

    def engine_loaded(self, engine: AnswerEngine) -> None:
        """Called when the background start has loaded the engine; wakes whoever waits for it, on
        the receiving loop and the answer loop alike."""
        self.engine = engine
        for loop, ready in list(self._engine_ready.items()):
            if not loop.is_closed():
                loop.call_soon_threadsafe(ready.set)

    async def ready_engine(self) -> AnswerEngine:
        """The engine, waiting while the model is still loading."""
        if self.engine is None:
            ready = self._engine_ready.setdefault(asyncio.get_running_loop(), asyncio.Event())
            if self.engine is None:  # engine_loaded sets the engine before it wakes the waiters
                await ready.wait()
        assert self.engine is not None
        return self.engine

    async def ask(self, question: str, *, municipality: str | None, profile_role: str | None = None) -> Answer:
        """Answer in the engine process when there is one, else on the engine's worker pool: off the
        event loop (the model is CPU-bound), in arrival order; waits for the model if it is still loading."""
        engine = await self.ready_engine()
        if self.engine_process is not None:
            return await self.engine_process.ask(question, municipality=municipality, profile_role=profile_role)
        assert self.workers is not None
        return await self.workers.run(lambda: engine.ask(question, municipality=municipality, profile_role=profile_role))

    def is_admin(self, user_id: str | None) -> bool:
        return bool(user_id) and user_id in self.settings.admin_user_ids()


def error_reference() -> str:
    """A short id the asker can quote to IT; the details go to the log under the same id."""
    return uuid.uuid4().hex[:8]
