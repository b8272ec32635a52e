"""Human-input providers: how the human is asked, and what happens when they do not answer.

A provider is anything with ``ask(prompt, context) -> str`` ([`HumanInput`][hitl.inputs.HumanInput]); one that can wait
without blocking an event loop also has ``async a_ask(prompt, context) -> str``
([`AsyncHumanInput`][hitl.inputs.AsyncHumanInput]).
The proxy calls ``ask`` in ``initiate_chat`` and ``a_ask`` in ``a_initiate_chat``.

Answers mean what they mean in AutoGen: ``"exit"`` stops the chat, ``""`` (Enter) lets the auto-reply
happen (or stops the chat on a termination message), and any other text is sent as the human's reply.

A provider that gets no answer raises [`NoAnswer`][hitl.inputs.NoAnswer] with the answer to use instead (its
``fallback``) and why (``"eof"``, ``"interrupt"`` or ``"timeout"``); the proxy uses the fallback and
records the event in the audit trail. So a closed stdin, a Ctrl-C or a human who never answers is a
defined outcome, never a traceback, a hang or a silent approval.

| provider | for |
|---|---|
| [`ConsoleInput`][hitl.inputs.ConsoleInput] | a person at a terminal (AutoGen's IOStream), the default |
| [`ScriptedInput`][hitl.inputs.ScriptedInput] | tests: answers from a list, prompts recorded |
| [`CallbackInput`][hitl.inputs.CallbackInput] | your own function (sync or async) of the prompt and the TurnContext |
| [`QueueInput`][hitl.inputs.QueueInput] | servers and web apps: questions out, answers in, from any thread or task |
| [`TimeoutInput`][hitl.inputs.TimeoutInput] | any of these with a deadline and a default answer |
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import itertools
import os
import queue
import select
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

from . import _compat
from .context import TurnContext
from .errors import ConfigurationError, HitlError, InputExhaustedError

__all__ = [
    "AsyncHumanInput",
    "CallbackInput",
    "ConsoleInput",
    "HumanInput",
    "NoAnswer",
    "Question",
    "QueueInput",
    "ScriptedInput",
    "TimeoutInput",
]

#: Why a provider got no answer.
NoAnswerReason = Literal["eof", "interrupt", "timeout"]


class NoAnswer(HitlError):
    """Raised by a provider that got no answer; the proxy uses ``fallback`` and records ``reason``.

    Attributes:
        reason: ``"eof"`` (input closed), ``"interrupt"`` (Ctrl-C) or ``"timeout"``.
        fallback: the answer to use instead: ``"exit"`` stops the chat, ``""`` lets the auto-reply
            happen, any other text is sent as the reply.
    """

    def __init__(self, reason: NoAnswerReason, fallback: str, detail: str = "") -> None:
        self.reason: NoAnswerReason = reason
        self.fallback = fallback
        super().__init__(f"no answer ({reason}){': ' + detail if detail else ''}; using {fallback!r}")


@runtime_checkable
class HumanInput(Protocol):
    """What a human-input provider implements: ask a human and return their answer.

    Examples:
        >>> class AlwaysApprove:
        ...     def ask(self, prompt, context):
        ...         return ""
        >>> isinstance(AlwaysApprove(), HumanInput)
        True
    """

    def ask(self, prompt: str, context: TurnContext) -> str:
        """Ask the human ``prompt`` about the message in ``context``; return their answer."""
        ...


@runtime_checkable
class AsyncHumanInput(Protocol):
    """A provider that can wait for the human without blocking the event loop (``a_initiate_chat``)."""

    async def a_ask(self, prompt: str, context: TurnContext) -> str:
        """Ask the human ``prompt`` about the message in ``context``; return their answer."""
        ...


# -- scripted -------------------------------------------------------------------------------------------------


class ScriptedInput:
    """A scripted human: gives ``answers`` in order, and records every prompt it was asked.

    When asked once more than it has answers, it raises
    [`InputExhaustedError`][hitl.errors.InputExhaustedError] naming the
    prompt, so a test fails at the question it did not expect instead of hanging or auto-replying.

    Attributes:
        prompts: every prompt asked so far, in order.
        contexts: the TurnContext of each of those prompts.

    Examples:
        >>> from hitl import TurnContext
        >>> human = ScriptedInput(["looks good", "exit"])
        >>> human.ask("Your feedback? ", TurnContext("draft"))
        'looks good'
        >>> human.remaining
        1
    """

    def __init__(self, answers: Iterable[str]) -> None:
        self._answers = list(answers)
        for answer in self._answers:
            if not isinstance(answer, str):
                raise TypeError(f"ScriptedInput answers must be strings (got {answer!r})")
        self._given = 0
        self.prompts: list[str] = []
        self.contexts: list[TurnContext] = []

    @property
    def remaining(self) -> int:
        """How many answers are left."""
        return len(self._answers) - self._given

    def ask(self, prompt: str, context: TurnContext) -> str:
        """Record the prompt and return the next answer."""
        self.prompts.append(prompt)
        self.contexts.append(context)
        if self._given >= len(self._answers):
            raise InputExhaustedError(
                f"ScriptedInput ran out of answers ({len(self._answers)} given) when asked, for the "
                f"{_ordinal(len(self.prompts))} time, about message {context.turn} from {context.sender!r} "
                f"({_excerpt(context.text)}): {prompt!r}"
            )
        answer = self._answers[self._given]
        self._given += 1
        return answer

    async def a_ask(self, prompt: str, context: TurnContext) -> str:
        """Do what [`ask`][hitl.inputs.ScriptedInput.ask] does; scripted answers never wait."""
        return self.ask(prompt, context)

    def __repr__(self) -> str:
        return f"ScriptedInput({self._answers!r}, remaining={self.remaining})"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _excerpt(text: str, width: int = 60) -> str:
    return repr(text if len(text) <= width else text[: width - 3] + "...")


# -- console --------------------------------------------------------------------------------------------------


def _uses_stdin() -> bool:
    """Whether AutoGen's current IOStream reads the process's stdin (the console)."""
    from autogen.io.console import IOConsole

    return type(_compat.default_iostream()) is IOConsole


class ConsoleInput:
    """Ask on the console, through AutoGen's current ``IOStream`` (so a custom IOStream keeps working).

    Closed input (EOF, for example stdin at its end or ``Ctrl-D``) and ``Ctrl-C`` are outcomes, not
    tracebacks: the proxy uses ``on_eof`` / ``on_interrupt`` as the answer (default ``"exit"``: the chat
    stops) and records the event. Pass ``"raise"`` to get the exception instead.

    A proxy refuses to start a chat that could ask on a console whose stdin is not a terminal (a
    server, a container, a CI job), since it would wait forever; ``allow_non_interactive=True`` says
    the input is piped on purpose.

    In ``a_initiate_chat`` the blocking read runs in a worker thread, so the event loop keeps running
    while the human types; an IOStream whose ``input`` is a coroutine is awaited directly.

    Examples:
        >>> ConsoleInput()
        ConsoleInput()
    """

    def __init__(
        self,
        *,
        on_eof: str | Literal["raise"] = "exit",
        on_interrupt: str | Literal["raise"] = "exit",
        allow_non_interactive: bool = False,
    ) -> None:
        self.on_eof = on_eof
        self.on_interrupt = on_interrupt
        self.allow_non_interactive = allow_non_interactive

    def is_interactive(self) -> bool:
        """Whether a person can answer: a custom IOStream, or stdin that is a terminal."""
        if not _uses_stdin():
            return True
        try:
            return sys.stdin is not None and sys.stdin.isatty()
        except (ValueError, OSError):  # closed or detached stdin
            return False

    def check_interactive(self) -> None:
        """Raise [`ConfigurationError`][hitl.errors.ConfigurationError] if asking would wait on a stdin nobody uses."""
        if self.allow_non_interactive or self.is_interactive():
            return
        raise ConfigurationError(
            "this chat may ask a human on the console, but stdin is not a terminal (a server, a container or a "
            "pipeline), so it could wait forever. Give the proxy another human_input: ScriptedInput (tests), "
            "QueueInput (servers), TimeoutInput(ConsoleInput(), seconds=..., default=...) (a deadline); "
            "or ConsoleInput(allow_non_interactive=True) if the input is piped on purpose"
        )

    def ask(self, prompt: str, context: TurnContext) -> str:
        """Read one line from the current IOStream.

        On the process's own stdin when it is not a terminal (input piped in on purpose), lines are read
        from the file descriptor, as [`ask_within`][hitl.inputs.ConsoleInput.ask_within] reads them, so
        that timed and untimed questions share one stream and no line waits unseen in Python's buffer.
        """
        if self._reads_piped_stdin():
            return self._read_stdin(prompt, None)
        return self._read(lambda: _compat.default_iostream().input(prompt))

    @staticmethod
    def _reads_stdin_descriptor() -> bool:
        """Whether questions go to the process's own stdin, read from its descriptor (POSIX)."""
        return _uses_stdin() and sys.platform != "win32" and _has_fileno(sys.stdin)

    def _reads_piped_stdin(self) -> bool:
        if not self._reads_stdin_descriptor():
            return False
        try:
            return not sys.stdin.isatty()
        except (ValueError, OSError):
            return False

    def _read_stdin(self, prompt: str, seconds: float | None) -> str:
        sys.stdout.write(prompt)
        sys.stdout.flush()
        try:
            line = _read_line_within(sys.stdin.fileno(), seconds, sys.stdin.encoding or "utf-8")
        except KeyboardInterrupt:
            return self._fallback("interrupt", self.on_interrupt, KeyboardInterrupt())
        except TimeoutError:
            sys.stdout.write("\n")
            raise
        if line is None:
            return self._fallback("eof", self.on_eof, EOFError())
        return line

    async def a_ask(self, prompt: str, context: TurnContext) -> str:
        """Read one line from the current IOStream without blocking the event loop."""
        read = _compat.default_iostream().input
        if _compat.is_coroutine_callable(read):
            return await self._a_read(read(prompt))
        return await self._a_read(asyncio.to_thread(self.ask, prompt, context))

    def ask_within(self, prompt: str, context: TurnContext, seconds: float) -> str:
        """Read one line, giving up after ``seconds`` (raises ``TimeoutError``); used by TimeoutInput.

        On the process's own console (POSIX) this reads stdin's file descriptor itself, one byte at a
        time, so no reader is left behind to swallow a later line and no line waits unseen in a buffer;
        a line not finished by the deadline is dropped. A custom IOStream is read in a worker thread.

        Lines that something else already read through ``sys.stdin`` (your own ``input()`` on piped
        input, say) sit in Python's buffer, where a read of the descriptor cannot see them: on piped
        input, let hitl's console read stdin alone.
        """
        if not self._reads_stdin_descriptor():
            return _call_within(lambda: self.ask(prompt, context), seconds)
        return self._read_stdin(prompt, seconds)

    async def a_ask_within(self, prompt: str, context: TurnContext, seconds: float) -> str:
        """Like ``ask_within``, without blocking the event loop; nothing is left reading after the deadline."""
        read = _compat.default_iostream().input
        if _compat.is_coroutine_callable(read):
            try:
                return await asyncio.wait_for(self._a_read(read(prompt)), seconds)
            except asyncio.TimeoutError:
                raise TimeoutError(f"no answer within {seconds} s") from None
        return await asyncio.to_thread(self.ask_within, prompt, context, seconds)  # ends by the deadline

    def _read(self, read: Callable[[], object]) -> str:
        try:
            answer = read()
        except EOFError as exc:
            return self._fallback("eof", self.on_eof, exc)
        except KeyboardInterrupt as exc:
            return self._fallback("interrupt", self.on_interrupt, exc)
        if isinstance(answer, str):
            return answer
        if asyncio.iscoroutine(answer):
            answer.close()
            raise ConfigurationError(
                "the IOStream's input() is async, so it cannot answer a synchronous chat; use a_initiate_chat"
            )
        raise TypeError(f"the IOStream's input() returned {answer!r}, not a str")

    async def _a_read(self, pending: Awaitable[object]) -> str:
        try:
            answer = await pending
        except EOFError as exc:
            return self._fallback("eof", self.on_eof, exc)
        except KeyboardInterrupt as exc:  # pragma: no cover - delivered to the main thread
            return self._fallback("interrupt", self.on_interrupt, exc)
        if not isinstance(answer, str):
            raise TypeError(f"the IOStream's input() returned {answer!r}, not a str")
        return answer

    @staticmethod
    def _fallback(reason: NoAnswerReason, fallback: str, exc: BaseException) -> str:
        if fallback == "raise":
            raise exc
        raise NoAnswer(reason, fallback, "stdin was closed" if reason == "eof" else "Ctrl-C") from None

    def __repr__(self) -> str:
        options = [
            f"{name}={getattr(self, name)!r}"
            for name, default in (("on_eof", "exit"), ("on_interrupt", "exit"), ("allow_non_interactive", False))
            if getattr(self, name) != default
        ]
        return f"ConsoleInput({', '.join(options)})"


def _has_fileno(stream: Any) -> bool:
    try:
        stream.fileno()
    except (AttributeError, ValueError, OSError):
        return False
    return True


def _read_line_within(fd: int, seconds: float | None, encoding: str) -> str | None:
    """Read one line from ``fd`` by ``seconds`` from now (``None``: no deadline); ``None`` at end of input."""
    deadline = None if seconds is None else time.monotonic() + seconds
    data = bytearray()
    while True:
        wait = None if deadline is None else max(0.0, deadline - time.monotonic())
        ready, _, _ = select.select([fd], [], [], wait)
        if not ready:
            raise TimeoutError(f"no answer within {seconds} s")
        byte = os.read(fd, 1)
        if not byte:  # end of input: a last line without a newline still counts
            return data.decode(encoding, errors="replace") if data else None
        if byte == b"\n":
            return data.decode(encoding, errors="replace").rstrip("\r")
        data += byte


# -- callback -------------------------------------------------------------------------------------------------


class CallbackInput:
    """Ask by calling your function: ``function(prompt, context) -> str``, sync or async.

    In a synchronous chat an async function is run to completion (an error if the chat itself runs
    inside an event loop: use ``a_initiate_chat`` there); in an async chat a sync function runs in a
    worker thread, so it may block.

    Examples:
        >>> from hitl import TurnContext
        >>> approve_short = CallbackInput(lambda prompt, ctx: "" if len(ctx.text) < 100 else "Too long.")
        >>> approve_short.ask("?", TurnContext("short"))
        ''
    """

    def __init__(self, function: Callable[[str, TurnContext], str | Awaitable[str]]) -> None:
        if not callable(function):
            raise TypeError(f"CallbackInput() takes a function of (prompt, context) (got {function!r})")
        self.function = function
        self._is_async = _compat.is_coroutine_callable(function)

    def ask(self, prompt: str, context: TurnContext) -> str:
        """Call the function (running it to completion if it is async)."""
        result = self.function(prompt, context)
        if asyncio.iscoroutine(result) or isinstance(result, Awaitable):
            return _run_to_completion(result, self)
        return result

    def ask_within(self, prompt: str, context: TurnContext, seconds: float) -> str:
        """Like ``ask``, giving up after ``seconds`` (``TimeoutError``); an async function is cancelled then."""
        if not self._is_async:
            return _call_within(lambda: self.ask(prompt, context), seconds)
        try:
            return _run_to_completion(asyncio.wait_for(self.a_ask(prompt, context), seconds), self)
        except asyncio.TimeoutError:
            raise TimeoutError(f"no answer within {seconds} s") from None

    async def a_ask(self, prompt: str, context: TurnContext) -> str:
        """Await the function (or run a sync one in a worker thread)."""
        if self._is_async:
            return await self.function(prompt, context)  # type: ignore[misc, no-any-return]
        result = await asyncio.to_thread(self.function, prompt, context)
        if isinstance(result, Awaitable):
            return await result
        return result

    def __repr__(self) -> str:
        name = getattr(self.function, "__name__", None) or repr(self.function)
        return f"CallbackInput({name})"


def _run_to_completion(awaitable: Awaitable[str], owner: object) -> str:
    try:
        asyncio.get_running_loop()
    except RuntimeError:

        async def wait() -> str:
            return await awaitable

        return asyncio.run(wait())
    if asyncio.iscoroutine(awaitable):
        awaitable.close()
    raise ConfigurationError(
        f"{owner!r} is async, but the chat is synchronous and runs inside an event loop; use a_initiate_chat"
    )


# -- queue ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Question:
    """A question waiting for a human's answer in a [`QueueInput`][hitl.inputs.QueueInput].

    Attributes:
        id: unique within its QueueInput; answer with ``queue_input.answer(question.id, text)``.
        prompt: the prompt text.
        context: the TurnContext of the message asked about (``context.recipient`` is the proxy's
            name, ``context.sender`` the agent that sent the message).
        conversation: the label given to the proxy's QueueInput, if any, to route questions to users.
    """

    id: int
    prompt: str
    context: TurnContext
    conversation: str | None = None
    _future: concurrent.futures.Future[str] = field(default_factory=concurrent.futures.Future, repr=False)


class QueueInput:
    """Questions out, answers in: for servers and web apps where humans answer from elsewhere.

    Each time a proxy asks, a [`Question`][hitl.inputs.Question] is put on this object's question queue and the
    conversation waits; another thread or asyncio task takes questions (``next_question``,
    ``a_next_question``, or ``pending``) and answers them by id (``answer``). An answer goes
    to exactly the question it names: any number of conversations can wait at once, each on its own
    question. Waiting in ``a_initiate_chat`` does not block the event loop, and costs no thread.

    One QueueInput can serve many proxies; ``conversation=`` labels the questions of one proxy.

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
        root = hub._root if hub is not None else self
        self._root: QueueInput = root
        self.conversation = conversation
        if root is self:
            self._ids = itertools.count(1)
            self._lock = threading.Lock()
            self._open: dict[int, Question] = {}
            self._questions: queue.SimpleQueue[Question] = queue.SimpleQueue()

    def for_conversation(self, conversation: str) -> QueueInput:
        """Return a provider that shares this one's queue and labels its questions ``conversation``."""
        return QueueInput(conversation, hub=self)

    # -- the conversation side --
    def _open_question(self, prompt: str, context: TurnContext) -> Question:
        root = self._root
        with root._lock:
            question = Question(next(root._ids), prompt, context, self.conversation)
            root._open[question.id] = question
        root._questions.put(question)
        return question

    def _close(self, question: Question) -> None:
        with self._root._lock:
            self._root._open.pop(question.id, None)

    def ask(self, prompt: str, context: TurnContext) -> str:
        """Put a question on the queue and wait for its answer."""
        question = self._open_question(prompt, context)
        try:
            return question._future.result()
        finally:
            self._close(question)

    def ask_within(self, prompt: str, context: TurnContext, seconds: float) -> str:
        """Like ``ask``, but give up after ``seconds`` (raises ``TimeoutError``; the question is withdrawn).

        An answer that ``answer`` accepted is never dropped, even one given at the very deadline.
        """
        question = self._open_question(prompt, context)
        try:
            return question._future.result(timeout=seconds)
        except concurrent.futures.TimeoutError:
            return self._withdraw(question, seconds)
        finally:
            self._close(question)

    async def a_ask_within(self, prompt: str, context: TurnContext, seconds: float) -> str:
        """Like ``a_ask``, but give up after ``seconds``, as ``ask_within`` does."""
        question = self._open_question(prompt, context)
        try:
            return await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(question._future)), seconds)
        except asyncio.TimeoutError:
            return self._withdraw(question, seconds)
        finally:
            self._close(question)

    def _withdraw(self, question: Question, seconds: float) -> str:
        """At the deadline: withdraw the question, unless an answer was accepted just now (then it counts)."""
        with self._root._lock:
            withdrawn = self._root._open.pop(question.id, None) is not None
        if withdrawn:
            raise TimeoutError(f"no answer within {seconds} s")
        return question._future.result()  # answer() took the question first and is setting its answer

    async def a_ask(self, prompt: str, context: TurnContext) -> str:
        """Put a question on the queue and await its answer without blocking the event loop."""
        question = self._open_question(prompt, context)
        try:
            return await asyncio.wrap_future(question._future)
        finally:
            self._close(question)

    # -- the human side --
    def next_question(self, timeout: float | None = None) -> Question:
        """Take the next unanswered question, waiting up to ``timeout`` seconds (``queue.Empty`` after)."""
        while True:
            question = self._root._questions.get(timeout=timeout)
            if question.id in self._root._open:
                return question

    async def a_next_question(self, poll: float = 0.05) -> Question:
        """Await the next unanswered question without blocking the event loop."""
        while True:
            try:
                question = self._root._questions.get_nowait()
            except queue.Empty:
                await asyncio.sleep(poll)
                continue
            if question.id in self._root._open:
                return question

    def pending(self) -> list[Question]:
        """Return the questions waiting for an answer, oldest first."""
        with self._root._lock:
            return sorted(self._root._open.values(), key=lambda question: question.id)

    def answer(self, question_id: int, text: str) -> None:
        """Answer the question ``question_id``; safe from any thread.

        Raises:
            KeyError: no open question has that id (answered already, withdrawn, or never asked).
            TypeError: ``text`` is not a str.
        """
        if not isinstance(text, str):
            raise TypeError(f"an answer is a str (got {text!r})")
        with self._root._lock:
            question = self._root._open.pop(question_id, None)
        # Taken: the question is this answer's (a deadline that comes now waits for it); unless the
        # conversation was cancelled meanwhile, it is used.
        if question is None or not question._future.set_running_or_notify_cancel():
            raise KeyError(f"no open question with id {question_id} (answered already, withdrawn, or never asked)")
        question._future.set_result(text)

    def __repr__(self) -> str:
        label = "" if self.conversation is None else repr(self.conversation)
        return f"QueueInput({label})"


# -- timeout --------------------------------------------------------------------------------------------------


def _call_within(call: Callable[[], str], seconds: float) -> str:
    """Run ``call`` in a daemon thread and wait up to ``seconds``; its late result is discarded."""
    done: concurrent.futures.Future[str] = concurrent.futures.Future()

    def run() -> None:
        try:
            done.set_result(call())
        except BaseException as exc:
            done.set_exception(exc)

    threading.Thread(target=run, name="hitl-human-input", daemon=True).start()
    try:
        return done.result(timeout=seconds)
    except concurrent.futures.TimeoutError:
        raise TimeoutError(f"no answer within {seconds} s") from None


class TimeoutInput:
    """Give the human ``seconds`` to answer; after that, use ``default`` and record the timeout.

    ``default`` is an answer like any other: ``""`` lets the auto-reply happen (or stops on a
    termination message), ``"exit"`` stops the chat, any other text is sent as the reply. The default is
    ``"exit"``: a human who does not answer stops the chat rather than approving it.

    Providers with a timed read of their own (``ask_within`` / ``a_ask_within``:
    [`QueueInput`][hitl.inputs.QueueInput], [`ConsoleInput`][hitl.inputs.ConsoleInput] and
    [`CallbackInput`][hitl.inputs.CallbackInput] of an async function) stop waiting cleanly at the
    deadline, and an async ``a_ask`` is cancelled; any other provider keeps running in a background
    thread and its late answer is discarded.

    Examples:
        >>> from hitl import TurnContext
        >>> slow = TimeoutInput(QueueInput(), seconds=0.01, default="exit")
        >>> slow.ask("Approve? ", TurnContext("deploy"))
        Traceback (most recent call last):
        ...
        hitl.inputs.NoAnswer: no answer (timeout): nobody answered within 0.01 s; using 'exit'
    """

    def __init__(self, inner: HumanInput | AsyncHumanInput, seconds: float, default: str = "exit") -> None:
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not seconds > 0:
            raise ConfigurationError(f"TimeoutInput.seconds must be a number > 0 (got {seconds!r})")
        if not isinstance(default, str):
            raise TypeError(f"TimeoutInput.default must be an answer string (got {default!r})")
        if not (callable(getattr(inner, "ask", None)) or callable(getattr(inner, "a_ask", None))):
            raise TypeError(f"TimeoutInput wraps a human-input provider (got {inner!r})")
        self.inner = inner
        self.seconds = float(seconds)
        self.default = default

    def _timed_out(self) -> NoAnswer:
        return NoAnswer("timeout", self.default, f"nobody answered within {self.seconds:g} s")

    def ask(self, prompt: str, context: TurnContext) -> str:
        """Ask the wrapped provider, waiting at most ``seconds``."""
        inner: Any = self.inner
        try:
            if callable(getattr(inner, "ask_within", None)):
                return inner.ask_within(prompt, context, self.seconds)  # type: ignore[no-any-return]
            if callable(getattr(inner, "ask", None)):
                return _call_within(lambda: inner.ask(prompt, context), self.seconds)
            return _run_to_completion(self.a_ask(prompt, context), self)
        except TimeoutError:
            raise self._timed_out() from None

    async def a_ask(self, prompt: str, context: TurnContext) -> str:
        """Await the wrapped provider, waiting at most ``seconds``."""
        inner: Any = self.inner
        if callable(getattr(inner, "a_ask_within", None)):
            pending = inner.a_ask_within(prompt, context, self.seconds)
        elif callable(getattr(inner, "a_ask", None)):
            pending = asyncio.wait_for(inner.a_ask(prompt, context), self.seconds)
        else:
            pending = asyncio.wait_for(asyncio.to_thread(inner.ask, prompt, context), self.seconds)
        try:
            return await pending  # type: ignore[no-any-return]
        except (asyncio.TimeoutError, TimeoutError):
            raise self._timed_out() from None

    def __repr__(self) -> str:
        return f"TimeoutInput({self.inner!r}, seconds={self.seconds:g}, default={self.default!r})"
