"""What a human-input provider is, what it raises when nobody answers, and the one way hitl asks one.

A provider has ``ask(prompt, context) -> str`` ([`HumanInput`][hitl.providers.base.HumanInput]), or
``async a_ask(prompt, context) -> str`` ([`AsyncHumanInput`][hitl.providers.base.AsyncHumanInput]), or both; one
with a deadline of its own also has ``ask_within`` ([`TimedHumanInput`][hitl.providers.base.TimedHumanInput]) or
``a_ask_within`` ([`AsyncTimedHumanInput`][hitl.providers.base.AsyncTimedHumanInput]). Every caller in hitl (the
proxy, the workflow's checkpoints, TimeoutInput) asks through [`ask`][hitl.providers.base.ask] or
[`a_ask`][hitl.providers.base.a_ask], which pick the provider's method that fits the caller.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from typing import Literal, Protocol, runtime_checkable

from ..core.context import TurnContext
from ..core.errors import HitlError
from .threads import await_within, call_within, in_own_loop, run_to_completion, start_daemon

__all__ = [
    "AsyncHumanInput",
    "AsyncTimedHumanInput",
    "HumanInput",
    "NoAnswer",
    "NoAnswerReason",
    "TimedHumanInput",
    "a_ask",
    "ask",
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


@runtime_checkable
class TimedHumanInput(Protocol):
    """A provider with a deadline of its own: ``ask_within(prompt, context, seconds)``.

    Implementing it means: wait at most ``seconds`` for the answer, and then raise ``TimeoutError``, leaving
    nothing behind that would take a later answer (a queued question is withdrawn, a read of stdin stops). A
    [`TimeoutInput`][hitl.inputs.TimeoutInput] asks such a provider through ``ask_within``; any other provider
    it asks in a daemon thread, whose late answer is discarded. [`ConsoleInput`][hitl.inputs.ConsoleInput],
    [`QueueInput`][hitl.inputs.QueueInput] and [`CallbackInput`][hitl.inputs.CallbackInput] implement it.

    Examples:
        >>> class Instant:
        ...     def ask_within(self, prompt, context, seconds):
        ...         return "ok"
        >>> isinstance(Instant(), TimedHumanInput)
        True
    """

    def ask_within(self, prompt: str, context: TurnContext, seconds: float) -> str:
        """Ask as ``ask`` does, giving up after ``seconds`` with ``TimeoutError``."""
        ...


@runtime_checkable
class AsyncTimedHumanInput(Protocol):
    """The async form of [`TimedHumanInput`][hitl.providers.base.TimedHumanInput]: ``a_ask_within``.

    Implementing it means: await the answer for at most ``seconds`` without blocking the event loop, then
    raise ``TimeoutError``, with nothing left waiting. Without it, a
    [`TimeoutInput`][hitl.inputs.TimeoutInput] cancels the provider's ``a_ask`` at the deadline.
    """

    async def a_ask_within(self, prompt: str, context: TurnContext, seconds: float) -> str:
        """Ask as ``a_ask`` does, giving up after ``seconds`` with ``TimeoutError``."""
        ...


def ask(
    provider: HumanInput | AsyncHumanInput, prompt: str, context: TurnContext, *, within: float | None = None
) -> str:
    """Ask ``provider`` from synchronous code, whichever of ``ask`` and ``a_ask`` it has.

    Without ``within``: its ``ask``, or else its ``a_ask`` run to completion (a ``ConfigurationError`` if
    this thread already runs an event loop). With ``within`` (seconds): its ``ask_within``
    ([`TimedHumanInput`][hitl.providers.base.TimedHumanInput]); or else its ``ask`` in a daemon thread, given up
    at the deadline; or else its ``a_ask`` in a daemon thread's own event loop, cancelled at the deadline. A
    deadline that passes raises ``TimeoutError``. [`NoAnswer`][hitl.providers.base.NoAnswer] propagates.

    Examples:
        >>> class Async:
        ...     async def a_ask(self, prompt, context):
        ...         return "from a_ask"
        >>> ask(Async(), "? ", TurnContext("draft"))
        'from a_ask'
    """
    if within is not None:
        if isinstance(provider, TimedHumanInput):
            return provider.ask_within(prompt, context, within)
        if isinstance(provider, HumanInput):
            sync = provider
            return call_within(lambda: sync.ask(prompt, context), within)
        # An async-only provider: in a daemon thread with its own event loop, abandoned at the deadline.
        return in_own_loop(provider.a_ask(prompt, context), within)
    ask_now: Callable[[str, TurnContext], str] | None = getattr(provider, "ask", None)  # not a protocol check:
    if ask_now is not None:  # isinstance(provider, HumanInput) costs microseconds, on every question
        return ask_now(prompt, context)
    return run_to_completion(provider.a_ask(prompt, context), provider)  # type: ignore[union-attr]


async def a_ask(
    provider: HumanInput | AsyncHumanInput, prompt: str, context: TurnContext, *, within: float | None = None
) -> str:
    """Ask ``provider`` from async code without blocking the event loop, whichever of ``a_ask`` and ``ask`` it has.

    Without ``within``: its ``a_ask``, or else its ``ask`` in a daemon thread (a provider still waiting never
    holds the interpreter's exit). With ``within`` (seconds): its ``a_ask_within``
    ([`AsyncTimedHumanInput`][hitl.providers.base.AsyncTimedHumanInput]); or else its ``a_ask``, cancelled at the
    deadline without waiting for the cancellation to finish; or else its ``ask`` in a daemon thread. A deadline
    that passes raises ``TimeoutError``. [`NoAnswer`][hitl.providers.base.NoAnswer] propagates.

    Examples:
        >>> class Sync:
        ...     def ask(self, prompt, context):
        ...         return "from ask"
        >>> asyncio.run(a_ask(Sync(), "? ", TurnContext("draft")))
        'from ask'
    """
    if within is not None:
        if isinstance(provider, AsyncTimedHumanInput):
            return await provider.a_ask_within(prompt, context, within)
        if isinstance(provider, AsyncHumanInput):
            return await await_within(provider.a_ask(prompt, context), within)
        # A blocking provider: in a daemon thread, which never holds the interpreter's exit.
        thread = start_daemon(functools.partial(provider.ask, prompt, context))
        return await asyncio.wait_for(asyncio.wrap_future(thread), within)
    a_ask_now: Callable[[str, TurnContext], Awaitable[str]] | None = getattr(provider, "a_ask", None)
    if a_ask_now is not None:  # not isinstance(provider, AsyncHumanInput): that costs microseconds
        return await a_ask_now(prompt, context)
    # A daemon thread: a sync provider still waiting never holds the interpreter's exit.
    return await asyncio.wrap_future(start_daemon(functools.partial(provider.ask, prompt, context)))  # type: ignore[union-attr]
