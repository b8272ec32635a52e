"""Ask by calling your own function, sync or async, of the prompt and the TurnContext."""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
from collections.abc import Awaitable, Callable

from ..core.algebra import is_coroutine_callable
from ..core.context import TurnContext
from .threads import call_within, in_own_loop, run_to_completion, start_daemon

__all__ = ["CallbackInput"]


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
        self._is_async = is_coroutine_callable(function)

    def ask(self, prompt: str, context: TurnContext) -> str:
        """Call the function (running it to completion if it is async)."""
        result = self.function(prompt, context)
        if asyncio.iscoroutine(result) or isinstance(result, Awaitable):
            return run_to_completion(result, self)
        return result

    def ask_within(self, prompt: str, context: TurnContext, seconds: float) -> str:
        """Like ``ask``, giving up after ``seconds`` (``TimeoutError``); an async function is cancelled then."""
        if not self._is_async:
            return call_within(lambda: self.ask(prompt, context), seconds)
        # In a daemon thread with its own event loop: a function that ignores cancellation, or blocks,
        # cannot hold the chat past the deadline.
        return in_own_loop(self.a_ask(prompt, context), seconds)

    async def a_ask(self, prompt: str, context: TurnContext) -> str:
        """Await the function (or run a sync one in a daemon thread, which never holds the interpreter's exit)."""
        if self._is_async:
            return await self.function(prompt, context)  # type: ignore[misc, no-any-return]
        thread: concurrent.futures.Future[str | Awaitable[str]] = start_daemon(
            functools.partial(self.function, prompt, context)
        )
        result = await asyncio.wrap_future(thread)
        if isinstance(result, Awaitable):
            return await result
        return result

    def __repr__(self) -> str:
        name = getattr(self.function, "__name__", None) or repr(self.function)
        return f"CallbackInput({name})"
