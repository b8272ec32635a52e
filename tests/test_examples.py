"""Every example runs offline, as a user would run it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = sorted(
    p for p in (Path(__file__).resolve().parent.parent / "examples").glob("*.py") if not p.stem.startswith("_")
)


@pytest.mark.parametrize("example", EXAMPLES, ids=[path.stem for path in EXAMPLES])
def test_example_runs_offline(example: Path) -> None:
    env = {
        k: v for k, v in os.environ.items() if k not in ("OAI_CONFIG_LIST", "OPENAI_API_KEY", "HITL_EXAMPLES_ONLINE")
    }
    done = subprocess.run(
        [sys.executable, str(example)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        stdin=subprocess.DEVNULL,
        cwd=example.parent,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip(), "an example shows what it did"


def test_every_lesson_scenario_has_an_example() -> None:
    names = {path.stem for path in EXAMPLES}
    expected = {"never_palindrome", "terminate_review", "always_step_by_step", "limits_max_turns", "approval_gate"}
    assert expected | {"three_stage_pipeline", "smart_auto_reply", "queue_server"} <= names


def test_quickstart_shows_when_and_why_the_human_was_asked() -> None:
    example = EXAMPLES[[path.stem for path in EXAMPLES].index("quickstart")]
    out = subprocess.run([sys.executable, str(example)], capture_output=True, text=True, timeout=120).stdout
    assert "ask: When(has_code_block): predicate is true" in out
    assert "ask: Terminate(): termination message" in out
    assert "human was asked 0 time(s)" in out  # Never()
