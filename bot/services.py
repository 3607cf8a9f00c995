"""The running services every front end shares, built once by `veileder serve` (see `bot.serve`)."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Awaitable, Callable

from bot.admin.crisis import CrisisStore
from bot.admin.question_log import QuestionLog
from bot.answering.answer import Answer
from bot.answering.engine import AnswerEngine
from bot.answering.workers import AnswerWorkers
from bot.graph.profile import GraphProfiles
from bot.settings import Settings

ReindexFn = Callable[[str | None], Awaitable[str]]  # municipality or None → a summary to show in the chat


@dataclass(frozen=True)
class BotServices:
    """What every front end may use: the engine, the question log, crisis state, the admin reindex
    (None: chat admins can't reindex), the Teams profile lookup (None: made from the Graph settings)
    and the engine's worker pool (None: one of `settings.answer_workers` threads is made)."""

    settings: Settings
    engine: AnswerEngine
    log: QuestionLog
    crisis: CrisisStore
    reindex: ReindexFn | None = None
    graph_profiles: GraphProfiles | None = None
    workers: AnswerWorkers = field(default=None)  # type: ignore[assignment]  # set in __post_init__

    def __post_init__(self) -> None:
        if self.workers is None:  # threads start only when the first question comes
            object.__setattr__(self, "workers", AnswerWorkers(self.settings.answer_workers))

    async def ask(self, question: str, *, municipality: str | None, profile_role: str | None = None) -> Answer:
        """Answer on the engine's worker pool, off the event loop (the model is CPU-bound); in arrival order."""
        return await self.workers.run(lambda: self.engine.ask(question, municipality=municipality, profile_role=profile_role))

    def is_admin(self, user_id: str | None) -> bool:
        return bool(user_id) and user_id in self.settings.admin_user_ids()


def error_reference() -> str:
    """A short id the asker can quote to IT; the details go to the log under the same id."""
    return uuid.uuid4().hex[:8]
