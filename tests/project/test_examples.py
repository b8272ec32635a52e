"""Every example runs offline, as a user would run it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from hitl.adapters.autogen import compat

WITHOUT_OPENAI = Path(__file__).resolve().parents[1] / "scripts" / "cli_without_openai.py"
EXAMPLES = sorted(
    p for p in (Path(__file__).resolve().parents[2] / "examples").glob("*.py") if not p.stem.startswith("_")
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


ONLINE = [path for path in EXAMPLES if "from _model import" in path.read_text(encoding="utf-8")]


def offline_env() -> dict[str, str]:
    dropped = ("OAI_CONFIG_LIST", "OPENAI_API_KEY", "HITL_EXAMPLES_ONLINE", "HITL_EXAMPLES_MODEL")
    return {k: v for k, v in os.environ.items() if k not in dropped}


def test_the_examples_with_a_model_written_part_can_go_online() -> None:
    assert {path.stem for path in ONLINE} == {
        "always_step_by_step",
        "durable_review",
        "groupchat_review",
        "limits_max_turns",
        "never_palindrome",
        "smart_auto_reply",
        "terminate_review",
        "three_stage_pipeline",
    }


@pytest.mark.parametrize("example", ONLINE, ids=[path.stem for path in ONLINE])
def test_an_online_example_without_a_model_configured_says_so_in_one_line(example: Path) -> None:
    pytest.importorskip("openai", reason="without openai, the message names the package first")
    done = subprocess.run(
        [sys.executable, str(example)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**offline_env(), "HITL_EXAMPLES_ONLINE": "1"},
        stdin=subprocess.DEVNULL,
        cwd=example.parent,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines()[-1].startswith(
        f"{example.name}: HITL_EXAMPLES_ONLINE=1: a real model needs OAI_CONFIG_LIST"
    )


@pytest.mark.skipif(
    compat.AUTOGEN_DISTRIBUTION == "pyautogen" and compat.AUTOGEN_VERSION.startswith("0.2."),
    reason="pyautogen 0.2 depends on openai itself: it cannot be missing there",
)
def test_an_online_example_without_openai_names_the_extra_in_one_line() -> None:
    example = EXAMPLES[[path.stem for path in EXAMPLES].index("never_palindrome")]
    done = subprocess.run(
        [sys.executable, str(WITHOUT_OPENAI), str(example)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**offline_env(), "HITL_EXAMPLES_ONLINE": "1", "OPENAI_API_KEY": "sk-test"},
        stdin=subprocess.DEVNULL,
        cwd=example.parent,
    )
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith(
        "never_palindrome.py: HITL_EXAMPLES_ONLINE=1: a real model needs the openai package, which is not installed: "
    )
    assert "[openai]" in done.stderr
