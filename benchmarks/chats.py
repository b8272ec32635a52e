"""Whole chats, native AutoGen against hitl: per-round cost at several chat lengths, gates, audit, memory.

Every chat is the same scripted conversation: the proxy sends "go", then ``rounds`` times the assistant
replies with a distinct message of about 330 characters and the proxy answers it (``max_turns=rounds``); no
auto-reply limit binds. Native is ``autogen.UserProxyAgent`` in the matching ``human_input_mode`` whose human
presses Enter; hitl is ``PolicyUserProxy`` with the matching policy and a provider that returns "". A hitl
chat's timing ends after ``proxy.decisions`` is read, so its decision records are built (and paid for).

The two chats of a pair run in lockstep (see ``lockstep.py``), the garbage collector on; the figure that
counts is the median of the per-pair ratios of CPU time, with its spread.
"""

from __future__ import annotations

import gc
import os
import random
import tempfile
import timeit
import tracemalloc
from pathlib import Path
from typing import Any

from common import MESSAGE_CHARS, NO_LIMIT, Enter, NativeHuman, script, silent, summary
from lockstep import ArmSpec, Lockstep, Sample

from hitl import Always, ApproveCode, ApproveTools, InputPolicy, Never, PolicyUserProxy, Terminate
from hitl.stores.audit import JsonlAudit
from hitl.testing import ScriptedAssistant

#: Native ``human_input_mode`` and the hitl policy that does the same.
MODES: dict[str, InputPolicy] = {"NEVER": Never(), "TERMINATE": Terminate(), "ALWAYS": Always()}
GATED: InputPolicy = Terminate() | ApproveCode() | ApproveTools()

#: Per-round cost is drawn in blocks of this many rounds.
BLOCK = 100


def native(mode: str, **options: Any) -> ArmSpec:
    return ArmSpec(f"native {mode}", "native", mode, **options)


def ours(policy: InputPolicy, mode: str, **options: Any) -> ArmSpec:
    suffix = " + JsonlAudit" if options.get("audit") else ""
    return ArmSpec(f"hitl {policy!r}{suffix}", "hitl", mode, policy, **options)


def ratio_row(
    benchmark: str, base: list[Sample], other: list[Sample], rounds: int, target: float, **extra: Any
) -> dict[str, Any]:
    ratio = summary([o.cpu_ns / b.cpu_ns for o, b in zip(other, base, strict=True)])
    return {
        "benchmark": benchmark,
        "kind": "ratio",
        "rounds": rounds,
        "pairs": len(base),
        "native_us_per_round": summary([s.cpu_ns / rounds / 1e3 for s in base], 1)["median"],
        "hitl_us_per_round": summary([s.cpu_ns / rounds / 1e3 for s in other], 1)["median"],
        "ratio": ratio,
        **extra,
        "target": f"<= {target:g}",
        "met": ratio["median"] <= target,
    }


def blocks(sample: Sample, block: int) -> list[float]:
    """Microseconds of CPU per round in each block of ``block`` rounds (from the stamps at each round's start)."""
    stamps = sample.stamps
    return [(stamps[end] - stamps[end - block]) / block / 1e3 for end in range(block, len(stamps), block)]


def growth(samples: list[Sample], block: int) -> dict[str, Any]:
    """A round's cost at the end of a chat over one near its start (the second block: the first warms up)."""
    return summary([b[-1] / b[1] for b in (blocks(sample, block) for sample in samples)])


def bench_modes(
    runner: Lockstep, lengths: dict[int, int], rng: random.Random, block: int = BLOCK
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Never, Terminate and Always against NEVER, TERMINATE and ALWAYS, at each chat length: ``{rounds: pairs}``.

    The longest chats are also cut into blocks of ``block`` rounds, to see a round's cost as the chat grows.
    """
    rows: list[dict[str, Any]] = []
    curves: dict[str, Any] = {"block_rounds": block, "modes": {}}
    longest = max(lengths)
    for mode, policy in MODES.items():
        base, mine = native(mode), ours(policy, mode)
        curve: dict[str, Any] = {"native": base.name, "hitl": mine.name, "lengths": {}, "blocks": {}}
        for rounds, pairs in sorted(lengths.items()):
            samples = runner.compare((base, mine), rounds, pairs, rng)
            name = f"{policy!r} vs {mode}, {rounds:,} rounds"
            rows.append(ratio_row(name, samples[base.name], samples[mine.name], rounds, 1.02))
            if rounds == longest and rounds >= 3 * block:
                last = len(blocks(samples[base.name][0], block)) * block
                late, early = f"{last - block:,}-{last:,}", f"{block}-{2 * block}"
                rows.append(
                    {
                        "benchmark": f"{name}: a round's cost in rounds {late} over rounds {early}",
                        "kind": "growth",
                        "native": growth(samples[base.name], block),
                        "hitl": growth(samples[mine.name], block),
                    }
                )
                for arm in (base, mine):
                    per_block = zip(*(blocks(sample, block) for sample in samples[arm.name]), strict=True)
                    curve["blocks"][arm.name] = [summary(values, 1) for values in per_block]
            for arm in (base, mine):
                per_round = [s.cpu_ns / rounds / 1e3 for s in samples[arm.name]]
                curve["lengths"].setdefault(arm.name, {})[rounds] = summary(per_round, 1)
        curves["modes"][mode] = curve
    return rows, curves


def bench_gate(runner: Lockstep, rounds: int, pairs: int, rng: random.Random) -> list[dict[str, Any]]:
    """A composed policy with approval gates, code execution on (the case a gate is for), against TERMINATE."""
    base, mine = native("TERMINATE", code_execution=True), ours(GATED, "TERMINATE", code_execution=True)
    samples = runner.compare((base, mine), rounds, pairs, rng)
    name = f"{GATED!r} vs TERMINATE, code execution on, {rounds:,} rounds"
    return [ratio_row(name, samples[base.name], samples[mine.name], rounds, 1.03)]


def bench_audit(runner: Lockstep, rounds: int, pairs: int, rng: random.Random) -> list[dict[str, Any]]:
    """``JsonlAudit`` on (its default: each record written and flushed as one line) against native."""
    base, mine = native("TERMINATE"), ours(Terminate(), "TERMINATE", audit=True)
    samples = runner.compare((base, mine), rounds, pairs, rng)
    name = f"Terminate() + JsonlAudit vs TERMINATE, {rounds:,} rounds"
    return [ratio_row(name, samples[base.name], samples[mine.name], rounds, 1.10)]


def _records(count: int) -> list[Any]:
    """``count`` decision records as a Terminate() proxy makes them, from a real chat."""
    proxy = PolicyUserProxy(
        "user",
        policy=Terminate(),
        max_consecutive_auto_reply=NO_LIMIT,
        human_input=Enter(),
        code_execution_config=False,
    )
    assistant = ScriptedAssistant("assistant", script(count + 1), max_consecutive_auto_reply=NO_LIMIT)
    with silent():
        proxy.initiate_chat(assistant, message="go", max_turns=count + 1, silent=True)
    return list(proxy.decisions)


def bench_audit_write(count: int, repeat: int) -> list[dict[str, Any]]:
    """What one audit line costs: ``JsonlAudit.write`` (a locked, flushed write a record) against a buffered file.

    Both serialise the same records to JSON; the buffered file writes them in 8 KiB chunks instead of one
    ``os.write`` (behind an advisory lock) a record, so the difference is the price of the per-line flush.
    """
    records = _records(count)
    with tempfile.TemporaryDirectory() as folder:
        sink = JsonlAudit(Path(folder) / "audit.jsonl")
        for record in records:  # open the file, and warm the serialiser up, outside the timing
            sink.write(record)

        def audited() -> None:
            for record in records:
                sink.write(record)

        def buffered() -> None:
            with open(Path(folder) / "buffered.jsonl", "ab") as out:
                for record in records:
                    out.write((record.model_dump_json() + "\n").encode("utf-8"))

        timer = {name: timeit.Timer(call, setup="gc.enable()") for name, call in (("a", audited), ("b", buffered))}
        times: dict[str, list[float]] = {"a": [], "b": []}
        for _ in range(repeat):
            for name in random.sample(list(timer), 2):
                times[name].append(timer[name].timeit(1) / count * 1e6)
        size = os.path.getsize(Path(folder) / "audit.jsonl") / ((len(times["a"]) + 1) * count)
    audited_us, buffered_us = summary(times["a"], 2), summary(times["b"], 2)
    return [
        {
            "benchmark": "JsonlAudit.write, per record (the default: one flushed line each)",
            "kind": "cost",
            "us_per_record": audited_us,
            "buffered_us_per_record": buffered_us,
            "flush_us_per_record": round(audited_us["median"] - buffered_us["median"], 2),
            "bytes_per_record": round(size),
        }
    ]


def _retained(spec: ArmSpec, rounds: int, work_dir: str) -> tuple[int, int]:
    """Bytes still allocated after a chat (agents, history, records), and the proxy's history length."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        proxy = spec.build(work_dir)
        assistant = ScriptedAssistant("assistant", script(rounds), max_consecutive_auto_reply=NO_LIMIT)
        proxy.initiate_chat(assistant, message="go", max_turns=rounds, silent=True)
        if spec.kind == "hitl":
            proxy.decisions  # noqa: B018  # build the records: they are kept
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before
        messages = len(proxy.chat_messages[assistant])
    finally:
        tracemalloc.stop()
    return held, messages


def bench_memory(short: int, long: int, repeat: int) -> list[dict[str, Any]]:
    """Memory a message adds: what a ``long``-round chat keeps beyond a ``short`` one, per extra message.

    The difference leaves out what does not grow with the chat (the agents themselves) and keeps what does:
    both agents' histories (the message text counted once), native's list of human inputs, hitl's records.
    The median of ``repeat`` measurements (after one that warms caches up, unless there is only one).
    """
    rows = []
    with silent(), tempfile.TemporaryDirectory() as work_dir:
        for mode, policy in MODES.items():
            per_message: dict[str, list[float]] = {"native": [], "hitl": []}
            arms = [native(mode), ours(policy, mode)]
            for arm in arms if repeat > 1 else ():  # a first chat allocates caches that later ones reuse
                _retained(arm, short, work_dir)
            for _ in range(repeat):
                for arm in random.sample(arms, 2):
                    (small, n_small), (large, n_large) = _retained(arm, short, work_dir), _retained(arm, long, work_dir)
                    per_message[arm.kind].append((large - small) / (n_large - n_small))
            native_bytes = summary(per_message["native"], 0)
            hitl_bytes = summary(per_message["hitl"], 0)
            ratio = hitl_bytes["median"] / native_bytes["median"]
            rows.append(
                {
                    "benchmark": f"memory per message, {policy!r} vs {mode}",
                    "kind": "memory",
                    "rounds": [short, long],
                    "message_chars": MESSAGE_CHARS,
                    "native_bytes_per_message": native_bytes,
                    "hitl_bytes_per_message": hitl_bytes,
                    "ratio": round(ratio, 3),
                    "target": "<= 2",
                    "met": ratio <= 2,
                }
            )
    return rows


def native_agent_sanity() -> None:
    """Fail early if the native baseline does not behave as the comparison assumes (one question a round)."""
    agent = NativeHuman(
        "user", human_input_mode="ALWAYS", max_consecutive_auto_reply=NO_LIMIT, code_execution_config=False
    )
    with silent():
        agent.initiate_chat(ScriptedAssistant("assistant", script(3)), message="go", max_turns=3, silent=True)
    if agent._human_input != ["", ""]:  # asked about the two replies it answered (max_turns=3: not the last)
        raise RuntimeError(f"the native human was asked {agent._human_input!r}")
