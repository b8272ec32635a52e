"""Human-input providers: how the human is asked, and what happens when they answer.

A provider is anything with ``ask(prompt, context) -> str`` (:class:`HumanInput`); one that can wait
without blocking an event loop also has ``async a_ask(prompt, context) -> str`` (:class:`AsyncHumanInput`).
The proxy calls ``ask`` in ``initiate_chat`` and ``a_ask`` in ``a_initiate_chat``.

Answers mean what they mean in AutoGen: ``"exit"`` stops the chat, ``""`` (Enter) lets the auto-reply
happen (or stops the chat on a termination message), and any other text is sent as the human's reply.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Protocol, runtime_checkable

from . import _compat
from .context import TurnContext
from .errors import InputExhaustedError

__all__ = ["AsyncHumanInput", "ConsoleInput", "HumanInput", "ScriptedInput"]


@runtime_checkable
class HumanInput(Protocol):
    """What a human-input provider implements: ask a human and return their answer.

    Example:
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


class ScriptedInput:
    """A scripted human: gives ``answers`` in order, and records every prompt it was asked.

    When asked once more than it has answers, it raises :class:`~hitl.InputExhaustedError` naming the
    prompt, so a test fails at the question it did not expect instead of hanging or auto-replying.

    Attributes:
        prompts: every prompt asked so far, in order.
        contexts: the TurnContext of each of those prompts.

    Example:
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
                f"ScriptedInput ran out of answers ({len(self._answers)} given) when asked: {prompt!r}"
            )
        answer = self._answers[self._given]
        self._given += 1
        return answer

    async def a_ask(self, prompt: str, context: TurnContext) -> str:
        """Do what :meth:`ask` does; scripted answers never wait."""
        return self.ask(prompt, context)

    def __repr__(self) -> str:
        return f"ScriptedInput({self._answers!r}, remaining={self.remaining})"


class ConsoleInput:
    """Ask on the console, through AutoGen's current ``IOStream`` (so a custom IOStream keeps working).

    In ``a_initiate_chat`` the (blocking) read runs in a worker thread, so the event loop keeps running
    while the human types; an IOStream whose ``input`` is a coroutine is awaited directly.

    Example:
        >>> ConsoleInput()
        ConsoleInput()
    """

    def ask(self, prompt: str, context: TurnContext) -> str:
        """Read one line from the current IOStream."""
        return str(_compat.default_iostream().input(prompt))

    async def a_ask(self, prompt: str, context: TurnContext) -> str:
        """Read one line from the current IOStream without blocking the event loop."""
        read = _compat.default_iostream().input
        if _compat.is_coroutine_callable(read):
            return str(await read(prompt))
        return str(await asyncio.to_thread(read, prompt))

    def __repr__(self) -> str:
        return "ConsoleInput()"
