"""The hitl command: `python -m hitl demo` in a real terminal, its errors, and `hitl schema`.

`hitl demo --online` against a model is in test_online_demo.py, `hitl check` in test_cli_check.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest

from hitl._cli import main
from hitl.adapters.autogen import compat

DEMO = [sys.executable, "-m", "hitl", "demo"]
WITHOUT_OPENAI = Path(__file__).resolve().parents[1] / "scripts" / "cli_without_openai.py"


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


def test_demo_sends_typed_feedback_and_the_assistant_acts_on_it_then_stops_on_exit() -> None:
    child = spawn("--policy", "always")
    child.expect("Replying as user. Provide feedback to assistant.")
    child.sendline("Please add type hints.")
    child.expect("you answered 'Please add type hints.' -> human-reply")
    child.expect(r'You said: "Please add type hints\." I added type hints\.')
    child.expect(r"def is_palindrome\(text: str\) -> bool:")
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


def demo_output(*args: str) -> str:
    done = subprocess.run(
        [*DEMO, *args], stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60, env=offline_env()
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def offline_env() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if key not in ("OPENAI_API_KEY", "OAI_CONFIG_LIST")}


def test_the_offline_assistant_quotes_feedback_and_adds_the_test_case_it_asks_for() -> None:
    out = demo_output("--policy", "terminate | code", "--answers", "also test an empty string", "", "")
    assert "you answered 'also test an empty string' -> human-reply" in out
    acknowledged = out.index("You said: \"also test an empty string\". I added '' to the tests.")
    rewritten = out.index("for sample in ['racecar', 'A man, a plan, a canal: Panama', 'autogen', '']:")
    ran = out.index("exitcode: 0 (execution succeeded)")
    assert acknowledged < rewritten < ran
    assert "\n'' True\n" in out[ran:]  # the new case ran
    assert "you were asked 3 time(s)" in out


def test_the_offline_assistant_follows_the_answer_to_its_question() -> None:
    out = demo_output("--policy", "terminate | question", "--answers", "yes please", "")
    assert 'You said: "yes please". Accented letters now count as plain ones' in out
    assert "unicodedata.normalize('NFKD', text)" in out
    assert "'Ésope reste ici et se repose' True" in out  # accented letters count as plain ones now


def test_the_offline_assistant_keeps_no_to_its_question() -> None:
    out = demo_output("--policy", "terminate | question", "--answers", "no", "")
    assert 'You said: "no". Accented letters stay distinct from plain ones.' in out
    assert "unicodedata" not in out


def test_feedback_it_cannot_act_on_is_noted_as_one_comment_line_never_as_code() -> None:
    feedback = "make it faster\nimport sys; sys.exit(3)"
    out = demo_output("--policy", "terminate | code", "--answers", feedback, "", "")
    assert "Offline I can only note that in the code; a real model would act on it (hitl demo --online)." in out
    assert "    # You asked: make it faster import sys; sys.exit(3)\n" in out
    assert "exitcode: 0 (execution succeeded)" in out


def test_answers_the_assistant_is_not_asked_about_continue_the_script() -> None:
    out = demo_output("--policy", "terminate", "--answers", "")
    assert "You said" not in out
    assert "Done: is_palindrome is written, tested and saved. TERMINATE" in out


def test_online_demo_without_a_model_configured_says_so_in_one_line() -> None:
    pytest.importorskip("openai", reason="without openai, the message names the package first (tested below)")
    done = subprocess.run(
        [*DEMO, "--online", "--policy", "never", "--answers"],
        capture_output=True,
        text=True,
        env=offline_env(),
        timeout=60,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines()[-1] == (
        "hitl: a real model needs OAI_CONFIG_LIST (a JSON list such as "
        '[{"model": "gpt-4o-mini", "api_key": "...", "base_url": "..."}], or the path of a file holding one) '
        "or OPENAI_API_KEY in the environment"
    )
    assert "[hitl] policy" not in done.stdout  # it fails before the chat starts


@pytest.mark.skipif(
    compat.AUTOGEN_DISTRIBUTION == "pyautogen" and compat.AUTOGEN_VERSION.startswith("0.2."),
    reason="pyautogen 0.2 depends on openai itself: it cannot be missing there",
)
def test_online_demo_without_openai_names_the_extra_to_install_in_one_line() -> None:
    env = {**offline_env(), "OPENAI_API_KEY": "sk-test"}
    done = subprocess.run(
        [sys.executable, str(WITHOUT_OPENAI), "-m", "hitl", "demo", "--online", "--answers"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1, done.stderr  # one line, no traceback
    if compat.AUTOGEN_DISTRIBUTION == "autogen":
        fix = 'pip install "autogen[openai]"'
    else:
        fix = 'pip install "autogen-hitl[openai]" (in a checkout: pip install -e ".[openai]")'
    assert done.stderr == f"hitl: a real model needs the openai package, which is not installed: {fix}\n"


def test_model_goes_with_online() -> None:
    done = subprocess.run([*DEMO, "--model", "gpt-4o", "--answers"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "hitl: error: --model goes with --online" in done.stderr


def test_schema_names_its_dialect_and_a_stable_id(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert list(schema)[:2] == ["$schema", "$id"]
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == "https://autogen-hitl.github.io/autogen-hitl/schema/proxy-config-v1.json"
    assert schema["title"] == "ProxyConfig"
    assert schema["additionalProperties"] is False
    assert {"name", "policy", "limits", "termination", "human_input"} <= set(schema["properties"])


def test_schema_into_a_reader_that_stops_early_is_no_traceback() -> None:
    read, write = os.pipe()
    with subprocess.Popen([sys.executable, "-m", "hitl", "schema"], stdout=write, stderr=subprocess.PIPE) as process:
        os.close(write)
        os.close(read)  # like `hitl schema | head -0`: nobody reads what it prints
        _, err = process.communicate(timeout=60)
    assert b"Traceback" not in err
    assert b"BrokenPipeError" not in err
    assert process.returncode == 1


@pytest.mark.parametrize(
    ("feedback", "change"),
    [
        ("don't forget 'abba' and “Was it a rat I saw”", "I added 'abba', 'Was it a rat I saw' to the tests."),
        ('test "" too', "I added '' to the tests."),
        ("an empty one, please", "I added '' to the tests."),
        ("use annotations", "I added type hints."),
        ("handle accents", "Accented letters now count as plain ones, tested with 'Ésope reste ici et se repose'."),
        (
            "please hurry",
            "Offline I can only note that in the code; a real model would act on it (hitl demo --online).",
        ),
    ],
)
def test_the_offline_assistant_reads_feedback_as_a_change_to_its_code(feedback: str, change: str) -> None:
    from hitl._cli import _Draft

    draft = _Draft()
    assert draft.take(feedback, answers_question=False) == change
    assert draft.code().startswith("```python\n")
    again = draft.take(feedback, answers_question=False)  # asked twice: nothing more to change
    assert again == (change if change.startswith("Offline") else "The code already does that.")


def test_the_console_script_and_python_m_hitl_run_the_same_main() -> None:
    from importlib.metadata import entry_points

    (script,) = [point for point in entry_points(group="console_scripts") if point.name == "hitl"]
    assert script.value == "hitl._cli:main"
    assert script.load() is main
    result = subprocess.run(
        [sys.executable, "-m", "hitl", "--version"], capture_output=True, text=True, timeout=60, check=False
    )
    assert (result.returncode, result.stdout.startswith("autogen-hitl ")) == (0, True)
