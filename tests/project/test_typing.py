"""The public API's types hold under ``mypy --strict``: ``tests/typing/`` passes, and each mistake below fails."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

mypy_api = pytest.importorskip("mypy.api", reason="mypy is a dev dependency")

ROOT = Path(__file__).resolve().parents[2]
TYPING = ROOT / "tests" / "typing"

#: Every mistake is one line in the body of a user's test that has these in scope.
PRELUDE = """\
from hitl import PolicyUserProxy, Terminate
from hitl.core.conditions import Condition, Keyword, has_code_block
from hitl.testing import RunChat, ScriptedAssistantFactory, Simulate, Transcript


def test_something(
    run_chat: RunChat, simulate: Simulate, scripted_assistant: ScriptedAssistantFactory, transcript: Transcript
) -> None:
"""
#: What a user gets wrong, the line they write, and what mypy says about it.
MISTAKES: dict[str, tuple[str, str]] = {
    "a misspelt assertion keyword": (
        "transcript.assert_asked(at_turn=[4])",
        'Unexpected keyword argument "at_turn" for "assert_asked" of "Transcript"',
    ),
    "a wrong assertion argument on a fixture's transcript": (
        'run_chat(Terminate(), ["TERMINATE"], answers=[""]).assert_asked("1")',
        'Argument 1 to "assert_asked" of "Transcript" has incompatible type "str"; expected "int | None"',
    ),
    "a wrong run_chat argument": (
        'run_chat(Terminate(), ["TERMINATE"], max_turns="4")',
        'Argument "max_turns" to "__call__" of "RunChat" has incompatible type "str"; expected "int | None"',
    ),
    "a misspelt simulate keyword": (
        'simulate(Terminate(), ["TERMINATE"], auto_reply_limt=2)',
        'Unexpected keyword argument "auto_reply_limt" for "__call__" of "Simulate"',
    ),
    "a condition where a policy is needed": (
        'simulate(has_code_block, ["TERMINATE"])',
        'Argument 1 to "__call__" of "Simulate" has incompatible type "HasCodeBlock"; expected "InputPolicy"',
    ),
    "options of a scripted assistant given by position": (
        'scripted_assistant("hi", "bot", "stop")',
        'Too many arguments for "__call__" of "ScriptedAssistantFactory"',
    ),
    "a condition combined with a policy is a policy": (
        "review: Condition = has_code_block | Terminate()",
        'Incompatible types in assignment (expression has type "InputPolicy", variable has type "Condition")',
    ),
    "a condition combined with a string": (
        'Keyword() | "TERMINATE"',
        'Unsupported operand types for | ("Keyword" and "str")',
    ),
    "from_config with no configuration": (
        "PolicyUserProxy.from_config(42)",
        'Argument 1 to "from_config" of "PolicyUserProxy" has incompatible type "int"',
    ),
}
_ERROR = re.compile(r"^(?P<path>[^:\n]+):(?P<line>\d+): error: (?P<message>.*?)(?:  \[[\w-]+\])?$", re.MULTILINE)


@pytest.fixture(scope="module")
def mypy_errors(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """Run mypy once over tests/typing and one file per mistake; the errors by file name, as ``line: message``."""
    # mypy's cache is kept between runs (in pytest's), and the snippets at the same place: mypy replays the errors
    # of an unchanged module from its cache with the path it had then.
    cache = getattr(request.config, "cache", None)
    work = cache.mkdir("hitl_typing") if cache is not None else tmp_path_factory.mktemp("hitl_typing")
    snippets = work / "should_fail"
    snippets.mkdir(exist_ok=True)
    for stale in snippets.glob("*.py"):
        stale.unlink()
    for number, (line, _) in enumerate(MISTAKES.values()):
        (snippets / f"mistake_{number}.py").write_text(PRELUDE + textwrap.indent(line, "    ") + "\n")
    cache_dir = work / "mypy_cache"
    stdout, stderr, _ = mypy_api.run(
        [
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "--cache-dir",
            str(cache_dir),
            "--strict",
            "--no-error-summary",
            "--hide-error-context",
            "--no-pretty",
            "--show-absolute-path",
            str(TYPING),
            *sorted(str(path) for path in snippets.glob("*.py")),
        ]
    )
    assert not stderr, stderr
    errors: dict[str, list[str]] = {}
    for match in _ERROR.finditer(stdout):
        path = Path(match["path"])
        if path.parent in (TYPING, snippets):  # errors in hitl itself are the business of `mypy --strict hitl`
            errors.setdefault(path.name, []).append(f"{match['line']}: {match['message']}")
    return errors


def test_the_typing_modules_pass_mypy_strict(mypy_errors: dict[str, list[str]]) -> None:
    typing_errors = {name: lines for name, lines in mypy_errors.items() if not name.startswith("mistake_")}
    assert typing_errors == {}


@pytest.mark.parametrize("mistake", MISTAKES)
def test_a_mistake_fails_mypy_strict_on_its_line(mistake: str, mypy_errors: dict[str, list[str]]) -> None:
    _, expected = MISTAKES[mistake]
    line_number = PRELUDE.count("\n") + 1
    errors = mypy_errors.get(f"mistake_{list(MISTAKES).index(mistake)}.py", [])
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"{line_number}: {expected}"), errors
