"""The README's examples run, and say what the code does."""

from __future__ import annotations

import contextlib
import doctest
import io
import re
from pathlib import Path
from typing import Any

README = Path(__file__).resolve().parents[2] / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"^```python\n(.*?)^```$", README.read_text(encoding="utf-8"), flags=re.DOTALL | re.MULTILINE)


def test_readme_has_python_examples() -> None:
    assert len(python_blocks()) >= 5


def test_every_readme_example_runs_in_order_and_its_tests_pass() -> None:
    namespace: dict[str, Any] = {"__name__": "readme"}
    for block in python_blocks():
        if block.lstrip().startswith(">>>"):
            test = doctest.DocTestParser().get_doctest(block, namespace, "README", str(README), 0)
            runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
            out = io.StringIO()
            runner.run(test, out=out.write)
            assert runner.failures == 0, out.getvalue()
            namespace.update(test.globs)
        else:
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(block, str(README), "exec"), namespace)
    tests = [value for name, value in namespace.items() if name.startswith("test_") and callable(value)]
    assert tests, "the README's testing section defines a test"
    with contextlib.redirect_stdout(io.StringIO()):
        for test_function in tests:
            test_function()


def test_readme_commands_are_the_ones_ci_runs() -> None:
    text = README.read_text(encoding="utf-8")
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert 'pip install -e ".[dev]"' in text
    assert 'install --quiet -e ".[dev]"' in ci
    assert "python -m pytest" in text
    assert "python -m pytest" in ci
    assert "python -m hitl demo" in text
