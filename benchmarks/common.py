"""What every benchmark shares: the messages, the two humans (native and ours), the clocks and the statistics."""

from __future__ import annotations

import contextlib
import gc
import math
import statistics
import time
from collections.abc import Iterator, Sequence
from typing import Any

import autogen

from hitl import TurnContext

#: A large auto-reply limit: the chats end at ``max_turns``, never at a limit.
NO_LIMIT = 1_000_000

_BODY = (
    "I went through the quarterly figures you sent. Revenue in the northern region grew by 4.2 per cent, "
    "while the southern region fell behind by about the same amount, mostly because of supply costs. "
    "Next I will compare the staffing levels and the marketing budget, which both moved last quarter, "
    "and then draft the summary table for the board."
)


def script(rounds: int) -> list[str]:
    """``rounds`` distinct assistant messages of about 330 characters each, as an LLM would send them."""
    return [f"Step {n:05d} of the analysis. {_BODY}" for n in range(rounds)]


MESSAGE_CHARS = len(script(1)[0])


class NativeHuman(autogen.UserProxyAgent):  # type: ignore[misc]  # AutoGen ships no type information
    """``autogen.UserProxyAgent`` whose human always presses Enter, recorded as native ``get_human_input`` does."""

    def get_human_input(self, prompt: str, **kwargs: Any) -> str:
        reply = ""
        process = getattr(self, "_process_human_input", None)  # AG2 runs its human-input hooks here
        if process is not None:
            reply = process(reply)
        self._human_input.append(reply)
        return reply


class Enter:
    """Our human that always presses Enter: as little work as the native one's."""

    def ask(self, prompt: str, context: TurnContext) -> str:
        return ""


class _Silent:
    """An AutoGen IOStream that drops what it is given, as a console would once printed: nothing accumulates."""

    def print(self, *objects: Any, sep: str = " ", end: str = "\n", flush: bool = False) -> None:
        pass

    def send(self, message: Any) -> None:
        pass

    def input(self, prompt: str = "", *, password: bool = False) -> str:
        raise RuntimeError(f"the console was asked {prompt!r} during a benchmark")


@contextlib.contextmanager
def silent() -> Iterator[None]:
    """AutoGen prints nothing inside the block (hitl.testing.quiet() would keep every event: memory and time)."""
    from autogen.io.base import IOStream

    with IOStream.set_default(_Silent()):
        yield


class Collections:
    """The garbage collector's runs while ``watching()``: how many, how many of them full, and their time."""

    def __init__(self) -> None:
        self.runs = 0
        self.full = 0
        self.ns = 0
        self._started = 0

    def _note(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter_ns()
            return
        self.ns += time.perf_counter_ns() - self._started
        self.runs += 1
        self.full += info["generation"] == 2

    @contextlib.contextmanager
    def watching(self) -> Iterator[Collections]:
        gc.callbacks.append(self._note)
        try:
            yield self
        finally:
            gc.callbacks.remove(self._note)


def cpu_ns() -> int:
    """This thread's CPU time: what the work costs, without the time other processes took the core."""
    return time.thread_time_ns()


def wall_ns() -> int:
    """Elapsed time, for comparison: on a shared machine it also counts other processes' turns."""
    return time.perf_counter_ns()


def summary(values: Sequence[float], digits: int = 3) -> dict[str, Any]:
    """The median, quartiles, extremes and a distribution-free 95% confidence interval of the median."""
    ordered = sorted(values)
    n = len(ordered)
    if n == 0:
        raise ValueError("no values to summarise")
    q1, q3 = (statistics.quantiles(ordered, n=4, method="inclusive")[i] for i in (0, 2)) if n > 1 else (ordered[0],) * 2
    # The ranks around the median that cover it with 95% probability (binomial, normal approximation).
    half = 1.96 * math.sqrt(n) / 2
    low = ordered[max(0, math.floor(n / 2 - half) - 1)] if n >= 6 else ordered[0]
    high = ordered[min(n - 1, math.ceil(n / 2 + half))] if n >= 6 else ordered[-1]
    return {
        "median": round(statistics.median(ordered), digits),
        "q1": round(q1, digits),
        "q3": round(q3, digits),
        "min": round(ordered[0], digits),
        "max": round(ordered[-1], digits),
        "ci95": [round(low, digits), round(high, digits)],
        "n": n,
    }


def percentile(ordered: Sequence[float], fraction: float) -> float:
    """The value below which ``fraction`` of the (sorted) values lie: nearest rank."""
    return ordered[min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))]
