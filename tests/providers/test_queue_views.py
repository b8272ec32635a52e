"""QueueInput conversation views: each sees, takes and answers only its own conversation's questions."""

from __future__ import annotations

import asyncio
import queue
import random
import threading
import time
import types
from collections.abc import Awaitable, Generator
from typing import Any

import pytest

from hitl import Always, PolicyUserProxy, QueueInput, TurnContext
from hitl.inputs import Question
from hitl.testing import ScriptedAssistant, quiet


def ask_in_background(view: QueueInput, text: str) -> tuple[threading.Thread, list[str]]:
    got: list[str] = []
    thread = threading.Thread(target=lambda: got.append(view.ask(f"{text}? ", TurnContext(text))), daemon=True)
    thread.start()
    return thread, got


def wait_for_pending(inbox: QueueInput, count: int) -> list[Question]:
    deadline = time.monotonic() + 5
    while len(inbox.pending()) < count:
        assert time.monotonic() < deadline, inbox.pending()
        time.sleep(0.001)
    return inbox.pending()


def test_a_view_sees_and_takes_only_its_own_conversations_questions() -> None:
    hub = QueueInput()
    alice, bob = hub.for_conversation("alice"), hub.for_conversation("bob")
    bob_thread, bob_got = ask_in_background(bob, "bob's draft")
    (bobs,) = wait_for_pending(hub, 1)
    assert alice.pending() == []
    with pytest.raises(queue.Empty):
        alice.next_question(timeout=0.05)
    with pytest.raises(queue.Empty):
        asyncio.run(alice.a_next_question(timeout=0.05))
    with pytest.raises(KeyError, match="belongs to conversation 'bob', not to this view's 'alice'"):
        alice.answer(bobs.id, "Alice's answer")
    assert bob.pending() == [bobs], "a refused answer leaves the question open for its own conversation"

    alice_thread, alice_got = ask_in_background(alice, "alice's draft")
    question = alice.next_question(timeout=5)
    assert question.conversation == "alice"
    alice.answer(question.id, "Alice's answer")
    assert bob.next_question(timeout=5) is bobs
    bob.answer(bobs.id, "Bob's answer")
    for thread in (alice_thread, bob_thread):
        thread.join(timeout=5)
    assert (alice_got, bob_got) == (["Alice's answer"], ["Bob's answer"])


def test_the_hub_sees_and_answers_every_conversation() -> None:
    hub = QueueInput()
    threads = [ask_in_background(hub.for_conversation(name), name) for name in ("alice", "bob")]
    threads.append(ask_in_background(hub, "the hub's own"))
    pending = wait_for_pending(hub, 3)
    assert sorted(str(q.conversation) for q in pending) == ["None", "alice", "bob"]
    for question in pending:
        hub.answer(question.id, f"to {question.conversation}")
    for thread, _ in threads:
        thread.join(timeout=5)
    assert [got for _, got in threads] == [["to alice"], ["to bob"], ["to None"]]


def test_each_question_is_handed_out_once_whichever_view_takes_it() -> None:
    hub = QueueInput()
    alice = hub.for_conversation("alice")
    _, _ = ask_in_background(alice, "one")
    wait_for_pending(hub, 1)
    taken = hub.next_question(timeout=5)
    with pytest.raises(queue.Empty):
        alice.next_question(timeout=0.05)  # the hub took it; it stays pending until answered
    assert alice.pending() == [taken]
    alice.answer(taken.id, "done")


@types.coroutine
def counting_suspensions(awaitable: Awaitable[Question], count: list[int]) -> Generator[Any, Any, Question]:
    """Await ``awaitable``, counting how many times it suspends (a poller suspends on every poll)."""
    steps = awaitable.__await__()
    sent: Any = None
    while True:
        try:
            yielded = steps.send(sent)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]
        count[0] += 1
        sent = yield yielded


def test_a_next_question_waits_for_a_wake_up_instead_of_polling() -> None:
    hub = QueueInput()
    alice = hub.for_conversation("alice")
    suspensions = [0]

    async def main() -> Question:
        waiter = asyncio.ensure_future(counting_suspensions(alice.a_next_question(timeout=5), suspensions))
        await asyncio.sleep(0.4)  # a poller every 50 ms would have woken eight times by now
        threading.Thread(target=lambda: alice.ask_within("?", TurnContext("x"), 2), daemon=True).start()
        question = await asyncio.wait_for(waiter, 2)
        alice.answer(question.id, "")
        return question

    assert asyncio.run(main()).conversation == "alice"
    assert suspensions[0] <= 2, f"a_next_question suspended {suspensions[0]} times: it polls"


class Routing:
    """Many conversations on one hub, each with its own reviewer, who uses only that conversation's view,
    answers in a random order, and every time also tries to answer another conversation's question."""

    turns = 3

    def __init__(self, count: int) -> None:
        self.hub = QueueInput()
        self.names = [f"c{n}" for n in range(count)]
        self.rng = random.Random(11)
        self.crossed: list[str] = []
        self.refused = 0

    def proxy(self, name: str) -> PolicyUserProxy:
        return PolicyUserProxy(
            f"user_{name}", policy=Always(), human_input=self.hub.for_conversation(name), code_execution_config=False
        )

    def assistant(self, name: str) -> ScriptedAssistant:
        replies = [f"{name} draft {n}" for n in range(self.turns)]
        return ScriptedAssistant(f"assistant_{name}", replies, on_exhausted="stop")

    def answer(self, view: QueueInput, question: Question, turn: int) -> None:
        assert question.conversation == view.conversation
        for other in self.hub.pending():
            if other.conversation != view.conversation:
                try:
                    view.answer(other.id, f"{view.conversation} meddling")
                except KeyError:
                    self.refused += 1
                else:
                    self.crossed.append(f"{view.conversation} answered {other.conversation}")
                break
        view.answer(question.id, f"{question.conversation}:{turn}" if turn < self.turns else "exit")

    @staticmethod
    def human_replies(history: list[dict[str, object]]) -> list[str]:
        return [str(message["content"]) for message in history[2::2]]

    def check(self, histories: list[list[str]]) -> None:
        assert self.crossed == []
        assert self.refused > 0, "the reviewers did try to cross"
        for name, replies in zip(self.names, histories, strict=True):
            assert replies == [f"{name}:{turn}" for turn in range(1, self.turns)], (name, replies)
        assert self.hub.pending() == []


def test_answers_routed_through_views_never_reach_another_conversation_in_threads() -> None:
    routing = Routing(8)
    outcome: dict[str, list[str]] = {}

    def chat(name: str) -> None:
        result = routing.proxy(name).initiate_chat(routing.assistant(name), message="go", silent=True)
        outcome[name] = routing.human_replies(result.chat_history)

    def reviewer(name: str) -> None:
        view = routing.hub.for_conversation(name)
        for turn in range(1, routing.turns + 1):
            question = view.next_question(timeout=10)
            time.sleep(routing.rng.uniform(0, 0.002))
            routing.answer(view, question, turn)

    with quiet():
        threads = [threading.Thread(target=chat, args=(name,), daemon=True) for name in routing.names]
        threads += [threading.Thread(target=reviewer, args=(name,), daemon=True) for name in routing.names]
        routing.rng.shuffle(threads)
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=10)
    routing.check([outcome[name] for name in routing.names])


def test_answers_routed_through_views_never_reach_another_conversation_in_tasks() -> None:
    routing = Routing(12)

    async def chat(name: str) -> list[str]:
        result = await routing.proxy(name).a_initiate_chat(routing.assistant(name), message="go", silent=True)
        return routing.human_replies(result.chat_history)

    async def reviewer(name: str) -> None:
        view = routing.hub.for_conversation(name)
        for turn in range(1, routing.turns + 1):
            question = await view.a_next_question(timeout=10)
            await asyncio.sleep(routing.rng.uniform(0, 0.002))
            routing.answer(view, question, turn)

    async def main() -> list[list[str]]:
        chats = asyncio.gather(*(chat(name) for name in routing.names))
        reviewers = asyncio.gather(*(reviewer(name) for name in reversed(routing.names)))
        histories, _ = await asyncio.wait_for(asyncio.gather(chats, reviewers), 10)
        return list(histories)

    with quiet():
        routing.check(asyncio.run(main()))
