"""A burst of askers: answers are worked on a few at a time, first come first served, on a loop of
their own; a question that comes while the model is loading is answered once it has loaded."""
from __future__ import annotations

import asyncio
import threading

from bot.admin.crisis import CrisisStore
from bot.admin.question_log import QuestionLog
from bot.answering.answer_loop import AnswerLoop
from bot.services import BotServices
from bot.store.setup import open_store


async def test_a_burst_is_answered_a_few_at_a_time_in_the_order_the_askers_came():
    answer_loop = AnswerLoop(slots=2)
    started: list[int] = []
    running = 0
    most_at_once = 0
    threads: set[str] = set()

    async def answer(asker: int) -> int:
        nonlocal running, most_at_once
        started.append(asker)
        threads.add(threading.current_thread().name)
        running += 1
        most_at_once = max(most_at_once, running)
        await asyncio.sleep(0.01)
        running -= 1
        return asker

    try:
        answered = await asyncio.gather(*(answer_loop.run(answer(asker)) for asker in range(8)))
    finally:
        answer_loop.close()
    assert answered == list(range(8))
    assert started == list(range(8)) and most_at_once == 2
    assert threads == {"veileder-answer-loop"}  # not the loop that received the requests


async def test_an_answer_is_worked_on_while_the_receiving_loop_is_still_taking_the_burst_in():
    answer_loop = AnswerLoop(slots=2)
    started = threading.Event()

    async def answer() -> str:
        started.set()
        return "answered"

    try:
        answering = answer_loop.run(answer())
        # The receiving loop doesn't get back to its own tasks here (it is busy with the burst's
        # other requests); the answer has started anyway.
        assert started.wait(5)
        assert await answering == "answered"
    finally:
        answer_loop.close()


async def test_a_question_asked_while_the_model_loads_is_answered_on_the_answer_loop_once_it_has(settings, engine):
    database = open_store(settings)
    services = BotServices(settings, None, QuestionLog.open(settings, database), CrisisStore(database))
    assert services.answer_loop is not None
    try:
        asked = asyncio.ensure_future(services.answer_loop.run(services.ask("Kan jeg uttale meg til pressen?", municipality="ostre-toten")))
        await asyncio.sleep(0.2)
        assert not asked.done()  # waiting for the model
        services.engine_loaded(engine)  # on this loop; the question waits on the answer loop
        answer = await asyncio.wait_for(asked, 30)
        assert answer.question == "Kan jeg uttale meg til pressen?"
    finally:
        services.answer_loop.close()
        services.workers.close()
