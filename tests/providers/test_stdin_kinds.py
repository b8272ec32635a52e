"""Every kind of stdin, for sync and async chats and workflow checkpoints: a defined outcome, never a hang.

Each process runs the four runners of ``scripts/stdin_run.py`` one after another on the default console:
a chat, an async chat, a workflow, an async workflow. Each asks two questions. With each kind of stdin the
outcome is one of three, decided before anything waits:

| stdin | by default | with HITL_ALLOW_NON_INTERACTIVE=1 |
|---|---|---|
| a terminal | the answers | the answers |
| /dev/null, closed (`<&-`) | refused (ConfigurationError, nothing sent) | EOF: each stops at its first question |
| a pipe with answers, a file | refused | the answers, in order, none lost between runners |
| a pipe never written | refused | waits for the pipe (the opt-in), then EOF when it closes |

Every process runs under a hard timeout: a hang fails the test instead of stalling the suite.
"""

from __future__ import annotations

import io
import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pexpect
import pytest

SCRIPT = Path(__file__).parents[1] / "scripts" / "stdin_run.py"
RUNNERS = ["chat", "a_chat", "workflow", "a_workflow"]
ANSWERS = "Fix it.\n\n" * len(RUNNERS)  # per runner: an instruction, then Enter
HARD_TIMEOUT = 20.0


def answered(runner: str) -> dict[str, Any]:
    outcome: dict[str, Any] = {"runner": runner, "events": ["answered", "answered"], "answers": ["Fix it.", ""]}
    if "workflow" in runner:
        outcome["status"] = "approved"
    return {**outcome, "replies_sent": 2}


def at_eof(runner: str) -> dict[str, Any]:
    outcome: dict[str, Any] = {"runner": runner, "events": ["eof"], "answers": ["exit"]}
    if "workflow" in runner:
        outcome["status"] = "aborted"
    return {**outcome, "replies_sent": 1}


def results(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line.removeprefix("RESULT ")) for line in stdout.splitlines() if line.startswith("RESULT ")]


def environment(allow: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "HITL_ALLOW_NON_INTERACTIVE"}
    if allow:
        env["HITL_ALLOW_NON_INTERACTIVE"] = "1"
    return env


def start(stdin_kind: str, allow: bool, tmp_path: Path) -> subprocess.Popen[str]:
    command = [sys.executable, str(SCRIPT)]
    stdin: Any
    if stdin_kind == "devnull":
        stdin = subprocess.DEVNULL
    elif stdin_kind == "closed":  # the shell closes descriptor 0 before Python starts: sys.stdin is None
        command, stdin = ["sh", "-c", 'exec "$0" "$@" 0<&-', *command], None
    elif stdin_kind == "file":
        answers = tmp_path / f"answers-{allow}.txt"
        answers.write_text(ANSWERS, encoding="utf-8")
        stdin = answers.open("rb")
    else:  # "pipe-answers", "pipe-silent"
        stdin = subprocess.PIPE
    process = subprocess.Popen(
        command, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment(allow)
    )
    if stdin_kind == "file":
        stdin.close()
    if stdin_kind == "pipe-answers":
        close_stdin(process, ANSWERS)
    return process


def close_stdin(process: subprocess.Popen[str], text: str = "") -> None:
    assert process.stdin is not None
    process.stdin.write(text)
    process.stdin.close()
    process.stdin = None  # so that communicate() leaves it alone


def finish(process: subprocess.Popen[str]) -> tuple[list[dict[str, Any]], str]:
    try:
        out, err = process.communicate(timeout=HARD_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        pytest.fail(f"hung: no outcome within {HARD_TIMEOUT} s; output so far:\n{out}\n{err}")
    assert process.returncode == 0, err
    return results(out), err


def assert_refused(outcomes: list[dict[str, Any]]) -> None:
    assert [o["runner"] for o in outcomes] == RUNNERS
    for outcome in outcomes:
        assert outcome["replies_sent"] == 0, "refused before anything was sent"
        for remedy in ("ScriptedInput", "QueueInput", "TimeoutInput", "allow_non_interactive=True"):
            assert remedy in outcome["refused"]
        assert "HITL_ALLOW_NON_INTERACTIVE=1" in outcome["refused"]


@pytest.mark.parametrize("stdin_kind", ["devnull", "closed", "pipe-answers", "file"])
def test_without_a_terminal_each_runner_is_refused_or_with_the_opt_in_gets_its_answers_or_eof(
    stdin_kind: str, tmp_path: Path
) -> None:
    refused, allowed = start(stdin_kind, False, tmp_path), start(stdin_kind, True, tmp_path)  # side by side
    assert_refused(finish(refused)[0])
    expected = answered if stdin_kind in ("pipe-answers", "file") else at_eof
    assert finish(allowed)[0] == [expected(runner) for runner in RUNNERS]


def read_until(process: subprocess.Popen[str], text: str, seconds: float) -> str:
    assert process.stdout is not None
    fd, seen, deadline = process.stdout.fileno(), b"", time.monotonic() + seconds
    while text.encode() not in seen:
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            pytest.fail(f"{text!r} not seen within {seconds} s; output so far: {seen!r}")
        chunk = os.read(fd, 4096)
        if not chunk:
            pytest.fail(f"the process ended before {text!r}; output: {seen!r}")
        seen += chunk
    return seen.decode()


def test_a_pipe_never_written_is_refused_or_with_the_opt_in_waits_for_the_pipe_then_ends_at_eof(
    tmp_path: Path,
) -> None:
    refused, allowed = start("pipe-silent", False, tmp_path), start("pipe-silent", True, tmp_path)
    try:
        assert_refused(finish(refused)[0])  # the pipe is still open, and nobody writes: no wait at all
        seen = read_until(allowed, "Replying as user.", HARD_TIMEOUT)  # the opt-in: it waits for the pipe
        time.sleep(0.3)
        assert allowed.poll() is None
        close_stdin(allowed)  # the writer goes away: every runner ends at EOF, none waits
        outcomes, _ = finish(allowed)
        outcomes = results(seen) + outcomes
    finally:
        for process in (refused, allowed):
            if process.poll() is None:
                process.kill()
    assert outcomes == [at_eof(runner) for runner in RUNNERS]


@pytest.mark.parametrize("allow", [False, True], ids=["default", "opt-in"])
def test_on_a_terminal_every_runner_asks_and_gets_its_answers(allow: bool) -> None:
    child = pexpect.spawn(sys.executable, [str(SCRIPT)], env=environment(allow), encoding="utf-8", timeout=HARD_TIMEOUT)
    child.setecho(False)
    child.logfile_read = output = io.StringIO()
    try:
        for runner in RUNNERS:
            first, second = (
                ("Replying as user.", "Replying as user.")
                if "chat" in runner
                else ("Draft one.\nPress enter to approve", "Draft two.\nPress enter to approve")
            )
            child.expect_exact(first.replace("\n", "\r\n"))
            child.sendline("Fix it.")
            child.expect_exact(second.replace("\n", "\r\n"))
            child.sendline("")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0, child.before
    assert results(output.getvalue().replace("\r\n", "\n")) == [answered(runner) for runner in RUNNERS]


def test_an_unknown_opt_in_value_is_an_error_that_names_it() -> None:
    env = {**environment(False), "HITL_ALLOW_NON_INTERACTIVE": "sure"}
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "chat"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        timeout=HARD_TIMEOUT,
    )
    (outcome,) = results(done.stdout)
    assert "HITL_ALLOW_NON_INTERACTIVE='sure' is neither yes nor no" in outcome["refused"]
    assert outcome["replies_sent"] == 0
