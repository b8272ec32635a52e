"""What a run prints and writes: the machine, a table with each figure's spread and its target, and the chart."""

from __future__ import annotations

import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

import hitl
from hitl.adapters.autogen.compat import AUTOGEN_DISTRIBUTION, AUTOGEN_VERSION


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> dict[str, Any]:
    """Where and when the numbers came from (the load average says how busy the machine was)."""
    return {
        "cpu": _cpu_model(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "autogen": f"{AUTOGEN_DISTRIBUTION} {AUTOGEN_VERSION}",
        "hitl": hitl.__version__,
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "load_average": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
    }


def _spread(stats: dict[str, Any], unit: str = "") -> str:
    return f"{stats['median']:g}{unit} [IQR {stats['q1']:g}-{stats['q3']:g}, {stats['min']:g}-{stats['max']:g}]"


def _result(row: dict[str, Any]) -> str:
    met = row.get("met")
    return "" if met is None else ("PASS" if met else "FAIL")


def table_rows(sections: dict[str, list[dict[str, Any]]]) -> list[tuple[str, str, str, str, str, str]]:
    """(benchmark, native, hitl, ratio or cost with spread, target, result) for every row of every section."""
    out = []
    for rows in sections.values():
        for row in rows:
            kind = row.get("kind")
            name, native, ours, figure = row["benchmark"], "", "", ""
            if kind == "ratio":
                native = f"{row['native_us_per_round']:g} µs/round"
                ours = f"{row['hitl_us_per_round']:g} µs/round"
                figure = f"{_spread(row['ratio'])}, {row['pairs']} pairs"
            elif kind == "growth":
                native, ours = _spread(row["native"]), _spread(row["hitl"])
            elif kind == "memory" and "native_kib" in row:
                native, ours, figure = f"{row['native_kib']:g} KiB", f"{row['hitl_kib']:g} KiB", f"{row['ratio']:g}"
            elif kind == "memory":
                native = f"{row['native_bytes_per_message']['median']:,.0f} B/message"
                ours = f"{row['hitl_bytes_per_message']['median']:,.0f} B/message"
                figure = f"{row['ratio']:g}"
            elif kind == "latency":
                native = f"p50 {row['native']['p50_ms']['median']:g} / p99 {row['native']['p99_ms']['median']:g} ms"
                ours = f"p50 {row['hitl']['p50_ms']['median']:g} / p99 {row['hitl']['p99_ms']['median']:g} ms"
                figure = f"p50 x{row['p50_ratio']:g}, p99 x{row['p99_ratio']:g}"
                if "drain_ratio" in row:
                    drain = row["hitl"]["drain_ms"]["median"]
                    figure += f"; all resumed in {drain:g} ms (x{row['drain_ratio']:g})"
                if "gc_ms" in row["hitl"]:
                    collector = (row["hitl"]["gc_ms"]["median"], row["native"]["gc_ms"]["median"])
                    figure += "; collector {:g} ms (native {:g})".format(*collector)
                figure += f"; {row['runs']} run{'s' if row['runs'] > 1 else ''}"
            elif kind == "durable":
                ours = f"{_spread(row['value'])} {row['unit']}"
            elif kind == "capacity":
                ours = f"{row['store_ms_each']:g} ms to store each; {row['file_mib']:g} MiB"
                figure = (
                    f"pending() of all: {row['pending_all_ms']['median']:g} ms; one answer: p50 "
                    f"{row['answer_p50_ms']:g} / p99 {row['answer_p99_ms']:g} ms"
                )
            elif "us_per_decision" in row:
                ours = f"{_spread(row['us_per_decision'])} µs"
                figure = f"context {row['us_to_build_the_context']:g} µs"
            elif "us_per_record" in row:
                ours = f"{_spread(row['us_per_record'])} µs/record"
                figure = (
                    f"buffered writes {row['buffered_us_per_record']['median']:g} µs: the flush costs "
                    f"{row['flush_us_per_record']:g} µs/record ({row['bytes_per_record']} B lines)"
                )
            elif "decisions_per_second" in row:
                ours = f"{row['decisions_per_second']['median']:,.0f} decisions/s"
            elif "hitl_extra_ms" in row:
                native = f"autogen {row['autogen_ms']:g} ms"
                ours = f"{_spread(row['hitl_extra_ms'])} ms"
            out.append((name, native, ours, figure, row.get("target", ""), _result(row)))
    return out


def markdown(sections: dict[str, list[dict[str, Any]]], about: dict[str, Any]) -> str:
    """The whole result as Markdown: the machine, then one table."""
    head = (
        f"{about['autogen']}, hitl {about['hitl']}, {about['python']}; {about['cpu']}, {about['cpus']} cores, "
        f"{about['platform']}; {about['date']}, load average {about['load_average']}"
    )
    if "hash_seeds" in about:
        head += f"; chats in lockstep pairs, workers restarted with {about['hash_seeds']} hash seeds"
    lines = [
        head,
        "",
        "| Benchmark | Native | hitl | Ratio or cost: median [IQR, min-max] | Target | Result |",
        "|---|---|---|---|---|---|",
    ]
    for cells in table_rows(sections):
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines)


def chart(curves: dict[str, Any], about: dict[str, Any], path: Path) -> str:
    """Draw per-round CPU cost against chat length, native and hitl, one panel a mode; say what was done.

    The lines are the cost of a round in each block of the longest chats (records not yet read); the dots,
    a whole chat's cost divided by its rounds (reading ``proxy.decisions`` at the end included).
    """
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return f"chart skipped: matplotlib is not installed (pip install -e '.[bench]'); {path} left as it was"
    modes = curves["modes"]
    block = curves["block_rounds"]
    figure, axes = plt.subplots(1, len(modes), figsize=(5 * len(modes), 4.2), sharey=True, squeeze=False)
    colours = {"native": "#4c72b0", "hitl": "#dd8452"}
    for axis, (mode, curve) in zip(axes[0], modes.items(), strict=True):
        for side in ("native", "hitl"):
            name = curve[side]
            per_block = curve["blocks"].get(name)
            if per_block:
                x = [block * (index + 1) for index in range(len(per_block))]
                axis.plot(
                    x, [b["median"] for b in per_block], color=colours[side], label=f"{name}, each {block} rounds"
                )
                axis.fill_between(
                    x, [b["q1"] for b in per_block], [b["q3"] for b in per_block], color=colours[side], alpha=0.2
                )
            lengths = curve["lengths"][name]
            xs = sorted(lengths, key=int)
            medians = [lengths[x]["median"] for x in xs]
            errors = [
                [m - lengths[x]["q1"] for x, m in zip(xs, medians, strict=True)],
                [lengths[x]["q3"] - m for x, m in zip(xs, medians, strict=True)],
            ]
            axis.errorbar(
                [int(x) for x in xs],
                medians,
                yerr=errors,
                fmt="o",
                color=colours[side],
                capsize=3,
                label=f"{name}, whole chats of 100, 1,000, 3,000 rounds",
            )
        axis.set_title(mode)
        axis.set_xlim(left=0)
        axis.set_xlabel("rounds into the chat")
        axis.grid(True, alpha=0.3)
        axis.legend(fontsize=7, loc="lower right")
    axes[0][0].set_ylabel("CPU µs per round (median, IQR)")
    axes[0][0].set_ylim(bottom=0)
    figure.suptitle(f"Per-round cost against chat length: {about['autogen']}, hitl {about['hitl']}", fontsize=11)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return f"chart written: {path}"


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)
