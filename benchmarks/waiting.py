"""Humans who answer later: thousands of async conversations waiting at once, answered from another thread.

Each conversation is a real ``a_initiate_chat``: the proxy sends "go", the assistant replies, and the
proxy asks its human (policy ``Always()``, or native ``"ALWAYS"``), then waits. When all of them wait
(``conversations`` plus ``TRICKLE_ANSWERS`` more), a thread answers them, as a web handler would: first a
trickle, ``TRICKLE_ANSWERS`` answers one at a time, far enough apart that each conversation goes on before
the next answer comes, while all the others keep waiting; then a burst, the other ``conversations`` all at
once in a random order. The answer is ``""`` (approve: the chat goes on; the proxy's reply reaches the
assistant, which answers it) or ``"exit"`` (the chat ends). Answer-to-resume is the time from just before
``answer()`` to the conversation's next step: the assistant receiving the proxy's reply (approve), or
``a_initiate_chat`` returning (exit). In a burst, it includes waiting for the conversations resumed before.

hitl asks through one ``QueueInput`` (a view a conversation) and is answered with ``answer(id, text)``.
Native is ``autogen.UserProxyAgent`` whose ``a_get_human_input`` awaits a plain asyncio future of its loop,
answered with ``loop.call_soon_threadsafe(future.set_result, text)``: the least any queue can do.
The garbage collector is on throughout.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import random
import threading
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import autogen
from common import NO_LIMIT, Collections, percentile, silent, summary

from hitl import Always, PolicyUserProxy, QueueInput, TurnContext
from hitl.testing import ScriptedAssistant

#: The gap between two answers of a trickle, and how many answers it measures.
TRICKLE_SECONDS = 0.005
TRICKLE_ANSWERS = 200


class _Assistant(ScriptedAssistant):
    """Notes when the proxy's reply to the human's approval reaches it: the chat went on."""

    def __init__(self, key: int, resumed: dict[int, float]) -> None:
        super().__init__(f"assistant{key}", ["Please review this step.", "Next step done."], on_exhausted="stop")
        self._key = key
        self._resumed = resumed
        self._received = 0

    async def a_receive(self, *args: Any, **kwargs: Any) -> Any:
        self._received += 1
        if self._received == 2:  # "go", then the reply the approval let through
            self._resumed[self._key] = time.perf_counter()
        return await super().a_receive(*args, **kwargs)


class _NativeWaiting(autogen.UserProxyAgent):  # type: ignore[misc]  # AutoGen ships no type information
    """A native proxy whose human answers through a plain asyncio future."""

    def __init__(self, key: int, waiting: dict[int, asyncio.Future[str]]) -> None:
        super().__init__(
            f"user{key}", human_input_mode="ALWAYS", max_consecutive_auto_reply=NO_LIMIT, code_execution_config=False
        )
        self._key = key
        self._waiting = waiting
        # a_generate_reply runs the sync human-reply check as well, after the async one lets an approval
        # through, and that one would ask again (on the console). hitl leaves it out; so does this baseline.
        sync_check = autogen.ConversableAgent.check_termination_and_human_reply
        funcs = self._reply_func_list  # type: ignore[has-type]  # AutoGen's, untyped
        self._reply_func_list = [f for f in funcs if f["reply_func"] is not sync_check]

    async def a_get_human_input(self, prompt: str, **kwargs: Any) -> str:
        future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._waiting[self._key] = future
        reply = await future
        process = getattr(self, "_process_human_input", None)
        if process is not None:
            reply = process(reply)
        self._human_input.append(reply)
        return reply


def _answer(
    items: list[tuple[int, Callable[[], object]]], interval: float, answered: dict[int, float]
) -> Callable[[], object]:
    """A human who answers ``items`` in order: ``interval`` seconds apart, or all at once."""

    def human() -> None:
        for key, answer in items:
            if interval:
                time.sleep(interval)
            answered[key] = time.perf_counter()
            answer()

    return human


def _latencies(
    keys: list[int], answered: dict[int, float], resumed: dict[int, float], drained: float | None
) -> dict[str, float]:
    latencies = sorted((resumed[key] - answered[key]) * 1e3 for key in keys)
    result = {"p50_ms": percentile(latencies, 0.5), "p99_ms": percentile(latencies, 0.99), "max_ms": latencies[-1]}
    if drained is not None:
        result["drain_ms"] = drained * 1e3  # from the first answer until every conversation has gone on
    return result


async def _scenario(
    side: str, conversations: int, text: str, trickled: int, rng: random.Random
) -> dict[str, dict[str, float]]:
    loop = asyncio.get_running_loop()
    resumed: dict[int, float] = {}
    answered: dict[int, float] = {}
    hub = QueueInput()
    waiting: dict[int, asyncio.Future[str]] = {}
    population = conversations + trickled

    async def conversation(key: int) -> None:
        proxy: Any
        if side == "hitl":
            proxy = PolicyUserProxy(
                f"user{key}",
                policy=Always(),
                human_input=hub.for_conversation(str(key)),
                max_consecutive_auto_reply=NO_LIMIT,
                code_execution_config=False,
            )
        else:
            proxy = _NativeWaiting(key, waiting)
        await proxy.a_initiate_chat(_Assistant(key, resumed), message="go", max_turns=2, silent=True)
        if text == "exit":
            resumed[key] = time.perf_counter()

    tasks = {key: asyncio.create_task(conversation(key)) for key in range(population)}

    def count() -> int:
        return len(hub.pending()) if side == "hitl" else len(waiting)

    deadline = time.monotonic() + 900
    while count() < population:
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {count()} of {population} {side} conversations are waiting")
        await asyncio.sleep(0.01)
    items: list[tuple[int, Callable[[], object]]]
    if side == "hitl":
        items = [(int(str(q.conversation)), functools.partial(hub.answer, q.id, text)) for q in hub.pending()]
    else:
        items = [
            (key, functools.partial(loop.call_soon_threadsafe, future.set_result, text))
            for key, future in waiting.items()
        ]
    rng.shuffle(items)
    trickle, burst = items[:trickled], items[trickled:]
    result = {}
    for phase, part, interval in (("trickle", trickle, TRICKLE_SECONDS), ("burst", burst, 0.0)):
        gc.collect()  # what came before is not this phase's garbage to collect; the collector stays on
        human = threading.Thread(target=_answer(part, interval, answered))
        with Collections().watching() as collections:
            started = time.perf_counter()
            human.start()
            keys = [key for key, _ in part]
            await asyncio.gather(*(tasks[key] for key in keys))
            drained = time.perf_counter() - started
        human.join()
        result[phase] = _latencies(keys, answered, resumed, None if interval else drained)
        result[phase]["gc_ms"] = collections.ns / 1e6  # the collector's share of it, and its full collections
        result[phase]["gc_full"] = collections.full
    return result


def bench_waiting(plan: dict[int, int], trickled: int = TRICKLE_ANSWERS, seed: int = 5) -> list[dict[str, Any]]:
    """Answer-to-resume, trickled and in a burst, for each number of waiting conversations (``{count: runs}``)."""
    rng = random.Random(seed)
    rows = []
    for conversations, repeat in sorted(plan.items()):
        for text, meaning in (("", "approve"), ("exit", "exit")):
            runs: dict[str, list[dict[str, dict[str, float]]]] = {"native": [], "hitl": []}
            for _ in range(repeat):
                for side in rng.sample(["native", "hitl"], 2):
                    with silent():
                        runs[side].append(asyncio.run(_scenario(side, conversations, text, trickled, rng)))
                    gc.collect()
            for phase in ("trickle", "burst"):
                answers = trickled if phase == "trickle" else conversations
                row: dict[str, Any] = {
                    "benchmark": f"{conversations:,} waiting, {meaning} ({text!r}), {phase} of {answers:,}",
                    "kind": "latency",
                    "conversations": conversations,
                    "answer": meaning,
                    "delivery": phase,
                    "answers": answers,
                    "runs": repeat,
                }
                for side, results in runs.items():
                    row[side] = {key: summary([r[phase][key] for r in results], 2) for key in results[0][phase]}
                for key in ("p50_ms", "p99_ms", "drain_ms"):
                    if key in row["hitl"]:
                        ratio = row["hitl"][key]["median"] / row["native"][key]["median"]
                        row[key.replace("_ms", "_ratio")] = round(ratio, 2)
                rows.append(row)
    return rows


async def _provider(side: str, conversations: int) -> dict[str, float]:
    """Only the waiting: ``QueueInput.a_ask`` against a bare loop future, answered in a burst from a thread."""
    loop = asyncio.get_running_loop()
    inbox = QueueInput()
    futures: list[asyncio.Future[str]] = []
    resumed: dict[int, float] = {}
    answered: dict[int, float] = {}
    ctx = TurnContext("Please review this step.")

    async def wait(key: int) -> None:
        if side == "hitl":
            await inbox.a_ask("?", ctx)
        else:
            future = loop.create_future()
            futures.append(future)
            await future
        resumed[key] = time.perf_counter()

    tasks = [asyncio.create_task(wait(key)) for key in range(conversations)]
    await asyncio.sleep(0)
    items: list[tuple[int, Callable[[], object]]]
    if side == "hitl":
        items = [(key, functools.partial(inbox.answer, q.id, "")) for key, q in enumerate(inbox.pending())]
    else:
        items = [(key, functools.partial(loop.call_soon_threadsafe, f.set_result, "")) for key, f in enumerate(futures)]
    gc.collect()
    human = threading.Thread(target=_answer(items, 0.0, answered))
    started = time.perf_counter()
    human.start()
    await asyncio.gather(*tasks)
    drained = time.perf_counter() - started
    human.join()
    return _latencies(list(answered), answered, resumed, drained)


def bench_provider(conversations: int, repeat: int, seed: int = 6) -> list[dict[str, Any]]:
    """The queue alone, without the chats: what the answer's way to the waiting task costs."""
    rng = random.Random(seed)
    runs: dict[str, list[dict[str, float]]] = {"native": [], "hitl": []}
    for _ in range(repeat):
        for side in rng.sample(["native", "hitl"], 2):
            runs[side].append(asyncio.run(_provider(side, conversations)))
    row: dict[str, Any] = {
        "benchmark": f"{conversations:,} tasks in QueueInput.a_ask vs on bare loop futures, burst from a thread",
        "kind": "latency",
        "conversations": conversations,
        "runs": repeat,
    }
    for side, results in runs.items():
        row[side] = {key: summary([r[key] for r in results], 2) for key in results[0]}
    for key in ("p50_ms", "p99_ms", "drain_ms"):
        row[key.replace("_ms", "_ratio")] = round(row["hitl"][key]["median"] / row["native"][key]["median"], 2)
    return [row]


def bench_waiting_memory(conversations: int) -> list[dict[str, Any]]:
    """Memory a waiting conversation holds (both agents, the history so far, the open question)."""
    result: dict[str, float] = {}

    async def measure(side: str) -> float:
        hub = QueueInput()
        waiting: dict[int, asyncio.Future[str]] = {}
        gc.collect()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            tasks = []
            for key in range(conversations):
                proxy: Any = (
                    PolicyUserProxy(
                        f"user{key}",
                        policy=Always(),
                        human_input=hub.for_conversation(str(key)),
                        code_execution_config=False,
                    )
                    if side == "hitl"
                    else _NativeWaiting(key, waiting)
                )
                chat = proxy.a_initiate_chat(_Assistant(key, {}), message="go", max_turns=2, silent=True)
                tasks.append(asyncio.create_task(chat))
            while (len(hub.pending()) if side == "hitl" else len(waiting)) < conversations:
                await asyncio.sleep(0.01)
            gc.collect()
            grown = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        return grown / conversations

    with silent():
        for side in ("native", "hitl"):
            result[side] = asyncio.run(measure(side))
    return [
        {
            "benchmark": f"memory per waiting conversation ({conversations:,} waiting)",
            "kind": "memory",
            "native_kib": round(result["native"] / 1024, 1),
            "hitl_kib": round(result["hitl"] / 1024, 1),
            "ratio": round(result["hitl"] / result["native"], 2),
        }
    ]
