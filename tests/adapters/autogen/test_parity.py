"""Parity: Never(), Terminate() and Always() behave exactly as AutoGen's NEVER, TERMINATE and ALWAYS.

A differential suite: the native UserProxyAgent and PolicyUserProxy run the same generated scenarios
(assistant scripts with text, TERMINATE, empty content, tool and function calls whose content is None;
human answers '', 'exit', text; auto-reply limits from 0; with and without max_turns; three termination
checks, one of which crashes on None content) and must agree on the chat history, the prompts (texts and
count), the stopping point (or the exception), the human input kept and AutoGen's counter.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import pytest
from autogen import ConversableAgent

from hitl import Never, PolicyUserProxy, ScriptedInput, Terminate
from hitl.adapters.autogen.compat import AUTOGEN_DISTRIBUTION, AUTOGEN_VERSION
from hitl.testing import ScriptedAssistant, quiet, tool_call

from ._parity import NativeHuman, Scenario, _crashes_on_none, compare, make_native, make_ours, run

SCENARIOS = 400


@pytest.mark.parametrize("use_async", [False, True], ids=["initiate_chat", "a_initiate_chat"])
def test_generated_scenarios_run_identically_on_native_and_hitl(use_async: bool) -> None:
    mismatches = []
    for seed in range(SCENARIOS):
        difference = compare(Scenario.generate(seed), use_async=use_async)
        if difference is not None:
            mismatches.append(difference)
    assert not mismatches, f"{len(mismatches)} of {SCENARIOS} scenarios differ; the first:\n{mismatches[0]}"


def test_the_generated_scenarios_cover_every_outcome_and_mode() -> None:
    outcomes, modes, asked = set(), set(), 0
    for seed in range(SCENARIOS):
        scenario = Scenario.generate(seed)
        result = run(make_ours(scenario), scenario, use_async=False)
        outcomes.add(result.outcome)
        modes.add((scenario.mode, scenario.limit == 0, scenario.max_turns is None))
        asked += len(result.prompts) >= 2
    assert outcomes == {"ok", "TypeError", "human ran out of answers", "assistant ran out of replies"}
    assert len(modes) == 12
    assert asked >= 40


def test_a_termination_check_that_crashes_on_none_content_crashes_at_the_same_message() -> None:
    scenario = Scenario(
        seed=-1,
        mode="NEVER",
        limit=10,
        max_turns=None,
        assistant_limit=None,
        script=("working", tool_call("lookup", call_id="c1"), "TERMINATE"),
        answers=(),
        termination="crashes-on-none",
        on_exhausted="raise",
    )
    native = run(make_native(scenario, use_async=False), scenario, use_async=False)
    ours = run(make_ours(scenario), scenario, use_async=False)
    assert native.outcome == ours.outcome == "TypeError"
    assert native.history == ours.history
    assert len(ours.history) == 4, "it crashed on the tool call, not sooner"
    with pytest.raises(TypeError):
        _crashes_on_none({"content": None})


@pytest.mark.parametrize("use_async", [False, True], ids=["initiate_chat", "a_initiate_chat"])
def test_without_max_turns_a_long_chat_dies_of_recursion_at_the_same_message(use_async: bool) -> None:
    scenario = Scenario(
        seed=-2,
        mode="NEVER",
        limit=1000,
        max_turns=None,
        assistant_limit=1000,
        script=tuple(["go on"] * 800),
        answers=(),
        termination="safe",
        on_exhausted="raise",
    )
    native = run(make_native(scenario, use_async=use_async), scenario, use_async=use_async)
    ours = run(make_ours(scenario), scenario, use_async=use_async)
    assert native.outcome == ours.outcome == "RecursionError"
    if use_async:
        # Where exactly a coroutine chain overflows depends on the deepest call inside each round, which
        # differs by a frame or two between AutoGen's check and ours: the same round, give or take a message.
        assert abs(len(native.history) - len(ours.history)) <= 1
    else:
        assert len(native.history) == len(ours.history)
    assert 100 < len(ours.history) < 1600
    assert sys.getrecursionlimit() == 1000, "the recursion limit is restored"


def _native_async_asks_twice() -> bool:
    """pyautogen before 0.10 runs both human-reply checks in a_generate_reply; AG2 0.10+ skips the sync one."""
    return AUTOGEN_DISTRIBUTION == "pyautogen"


def test_native_async_asks_twice_per_message_where_the_bug_exists_and_hitl_asks_once() -> None:
    native = NativeHuman("user", human_input_mode="ALWAYS", code_execution_config=False, answers=[""] * 10)
    ours = PolicyUserProxy(
        "user",
        policy=Never() | Terminate() | ~Never(),
        human_input=ScriptedInput([""] * 10),
        code_execution_config=False,
    )
    for proxy in (native, ours):
        with quiet():
            asyncio.run(
                proxy.a_initiate_chat(ScriptedAssistant("assistant", ["one", "two"]), message="go", max_turns=2)
            )
    native_prompts = len(native.prompts)
    our_prompts = len(ours.human_input.prompts)  # type: ignore[union-attr]
    assert our_prompts == 1
    assert native_prompts == (2 if _native_async_asks_twice() else 1), (AUTOGEN_DISTRIBUTION, AUTOGEN_VERSION)


def test_hitl_replaces_autogens_check_instead_of_running_beside_it() -> None:
    proxy = PolicyUserProxy("user", code_execution_config=False)
    functions = [entry["reply_func"] for entry in proxy._reply_func_list]
    assert ConversableAgent.check_termination_and_human_reply not in functions
    assert ConversableAgent.a_check_termination_and_human_reply not in functions
    assert len(functions) == len(NativeHuman("u", code_execution_config=False, answers=[])._reply_func_list)


def test_an_auto_reply_step_is_added_only_when_something_reads_it() -> None:
    from hitl.adapters.autogen.proxy import auto_reply_step

    def steps(proxy: PolicyUserProxy) -> int:
        return sum(entry["reply_func"] is auto_reply_step for entry in proxy._reply_func_list)

    assert steps(PolicyUserProxy("user", code_execution_config=False)) == 0
    assert steps(PolicyUserProxy("user", code_execution_config=False, auto_reply="Go on.")) == 1

    class Nudging(PolicyUserProxy):
        def auto_reply(self, ctx: Any) -> str:
            return "nudge"

    assert steps(Nudging("user", code_execution_config=False)) == 1
    later = PolicyUserProxy("user", code_execution_config=False)
    later.auto_reply_strategy = "Go on."
    later.auto_reply_strategy = "Keep going."
    assert steps(later) == 1
