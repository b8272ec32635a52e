"""Reading the process's stdin, and what a console needs around it.

A POSIX descriptor reader, the console reads a given-up question left waiting, the environment switch that
lets a console ask on a stdin that is not a terminal, and the terminal reset printed before a question.
"""

from __future__ import annotations

import concurrent.futures
import os
import select
import sys
import threading
import time
from typing import Any, Final

from ..core.errors import ConfigurationError


def show(text: str) -> None:
    """Write ``text`` to stdout at once, if there is a stdout."""
    stdout = sys.stdout
    if stdout is not None:
        stdout.write(text)
        stdout.flush()


def has_fileno(stream: Any) -> bool:
    """Whether ``stream`` has a working file descriptor."""
    try:
        stream.fileno()
    except (AttributeError, ValueError, OSError):
        return False
    return True


def descriptor_readable() -> bool:
    """Whether stdin can be read through its descriptor here (POSIX, with a real descriptor)."""
    return sys.platform != "win32" and has_fileno(sys.stdin)


def read_line_within(
    fd: int, seconds: float | None, encoding: str, stop: int | None = None, *, close_stop: bool = False
) -> str:
    """Read one line from ``fd`` by ``seconds`` from now (``None``: no deadline).

    Raises ``EOFError`` at the end of input, ``TimeoutError`` at the deadline, and ``Stopped`` when
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
                raise Stopped
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


class Stopped(Exception):
    """A read of stdin stopped because its question was given up."""


# A blocking console read (input()) cannot be stopped. One whose question was given up (Ctrl-C in an async
# chat, a cancelled task, a deadline) keeps waiting in its daemon thread; the next console question takes
# over its line instead of starting a second read that would race it for the human's next line.
_abandoned_lock = threading.Lock()
_abandoned: list[concurrent.futures.Future[Any]] = []


def abandon(read: concurrent.futures.Future[Any]) -> None:
    """Leave a console read still waiting, for the next question to take over."""
    with _abandoned_lock:
        if not read.done():
            _abandoned.append(read)


def adopt_abandoned_read(prompt: str) -> concurrent.futures.Future[Any] | None:
    """Take over a console read still waiting for a question that was given up; show ``prompt`` for it."""
    with _abandoned_lock:
        while _abandoned:
            read = _abandoned.pop()
            if not read.done():
                break
        else:
            return None
    show(prompt)
    return read


ALLOW_NON_INTERACTIVE_ENV: Final = "HITL_ALLOW_NON_INTERACTIVE"
"""The environment variable that lets every [`ConsoleInput`][hitl.inputs.ConsoleInput] ask on a stdin that is not a
terminal, as ``allow_non_interactive=True`` does, with no change to the code: ``1`` (or ``true``, ``yes``, ``on``)
allows, ``0`` (or ``false``, ``no``, ``off``, empty) does not; any other value is a ConfigurationError."""
_YES = frozenset({"1", "true", "yes", "on"})
_NO = frozenset({"0", "false", "no", "off", ""})


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


TERMINAL_RESET = "\x1b[0m\x1b(B\x1b7\x1b[r\x1b8\x1b[?1049l\x1b[?25h\x1b[4l\x1b[?5l"
"""Printed before a question on a terminal: undoes any display state a message printed earlier may have left
on (hidden or coloured text, another character set, a scroll region, the alternate screen, a hidden
cursor, insert mode), so the preview and the prompt show as written. The cursor stays where it is."""
