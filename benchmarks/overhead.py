"""Where hitl's per-round cost goes: a sampling profile of the same chats the benchmark runs.

    python benchmarks/overhead.py                  # Always() at 1,000 rounds
    python benchmarks/overhead.py TERMINATE 3000   # a mode and a chat length
    python benchmarks/overhead.py GATED 1000       # Terminate() | ApproveCode() | ApproveTools(), code execution on
    python benchmarks/overhead.py AUDIT 1000       # Terminate() with a JsonlAudit

Every ``INTERVAL`` seconds of CPU, a signal notes where the chat is. A sample counts for hitl when, walking
out from the running frame, a hitl function comes before any AutoGen one: that is hitl's own work (with
the library code it calls: pydantic, datetime, json). A deterministic profiler (cProfile) cannot do this
job: its cost per call is larger than the functions it would measure.
"""

from __future__ import annotations

import collections
import gc
import signal
import sys
import tempfile
from pathlib import Path
from types import FrameType
from typing import Any

from chats import GATED, MODES, native, ours
from common import NO_LIMIT, cpu_ns, script, silent

from hitl.testing import ScriptedAssistant

INTERVAL = 0.0002
HITL = str(Path(__file__).resolve().parent.parent / "hitl")
SHARED = (f"{HITL}/testing",)  # the scripted assistant: both sides run it


def _where(frame: FrameType | None) -> str:
    while frame is not None:
        filename = frame.f_code.co_filename
        if filename.startswith(HITL) and not filename.startswith(SHARED):
            return f"hitl/{filename[len(HITL) + 1 :]}:{frame.f_code.co_name}"
        if "/autogen/" in filename or filename.startswith(SHARED):
            return "AutoGen (and the scripted assistant)"
        frame = frame.f_back
    return "other"


def _chat(spec: Any, rounds: int, profiled: bool) -> int:
    """Run one chat as the benchmark does; return its CPU nanoseconds."""
    with tempfile.TemporaryDirectory() as work_dir:
        return _timed_chat(spec.build(work_dir), spec.kind, rounds, profiled)


def _timed_chat(proxy: Any, kind: str, rounds: int, profiled: bool) -> int:
    assistant = ScriptedAssistant("assistant", script(rounds), max_consecutive_auto_reply=NO_LIMIT)
    gc.collect()
    started = cpu_ns()
    if profiled:
        signal.setitimer(signal.ITIMER_PROF, INTERVAL, INTERVAL)
    try:
        proxy.initiate_chat(assistant, message="go", max_turns=rounds, silent=True)
        if kind == "hitl":
            proxy.decisions  # noqa: B018  # as the benchmark does
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0, 0)
    return cpu_ns() - started


def sample(spec: Any, rounds: int, chats: int) -> tuple[collections.Counter[str], float]:
    """Samples by place, over ``chats`` chats (after one that warms up); and a round's CPU microseconds."""
    counts: collections.Counter[str] = collections.Counter()

    def note(signum: int, frame: FrameType | None) -> None:
        counts[_where(frame)] += 1

    previous = signal.signal(signal.SIGPROF, note)
    try:
        with silent():
            _chat(spec, rounds, profiled=False)
            spent = sum(_chat(spec, rounds, profiled=True) for _ in range(chats))
    finally:
        signal.signal(signal.SIGPROF, previous)
    return counts, spent / 1e3 / (rounds * chats)


def main(argv: list[str]) -> int:
    mode = argv[0] if argv else "ALWAYS"
    rounds = int(argv[1]) if len(argv) > 1 else 1_000
    chats = max(2, 20_000 // rounds)  # the kernel may deliver the signal only every few milliseconds
    if mode == "GATED":
        base, mine = native("TERMINATE", code_execution=True), ours(GATED, "TERMINATE", code_execution=True)
    elif mode == "AUDIT":
        base, mine = native("TERMINATE"), ours(MODES["TERMINATE"], "TERMINATE", audit=True)
    else:
        base, mine = native(mode), ours(MODES[mode], mode)
    _, native_us = sample(base, rounds, chats)
    counts, hitl_us = sample(mine, rounds, chats)
    total = sum(counts.values())
    print(f"{mine.name} against {base.name}, {rounds:,} rounds, {chats} chats each; {total:,} samples of hitl")
    print(f"CPU per round, profiled: native {native_us:.1f} µs, hitl {hitl_us:.1f} µs ({hitl_us - native_us:+.1f} µs)")
    print("hitl's own work per round, by function (with what it calls outside AutoGen):")
    own = 0.0
    for place, count in counts.most_common():
        if place.startswith("hitl/"):
            share = count / total * hitl_us
            own += share
            if share >= 0.05:
                print(f"  {share:6.2f} µs  {place}")
    print(f"  {own:6.2f} µs  in all ({own / hitl_us:.1%} of a hitl round)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
