"""Limits: validated bounds on automation, set once on the proxy."""

from __future__ import annotations

from typing import Any

import pydantic
import pytest

from hitl import Limits, Never, PolicyUserProxy, Terminate
from hitl.core.limits import MAX_LIMIT
from hitl.testing import ScriptedAssistant, quiet
from tests.conftest import EnterInput


def test_limits_default_to_autogens_and_compare_by_value() -> None:
    assert Limits() == Limits(max_consecutive_auto_reply=None, max_turns=None)
    assert Limits(max_turns=3) != Limits(max_turns=4)
    assert hash(Limits(max_turns=3)) == hash(Limits(max_turns=3))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"max_turns": 0}, "max_turns must be >= 1"),
        ({"max_consecutive_auto_reply": -1}, "max_consecutive_auto_reply must be >= 0"),
        ({"max_turns": True}, "must be an int"),
        ({"max_turns": 2.5}, "must be an int"),
        ({"max_consecutive_auto_reply": "10"}, "must be an int"),
        ({"max_turns": MAX_LIMIT + 1}, "must be <= 1,000,000,000"),
        ({"max_turn": 3}, "max_turn"),
    ],
)
def test_bad_limits_are_errors_naming_the_field(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=message):
        Limits(**fields)


def test_limits_are_immutable() -> None:
    limits = Limits(max_turns=3)
    with pytest.raises(pydantic.ValidationError):
        limits.max_turns = 4


def test_max_turns_bounds_a_chat_the_caller_gives_no_max_turns(enter: EnterInput) -> None:
    proxy = PolicyUserProxy("user", policy=Never(), limits=Limits(max_turns=2), code_execution_config=False)
    assistant = ScriptedAssistant("assistant", ["one", "two", "three"])
    with quiet():
        proxy.initiate_chat(assistant, message="go")
    assert [m["content"] for m in proxy.chat_messages[assistant]] == ["go", "one", "", "two"]


def test_the_auto_reply_limit_hands_over_to_the_human_under_terminate(enter: EnterInput) -> None:
    proxy = PolicyUserProxy(
        "user",
        policy=Terminate(),
        limits=Limits(max_consecutive_auto_reply=2),
        human_input=enter,
        code_execution_config=False,
    )
    with quiet():
        proxy.initiate_chat(ScriptedAssistant("assistant", ["a", "b", "c", "d"]), message="go", max_turns=4)
    assert [record.asked for record in proxy.decisions] == [False, False, True]
    assert proxy.decisions[-1].reason == "auto-reply limit reached"
    assert proxy.limits == Limits(max_consecutive_auto_reply=2)
