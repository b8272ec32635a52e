"""Questions out, answers in: a provider for servers and web apps, answered from any thread or task."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import itertools
import queue
import threading
import time
from dataclasses import dataclass, field

from ..core.context import TurnContext

__all__ = ["Question", "QueueInput"]


class _ThreadReply:
    """Where the answer to a question asked by ``ask`` goes: a future the asking thread blocks on."""

    __slots__ = ("future",)

    def __init__(self) -> None:
        self.future: concurrent.futures.Future[str] = concurrent.futures.Future()

    def cancelled(self) -> bool:
        """Whether the asker stopped waiting."""
        return self.future.cancelled()

    def deliver(self, text: str) -> bool:
        """Hand ``text`` to the asker (once, by the ``answer`` that took the question); False if it is gone."""
        if not self.future.set_running_or_notify_cancel():
            return False
        self.future.set_result(text)
        return True


class _LoopReply:
    """Where the answer to a question asked by ``a_ask`` goes: a future of the asking task's own event loop.

    ``answer`` resolves it directly when called in that loop's thread, and through one
    ``call_soon_threadsafe`` from any other thread: no worker thread and no ``concurrent.futures.Future``
    stand between the answer and the task.
    """

    __slots__ = ("future", "loop", "thread")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.future: asyncio.Future[str] = loop.create_future()
        self.thread = threading.get_ident()  # the thread the loop runs in: the asking task's

    def cancelled(self) -> bool:
        """Whether the asker stopped waiting (its task was cancelled)."""
        return self.future.cancelled()

    def deliver(self, text: str) -> bool:
        """Hand ``text`` to the asker (once, by the ``answer`` that took the question).

        Returns False when the asker is gone: its task was cancelled, or its event loop is closed.
        """
        try:
            if threading.get_ident() != self.thread:
                self.loop.call_soon_threadsafe(_resolve, self.future, text)
                return True
            if self.future.done():
                return False
            self.future.set_result(text)  # the loop's own thread: the task resumes at the loop's next step
        except RuntimeError:  # the loop is closed: its task will never resume
            return False
        return True


def _resolve(future: asyncio.Future[str], text: str) -> None:
    if not future.done():  # cancelled meanwhile: the conversation is gone, and so is its question
        future.set_result(text)


@dataclass(frozen=True, eq=False)
class Question:
    """A question waiting for a human's answer in a [`QueueInput`][hitl.inputs.QueueInput].

    Attributes:
        id: unique within its QueueInput (shared by its conversation views); answer with
            ``queue_input.answer(question.id, text)``.
        prompt: the prompt text.
        context: the TurnContext of the message asked about (``context.recipient`` is the proxy's
            name, ``context.sender`` the agent that sent the message).
        conversation: the conversation the question belongs to: the label of the QueueInput that asked.
    """

    id: int
    prompt: str
    context: TurnContext
    conversation: str | None = None
    _reply: _ThreadReply | _LoopReply = field(default_factory=_ThreadReply, repr=False)


class _Hub:
    """The state that a QueueInput and its conversation views share: open questions, and who waits for them."""

    def __init__(self) -> None:
        self.ids = itertools.count(1)
        self.lock = threading.Lock()
        self.new_question = threading.Condition(self.lock)
        self.open: dict[int, Question] = {}  # asked, not yet answered or withdrawn; oldest first
        self.handed_out: set[int] = set()  # open questions that next_question() already gave someone
        self.async_waiters: dict[asyncio.Future[None], int] = {}  # each with the thread its loop runs in

    def notify(self) -> None:
        """Wake everyone waiting for a question (called with the lock held)."""
        self.new_question.notify_all()
        if not self.async_waiters:
            return
        here = threading.get_ident()
        for waiter, thread in self.async_waiters.items():
            with contextlib.suppress(RuntimeError):  # its loop is closed: that waiter is gone
                if thread == here:
                    _wake(waiter)  # the waiter's own loop: no need to go through its self-pipe
                else:
                    waiter.get_loop().call_soon_threadsafe(_wake, waiter)


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


class QueueInput:
    """Questions out, answers in: for servers and web apps where humans answer from elsewhere.

    Each time a proxy asks, a [`Question`][hitl.inputs.Question] is put on this object's queue and the
    conversation waits; another thread or asyncio task takes questions (``next_question``,
    ``a_next_question``, or ``pending``) and answers them by id (``answer``). An answer goes
    to exactly the question it names: any number of conversations can wait at once, each on its own
    question. Waiting in ``a_initiate_chat`` does not block the event loop, and costs no thread.

    One QueueInput (the hub) can serve many proxies: ``hub.for_conversation("alice")`` is a view that
    labels the questions of one conversation, and sees only those: its ``pending()``,
    ``next_question()`` and ``a_next_question()`` give only alice's questions, and its ``answer()``
    refuses an id of another conversation's question (a ``KeyError``). So an inbox built on a view can
    never send alice's answer to bob's chat. The hub sees, and can answer, every question.

    Examples:
        >>> import threading
        >>> from hitl import TurnContext
        >>> inbox = QueueInput()
        >>> def human():
        ...     question = inbox.next_question(timeout=5)
        ...     inbox.answer(question.id, "Use Q2 data instead.")
        >>> threading.Thread(target=human).start()
        >>> inbox.ask("Feedback? ", TurnContext("analysis..."))
        'Use Q2 data instead.'
    """

    def __init__(self, conversation: str | None = None, *, hub: QueueInput | None = None) -> None:
        self.conversation = conversation
        self._hub: _Hub = hub._hub if hub is not None else _Hub()
        self._is_view = hub is not None

    def for_conversation(self, conversation: str) -> QueueInput:
        """Return a view that shares this queue, labels its questions ``conversation``, and sees only those."""
        return QueueInput(conversation, hub=self)

    def _sees(self, question: Question) -> bool:
        return not self._is_view or question.conversation == self.conversation

    # -- the conversation side --
    def _open_question(self, prompt: str, context: TurnContext, reply: _ThreadReply | _LoopReply) -> Question:
        hub = self._hub
        with hub.lock:
            question = Question(next(hub.ids), prompt, context, self.conversation, reply)
            hub.open[question.id] = question
            hub.notify()
        return question

    def _close(self, question: Question) -> None:
        hub = self._hub
        if question.id not in hub.open:  # answered or withdrawn, and tidied up then: an id never comes back
            return
        with hub.lock:
            hub.open.pop(question.id, None)
            hub.handed_out.discard(question.id)

    def ask(self, prompt: str, context: TurnContext) -> str:
        """Put a question on the queue and wait for its answer."""
        reply = _ThreadReply()
        question = self._open_question(prompt, context, reply)
        try:
            return reply.future.result()
        finally:
            self._close(question)

    def ask_within(self, prompt: str, context: TurnContext, seconds: float) -> str:
        """Like ``ask``, but give up after ``seconds`` (raises ``TimeoutError``; the question is withdrawn).

        An answer that ``answer`` accepted is never dropped, even one given at the very deadline.
        """
        reply = _ThreadReply()
        question = self._open_question(prompt, context, reply)
        try:
            return reply.future.result(timeout=seconds)
        except concurrent.futures.TimeoutError:
            if self._withdraw(question):
                raise TimeoutError(f"no answer within {seconds} s") from None
            return reply.future.result()  # answer() took the question first and is setting its answer
        finally:
            self._close(question)

    async def a_ask(self, prompt: str, context: TurnContext) -> str:
        """Put a question on the queue and await its answer without blocking the event loop.

        The answer resumes the waiting task through a future of its own event loop: set directly when
        ``answer`` is called in that loop, scheduled with one ``call_soon_threadsafe`` from another thread.
        """
        reply = _LoopReply(asyncio.get_running_loop())
        question = self._open_question(prompt, context, reply)
        try:
            return await reply.future
        finally:
            self._close(question)

    async def a_ask_within(self, prompt: str, context: TurnContext, seconds: float) -> str:
        """Like ``a_ask``, but give up after ``seconds``, as ``ask_within`` does."""
        loop = asyncio.get_running_loop()
        reply = _LoopReply(loop)
        question = self._open_question(prompt, context, reply)
        timer = loop.call_later(seconds, self._expire, question, reply.future, seconds)
        try:
            return await reply.future
        finally:
            timer.cancel()
            self._close(question)

    def _expire(self, question: Question, future: asyncio.Future[str], seconds: float) -> None:
        """Fail an ``a_ask_within`` at its deadline (in its loop), unless an answer was accepted just now."""
        if self._withdraw(question) and not future.done():
            future.set_exception(TimeoutError(f"no answer within {seconds} s"))
        # else answer() took the question first: its answer is on its way, and is used

    def _withdraw(self, question: Question) -> bool:
        """At the deadline: withdraw the question; False if an answer was accepted first (then it counts)."""
        hub = self._hub
        with hub.lock:
            hub.handed_out.discard(question.id)
            return hub.open.pop(question.id, None) is not None

    # -- the human side --
    def _take(self) -> Question | None:
        """Hand out the oldest open question this view sees and nobody was given yet (lock held)."""
        hub = self._hub
        for question in hub.open.values():
            if question.id not in hub.handed_out and self._sees(question):
                hub.handed_out.add(question.id)
                return question
        return None

    def next_question(self, timeout: float | None = None) -> Question:
        """Take the next unanswered question this view sees, waiting up to ``timeout`` seconds.

        Each question is handed out once (by whichever view or hub takes it first); it stays in
        ``pending()`` until it is answered or withdrawn.

        Raises:
            queue.Empty: no question came within ``timeout`` seconds.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._hub.new_question:
            while True:
                question = self._take()
                if question is not None:
                    return question
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    raise queue.Empty
                self._hub.new_question.wait(remaining)

    async def a_next_question(self, timeout: float | None = None) -> Question:
        """Await the next unanswered question this view sees, without blocking the event loop.

        Waits on a wake-up from the asking side, not by polling.

        Raises:
            queue.Empty: no question came within ``timeout`` seconds.
        """
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        hub = self._hub
        while True:
            with hub.lock:
                question = self._take()
                if question is not None:
                    return question
                waiter: asyncio.Future[None] = loop.create_future()
                hub.async_waiters[waiter] = threading.get_ident()
            try:
                remaining = None if deadline is None else deadline - loop.time()
                if remaining is not None and remaining <= 0:
                    raise queue.Empty
                await asyncio.wait_for(waiter, remaining)
            except asyncio.TimeoutError:
                raise queue.Empty from None
            finally:
                with hub.lock:
                    hub.async_waiters.pop(waiter, None)

    def pending(self) -> list[Question]:
        """Return the questions this view sees that wait for an answer, oldest first."""
        with self._hub.lock:
            return [question for question in self._hub.open.values() if self._sees(question)]

    def answer(self, question_id: int, text: str) -> None:
        """Answer the question ``question_id``; safe from any thread.

        Raises:
            KeyError: no open question has that id (answered already, withdrawn, or never asked), or
                this is a conversation view and the question belongs to another conversation (it stays
                open, for its own conversation to answer).
            TypeError: ``text`` is not a str.
        """
        if not isinstance(text, str):
            raise TypeError(f"an answer is a str (got {text!r})")
        hub = self._hub
        with hub.lock:
            question = hub.open.get(question_id)
            if question is not None and not self._sees(question):
                raise KeyError(
                    f"question {question_id} belongs to conversation {question.conversation!r}, not to this view's "
                    f"{self.conversation!r}; answer it through its own conversation's view, or the hub"
                )
            if question is not None and not question._reply.cancelled():
                del hub.open[question_id]
                hub.handed_out.discard(question_id)
            else:
                question = None
        # Taken: the question is this answer's (a deadline that comes now waits for it); unless the
        # conversation was cancelled meanwhile, or its event loop closed, it is used.
        if question is None or not question._reply.deliver(text):
            raise KeyError(f"no open question with id {question_id} (answered already, withdrawn, or never asked)")

    def __repr__(self) -> str:
        label = "" if self.conversation is None else repr(self.conversation)
        return f"QueueInput({label})"
