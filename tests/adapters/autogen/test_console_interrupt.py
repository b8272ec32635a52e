"""Ctrl-C at a console prompt, in a real pseudo-terminal: sync or async, chat or workflow checkpoint, timed or not.

Every case ends the same way: the question gets the ``interrupt`` outcome (the fallback answer ``exit``), the
chat or the workflow stops and says so, and the process ends at once. No blocked read holds the interpreter's
exit, and the read a Ctrl-C left waiting never swallows the answer to the next question.
"""

from __future__ import annotations

import io
import json
import sys
import time
from pathlib import Path
from typing import Any

import pexpect
import pytest

SCRIPT = Path(__file__).parents[2] / "scripts" / "stdin_run.py"
CHAT_PROMPT = "Replying as user."
CHECKPOINT_PROMPT = "Press enter to approve it"


def spawn(*runners: str) -> tuple[pexpect.spawn, io.StringIO]:
    child = pexpect.spawn(sys.executable, [str(SCRIPT), *runners], encoding="utf-8", timeout=20)
    child.setecho(False)
    child.logfile_read = output = io.StringIO()
    return child, output


def results(output: io.StringIO) -> list[dict[str, Any]]:
    lines = output.getvalue().replace("\r\n", "\n").splitlines()
    return [json.loads(line.removeprefix("RESULT ")) for line in lines if line.startswith("RESULT ")]


def interrupted(runner: str) -> dict[str, Any]:
    name = runner.partition(":")[0]
    outcome: dict[str, Any] = {"runner": runner, "events": ["interrupt"], "answers": ["exit"]}
    if "workflow" in name:
        outcome["status"] = "aborted"
    return {**outcome, "replies_sent": 1}


@pytest.mark.parametrize(
    "runner",
    ["a_chat", "a_chat:30", "a_workflow", "a_workflow:30", "chat:30", "workflow", "workflow:30"],
)
def test_ctrl_c_at_a_console_prompt_is_a_recorded_stop_and_the_process_ends_within_a_second(runner: str) -> None:
    child, output = spawn(runner)
    try:
        child.expect_exact(CHAT_PROMPT if "chat" in runner else CHECKPOINT_PROMPT)
        time.sleep(0.1)  # waiting at the prompt
        pressed = time.monotonic()
        child.sendintr()
        child.expect(pexpect.EOF, timeout=5)
        ended = time.monotonic() - pressed
    finally:
        child.close(force=True)
    assert results(output) == [interrupted(runner)], output.getvalue()
    assert child.exitstatus == 0, output.getvalue()
    assert "Traceback" not in output.getvalue()
    assert ended < 1.0, f"the process took {ended:.1f} s to end after Ctrl-C"


@pytest.mark.parametrize("runner", ["a_chat", "a_chat:30", "a_workflow"])
def test_after_ctrl_c_in_an_async_chat_the_next_question_gets_the_next_line(runner: str) -> None:
    # The read that Ctrl-C interrupted cannot be stopped; the next console question takes it over, so the
    # human's next line answers that question instead of vanishing into the abandoned read.
    child, output = spawn(runner, "chat")
    try:
        child.expect_exact(CHAT_PROMPT if "chat" in runner else CHECKPOINT_PROMPT)
        time.sleep(0.1)
        child.sendintr()
        child.expect_exact(CHAT_PROMPT)  # the sync chat's first question
        child.sendline("Fix it.")
        child.expect_exact(CHAT_PROMPT)
        child.sendline("")
        child.expect(pexpect.EOF, timeout=5)
    finally:
        child.close(force=True)
    assert results(output) == [
        interrupted(runner),
        {"runner": "chat", "events": ["answered", "answered"], "answers": ["Fix it.", ""], "replies_sent": 2},
    ], output.getvalue()
