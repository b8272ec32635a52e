"""Every public name is documented, and the documentation shows it in use."""

from __future__ import annotations

import importlib
import inspect

import pytest

import hitl

MODULES_WITH_EXAMPLES = ["hitl.core.conditions", "hitl.core.replies", "hitl.core.policies"]


def public_names(module_name: str) -> list[tuple[str, object]]:
    module = importlib.import_module(module_name)
    return [(name, getattr(module, name)) for name in module.__all__]


@pytest.mark.parametrize("name", [name for name in hitl.__all__ if name != "__version__"])
def test_every_public_name_has_a_docstring(name: str) -> None:
    value = getattr(hitl, name)
    assert inspect.getdoc(value), f"hitl.{name} has no docstring"


@pytest.mark.parametrize(
    ("module", "name"),
    [
        (module, name)
        for module in MODULES_WITH_EXAMPLES
        for name, value in public_names(module)
        if inspect.isclass(value) or inspect.isfunction(value)
    ],
)
def test_every_condition_policy_and_reply_name_has_an_example(module: str, name: str) -> None:
    value = getattr(importlib.import_module(module), name)
    assert ">>>" in (inspect.getdoc(value) or ""), f"{module}.{name} has no example in its docstring"
