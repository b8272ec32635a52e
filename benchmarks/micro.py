"""Small costs, in isolation: one decision, ``simulate()``, and ``import hitl``. The collector stays on."""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import time
import timeit
from typing import Any

from common import NO_LIMIT, script, summary

from hitl import (
    Always,
    ApproveCode,
    ApproveTools,
    InputPolicy,
    Never,
    PolicyUserProxy,
    Terminate,
    TurnContext,
    When,
)
from hitl.core.conditions import FromSender, LongerThan, asks_question, has_code_block
from hitl.testing import code_block, simulate

#: Where a decision is taken: late in a long chat, as the proxy sees it.
HISTORY = 1_000

COMPOSED: InputPolicy = (
    Terminate() | When(has_code_block) | (When(asks_question) & ~When(FromSender("tester"))) | ApproveTools("deploy")
)
# Or > And > Not > Or > And > Not, five operators below the top; on the benchmark's message every leaf is evaluated.
NESTED: InputPolicy = Terminate() | (
    When(asks_question) & ~(When(has_code_block) | (When(FromSender("assistant")) & ~When(LongerThan(400))))
)
GATED: InputPolicy = Terminate() | ApproveCode() | ApproveTools()


def _history() -> list[dict[str, Any]]:
    """A chat ``HISTORY`` messages long, as the proxy holds it, ending with a question from the assistant."""
    messages: list[dict[str, Any]] = []
    for n, text in enumerate(script(HISTORY // 2)):
        messages.append({"content": text, "role": "user", "name": "assistant"})
        messages.append({"content": "" if n % 3 else "Go on.", "role": "assistant", "name": "user"})
    messages[-1] = {"content": script(1)[0] + " Shall I go on?", "role": "user", "name": "assistant"}
    return messages


def bench_decisions(number: int, repeat: int) -> list[dict[str, Any]]:
    """One decision, on the context the proxy builds: a long history, and ``is_termination`` as its callable.

    The proxy builds a fresh TurnContext for every message, and ``is_termination`` is evaluated on first use
    and kept, so each call builds one; its cost is reported beside, and subtracted.
    """
    history = _history()
    proxy = PolicyUserProxy("user", policy=Never(), max_consecutive_auto_reply=NO_LIMIT, code_execution_config=False)
    is_termination = proxy._is_termination_msg  # AutoGen's default check, as the proxy passes it
    message = history[-1]

    def build() -> TurnContext:
        return TurnContext(
            message,
            messages=history,
            sender="assistant",
            recipient="user",
            auto_replies=3,
            auto_reply_limit=NO_LIMIT,
            is_termination=is_termination,
        )

    rows = []
    policies: list[tuple[InputPolicy, float]] = [
        (Never(), 2.0),
        (Terminate(), 2.0),
        (Always(), 2.0),
        (When(has_code_block), 2.0),
        (GATED, 10.0),
        (COMPOSED, 10.0),
        (NESTED, 10.0),
    ]
    building = timeit.Timer(build, setup="gc.enable()")
    for policy, target in policies:
        decide = policy.decide
        deciding = timeit.Timer(lambda decide=decide: decide(build()), setup="gc.enable()")  # type: ignore[misc]
        built: list[float] = []
        decided: list[float] = []
        for _ in range(repeat):  # interleaved, so both see the same moments of the machine
            for timer, times in random.sample([(building, built), (deciding, decided)], 2):
                times.append(timer.timeit(number) / number * 1e6)
        costs = [d - b for d, b in zip(decided, built, strict=True)]
        cost = summary(costs, 3)
        rows.append(
            {
                "benchmark": f"decide(): {policy!r}",
                "kind": "cost",
                "us_per_decision": cost,
                "us_to_build_the_context": summary(built, 3)["median"],
                "target": f"<= {target:g} us",
                "met": cost["median"] <= target,
            }
        )
    return rows


def bench_simulate(repeat: int) -> list[dict[str, Any]]:
    """``simulate()``: decisions per second over a recorded conversation."""
    recorded = []
    for n in range(60):
        recorded.append(f"Step {n}: working on it.")
        if n % 7 == 3:
            recorded.append(code_block(f"print({n})"))
        if n % 11 == 5:
            recorded.append("Should I continue with the next part?")
    recorded.append("All done. TERMINATE")
    policy = Terminate() | When(has_code_block)
    rates = []
    for _ in range(repeat):
        started = time.perf_counter()
        decided = sum(len(simulate(policy, recorded, auto_reply_limit=1000)) for _ in range(20))
        rates.append(decided / (time.perf_counter() - started))
    rate = summary(rates, 0)
    return [
        {
            "benchmark": f"simulate() over a {len(recorded)}-message conversation",
            "kind": "rate",
            "decisions_per_second": rate,
            "target": ">= 200000",
            "met": rate["median"] >= 200_000,
        }
    ]


# After importing AutoGen, the collector is due a full pass over its objects (about 90 ms here), which lands
# in whichever import comes next: it is collected first, so that AutoGen's pass is not charged to hitl.
_IMPORT_PROBE = (
    "import gc, time; t0 = time.perf_counter(); import autogen; t1 = time.perf_counter(); gc.collect(); "
    "t2 = time.perf_counter(); import hitl; t3 = time.perf_counter(); print(t1 - t0, t3 - t2)"
)


def bench_import(repeat: int) -> list[dict[str, Any]]:
    """The cost of ``import hitl`` once ``autogen`` is imported, in fresh interpreters."""
    autogen_ms, hitl_ms = [], []
    # As installed packages are imported: from bytecode. A first, untimed run writes it (the environment may
    # say not to, as PYTHONDONTWRITEBYTECODE does; then every import would compile the sources again).
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-c", _IMPORT_PROBE], capture_output=True, text=True, check=True, env=env)
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", _IMPORT_PROBE], capture_output=True, text=True, check=True, env=env)
        first, second = map(float, out.stdout.split())
        autogen_ms.append(first * 1e3)
        hitl_ms.append(second * 1e3)
    extra = summary(hitl_ms, 1)
    return [
        {
            "benchmark": "import hitl beyond import autogen",
            "kind": "cost",
            "autogen_ms": round(statistics.median(autogen_ms), 1),
            "hitl_extra_ms": extra,
            "target": "<= 30 ms",
            "met": extra["median"] <= 30,
        }
    ]
