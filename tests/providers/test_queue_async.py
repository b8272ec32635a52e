"""QueueInput in asyncio: an answer resumes the waiting task through a future of the task's own loop."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from hitl import QueueInput, TurnContext
from hitl.inputs import Question


@contextmanager
def counting_threadsafe_calls(loop: asyncio.AbstractEventLoop, delay: float = 0.0) -> Iterator[list[int]]:
    """Count the loop's ``call_soon_threadsafe`` calls (each one a write to its self-pipe), optionally late."""
    calls = [0]
    original = loop.call_soon_threadsafe

    def counted(callback: Callable[..., object], *args: Any, **kwargs: Any) -> asyncio.Handle:
        calls[0] += 1
        time.sleep(delay)
        return original(callback, *args, **kwargs)

    setattr(loop, "call_soon_threadsafe", counted)  # noqa: B010  # an instance attribute, over the method
    try:
        yield calls
    finally:
        delattr(loop, "call_soon_threadsafe")  # the method shows through again


async def next_question(inbox: QueueInput) -> Question:
    return await inbox.a_next_question(timeout=5)


def answer_all(inbox: QueueInput, text: Callable[[Question], str]) -> None:
    for question in inbox.pending():
        inbox.answer(question.id, text(question))


def test_an_answer_given_in_the_asking_loop_resumes_the_task_without_any_threadsafe_call() -> None:
    async def main() -> tuple[str, int, int]:
        inbox = QueueInput()
        threads = threading.active_count()
        with counting_threadsafe_calls(asyncio.get_running_loop()) as calls:
            asked = asyncio.ensure_future(inbox.a_ask("Approve? ", TurnContext("deploy")))
            question = await next_question(inbox)
            inbox.answer(question.id, "")
            answer = await asyncio.wait_for(asked, 5)
        return answer, calls[0], threading.active_count() - threads

    answer, threadsafe_calls, new_threads = asyncio.run(main())
    assert (answer, threadsafe_calls, new_threads) == ("", 0, 0)


def test_an_answer_from_another_thread_costs_one_threadsafe_call_and_no_thread() -> None:
    async def main() -> tuple[list[str], int, int]:
        inbox = QueueInput()
        threads = threading.active_count()
        with counting_threadsafe_calls(asyncio.get_running_loop()) as calls:
            asked = [asyncio.ensure_future(inbox.a_ask(f"{n}? ", TurnContext(str(n)))) for n in range(3)]
            while len(inbox.pending()) < 3:
                await asyncio.sleep(0)
            busy = threading.active_count() - threads
            human = threading.Thread(target=answer_all, args=(inbox, lambda question: question.prompt))
            human.start()
            answers = await asyncio.wait_for(asyncio.gather(*asked), 5)
            human.join()
        return answers, calls[0], busy

    answers, threadsafe_calls, threads_while_waiting = asyncio.run(main())
    assert answers == ["0? ", "1? ", "2? "]
    assert threadsafe_calls == 3, "one wake-up of the asking loop per answer"
    assert threads_while_waiting == 0, "waiting costs no thread"


def test_a_burst_of_answers_from_a_thread_reaches_each_waiting_task_with_its_own_answer() -> None:
    count = 1_000

    async def main() -> list[str]:
        hub = QueueInput()
        asked = [
            asyncio.ensure_future(hub.for_conversation(str(n)).a_ask("?", TurnContext(str(n)))) for n in range(count)
        ]
        while len(hub.pending()) < count:
            await asyncio.sleep(0)
        human = threading.Thread(target=answer_all, args=(hub, lambda question: f"to {question.conversation}"))
        human.start()
        answers = await asyncio.wait_for(asyncio.gather(*asked), 30)
        human.join()
        assert hub.pending() == []
        return answers

    assert asyncio.run(main()) == [f"to {n}" for n in range(count)]


def test_answers_from_another_event_loop_reach_the_asking_loop() -> None:
    inbox = QueueInput()

    def other_loop() -> None:
        async def human() -> None:
            question = await inbox.a_next_question(timeout=5)
            inbox.answer(question.id, "from the other loop")

        asyncio.run(human())

    async def main() -> str:
        human = threading.Thread(target=other_loop)
        human.start()
        answer = await asyncio.wait_for(inbox.a_ask("?", TurnContext("x")), 5)
        human.join()
        return answer

    assert asyncio.run(main()) == "from the other loop"


def test_a_thread_and_a_task_asking_one_hub_each_get_their_own_answer() -> None:
    hub = QueueInput()
    got: list[str] = []
    asker = threading.Thread(target=lambda: got.append(hub.for_conversation("thread").ask("?", TurnContext("t"))))
    asker.start()

    async def main() -> str:
        asked = asyncio.ensure_future(hub.for_conversation("task").a_ask("?", TurnContext("a")))
        for _ in range(2):
            question = await next_question(hub)
            hub.answer(question.id, f"to the {question.conversation}")
        return await asyncio.wait_for(asked, 5)

    assert asyncio.run(main()) == "to the task"
    asker.join(timeout=5)
    assert got == ["to the thread"]


def test_an_answer_is_accepted_once() -> None:
    async def main() -> str:
        inbox = QueueInput()
        asked = asyncio.ensure_future(inbox.a_ask("?", TurnContext("x")))
        question = await next_question(inbox)
        inbox.answer(question.id, "first")
        with pytest.raises(KeyError, match="no open question"):
            inbox.answer(question.id, "second")
        return await asked

    assert asyncio.run(main()) == "first"


def test_an_answer_to_a_cancelled_conversation_is_refused_even_before_its_task_unwinds() -> None:
    async def main() -> QueueInput:
        inbox = QueueInput()
        asked = asyncio.ensure_future(inbox.a_ask("?", TurnContext("x")))
        question = await next_question(inbox)
        asked.cancel()  # its future is cancelled now; the task's own clean-up runs at the loop's next step
        with pytest.raises(KeyError, match="no open question"):
            inbox.answer(question.id, "too late")
        with pytest.raises(asyncio.CancelledError):
            await asked
        return inbox

    assert asyncio.run(main()).pending() == []


def test_a_timed_out_async_question_is_withdrawn_and_a_late_answer_refused() -> None:
    async def main() -> QueueInput:
        inbox = QueueInput()
        asked = asyncio.ensure_future(inbox.a_ask_within("?", TurnContext("x"), 0.05))
        question = await next_question(inbox)
        with pytest.raises(TimeoutError, match=r"no answer within 0\.05 s"):
            await asked
        with pytest.raises(KeyError, match="no open question"):
            inbox.answer(question.id, "late")
        return inbox

    assert asyncio.run(main()).pending() == []


def test_an_answer_accepted_before_the_deadline_is_used_though_it_is_delivered_after_it() -> None:
    # answer() takes the question at once, but its wake-up of the asking loop comes 0.2 s later, long
    # after the 0.05 s deadline: the deadline finds the question taken, and waits for that answer.
    async def main() -> tuple[str, float]:
        inbox = QueueInput()
        loop = asyncio.get_running_loop()
        with counting_threadsafe_calls(loop, delay=0.2):
            started = loop.time()
            asked = asyncio.ensure_future(inbox.a_ask_within("?", TurnContext("x"), 0.05))
            question = await next_question(inbox)
            human = threading.Thread(target=inbox.answer, args=(question.id, "yes"))
            human.start()
            answer = await asyncio.wait_for(asked, 5)
            human.join()
        return answer, loop.time() - started

    answer, waited = asyncio.run(main())
    assert answer == "yes"
    assert waited >= 0.2, "the answer was delivered after the deadline had passed"


@pytest.mark.parametrize("from_thread", [False, True], ids=["same-thread", "other-thread"])
def test_an_answer_to_a_question_whose_event_loop_is_closed_is_refused(from_thread: bool) -> None:
    inbox = QueueInput()
    loop = asyncio.new_event_loop()
    asked = loop.create_task(inbox.a_ask("?", TurnContext("x")))
    loop.run_until_complete(asyncio.sleep(0))
    (question,) = inbox.pending()
    loop.close()
    refused: list[str] = []

    def answer() -> None:
        try:
            inbox.answer(question.id, "nobody hears this")
        except KeyError as error:
            refused.append(str(error))

    if from_thread:
        human = threading.Thread(target=answer)
        human.start()
        human.join()
    else:
        answer()
    assert len(refused) == 1
    assert "no open question" in refused[0]
    setattr(asked, "_log_destroy_pending", False)  # noqa: B010  # it can never finish: no warning for it
