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
import builtins
import concurrent.futures
import contextlib
import contextvars
import functools
import itertools
import os
import queue
import select
import signal
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Final, Literal, Protocol, runtime_checkable

from . import _compat
from .context import TurnContext
from .errors import ConfigurationError, HitlError, InputExhaustedError

__all__ = [
    "ALLOW_NON_INTERACTIVE_ENV",
    "MAX_TIMEOUT_SECONDS",
    "TERMINAL_RESET",
    "AsyncHumanInput",
    "CallbackInput",
    "ConsoleInput",
    "HumanInput",
    "NoAnswer",
    "Question",
    "QueueInput",
    "ScriptedInput",
    "TimeoutInput",
    "allowed_by_environment",
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

ALLOW_NON_INTERACTIVE_ENV: Final = "HITL_ALLOW_NON_INTERACTIVE"
"""The environment variable that lets every [`ConsoleInput`][hitl.inputs.ConsoleInput] ask on a stdin that is not a
terminal, as ``allow_non_interactive=True`` does, with no change to the code: ``1`` (or ``true``, ``yes``, ``on``)
allows, ``0`` (or ``false``, ``no``, ``off``, empty) does not; any other value is a ConfigurationError."""
_YES = frozenset({"1", "true", "yes", "on"})
_NO = frozenset({"0", "false", "no", "off", ""})

#: Where a ConsoleInput's answer comes from: a custom IOStream, a Jupyter frontend, the process's stdin as a
#: terminal, as a file descriptor (a pipe, a file, /dev/null), or as a Python file object; or nowhere (closed).
_Source = Literal["stream", "frontend", "terminal", "descriptor", "file", "closed"]


def allowed_by_environment() -> bool:
    """Return whether ``HITL_ALLOW_NON_INTERACTIVE`` allows asking on a stdin that is not a terminal.

    Raises:
        ConfigurationError: the variable holds something other than a yes or a no.

    Examples:
        >>> from unittest import mock
        >>> with mock.patch.dict("os.environ", {ALLOW_NON_INTERACTIVE_ENV: "yes"}):
        ...     allowed_by_environment()
        True
    """
    value = os.environ.get(ALLOW_NON_INTERACTIVE_ENV)
    if value is None:
        return False
    word = value.strip().lower()
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise ConfigurationError(
        f"{ALLOW_NON_INTERACTIVE_ENV}={value!r} is neither yes nor no; set it to 1 to let the console ask on a "
        "stdin that is not a terminal, or to 0 (or unset it) to refuse"
    )


def _reads_process_stdin(stream: object) -> bool:
    """Whether ``stream.input`` is AutoGen's own console input, which reads the process's stdin.

    That is the case for ``IOConsole`` and for any subclass that leaves ``input`` alone (one that only
    prints differently, say); a stream whose ``input`` is its own (an override, or an attribute set on
    the instance) is a custom stream, which hitl trusts to reach a human.
    """
    from autogen.io.console import IOConsole

    read = getattr(stream, "input", None)
    return getattr(read, "__func__", read) is IOConsole.input


def _kernel() -> Any:
    """Return the IPython kernel this process runs (a Jupyter notebook), or None; cheap without IPython loaded."""
    if "ipykernel" not in sys.modules:
        return None
    get_ipython = getattr(sys.modules.get("IPython"), "get_ipython", None)
    shell = get_ipython() if callable(get_ipython) else None
    return getattr(shell, "kernel", None)


def _frontend_accepts_input(kernel: Any) -> bool:
    """Whether ``input()`` asks the notebook's frontend: the kernel forwards it, and the frontend takes input.

    A kernel forwards ``input()`` while it runs a cell; ``_allow_stdin`` is off when the frontend cannot
    answer (``jupyter nbconvert --execute``, papermill), and then ``input()`` would raise.
    """
    forwarded = getattr(builtins.input, "__self__", None) is kernel
    return forwarded and bool(getattr(kernel, "_allow_stdin", False))


def _console_source() -> _Source:
    if not _reads_process_stdin(_compat.default_iostream()):
        return "stream"
    kernel = _kernel()
    if kernel is not None:
        return "frontend" if _frontend_accepts_input(kernel) else "closed"
    stdin = sys.stdin
    try:
        if stdin is None or stdin.closed:  # started with stdin closed (`<&-`): Python sets sys.stdin to None
            return "closed"
        if stdin.isatty():
            return "terminal"
    except (AttributeError, ValueError, OSError):  # a detached or broken stdin
        return "closed"
    if sys.platform != "win32" and _has_fileno(stdin):
        return "descriptor"
    return "file"


class ConsoleInput:
    """Ask on the console, through AutoGen's current ``IOStream`` (so a custom IOStream keeps working).

    Closed input (EOF, for example stdin at its end or ``Ctrl-D``, or a process started with stdin
    closed) and ``Ctrl-C`` are outcomes, not tracebacks: the proxy uses ``on_eof`` / ``on_interrupt`` as
    the answer (default ``"exit"``: the chat stops) and records the event. Pass ``"raise"`` to get the
    exception instead.

    A proxy refuses to start a chat that could ask on a console nobody can answer (a ``ConfigurationError``
    before anything is sent): stdin that is not a terminal (a server, a container, a CI job, a pipe, a file,
    ``/dev/null``), stdin closed, or a Jupyter kernel whose frontend does not take input (``nbconvert``,
    papermill). ``allow_non_interactive=True``, or the environment variable ``HITL_ALLOW_NON_INTERACTIVE=1``
    (for code that only changed a class name), says the input is piped on purpose: the lines are then read
    from stdin, and its end is an EOF outcome. In a Jupyter notebook, ``input()`` asks the notebook, so a
    kernel whose frontend takes input counts as interactive, as a terminal does.

    What reads the process's stdin is decided by what the IOStream's ``input`` is: AutoGen's ``IOConsole``
    and any subclass that does not override ``input`` read stdin and are checked; any other stream is
    trusted to reach a human.

    On a terminal, every question starts by resetting the terminal's display state
    ([`TERMINAL_RESET`][hitl.inputs.TERMINAL_RESET]): a message printed before it cannot leave hidden text, another
    character set or the alternate screen switched on to hide the preview and show a fake one.

    In ``a_initiate_chat`` the blocking read runs in a daemon thread, so the event loop keeps running
    while the human types, and the read never holds the interpreter's exit; ``Ctrl-C`` there is the same
    recorded outcome as in a synchronous chat. An IOStream whose ``input`` is a coroutine is awaited
    directly.

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
        """Whether a person can answer: a custom IOStream, a terminal, or a Jupyter frontend that takes input."""
        return _console_source() in ("stream", "terminal", "frontend")

    def check_interactive(self) -> None:
        """Raise [`ConfigurationError`][hitl.errors.ConfigurationError] if asking would wait on a stdin nobody uses.

        Allowed anyway with ``allow_non_interactive=True`` or ``HITL_ALLOW_NON_INTERACTIVE=1``.
        """
        source = _console_source()
        allowed = allowed_by_environment() or self.allow_non_interactive  # a bad variable is an error, always
        if allowed or source in ("stream", "terminal", "frontend"):
            return
        if source == "closed" and _kernel() is not None:
            where = "this Jupyter kernel's frontend does not take input (allow_stdin is off, as in nbconvert)"
        elif source == "closed":
            where = "stdin is closed, so nobody can answer"
        else:
            where = "stdin is not a terminal (a server, a container, a pipe or a file), so it could wait forever"
        raise ConfigurationError(
            f"this chat or workflow may ask a human on the console, but {where}. Give it another human_input: "
            "ScriptedInput (tests), QueueInput (servers), TimeoutInput(ConsoleInput(), seconds=..., default=...) "
            "(a deadline); or, if the input is piped on purpose, ConsoleInput(allow_non_interactive=True) or "
            f"the environment variable {ALLOW_NON_INTERACTIVE_ENV}=1 (no code change)"
        )

    def ask(self, prompt: str, context: TurnContext) -> str:
        """Read one line from the current IOStream.

        On the process's own stdin when it is not a terminal (input piped in on purpose), lines are read
        from the file descriptor, as [`ask_within`][hitl.inputs.ConsoleInput.ask_within] reads them, so
        that timed and untimed questions share one stream and no line waits unseen in Python's buffer.
        A closed stdin is an EOF outcome.
        """
        source = _console_source()
        if source == "stream":
            return self._read(lambda: _compat.default_iostream().input(prompt))
        return self._ask_console(source, prompt, None)

    def ask_within(self, prompt: str, context: TurnContext, seconds: float) -> str:
        """Read one line, giving up after ``seconds`` (raises ``TimeoutError``); used by TimeoutInput.

        On the process's own console (POSIX) this reads stdin's file descriptor itself, one byte at a
        time, so no reader is left behind to swallow a later line and no line waits unseen in a buffer;
        a line not finished by the deadline is dropped. A custom IOStream, a Jupyter frontend or a
        stdin without a descriptor is read in a daemon thread; a console read still waiting at the
        deadline answers the next question instead of being lost.

        Lines that something else already read through ``sys.stdin`` (your own ``input()`` on piped
        input, say) sit in Python's buffer, where a read of the descriptor cannot see them: on piped
        input, let hitl's console read stdin alone.
        """
        source = _console_source()
        if source == "stream":
            return _call_within(lambda: self.ask(prompt, context), seconds)
        return self._ask_console(source, prompt, seconds)

    def _ask_console(self, source: _Source, prompt: str, seconds: float | None) -> str:
        if source == "closed":
            return self._fallback("eof", self.on_eof, EOFError())
        if source != "frontend":
            prompt = _on_terminal(prompt)
        pending = _adopt_abandoned_read(prompt)
        if pending is None:
            if source == "descriptor" or (source == "terminal" and seconds is not None and _descriptor_readable()):
                return self._read_stdin(prompt, seconds)
            if seconds is None:
                return self._read(lambda: _compat.default_iostream().input(prompt))
            pending = _start_daemon(lambda: _compat.default_iostream().input(prompt))
        try:
            return self._read(lambda: _result_within(pending, seconds))
        finally:
            _abandon(pending)  # still waiting (a deadline, Ctrl-C): the next question takes its line

    def _read_stdin(self, prompt: str, seconds: float | None) -> str:
        _show(prompt)
        try:
            return self._read(lambda: _read_line_within(sys.stdin.fileno(), seconds, sys.stdin.encoding or "utf-8"))
        except TimeoutError:
            _show("\n")
            raise

    async def a_ask(self, prompt: str, context: TurnContext) -> str:
        """Read one line from the current IOStream without blocking the event loop.

        The read runs in a daemon thread (a read of stdin's descriptor is stopped when the question is
        given up), and Ctrl-C while waiting is the interrupt outcome, as in a synchronous chat.
        """
        read = _compat.default_iostream().input
        if _compat.is_coroutine_callable(read):
            return await self._a_read(read(prompt))
        return await self._a_ask_console(_console_source(), prompt, None)

    async def a_ask_within(self, prompt: str, context: TurnContext, seconds: float) -> str:
        """Like ``ask_within``, without blocking the event loop; nothing is left reading after the deadline."""
        read = _compat.default_iostream().input
        if _compat.is_coroutine_callable(read):
            try:
                return await asyncio.wait_for(self._a_read(read(prompt)), seconds)
            except asyncio.TimeoutError:
                raise TimeoutError(f"no answer within {seconds} s") from None
        return await self._a_ask_console(_console_source(), prompt, seconds)

    async def _a_ask_console(self, source: _Source, prompt: str, seconds: float | None) -> str:
        if source == "closed":
            return self._fallback("eof", self.on_eof, EOFError())
        if source == "stream":  # a custom stream's blocking input(): in a daemon thread, its Ctrl-C its own
            pending = _start_daemon(lambda: _compat.default_iostream().input(prompt))
            return await self._a_wait(pending, seconds, on_abandon=None, interruptible=False)
        if source != "frontend":
            prompt = _on_terminal(prompt)
        adopted = _adopt_abandoned_read(prompt)
        if adopted is not None:
            return await self._a_wait(adopted, seconds, on_abandon=_abandon)
        if source == "descriptor" or (source == "terminal" and seconds is not None and _descriptor_readable()):
            _show(prompt)
            stop_reading, stop = os.pipe()  # closing `stop` stops the reader; the reader closes its end
            fd, encoding = sys.stdin.fileno(), sys.stdin.encoding or "utf-8"
            pending = _start_daemon(lambda: _read_line_within(fd, None, encoding, stop_reading, close_stop=True))
            try:
                return await self._a_wait(pending, seconds, on_abandon=None)
            except TimeoutError:
                _show("\n")
                raise
            finally:
                os.close(stop)
        pending = _start_daemon(lambda: _compat.default_iostream().input(prompt))
        return await self._a_wait(pending, seconds, on_abandon=_abandon)

    async def _a_wait(
        self,
        pending: concurrent.futures.Future[Any],
        seconds: float | None,
        on_abandon: Callable[[concurrent.futures.Future[Any]], None] | None,
        interruptible: bool = True,
    ) -> str:
        """Await a read in a daemon thread; Ctrl-C meanwhile is a KeyboardInterrupt of the read, as in sync."""
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[Any] = loop.create_future()
        pending.add_done_callback(lambda done: _settle_soon(loop, answer, done))
        timer = None
        if seconds is not None:
            timer = loop.call_later(seconds, _settle, answer, None, TimeoutError(f"no answer within {seconds} s"))
        try:
            with _ctrl_c_settles(answer) if interruptible else contextlib.nullcontext():
                return await self._a_read(answer)
        finally:
            if timer is not None:
                timer.cancel()
            if not pending.done() and on_abandon is not None:
                on_abandon(pending)

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
        except KeyboardInterrupt as exc:
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


TERMINAL_RESET = "\x1b[0m\x1b(B\x1b7\x1b[r\x1b8\x1b[?1049l\x1b[?25h\x1b[4l\x1b[?5l"
"""Printed before a question on a terminal: undoes any display state a message printed earlier may have left
on (hidden or coloured text, another character set, a scroll region, the alternate screen, a hidden
cursor, insert mode), so the preview and the prompt show as written. The cursor stays where it is."""


def _on_terminal(prompt: str) -> str:
    """Return ``prompt`` as shown on the process's terminal: after a reset, when stdout is a terminal."""
    try:
        on_terminal = sys.stdout is not None and sys.stdout.isatty()
    except (ValueError, OSError):
        on_terminal = False
    return TERMINAL_RESET + prompt if on_terminal else prompt


def _show(text: str) -> None:
    stdout = sys.stdout
    if stdout is not None:
        stdout.write(text)
        stdout.flush()


def _has_fileno(stream: Any) -> bool:
    try:
        stream.fileno()
    except (AttributeError, ValueError, OSError):
        return False
    return True


def _descriptor_readable() -> bool:
    return sys.platform != "win32" and _has_fileno(sys.stdin)


def _read_line_within(
    fd: int, seconds: float | None, encoding: str, stop: int | None = None, *, close_stop: bool = False
) -> str:
    """Read one line from ``fd`` by ``seconds`` from now (``None``: no deadline).

    Raises ``EOFError`` at the end of input, ``TimeoutError`` at the deadline, and ``_Stopped`` when
    ``stop`` (a descriptor) becomes readable: its writer closed it because nobody waits for the line.
    """
    deadline = None if seconds is None else time.monotonic() + seconds
    watched = [fd] if stop is None else [fd, stop]
    data = bytearray()
    try:
        while True:
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            ready, _, _ = select.select(watched, [], [], wait)
            if not ready:
                raise TimeoutError(f"no answer within {seconds} s")
            if stop is not None and stop in ready:
                raise _Stopped
            byte = os.read(fd, 1)
            if not byte:  # end of input: a last line without a newline still counts
                if data:
                    return data.decode(encoding, errors="replace")
                raise EOFError
            if byte == b"\n":
                return data.decode(encoding, errors="replace").rstrip("\r")
            data += byte
    finally:
        if close_stop and stop is not None:
            os.close(stop)


class _Stopped(Exception):
    """A read of stdin stopped because its question was given up."""


# A blocking console read (input()) cannot be stopped. One whose question was given up (Ctrl-C in an async
# chat, a cancelled task, a deadline) keeps waiting in its daemon thread; the next console question takes
# over its line instead of starting a second read that would race it for the human's next line.
_abandoned_lock = threading.Lock()
_abandoned: list[concurrent.futures.Future[Any]] = []


def _start_daemon(call: Callable[[], Any]) -> concurrent.futures.Future[Any]:
    """Run ``call`` in a daemon thread (with this context's variables); never holds the interpreter's exit."""
    done: concurrent.futures.Future[Any] = concurrent.futures.Future()
    done.set_running_or_notify_cancel()  # a running future cannot be cancelled: its outcome is always set
    context = contextvars.copy_context()

    def run() -> None:
        try:
            result = context.run(call)
        except BaseException as exc:  # EOFError, KeyboardInterrupt...: the waiter decides
            done.set_exception(exc)
        else:
            done.set_result(result)

    threading.Thread(target=run, name="hitl-human-input", daemon=True).start()
    return done


def _abandon(read: concurrent.futures.Future[Any]) -> None:
    with _abandoned_lock:
        if not read.done():
            _abandoned.append(read)


def _adopt_abandoned_read(prompt: str) -> concurrent.futures.Future[Any] | None:
    """Take over a console read still waiting for a question that was given up; show ``prompt`` for it."""
    with _abandoned_lock:
        while _abandoned:
            read = _abandoned.pop()
            if not read.done():
                break
        else:
            return None
    _show(prompt)
    return read


def _result_within(read: concurrent.futures.Future[Any], seconds: float | None) -> Any:
    try:
        return read.result(timeout=seconds)
    except concurrent.futures.TimeoutError:
        raise TimeoutError(f"no answer within {seconds} s") from None


def _settle(answer: asyncio.Future[Any], result: object, error: BaseException | None) -> None:
    if answer.done():
        return
    if error is None:
        answer.set_result(result)
    else:
        answer.set_exception(error)


def _settle_soon(
    loop: asyncio.AbstractEventLoop, answer: asyncio.Future[Any], done: concurrent.futures.Future[Any]
) -> None:
    """From the reading thread: settle ``answer`` with the read's outcome, in the loop's thread."""
    error = done.exception()
    with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits for this answer any more
        loop.call_soon_threadsafe(_settle, answer, None if error is not None else done.result(), error)


def _raises_keyboard_interrupt(handler: object) -> bool:
    """Whether a SIGINT handler is Python's own, or asyncio.run's (which cancels the main task)."""
    if handler is signal.default_int_handler:
        return True
    on_sigint = getattr(getattr(asyncio, "Runner", None), "_on_sigint", None)  # Python 3.11+
    if on_sigint is None or not isinstance(handler, functools.partial):
        return False
    return getattr(handler.func, "__func__", None) is on_sigint


@contextlib.contextmanager
def _ctrl_c_settles(answer: asyncio.Future[Any]) -> Iterator[None]:
    """While awaiting a console read: Ctrl-C settles ``answer`` with KeyboardInterrupt, as a sync read gets it.

    Only in the main thread, and only where Ctrl-C would raise KeyboardInterrupt or cancel ``asyncio.run``'s
    task; an application's own SIGINT handler is left alone. The handler before is restored afterwards.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGINT)
    if not _raises_keyboard_interrupt(previous):
        yield
        return
    loop = answer.get_loop()

    def on_ctrl_c(signum: int, frame: object) -> None:
        loop.call_soon_threadsafe(_settle, answer, None, KeyboardInterrupt())

    try:
        signal.signal(signal.SIGINT, on_ctrl_c)
    except ValueError:  # pragma: no cover - not the main interpreter
        yield
        return
    try:
        yield
    finally:
        if signal.getsignal(signal.SIGINT) is on_ctrl_c:
            signal.signal(signal.SIGINT, previous)


# -- callback -------------------------------------------------------------------------------------------------


class CallbackInput:
    """Ask by calling your function: ``function(prompt, context) -> str``, sync or async.

    In a synchronous chat an async function is run to completion (an error if the chat itself runs
    inside an event loop: use ``a_initiate_chat`` there); in an async chat a sync function runs in a
    daemon thread, so it may block (and never holds the interpreter's exit).

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
        # In a daemon thread with its own event loop: a function that ignores cancellation, or blocks,
        # cannot hold the chat past the deadline.
        return _in_own_loop(self.a_ask(prompt, context), seconds)

    async def a_ask(self, prompt: str, context: TurnContext) -> str:
        """Await the function (or run a sync one in a daemon thread, which never holds the interpreter's exit)."""
        if self._is_async:
            return await self.function(prompt, context)  # type: ignore[misc, no-any-return]
        thread: concurrent.futures.Future[str | Awaitable[str]] = _start_daemon(
            functools.partial(self.function, prompt, context)
        )
        result = await asyncio.wrap_future(thread)
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


# -- timeout --------------------------------------------------------------------------------------------------

MAX_TIMEOUT_SECONDS: Final[float] = min(365 * 24 * 3600.0, threading.TIMEOUT_MAX)
"""The longest deadline a [`TimeoutInput`][hitl.inputs.TimeoutInput] takes: one year, or less where the platform's
thread waits are shorter (``threading.TIMEOUT_MAX``, about 49 days on Windows)."""


def _in_own_loop(awaitable: Awaitable[str], seconds: float) -> str:
    """Await ``awaitable`` in a daemon thread's own event loop, cancelled at the deadline.

    A well-behaved provider is cancelled (its cleanup runs); one that ignores cancellation or blocks is
    left in its daemon thread, and ``TimeoutError`` is raised a moment after the deadline regardless.
    """
    return _call_within(lambda: asyncio.run(_await_within(awaitable, seconds)), seconds + _GRACE)


#: How long past a deadline to wait for a provider's cancellation to finish before leaving it behind.
_GRACE = 0.25


async def _await_within(awaitable: Awaitable[str], seconds: float) -> str:
    """Await ``awaitable`` for at most ``seconds`` (``TimeoutError`` after), then cancel it without waiting.

    Unlike ``asyncio.wait_for``, which waits for the cancelled work to end, a provider that ignores
    cancellation cannot hold the chat past its deadline. (One that blocks the event loop itself holds
    everything on the loop; nothing in the loop can bound it.)
    """
    task = asyncio.ensure_future(awaitable)
    try:
        done, _ = await asyncio.wait({task}, timeout=seconds)
    except asyncio.CancelledError:
        task.cancel()
        raise
    if task in done:
        return task.result()
    task.cancel()
    task.add_done_callback(_consume)  # its late outcome is nobody's: never "exception was never retrieved"
    raise TimeoutError(f"no answer within {seconds} s")


def _consume(task: asyncio.Future[Any]) -> None:
    if not task.cancelled():
        task.exception()


def _number(value: object) -> str:
    """Show a number as text, even an int of more digits than Python prints (where ``repr`` raises)."""
    try:
        return repr(value)
    except ValueError:
        return f"an int of about {int(value).bit_length() * 3 // 10:,} digits"  # type: ignore[call-overload]


def _call_within(call: Callable[[], str], seconds: float) -> str:
    """Run ``call`` in a daemon thread and wait up to ``seconds``; its late result is discarded."""
    return _result_within(_start_daemon(call), seconds)  # type: ignore[no-any-return]


class TimeoutInput:
    """Give the human ``seconds`` to answer; after that, use ``default`` and record the timeout.

    ``default`` is an answer like any other: ``""`` lets the auto-reply happen (or stops on a
    termination message), ``"exit"`` stops the chat, any other text is sent as the reply. The default is
    ``"exit"``: a human who does not answer stops the chat rather than approving it.

    Warning:
        At an approval gate (``ApproveCode``, ``ApproveTools``) an empty answer **approves**: with
        ``default=""`` a reviewer who does not answer in time approves the code or the call. Keep
        ``"exit"`` (stop), or a text (a reply that rejects), there.

    ``seconds`` is a number greater than 0 and at most
    [`MAX_TIMEOUT_SECONDS`][hitl.inputs.MAX_TIMEOUT_SECONDS] (one year); infinity, NaN and larger values are a
    ``ConfigurationError``: for no deadline, use the provider without a TimeoutInput.

    Providers with a timed read of their own (``ask_within`` / ``a_ask_within``:
    [`QueueInput`][hitl.inputs.QueueInput], [`ConsoleInput`][hitl.inputs.ConsoleInput] and
    [`CallbackInput`][hitl.inputs.CallbackInput] of an async function) stop waiting cleanly at the
    deadline, and an async ``a_ask`` is cancelled; any other provider keeps running in a background
    (daemon) thread and its late answer is discarded.

    Examples:
        >>> from hitl import TurnContext
        >>> slow = TimeoutInput(QueueInput(), seconds=0.01, default="exit")
        >>> slow.ask("Approve? ", TurnContext("deploy"))
        Traceback (most recent call last):
        ...
        hitl.inputs.NoAnswer: no answer (timeout): nobody answered within 0.01 s; using 'exit'
    """

    def __init__(self, inner: HumanInput | AsyncHumanInput, seconds: float, default: str = "exit") -> None:
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not 0 < seconds <= MAX_TIMEOUT_SECONDS:
            raise ConfigurationError(
                f"TimeoutInput.seconds must be a number > 0 and at most {MAX_TIMEOUT_SECONDS:.0f} (one year) "
                f"(got {_number(seconds)}); for no deadline, use the provider without a TimeoutInput"
            )
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
            # An async-only provider: in a daemon thread with its own event loop, abandoned at the deadline.
            return _in_own_loop(inner.a_ask(prompt, context), self.seconds)
        except TimeoutError:
            raise self._timed_out() from None

    async def a_ask(self, prompt: str, context: TurnContext) -> str:
        """Await the wrapped provider, waiting at most ``seconds``."""
        inner: Any = self.inner
        if callable(getattr(inner, "a_ask_within", None)):
            pending = inner.a_ask_within(prompt, context, self.seconds)
        elif callable(getattr(inner, "a_ask", None)):
            pending = _await_within(inner.a_ask(prompt, context), self.seconds)
        else:  # a blocking provider: in a daemon thread, which never holds the interpreter's exit
            thread = _start_daemon(lambda: inner.ask(prompt, context))
            pending = asyncio.wait_for(asyncio.wrap_future(thread), self.seconds)
        try:
            return await pending  # type: ignore[no-any-return]
        except (asyncio.TimeoutError, TimeoutError):
            raise self._timed_out() from None

    def __repr__(self) -> str:
        return f"TimeoutInput({self.inner!r}, seconds={self.seconds:g}, default={self.default!r})"
