"""Daemon threads and event loops of their own: how a provider's wait is run, bounded and abandoned.

A blocking read runs in a daemon thread ([`start_daemon`][hitl.providers.start_daemon]), so a provider still
waiting never holds the interpreter's exit; an async provider asked by a synchronous caller is run to completion
([`run_to_completion`][hitl.providers.run_to_completion]), or, under a deadline, in a daemon thread's own event loop
that is given up at the deadline.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import contextvars
import functools
import signal
import threading
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from typing import Any, TypeVar

from ..core.errors import ConfigurationError

T = TypeVar("T")


def start_daemon(call: Callable[[], Any]) -> concurrent.futures.Future[Any]:
    """Run ``call`` in a daemon thread (with this context's variables); never holds the interpreter's exit.

    Returns a running future that gets the call's result, or the exception it raised (any, even
    ``KeyboardInterrupt``: the waiter decides).
    """
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


def result_within(read: concurrent.futures.Future[Any], seconds: float | None) -> Any:
    """Wait up to ``seconds`` (``None``: no deadline) for ``read``'s result; ``TimeoutError`` after that."""
    try:
        return read.result(timeout=seconds)
    except concurrent.futures.TimeoutError:
        raise TimeoutError(f"no answer within {seconds} s") from None


def call_within(call: Callable[[], str], seconds: float) -> str:
    """Run ``call`` in a daemon thread and wait up to ``seconds``; its late result is discarded."""
    return result_within(start_daemon(call), seconds)  # type: ignore[no-any-return]


def in_event_loop() -> bool:
    """Whether this thread runs an event loop now (where a synchronous wait would block it)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def run_in_own_loop(coroutine: Coroutine[Any, Any, T], *, name: str) -> T:
    """Run ``coroutine`` in a new thread with an event loop of its own; wait for it and raise what it raised.

    For synchronous code that must run a coroutine while its own thread may run a loop already. The thread
    sees this thread's context variables (a copy of them).
    """
    outcome: dict[str, Any] = {}
    context = contextvars.copy_context()

    def run() -> None:
        try:
            outcome["value"] = context.run(asyncio.run, coroutine)
        except BaseException as error:
            outcome["error"] = error

    worker = threading.Thread(target=run, name=name)
    worker.start()
    worker.join()
    if "error" in outcome:
        raise outcome["error"]
    value: T = outcome["value"]
    return value


def run_to_completion(awaitable: Awaitable[str], owner: object) -> str:
    """Run ``awaitable`` (an async provider's answer) to completion from synchronous code, in a new event loop.

    Raises:
        ConfigurationError: this thread already runs an event loop (a synchronous chat inside async code),
            where waiting would block that loop; the message names ``owner``, the provider.
    """
    if not in_event_loop():

        async def wait() -> str:
            return await awaitable

        return asyncio.run(wait())
    if asyncio.iscoroutine(awaitable):
        awaitable.close()
    raise ConfigurationError(
        f"{owner!r} is async, but the chat is synchronous and runs inside an event loop; use a_initiate_chat"
    )


def in_own_loop(awaitable: Awaitable[str], seconds: float) -> str:
    """Await ``awaitable`` in a daemon thread's own event loop, cancelled at the deadline.

    A well-behaved provider is cancelled (its cleanup runs); one that ignores cancellation or blocks is
    left in its daemon thread, and ``TimeoutError`` is raised a moment after the deadline regardless.
    """
    return call_within(lambda: asyncio.run(await_within(awaitable, seconds)), seconds + _GRACE)


#: How long past a deadline to wait for a provider's cancellation to finish before leaving it behind.
_GRACE = 0.25


async def await_within(awaitable: Awaitable[str], seconds: float) -> str:
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


def settle(answer: asyncio.Future[Any], result: object, error: BaseException | None) -> None:
    """Give ``answer`` its result or error, unless it is already done (cancelled, say)."""
    if answer.done():
        return
    if error is None:
        answer.set_result(result)
    else:
        answer.set_exception(error)


def settle_soon(
    loop: asyncio.AbstractEventLoop, answer: asyncio.Future[Any], done: concurrent.futures.Future[Any]
) -> None:
    """From the reading thread: settle ``answer`` with the read's outcome, in the loop's thread."""
    error = done.exception()
    with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits for this answer any more
        loop.call_soon_threadsafe(settle, answer, None if error is not None else done.result(), error)


def _raises_keyboard_interrupt(handler: object) -> bool:
    """Whether a SIGINT handler is Python's own, or asyncio.run's (which cancels the main task)."""
    if handler is signal.default_int_handler:
        return True
    on_sigint = getattr(getattr(asyncio, "Runner", None), "_on_sigint", None)  # Python 3.11+
    if on_sigint is None or not isinstance(handler, functools.partial):
        return False
    return getattr(handler.func, "__func__", None) is on_sigint


@contextlib.contextmanager
def ctrl_c_settles(answer: asyncio.Future[Any]) -> Iterator[None]:
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
        loop.call_soon_threadsafe(settle, answer, None, KeyboardInterrupt())

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
