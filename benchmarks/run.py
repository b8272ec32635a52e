"""hitl benchmarks: what hitl adds to the chats users run, and how fast a waiting human's answer gets through.

    python benchmarks/run.py            # the full suite (about 8 minutes on 2 shared cores); writes
                                        # benchmarks/results-<autogen>-<version>.json and the chart
                                        # docs/benchmarks/cost-<autogen>-<version>.png (with matplotlib)
    python benchmarks/run.py --quick    # a smoke run with tiny sizes (CI runs it; its numbers mean nothing)
    python benchmarks/run.py --only chats,waiting    # some sections only

Sections:

  chats     whole chats, native AutoGen against hitl, at 100, 1,000 and 3,000 rounds: Never, Terminate and
            Always; a composed policy with approval gates; JsonlAudit on. Two chats at a time in lockstep,
            in two worker processes, timed by CPU clock, the garbage collector on (see lockstep.py).
  memory    memory a message adds, native against hitl (history plus decision records).
  audit     what one JsonlAudit line costs, flushed (the default) against buffered.
  micro     one decide() on a long chat's context; simulate(); import hitl.
  waiting   1,000 and 10,000 async conversations waiting on a QueueInput, answered from a thread, trickled
            and in a burst, approving and stopping: answer-to-resume against native asyncio futures.
  durable   durable conversations: start to the stored question, resume after 1, 10 and 50 answers, the
            journal's bytes per message, 10,000 conversations waiting in one SQLite file.

Every figure is the median of interleaved runs, with its spread; the table says each target's PASS or
FAIL, and asserts nothing. Ratios compare two things measured together, so they travel between machines;
absolute times describe this one.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

import chats
import micro
import report
import waiting
from lockstep import Lockstep

from hitl.adapters.autogen.compat import AUTOGEN_DISTRIBUTION, AUTOGEN_VERSION

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = ("chats", "memory", "audit", "micro", "waiting", "durable")

FULL: dict[str, Any] = {
    "lengths": {100: 40, 1_000: 20, 3_000: 12},  # rounds: pairs (4 a hash seed, see lockstep.py)
    "block": 100,  # the longest chats in blocks of this many rounds, for the chart
    "gate": (1_000, 20),
    "audit": (1_000, 20),
    "audit_write": (2_000, 15),  # records, runs
    "memory": (500, 1_500, 3),  # short and long chat, runs
    "decisions": (20_000, 15),  # calls a run, runs
    "simulate": 7,
    "import": 9,
    "waiting": {1_000: 3, 10_000: 1},  # conversations: runs
    "trickled": 200,
    "provider": (10_000, 5),
    "waiting_memory": 1_000,
    "durable": ([1, 10, 50], 5),  # answers before a resume; runs
    "durable_waiting": 10_000,
}
QUICK: dict[str, Any] = {
    "lengths": {20: 1, 40: 1},
    "block": 10,
    "gate": (30, 1),
    "audit": (30, 1),
    "audit_write": (100, 2),
    "memory": (10, 30, 1),
    "decisions": (500, 2),
    "simulate": 1,
    "import": 1,
    "waiting": {50: 1},
    "trickled": 10,
    "provider": (500, 1),
    "waiting_memory": 20,
    "durable": ([1, 3], 1),
    "durable_waiting": 50,
}


def run(
    plan: dict[str, Any], only: set[str], seed: int, about: dict[str, Any]
) -> tuple[dict[str, list[dict[str, Any]]], dict[str, Any]]:
    rng = random.Random(seed)
    sections: dict[str, list[dict[str, Any]]] = {}
    curves: dict[str, Any] = {}
    if "chats" in only:
        chats.native_agent_sanity()
        with Lockstep() as runner:
            report.progress(f"chats: Never, Terminate, Always at {plan['lengths']} (rounds: pairs)")
            sections["chats"], curves = chats.bench_modes(runner, plan["lengths"], rng, plan["block"])
            report.progress("chats: approval gates")
            rounds, pairs = plan["gate"]
            sections["chats"] += chats.bench_gate(runner, rounds, pairs, rng)
            report.progress("chats: JsonlAudit")
            rounds, pairs = plan["audit"]
            sections["chats"] += chats.bench_audit(runner, rounds, pairs, rng)
        about["hash_seeds"] = len(runner.hash_seeds)
    if "memory" in only:
        report.progress("memory per message")
        sections["memory"] = chats.bench_memory(*plan["memory"])
    if "audit" in only:
        report.progress("JsonlAudit lines")
        sections["audit"] = chats.bench_audit_write(*plan["audit_write"])
    if "micro" in only:
        report.progress("decide(), simulate(), import")
        sections["micro"] = (
            micro.bench_decisions(*plan["decisions"])
            + micro.bench_simulate(plan["simulate"])
            + micro.bench_import(plan["import"])
        )
    if "waiting" in only:
        report.progress(f"waiting humans: {plan['waiting']} (conversations: runs)")
        sections["waiting"] = (
            waiting.bench_provider(*plan["provider"])
            + waiting.bench_waiting(plan["waiting"], plan["trickled"])
            + waiting.bench_waiting_memory(plan["waiting_memory"])
        )
    if "durable" in only:
        report.progress(
            f"durable conversations: resumes after {plan['durable'][0]} answers, {plan['durable_waiting']:,} waiting"
        )
        import durable  # here: importing hitl.durable puts its journal into AutoGen, which the chats must not pay

        sections["durable"] = durable.bench_suspend_resume(*plan["durable"]) + durable.bench_waiting(
            plan["durable_waiting"]
        )
    return sections, curves


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: checks the suite runs, not the numbers")
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated sections of {', '.join(SECTIONS)}")
    parser.add_argument("--json", type=Path, default=None, help="where to write the results (default: see above)")
    parser.add_argument("--chart", type=Path, default=None, help="where to draw the chart (default: see above)")
    parser.add_argument("--seed", type=int, default=2026, help="seeds the random order of the runs")
    args = parser.parse_args(argv)
    only = {name.strip() for name in args.only.split(",") if name.strip()}
    if unknown := only - set(SECTIONS):
        parser.error(f"unknown sections {sorted(unknown)}; choose from {', '.join(SECTIONS)}")
    whole = only == set(SECTIONS) and not args.quick  # only a full run replaces the published results
    line = f"{AUTOGEN_DISTRIBUTION}-{AUTOGEN_VERSION}"
    json_path = args.json or (ROOT / "benchmarks" / f"results-{line}.json" if whole else None)
    chart_path = args.chart or (ROOT / "docs" / "benchmarks" / f"cost-{line}.png" if whole else None)

    started = time.monotonic()
    about = report.machine()
    sections, curves = run(QUICK if args.quick else FULL, only, args.seed, about)
    about["load_average_at_end"] = report.machine()["load_average"]
    about["minutes"] = round((time.monotonic() - started) / 60, 1)

    print()
    print(report.markdown(sections, about))
    missed = [row["benchmark"] for rows in sections.values() for row in rows if row.get("met") is False]
    print(f"\ntargets missed: {len(missed)}{' (quick mode: the numbers mean nothing)' if args.quick else ''}")
    for name in missed:
        print(f"  {name}")
    print(
        f"took {about['minutes']} minutes; load average {about['load_average']} at the start, "
        f"{about['load_average_at_end']} at the end"
    )
    if json_path is not None:
        command = "python benchmarks/run.py" + (f" {' '.join(sys.argv[1:])}" if len(sys.argv) > 1 else "")
        results = {"machine": about, "command": command, "quick": args.quick, **sections, "curves": curves}
        json_path.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"results written: {json_path}")
    if chart_path is not None and curves:
        print(report.chart(curves, about, chart_path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
