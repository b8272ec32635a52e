"""The layers' import rules hold: the core imports no agent framework (the contracts are in pyproject.toml)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_the_import_contracts_are_kept() -> None:
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if lint is None:
        pytest.skip("import-linter is a dev dependency")
    result = subprocess.run([lint], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_core_works_where_autogen_cannot_be_imported() -> None:
    script = textwrap.dedent(
        """
        import sys

        class NoAutoGen:
            def find_spec(self, name, path=None, target=None):
                if name == "autogen" or name.startswith("autogen."):
                    raise ImportError(f"{name} is blocked")
                return None

        sys.meta_path.insert(0, NoAutoGen())
        import hitl.core
        from hitl.core import ApproveCode, Terminate, TurnContext, When, has_code_block
        from hitl.core.code import runnable_blocks

        policy = Terminate() | When(has_code_block) | ApproveCode()
        decision = policy.decide(TurnContext("```python\\nprint(1)\\n```"))
        assert decision.ask, decision
        assert runnable_blocks("```\\nprint(1)\\n```") == [("python", "print(1)")]
        from hitl.providers import QueueInput, ScriptedInput, TimeoutInput, ask
        assert ask(TimeoutInput(ScriptedInput(["ok"]), 5), "? ", TurnContext("draft")) == "ok"
        QueueInput()
        assert not [name for name in sys.modules if name == "autogen" or name.startswith("autogen.")]
        print("core ok")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "core ok"


def test_every_name_the_core_offers_resolves_to_the_same_object_as_hitl_offers() -> None:
    import hitl
    import hitl.core

    for name in hitl.core.__all__:
        value = getattr(hitl.core, name)
        if name in hitl.__all__:
            assert getattr(hitl, name) is value, name
    assert "Question" in dir(hitl.core)


def _private_reaches() -> list[str]:
    """Every import of another module's private name, or of a private module outside its own package."""
    import ast

    root = ROOT / "hitl"
    found: list[str] = []
    for path in sorted(root.rglob("*.py")):
        package = list(path.relative_to(ROOT).with_suffix("").parts)[:-1]  # a package's __init__: the package
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom):
                continue
            if node.level:
                base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                target = [*base, *(node.module.split(".") if node.module else [])]
            else:
                target = (node.module or "").split(".")
            if target[0] != "hitl":
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append(f"{where}: from {'.'.join(target)} import {alias.name}")
            private = [index for index, part in enumerate(target) if part.startswith("_") and part != "__init__"]
            # a private module is for its own package (and the packages inside it) only
            if private and target[: private[0]] != package[: private[0]]:
                found.append(f"{where}: from {'.'.join(target)} import ... (a private module of another package)")
    return found


def test_no_module_imports_another_modules_private_names() -> None:
    assert _private_reaches() == []
