"""The hitl command: `python -m hitl demo` in a real terminal, and its errors."""

from __future__ import annotations

import os
import subprocess
import sys

import pexpect
import pytest

DEMO = [sys.executable, "-m", "hitl", "demo"]


def spawn(*args: str) -> pexpect.spawn:
    child = pexpect.spawn(sys.executable, ["-m", "hitl", "demo", *args], encoding="utf-8", timeout=30)
    child.setecho(False)
    return child


def test_demo_in_a_terminal_asks_on_code_and_at_the_end_and_says_why() -> None:
    child = spawn("--policy", "terminate | code")
    child.expect(r"policy: Terminate\(\) \| When\(has_code_block\)")
    child.expect(r"not asked \(When\(has_code_block\): predicate is false\) -> auto-reply")
    child.expect(r"asking you about message 4 because When\(has_code_block\): predicate is true")
    child.expect("Press enter to skip and use auto-reply, or type 'exit' to stop the conversation: ")
    child.sendline("")
    child.expect("exitcode: 0")
    child.expect(r"asking you about message 10 because Terminate\(\): termination message")
    child.expect("Press enter or type 'exit' to stop the conversation: ")
    child.sendline("")
    child.expect(r"done: 5 decisions, you were asked 2 time\(s\)")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_demo_sends_typed_feedback_and_stops_on_exit() -> None:
    child = spawn("--policy", "always")
    child.expect("Replying as user. Provide feedback to assistant.")
    child.sendline("Please add type hints.")
    child.expect("you answered 'Please add type hints.' -> human-reply")
    child.expect("Replying as user.")
    child.sendline("exit")
    child.expect(r"stop \(User requested to end the conversation\)")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_demo_treats_a_closed_input_as_a_stop_not_a_traceback() -> None:
    child = spawn("--policy", "always")
    child.expect("Replying as user.")
    child.sendeof()
    child.expect(r"\(input closed\) -> stop")
    child.expect(pexpect.EOF)
    output = child.before or ""
    child.close()
    assert child.exitstatus == 0
    assert "Traceback" not in output


def test_demo_without_a_terminal_fails_fast_with_advice() -> None:
    done = subprocess.run(
        [*DEMO, "--policy", "always"], stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert "stdin is not a terminal" in done.stderr
    assert "QueueInput" in done.stderr


def test_demo_runs_without_a_terminal_when_the_answers_are_given() -> None:
    done = subprocess.run(
        [*DEMO, "--policy", "terminate", "--answers", ""],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "you were asked 1 time(s)" in done.stdout


def test_a_bad_policy_is_reported_without_a_traceback() -> None:
    done = subprocess.run([*DEMO, "--policy", "sometimes"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "unknown policy name 'sometimes'" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("policy", "message"),
    [
        ("(" * 1_000 + "code" + ")" * 1_000, "column 101: parentheses and ~ nest more than 100 deep"),
        ("~" * 1_000 + "code", "column 101: parentheses and ~ nest more than 100 deep"),
        ("terminate | code(", "the policy 'terminate | code(', column 17: missing ')'"),
        ("terminate | every(0)", "column 13: every(0): EveryNth() takes a whole number >= 1"),
    ],
    ids=["parentheses", "tildes", "unclosed", "bad-number"],
)
def test_a_bad_policy_is_a_usage_error_naming_the_column(policy: str, message: str) -> None:
    done = subprocess.run([*DEMO, "--policy", policy, "--answers"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "hitl demo: error: argument --policy: the policy " in done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr) < 1_000


def test_online_demo_never_runs_model_code_without_approval() -> None:
    # Without a key the model is not reached, but the policy in force is printed first.
    env = {key: value for key, value in os.environ.items() if key not in ("OPENAI_API_KEY", "OAI_CONFIG_LIST")}
    done = subprocess.run(
        [*DEMO, "--online", "--policy", "never", "--answers"], capture_output=True, text=True, env=env, timeout=60
    )
    assert "policy: Never() | ApproveCode()" in done.stdout
    assert done.returncode == 2
    assert "--online needs OAI_CONFIG_LIST or OPENAI_API_KEY" in done.stderr
