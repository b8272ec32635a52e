"""AutoGen's own expectations of its human-input modes, asserted of the native agent and of hitl alike.

These restate, in this project's words, the cases AutoGen's test suite checks for ``human_input_mode``,
``max_consecutive_auto_reply`` and ``max_turns``; each runs against ``autogen.UserProxyAgent`` and
against ``PolicyUserProxy`` with the matching policy, so a difference shows up as a failure of one side.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from hitl import PolicyUserProxy, ScriptedInput
from hitl.adapters.autogen.compat import AUTOGEN_VERSION
from hitl.core.policies import from_mode
from hitl.testing import ScriptedAssistant, quiet, tool_call

from ._parity import NativeHuman

Factory = Callable[..., Any]


def native(mode: str, answers: list[str], **kwargs: Any) -> Any:
    return NativeHuman("user", human_input_mode=mode, code_execution_config=False, answers=answers, **kwargs)


def ours(mode: str, answers: list[str], **kwargs: Any) -> Any:
    return PolicyUserProxy(
        "user", policy=from_mode(mode), human_input=ScriptedInput(answers), code_execution_config=False, **kwargs
    )


BOTH = pytest.mark.parametrize("make", [native, ours], ids=["native", "hitl"])


def prompts(proxy: Any) -> list[str]:
    return list(proxy.prompts) if isinstance(proxy, NativeHuman) else list(proxy.human_input.prompts)


def chat(proxy: Any, replies: list[Any], *, use_async: bool = False, **kwargs: Any) -> Any:
    assistant = ScriptedAssistant("assistant", replies, on_exhausted="stop")
    with quiet():
        if use_async:
            return asyncio.run(proxy.a_initiate_chat(assistant, message="Hello.", silent=True, **kwargs))
        return proxy.initiate_chat(assistant, message="Hello.", silent=True, **kwargs)


@BOTH
def test_never_stops_after_max_consecutive_auto_reply(make: Factory) -> None:
    proxy = make("NEVER", [], max_consecutive_auto_reply=2)
    result = chat(proxy, ["a", "b", "c", "d", "e"])
    assert [m["content"] for m in result.chat_history] == ["Hello.", "a", "", "b", "", "c"]
    assert prompts(proxy) == []


@BOTH
def test_the_per_sender_limit_can_be_updated(make: Factory) -> None:
    proxy = make("NEVER", [], max_consecutive_auto_reply=5)
    assistant = ScriptedAssistant("assistant", ["a", "b", "c"], on_exhausted="stop")
    assert proxy.max_consecutive_auto_reply() == 5
    proxy.update_max_consecutive_auto_reply(1, assistant)
    assert proxy.max_consecutive_auto_reply(assistant) == 1
    assert proxy.max_consecutive_auto_reply() == 5
    proxy.update_max_consecutive_auto_reply(2)
    assert proxy.max_consecutive_auto_reply(assistant) == 2


@BOTH
def test_terminate_asks_at_the_termination_message_and_enter_stops(make: Factory) -> None:
    proxy = make("TERMINATE", [""])
    result = chat(proxy, ["working", "TERMINATE", "never sent"])
    assert result.chat_history[-1]["content"] == "TERMINATE"
    assert prompts(proxy) == [
        "Please give feedback to assistant. Press enter or type 'exit' to stop the conversation: "
    ]


@BOTH
def test_terminate_asks_when_the_limit_is_reached_and_enter_auto_replies(make: Factory) -> None:
    proxy = make("TERMINATE", ["", "exit"], max_consecutive_auto_reply=1)
    chat(proxy, ["a", "b", "c", "d"])
    skip = "Please give feedback to assistant. Press enter to skip and use auto-reply, "
    assert prompts(proxy) == [skip + "or type 'exit' to stop the conversation: "] * 2


@BOTH
def test_always_asks_on_every_message_and_exit_ends_the_chat(make: Factory) -> None:
    proxy = make("ALWAYS", ["", "go on please", "exit"])
    result = chat(proxy, ["a", "b", "c", "d"])
    assert [m["content"] for m in result.chat_history] == ["Hello.", "a", "", "b", "go on please", "c"]
    assert len(prompts(proxy)) == 3
    assert prompts(proxy)[0].startswith("Replying as user. Provide feedback to assistant.")


@BOTH
def test_always_with_an_empty_answer_on_a_termination_message_stops(make: Factory) -> None:
    proxy = make("ALWAYS", ["", ""])
    result = chat(proxy, ["a", "TERMINATE", "never sent"])
    assert result.chat_history[-1]["content"] == "TERMINATE"


@BOTH
def test_a_limit_of_zero_sends_an_empty_human_reply(make: Factory) -> None:
    proxy = make("ALWAYS", ["", "exit"], max_consecutive_auto_reply=0)
    result = chat(proxy, ["a", "b"])
    assert result.chat_history[2] == {"content": "", "role": "assistant", "name": "user"}
    assert proxy._consecutive_auto_reply_counter[next(iter(proxy.chat_messages))] == 0


@BOTH
def test_a_human_reply_to_a_tool_call_interrupts_each_call(make: Factory) -> None:
    proxy = make("ALWAYS", ["stop that", "exit"])
    call = tool_call("lookup", call_id="id_1")
    call["tool_calls"].append({"id": "id_2", "type": "function", "function": {"name": "other", "arguments": "{}"}})
    result = chat(proxy, [call, "ok"])
    reply = result.chat_history[2]
    assert reply["content"] == "stop that"
    assert reply["tool_responses"] == [
        {"role": "tool", "tool_call_id": "id_1", "content": "USER INTERRUPTED"},
        {"role": "tool", "tool_call_id": "id_2", "content": "USER INTERRUPTED"},
    ]


@BOTH
@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
def test_max_turns_bounds_the_round_trips(make: Factory, use_async: bool) -> None:
    proxy = make("NEVER", [])
    result = chat(proxy, ["a"] * 10, max_turns=3, use_async=use_async)
    assert len(result.chat_history) == 6


@BOTH
def test_chat_result_keeps_the_human_input(make: Factory) -> None:
    proxy = make("ALWAYS", ["first", "", "exit"])
    result = chat(proxy, ["a", "b", "c", "d"])
    assert result.human_input == ["first", "", "exit"]


@pytest.mark.skipif(
    AUTOGEN_VERSION.startswith("0.2."), reason="pyautogen 0.2's max_turns loop does not check the recipient's limit"
)
@BOTH
def test_with_max_turns_the_initiator_stops_at_the_recipients_limit(make: Factory) -> None:
    # initiate_chat(max_turns=...) compares the proxy's own counter with the assistant's limit.
    proxy = make("NEVER", [], max_consecutive_auto_reply=50)
    assistant = ScriptedAssistant("assistant", ["x"] * 20, max_consecutive_auto_reply=2)
    with quiet():
        result = proxy.initiate_chat(assistant, message="Hello.", silent=True, max_turns=10)
    # Two auto-replies, then the proxy's counter (2) reaches the assistant's limit (2): no third turn.
    assert [m["content"] for m in result.chat_history] == ["Hello.", "x", "", "x", ""]
