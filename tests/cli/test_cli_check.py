"""`hitl check FILE`: a valid configuration prints what it builds; an invalid one, each error with its place."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from hitl._cli import main

REVIEWER = """\
# reviewer.yaml
name: reviewer
policy: terminate | code(python)
limits: {max_consecutive_auto_reply: 10, max_turns: 20}
termination: keyword(TERMINATE)
auto_reply:
  kind: rules
  rules:
    - {when: question & ~keyword(TERMINATE), reply: Please use your best judgment and continue.}
  default: ""
human_input: {kind: console, timeout: {seconds: 300, default: exit}}
code_execution: {work_dir: workspace, timeout: 30, use_docker: false, acknowledge_local_execution: true}
"""

BAD_YAML = """\
name: reviewer
polcy: terminate
limits:
  max_turns: many
  max_consecutve_auto_reply: 3
auto_reply:
  kind: rules
  rules:
    - {when: question, reply: ok}
    - {when: "code(", reply: ok}
human_input: {kind: scripted, answers: ["", exit], timeout: {seconds: -1}}
"""

BAD_JSON = """\
{
  "name": "reviewer",
  "polcy": "terminate",
  "limits": {"max_turns": "many", "max_consecutve_auto_reply": 3},
  "auto_reply": {"kind": "rules", "rules": [{"when": "question", "reply": "ok"}, {"when": "code(", "reply": "ok"}]},
  "human_input": {"kind": "scripted", "answers": ["", "exit"], "timeout": {"seconds": -1}}
}
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_valid_file_prints_the_policy_limits_termination_and_human_input_it_builds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("yaml")
    path = write(tmp_path, "reviewer.yaml", REVIEWER)
    assert main(["check", str(path)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.splitlines() == [
        f"{path}: valid",
        "  name:           'reviewer'",
        "  policy:         Terminate() | When(HasCodeBlock('python'))   (from 'terminate | code(python)')",
        "  limits:         Limits(max_consecutive_auto_reply=10, max_turns=20)",
        "  termination:    Keyword('TERMINATE')",
        "  auto-reply:     FirstMatch([(asks_question & ~Keyword('TERMINATE'), "
        "StaticReply(message='Please use your best judgment and continue.'))], default=StaticReply(message=''))",
        "  human input:    console: TimeoutInput(ConsoleInput(), seconds=300, default='exit')",
        "  code execution: on this machine (use_docker: false), work_dir='workspace', timeout=30",
    ]


def test_a_minimal_json_file_shows_autogen_defaults(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "user.json", json.dumps({"name": "user", "policy": "always"}))
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    assert "  policy:         Always()   (from 'always')" in out
    assert "  termination:    AutoGen's default (a message that is exactly 'TERMINATE')" in out
    assert "  human input:    console: ConsoleInput()" in out
    assert "  code execution: none (code blocks are not run)" in out


def test_a_valid_file_with_a_warning_is_valid_and_says_the_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "local.json", json.dumps({"name": "u", "code_execution": {"use_docker": False}}))
    assert main(["check", str(path)]) == 0
    out, err = capsys.readouterr()
    assert out.startswith(f"{path}: valid\n")
    assert err.startswith(f"{path}: warning: ProxyConfig 'u': code_execution.use_docker is false")
    assert "acknowledge_local_execution: true" in err


@pytest.mark.parametrize(("name", "text"), [("bad.yaml", BAD_YAML), ("bad.json", BAD_JSON)])
def test_each_error_names_the_line_column_and_field_in_the_files_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, text: str
) -> None:
    if name.endswith(".yaml"):
        pytest.importorskip("yaml")
    path = write(tmp_path, name, text)
    assert main(["check", str(path)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert lines[0] == f"hitl check: {path} is not a valid configuration (5 errors):"
    places = {
        "bad.yaml": ["2, column 1", "4, column 3", "5, column 3", "10, column 8", "11, column 62"],
        "bad.json": ["3, column 3", "4, column 14", "4, column 35", "5, column 83", "6, column 76"],
    }[name]
    line = {number: f"  {path}, line {place}: " for number, place in enumerate(places, start=1)}
    assert lines[1] == line[1] + "unknown field 'polcy' (did you mean 'policy'?)"
    assert lines[2].startswith(line[2] + "limits.max_turns: Limits.max_turns must be an int >= 1 or None (got 'many'")
    assert lines[3] == line[3] + (
        "limits: unknown field 'max_consecutve_auto_reply' (did you mean 'max_consecutive_auto_reply'?)"
    )
    assert lines[4].startswith(line[4] + "auto_reply.rules[1].when: the condition 'code(', column 5: missing ')'")
    assert lines[5] == line[5] + "human_input.timeout.seconds: Input should be greater than 0 (got -1)"
    assert len(lines) == 6
    assert "Traceback" not in err


def test_an_error_of_the_whole_file_names_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "unbounded.json", json.dumps({"name": "u", "policy": "never"}))
    assert main(["check", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.splitlines()[1].startswith(f"  {path}: policy 'never' never asks a human, and there is no termination")


def test_a_union_member_is_not_shown_as_a_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = '{"name": "u",\n "termination": {"kind": "regex", "pattern": "x", "wrod": "y"}}'
    path = write(tmp_path, "regex.json", text)
    assert main(["check", str(path)]) == 1
    assert f"  {path}, line 2, column 51: termination: unknown field 'wrod' (known: " in capsys.readouterr().err


@pytest.mark.parametrize(
    ("block", "message"),
    [
        (
            '{"kind": "queue", "on_eof": ""}',
            "line 2, column 35: human_input.on_eof: goes with kind 'console', not with kind 'queue': set kind: "
            "console, or leave it out",
        ),
        (
            '{"kind": "queue", "conversaton": "c1"}',
            "line 2, column 35: human_input: unknown field 'conversaton' (did you mean 'conversation'?)",
        ),
        ('{"kind": "scripted"}', "line 2, column 2: human_input.answers: kind 'scripted' needs answers"),
    ],
)
def test_a_human_input_error_names_the_key_and_the_kind_it_goes_with(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], block: str, message: str
) -> None:
    path = write(tmp_path, "human.json", '{"name": "u",\n "human_input": ' + block + "}")
    assert main(["check", str(path)]) == 1
    assert f"  {path}, {message}" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("syntax.json", '{"name": "x",\n "policy": "never",\n}', "is not valid JSON: Expecting property name"),
        ("deep.json", "[" * 200 + "]" * 200, "line 1, column 101: lists and mappings nest more than 100 deep"),
        ("list.json", "[]", "Input should be a valid dictionary or instance of ProxyConfig"),
        ("notes.txt", "name: x", "a configuration file ends in .json, .yaml or .yml"),
    ],
)
def test_a_file_that_cannot_be_read_is_one_clean_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, text: str, message: str
) -> None:
    path = write(tmp_path, name, text)
    assert main(["check", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("hitl check: ")
    assert message in err
    assert "Traceback" not in err


def test_a_json_syntax_error_gives_the_line_and_column(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "syntax.json", '{"name": "x",\n "policy": "never",\n}')
    assert main(["check", str(path)]) == 1
    assert "line 3 column 1" in capsys.readouterr().err


def test_a_yaml_syntax_error_gives_the_line_and_column(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("yaml")
    path = write(tmp_path, "syntax.yaml", "name: x\npolicy: [never\n")
    assert main(["check", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"hitl check: {path} is not valid YAML: ")
    assert f"in {path}, line 2, column 9" in err


def test_a_missing_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "missing.yaml"
    assert main(["check", str(path)]) == 1
    assert capsys.readouterr().err == f"hitl check: {path}: No such file or directory\n"


def test_several_files_are_checked_and_any_invalid_one_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write(tmp_path, "good.json", json.dumps({"name": "g"}))
    bad = write(tmp_path, "bad.json", json.dumps({"name": ""}))
    assert main(["check", str(good), str(bad)]) == 1
    out, err = capsys.readouterr()
    assert f"{good}: valid" in out
    assert f"hitl check: {bad} is not a valid configuration (1 error):" in err


def test_check_is_a_command_with_exit_codes(tmp_path: Path) -> None:
    good = write(tmp_path, "good.json", json.dumps({"name": "g", "policy": "terminate | code"}))
    done = subprocess.run(
        [sys.executable, "-m", "hitl", "check", str(good)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "  policy:         Terminate() | When(has_code_block)   (from 'terminate | code')" in done.stdout
    bad = write(tmp_path, "bad.json", json.dumps({"name": "g", "policy": "sometimes"}))
    done = subprocess.run([sys.executable, "-m", "hitl", "check", str(bad)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "policy: the policy 'sometimes', column 1: unknown policy name 'sometimes'" in done.stderr
    assert "Traceback" not in done.stderr
    done = subprocess.run([sys.executable, "-m", "hitl", "check"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2  # a usage error
    assert "the following arguments are required: FILE" in done.stderr
