"""A deadline for any provider: after ``seconds``, a default answer, and the timeout recorded."""

from __future__ import annotations

import asyncio
import threading
from typing import Final

from ..core.context import TurnContext
from ..core.errors import ConfigurationError
from .base import AsyncHumanInput, HumanInput, NoAnswer, a_ask, ask

__all__ = ["MAX_TIMEOUT_SECONDS", "TimeoutInput"]

MAX_TIMEOUT_SECONDS: Final[float] = min(365 * 24 * 3600.0, threading.TIMEOUT_MAX)
"""The longest deadline a [`TimeoutInput`][hitl.inputs.TimeoutInput] takes: one year, or less where the platform's
thread waits are shorter (``threading.TIMEOUT_MAX``, about 49 days on Windows)."""


def _number(value: object) -> str:
    """Show a number as text, even an int of more digits than Python prints (where ``repr`` raises)."""
    try:
        return repr(value)
    except ValueError:
        return f"an int of about {int(value).bit_length() * 3 // 10:,} digits"  # type: ignore[call-overload]


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

    Providers with a timed read of their own (``ask_within`` / ``a_ask_within``, the protocols
    [`TimedHumanInput`][hitl.providers.base.TimedHumanInput] and
    [`AsyncTimedHumanInput`][hitl.providers.base.AsyncTimedHumanInput]:
    [`QueueInput`][hitl.inputs.QueueInput], [`ConsoleInput`][hitl.inputs.ConsoleInput] and
    [`CallbackInput`][hitl.inputs.CallbackInput] of an async function) stop waiting cleanly at the
    deadline, and an async ``a_ask`` is cancelled; any other provider keeps running in a background
    (daemon) thread and its late answer is discarded.

    Examples:
        >>> from hitl import QueueInput, TurnContext
        >>> slow = TimeoutInput(QueueInput(), seconds=0.01, default="exit")
        >>> slow.ask("Approve? ", TurnContext("deploy"))
        Traceback (most recent call last):
        ...
        hitl.providers.base.NoAnswer: no answer (timeout): nobody answered within 0.01 s; using 'exit'
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
        try:
            return ask(self.inner, prompt, context, within=self.seconds)
        except TimeoutError:
            raise self._timed_out() from None

    async def a_ask(self, prompt: str, context: TurnContext) -> str:
        """Await the wrapped provider, waiting at most ``seconds``."""
        try:
            return await a_ask(self.inner, prompt, context, within=self.seconds)
        except (asyncio.TimeoutError, TimeoutError):
            raise self._timed_out() from None

    def __repr__(self) -> str:
        return f"TimeoutInput({self.inner!r}, seconds={self.seconds:g}, default={self.default!r})"
