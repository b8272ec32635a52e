"""The durable commands: pending, answer, resume, worker and show, each in its own process, on one store."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from hitl.stores.sqlite import SqliteStore

ROOT = Path(__file__).resolve().parents[2]
FACTORIES = "tests.scripts.durable_factories"


def hitl(*args: str, expect: int = 0) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "hitl", *args], cwd=ROOT, capture_output=True, text=True, timeout=180, check=False
    )
    assert done.returncode == expect, done.stderr
    return done


def start(store: Path, work: Path) -> Any:
    script = ROOT / "tests" / "scripts" / "durable_factories.py"
    params = json.dumps({"work": str(work), "seed": 4, "turns": 6})
    done = subprocess.run(
        [sys.executable, str(script), str(store), "start", "c1", params], capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_conversation_is_answered_resumed_and_shown_by_commands_in_separate_processes(tmp_path: Path) -> None:
    store = tmp_path / "hitl.db"
    started = start(store, tmp_path)
    assert started["status"] == "waiting"
    listed = [json.loads(line) for line in hitl("pending", "--store", str(store), "--json").stdout.splitlines()]
    assert [question["id"] for question in listed] == [started["question"]]
    assert listed[0]["conversation"] == "c1"
    answered = hitl("answer", started["question"], "", "--store", str(store), "--by", "ana").stdout
    assert f"answered {started['question']} of c1: ''" in answered
    again = hitl("answer", started["question"], "exit", "--store", str(store), expect=1)
    last = again.stderr.strip().splitlines()[-1]  # (pyautogen 0.2 warns about flaml first, on import)
    assert last == f"hitl answer: question {started['question']!r} is answered (answer: '')"
    resumed = hitl("resume", "c1", "--store", str(store), "--import", FACTORIES).stdout
    assert resumed.strip().splitlines()[-1].startswith("c1: ")
    while hitl("pending", "--store", str(store)).stdout.strip():
        waiting = json.loads(hitl("pending", "--store", str(store), "--json").stdout.splitlines()[0])
        hitl("answer", waiting["id"], "", "--store", str(store))
        hitl("worker", "--store", str(store), "--import", FACTORIES)
    shown = json.loads(hitl("show", "c1", "--store", str(store), "--json").stdout)
    assert shown["status"] == "done"
    assert shown["history"][0]["content"] == "Write and run some code."
    assert all(question["status"] == "answered" for question in shown["questions"])
    assert shown["questions"][0]["answer"] == ""
    text = hitl("show", "c1", "--store", str(store)).stdout
    assert text.startswith("c1: done (coding version 1)")


def test_resuming_without_the_factory_says_which_one_is_missing_in_one_line(tmp_path: Path) -> None:
    store = tmp_path / "hitl.db"
    started = start(store, tmp_path)
    hitl("answer", started["question"], "", "--store", str(store))
    failed = hitl("resume", "c1", "--store", str(store), expect=1)
    assert "Traceback" not in failed.stderr
    last = failed.stderr.strip().splitlines()[-1]  # (pyautogen 0.2 warns about flaml first, on import)
    assert last.startswith("hitl resume: conversation 'c1' was started by factory 'coding' version '1'; ")
    assert "this process has none" in last
    assert json.loads(hitl("show", "c1", "--store", str(store), "--json").stdout)["status"] == "ready"


def last_line(text: str) -> str:
    """The last line of stderr (pyautogen 0.2 warns about flaml first, when the command imports AutoGen)."""
    return text.strip().splitlines()[-1]


def test_an_unknown_conversation_or_question_is_one_line_and_exit_code_1(tmp_path: Path) -> None:
    store = str(tmp_path / "hitl.db")
    SqliteStore(store).close()
    shown = hitl("show", "nope", "--store", store, expect=1).stderr
    assert last_line(shown).startswith("hitl show: no conversation 'nope'")
    answered = hitl("answer", "q0", "x", "--store", store, expect=1).stderr
    assert last_line(answered).startswith("hitl answer: no question 'q0'")
    assert "Traceback" not in shown + answered
    assert hitl("pending", "--store", store).stdout == ""


@pytest.mark.parametrize(
    "command",
    [["pending"], ["answer", "q0", "x"], ["show", "c1"], ["cancel", "c1"], ["prune", "--older-than", "1d"]],
    ids=lambda command: command[0],
)
def test_a_mistyped_store_path_is_an_error_not_a_new_empty_store(tmp_path: Path, command: list[str]) -> None:
    typo = tmp_path / "hitl.bd"
    failed = hitl(*command, "--store", str(typo), expect=1)
    assert last_line(failed.stderr) == f"hitl {command[0]}: there is no conversation store at {typo}"
    assert not typo.exists()


def test_cancel_withdraws_the_question_and_prune_deletes_what_ended(tmp_path: Path) -> None:
    store = tmp_path / "hitl.db"
    started = start(store, tmp_path)
    assert hitl("cancel", "c1", "--store", str(store)).stdout.strip() == "c1: cancelled"
    assert hitl("pending", "--store", str(store)).stdout == ""
    answered = hitl("answer", started["question"], "", "--store", str(store), expect=1)
    assert "withdrawn" in last_line(answered.stderr)
    assert hitl("prune", "--older-than", "1h", "--store", str(store)).stdout.strip() == "pruned 0 conversations"
    assert hitl("prune", "--older-than", "0s", "--store", str(store)).stdout.strip() == "pruned 1 conversations"
    assert "no conversation 'c1'" in last_line(hitl("show", "c1", "--store", str(store), expect=1).stderr)
    bad = hitl("prune", "--older-than", "soon", "--store", str(store), expect=2)
    assert "'soon' is not an age such as 90s, 15m, 12h or 30d" in bad.stderr
