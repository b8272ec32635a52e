"""The pytest plugin is installed with the library: its fixtures work with nothing to configure."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest

pytest_plugins = ["pytester"]


def test_fixtures_are_available_in_a_users_test_file(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        from hitl import ScriptedInput, Terminate, When
        from hitl.core.conditions import has_code_block
        from hitl.testing import QuietIOStream, RunChat, ScriptedAssistantFactory, Simulate

        def test_review(
            run_chat: RunChat,
            simulate: Simulate,
            scripted_human: type[ScriptedInput],
            scripted_assistant: ScriptedAssistantFactory,
            hitl_quiet: QuietIOStream,
        ) -> None:
            policy = Terminate() | When(has_code_block)
            run_chat(policy, ["```python\\nprint(1)\\n```"], answers=[""]).assert_asked(1)
            assert [t.asked for t in simulate(policy, ["a", "TERMINATE"])] == [False, True]
            assert scripted_human(["x"]).remaining == 1
            assert scripted_assistant(["hi"], name="bot").name == "bot"
            assert hitl_quiet.events == []
        """
    )
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_the_plugin_is_registered_as_an_entry_point() -> None:
    from importlib.metadata import entry_points

    names = {ep.value for ep in entry_points(group="pytest11")}
    assert "hitl.testing.pytest_plugin" in names


def _run(script: str) -> str:
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120)
    return result.stdout.strip()


def test_importing_the_plugin_imports_no_autogen() -> None:
    """pytest imports the plugin at every start, in every project where hitl is installed: it must cost nothing."""
    assert _run("import sys, hitl.testing.pytest_plugin; print('autogen' in sys.modules)") == "False"


def test_the_plugin_adds_no_module_of_the_kit_to_what_hitl_imports() -> None:
    script = (
        "import sys, hitl; before = set(sys.modules); import hitl.testing.pytest_plugin; "
        "print(sorted(m for m in set(sys.modules) - before if m.startswith(('hitl', 'autogen'))))"
    )
    assert _run(script) == "['hitl.testing', 'hitl.testing.pytest_plugin']"


def test_the_kit_loads_its_names_on_first_use() -> None:
    import hitl.testing

    assert sorted(dir(hitl.testing)) == sorted(hitl.testing.__all__)
    for name in hitl.testing.__all__:
        assert getattr(hitl.testing, name) is not None
    with pytest.raises(AttributeError, match="has no attribute 'run_chats'"):
        hitl.testing.run_chats  # noqa: B018


@pytest.mark.parametrize(("fixture_type", "function"), [("RunChat", "run_chat"), ("Simulate", "simulate")])
def test_a_fixture_type_has_the_signature_of_the_function_the_fixture_gives(fixture_type: str, function: str) -> None:
    """mypy checks that the function fits the type; this, that the type offers all of the function."""
    import hitl.testing

    declared = inspect.signature(getattr(hitl.testing, fixture_type).__call__)
    actual = inspect.signature(getattr(hitl.testing, function))
    assert declared.return_annotation == actual.return_annotation
    declared_parameters = list(declared.parameters.values())[1:]  # without self
    assert [(p.name, p.kind, p.annotation) for p in declared_parameters] == [
        (p.name, p.kind, p.annotation) for p in actual.parameters.values()
    ]
    for parameter in declared_parameters:
        if parameter.default is not ...:  # the type may leave a default unsaid
            assert parameter.default == actual.parameters[parameter.name].default, parameter.name
