"""The pytest plugin is installed with the library: its fixtures work with nothing to configure."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]


def test_fixtures_are_available_in_a_users_test_file(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        from hitl import Terminate, When
        from hitl.conditions import has_code_block

        def test_review(run_chat, simulate, scripted_human, scripted_assistant, hitl_quiet):
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
