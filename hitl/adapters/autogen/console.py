"""Ask a person at a terminal, through AutoGen's IOStream: the default provider."""

from __future__ import annotations

import asyncio
import builtins
import concurrent.futures
import contextlib
import os
import sys
from collections.abc import Awaitable, Callable
from typing import Any, Literal

from ...core.algebra import is_coroutine_callable
from ...core.context import TurnContext
from ...core.errors import ConfigurationError
from ...providers.base import NoAnswer, NoAnswerReason
from ...providers.stdin import (
    ALLOW_NON_INTERACTIVE_ENV,
    TERMINAL_RESET,
    abandon,
    adopt_abandoned_read,
    allowed_by_environment,
    descriptor_readable,
    has_fileno,
    read_line_within,
    show,
)
from ...providers.threads import call_within, ctrl_c_settles, result_within, settle, settle_soon, start_daemon


def _iostream() -> Any:
    """AutoGen's current IOStream, imported when a console first reads: importing the providers loads no AutoGen."""
    from .compat import default_iostream

    return default_iostream()


__all__ = ["ALLOW_NON_INTERACTIVE_ENV", "TERMINAL_RESET", "ConsoleInput", "allowed_by_environment"]


#: Where a ConsoleInput's answer comes from: a custom IOStream, a Jupyter frontend, the process's stdin as a
#: terminal, as a file descriptor (a pipe, a file, /dev/null), or as a Python file object; or nowhere (closed).
_Source = Literal["stream", "frontend", "terminal", "descriptor", "file", "closed"]


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
    if not _reads_process_stdin(_iostream()):
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
    if sys.platform != "win32" and has_fileno(stdin):
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
        """Raise [`ConfigurationError`][hitl.core.errors.ConfigurationError] if asking would wait on an unused stdin.

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
            return self._read(lambda: _iostream().input(prompt))
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
            return call_within(lambda: self.ask(prompt, context), seconds)
        return self._ask_console(source, prompt, seconds)

    def _ask_console(self, source: _Source, prompt: str, seconds: float | None) -> str:
        if source == "closed":
            return self._fallback("eof", self.on_eof, EOFError())
        if source != "frontend":
            prompt = _on_terminal(prompt)
        pending = adopt_abandoned_read(prompt)
        if pending is None:
            if source == "descriptor" or (source == "terminal" and seconds is not None and descriptor_readable()):
                return self._read_stdin(prompt, seconds)
            if seconds is None:
                return self._read(lambda: _iostream().input(prompt))
            pending = start_daemon(lambda: _iostream().input(prompt))
        try:
            return self._read(lambda: result_within(pending, seconds))
        finally:
            abandon(pending)  # still waiting (a deadline, Ctrl-C): the next question takes its line

    def _read_stdin(self, prompt: str, seconds: float | None) -> str:
        show(prompt)
        try:
            return self._read(lambda: read_line_within(sys.stdin.fileno(), seconds, sys.stdin.encoding or "utf-8"))
        except TimeoutError:
            show("\n")
            raise

    async def a_ask(self, prompt: str, context: TurnContext) -> str:
        """Read one line from the current IOStream without blocking the event loop.

        The read runs in a daemon thread (a read of stdin's descriptor is stopped when the question is
        given up), and Ctrl-C while waiting is the interrupt outcome, as in a synchronous chat.
        """
        read = _iostream().input
        if is_coroutine_callable(read):
            return await self._a_read(read(prompt))
        return await self._a_ask_console(_console_source(), prompt, None)

    async def a_ask_within(self, prompt: str, context: TurnContext, seconds: float) -> str:
        """Like ``ask_within``, without blocking the event loop; nothing is left reading after the deadline."""
        read = _iostream().input
        if is_coroutine_callable(read):
            try:
                return await asyncio.wait_for(self._a_read(read(prompt)), seconds)
            except asyncio.TimeoutError:
                raise TimeoutError(f"no answer within {seconds} s") from None
        return await self._a_ask_console(_console_source(), prompt, seconds)

    async def _a_ask_console(self, source: _Source, prompt: str, seconds: float | None) -> str:
        if source == "closed":
            return self._fallback("eof", self.on_eof, EOFError())
        if source == "stream":  # a custom stream's blocking input(): in a daemon thread, its Ctrl-C its own
            pending = start_daemon(lambda: _iostream().input(prompt))
            return await self._a_wait(pending, seconds, on_abandon=None, interruptible=False)
        if source != "frontend":
            prompt = _on_terminal(prompt)
        adopted = adopt_abandoned_read(prompt)
        if adopted is not None:
            return await self._a_wait(adopted, seconds, on_abandon=abandon)
        if source == "descriptor" or (source == "terminal" and seconds is not None and descriptor_readable()):
            show(prompt)
            stop_reading, stop = os.pipe()  # closing `stop` stops the reader; the reader closes its end
            fd, encoding = sys.stdin.fileno(), sys.stdin.encoding or "utf-8"
            pending = start_daemon(lambda: read_line_within(fd, None, encoding, stop_reading, close_stop=True))
            try:
                return await self._a_wait(pending, seconds, on_abandon=None)
            except TimeoutError:
                show("\n")
                raise
            finally:
                os.close(stop)
        pending = start_daemon(lambda: _iostream().input(prompt))
        return await self._a_wait(pending, seconds, on_abandon=abandon)

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
        pending.add_done_callback(lambda done: settle_soon(loop, answer, done))
        timer = None
        if seconds is not None:
            timer = loop.call_later(seconds, settle, answer, None, TimeoutError(f"no answer within {seconds} s"))
        try:
            with ctrl_c_settles(answer) if interruptible else contextlib.nullcontext():
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


def _on_terminal(prompt: str) -> str:
    """Return ``prompt`` as shown on the process's terminal: after a reset, when stdout is a terminal."""
    try:
        on_terminal = sys.stdout is not None and sys.stdout.isatty()
    except (ValueError, OSError):
        on_terminal = False
    return TERMINAL_RESET + prompt if on_terminal else prompt
