"""Group parity: in an AutoGen GroupChat, Never(), Terminate() and Always() behave as NEVER, TERMINATE and ALWAYS.

A differential suite, the group-chat companion of test_parity.py: a native UserProxyAgent and a PolicyUserProxy
take the human's seat in the same generated groups (2 or 3 ScriptedAssistants whose scripts mix text, TERMINATE,
empty messages and, in some groups, tool and function calls; random modes, auto-reply limits, max_round,
termination checks of the proxy and of the manager; the proxy or an assistant starts the chat, with or without
max_turns), for each speaker selection method ("round_robin", "random", a custom function, "auto" with a
scripted LLM), with initiate_chat and a_initiate_chat. Both must leave the same group history, ask the same
prompts, keep the same human input, stop at the same round for the same reason and show the same console events.
"""

from __future__ import annotations

import collections
import json
from typing import Any

import pytest

from hitl.adapters.autogen.compat import AUTOGEN_DISTRIBUTION, AUTOGEN_VERSION

from ._group_parity import (
    METHODS,
    PROXY,
    GroupRun,
    GroupScenario,
    compare,
    make_native,
    make_ours,
    run,
)

# Seeds per selection method; each runs with initiate_chat and with a_initiate_chat. "auto" has fewer: every
# selection builds two agents, and pyautogen 0.9 builds a JSON schema for each agent's llm_config (~20 ms).
SCENARIOS = {"round_robin": 150, "random": 150, "custom": 150, "auto": 100}

ALWAYS_PROMPT = (
    f"Replying as {PROXY}. Provide feedback to chat_manager. Press enter to skip and use auto-reply, "
    "or type 'exit' to end the conversation: "
)
TERMINATION_PROMPT = "Please give feedback to chat_manager. Press enter or type 'exit' to stop the conversation: "
LIMIT_PROMPT = (
    "Please give feedback to chat_manager. Press enter to skip and use auto-reply, "
    "or type 'exit' to stop the conversation: "
)


def both(scenario: GroupScenario, *, use_async: bool) -> tuple[GroupRun, GroupRun]:
    native = run(make_native(scenario, use_async=use_async), scenario, use_async=use_async)
    ours = run(make_ours(scenario), scenario, use_async=use_async)
    return native, ours


def spoken(result: GroupRun) -> list[tuple[str, Any]]:
    return [(message["name"], message["content"]) for message in map(json.loads, result.history)]


@pytest.mark.parametrize("use_async", [False, True], ids=["initiate_chat", "a_initiate_chat"])
@pytest.mark.parametrize("method", METHODS)
def test_generated_group_chats_run_identically_on_native_and_hitl(method: str, use_async: bool) -> None:
    mismatches = []
    for seed in range(SCENARIOS[method]):
        difference = compare(GroupScenario.generate(seed, method), use_async=use_async)
        if difference is not None:
            mismatches.append(difference)
    total = SCENARIOS[method]
    assert not mismatches, f"{len(mismatches)} of {total} {method} groups differ; the first:\n{mismatches[0]}"


def test_the_generated_group_scenarios_cover_every_mode_outcome_and_shape() -> None:
    outcomes: collections.Counter[str] = collections.Counter()
    asked: collections.Counter[str] = collections.Counter()
    shapes: collections.Counter[str] = collections.Counter()
    answers: set[str] = set()
    for method in METHODS:
        for seed in range(SCENARIOS[method]):
            scenario = GroupScenario.generate(seed, method)
            result = run(make_ours(scenario), scenario, use_async=False)
            outcomes[result.outcome] += 1
            asked[scenario.mode] += len(result.prompts) > 0
            answers.update(result.human_input)
            if scenario.mode == "NEVER":
                assert not result.prompts, scenario
            if scenario.initiator >= 0:
                shapes[f"{method}: an assistant starts"] += 1
            elif scenario.proxy_outside:
                shapes[f"{method}: the proxy starts from outside the group"] += 1
            else:
                shapes[f"{method}: the proxy starts"] += 1
            roles = {json.loads(message).get("role") for message in result.history}
            shapes["the proxy answered a tool call"] += "tool" in roles
            shapes["the proxy answered a legacy function call"] += "function" in roles
            shapes["max_turns"] += scenario.max_turns is not None
            shapes["a second chat in the same group"] += scenario.again is not None and result.outcome == "ok"
            for line in result.selections:
                answer = line.rpartition(": " if line.startswith("custom") else "; answered ")[2]
                if line.startswith("custom") and answer in ("None", "'round_robin'", "'random'"):
                    shapes[f"custom returned {answer}"] += 1
                elif line.startswith("auto") and (" or " in answer or "Nobody" in answer):
                    shapes["auto got no single name and asked again"] += 1
    assert set(outcomes) >= {"ok", "human ran out of answers", "assistant ran out of replies", "ValueError"}, outcomes
    assert outcomes["ok"] >= sum(SCENARIOS.values()) // 2, outcomes
    assert asked["ALWAYS"] >= 80, asked
    assert asked["TERMINATE"] >= 20, asked
    assert asked["NEVER"] == 0, asked
    assert answers >= {"", "exit", "TERMINATE"}, answers
    assert len(shapes) == 3 * len(METHODS) + 8, shapes
    assert min(shapes.values()) >= 3, shapes


@pytest.mark.parametrize("use_async", [False, True], ids=["initiate_chat", "a_initiate_chat"])
def test_always_in_a_round_robin_group_asks_each_time_the_proxy_is_selected(use_async: bool) -> None:
    scenario = GroupScenario(
        seed=-1,
        method="round_robin",
        mode="ALWAYS",
        max_round=9,
        scripts=(("alice 1", "alice 2", "alice 3"), ("bob 1", "bob 2", "bob 3")),
        answers=("", "Use a list."),
        manager_termination="never",
    )
    native, ours = both(scenario, use_async=use_async)
    assert native == ours
    assert spoken(ours) == [
        (PROXY, "Start."),
        ("alice", "alice 1"),
        ("bob", "bob 1"),
        (PROXY, ""),  # Enter: the auto-reply
        ("alice", "alice 2"),
        ("bob", "bob 2"),
        (PROXY, "Use a list."),
        ("alice", "alice 3"),
        ("bob", "bob 3"),
    ]
    assert ours.prompts == [ALWAYS_PROMPT, ALWAYS_PROMPT]
    assert ours.human_input == ["", "Use a list."]
    assert ours.outcome == "ok"
    assert ours.stop_reasons in ([], ["Maximum rounds (9) reached"])  # pyautogen 0.2 sends no events


@pytest.mark.parametrize("use_async", [False, True], ids=["initiate_chat", "a_initiate_chat"])
def test_terminate_in_a_round_robin_group_asks_only_at_a_termination_message_and_at_the_limit(use_async: bool) -> None:
    scenario = GroupScenario(
        seed=-2,
        method="round_robin",
        mode="TERMINATE",
        limit=1,
        max_round=15,
        termination="safe",
        scripts=(
            ("alice 1", "alice 2", "alice 3", "alice 4", "alice 5"),
            ("bob 1", "bob 2. TERMINATE", "bob 3", "bob 4", "bob 5"),
        ),
        answers=("Keep going.", "exit"),
        manager_termination="never",
    )
    native, ours = both(scenario, use_async=use_async)
    assert native == ours
    assert spoken(ours) == [
        (PROXY, "Start."),
        ("alice", "alice 1"),
        ("bob", "bob 1"),
        (PROXY, ""),  # under the limit, no termination: auto-reply, nobody asked
        ("alice", "alice 2"),
        ("bob", "bob 2. TERMINATE"),
        (PROXY, "Keep going."),  # asked at the termination message
        ("alice", "alice 3"),
        ("bob", "bob 3"),
        (PROXY, ""),  # the human's reply reset the counter: auto-reply again
        ("alice", "alice 4"),
        ("bob", "bob 4"),
        # asked at the limit; "exit" ends the chat
    ]
    assert ours.prompts == [TERMINATION_PROMPT, LIMIT_PROMPT]
    assert ours.outcome == "ok"
    assert ours.stop_reasons in ([], ["User requested to end the conversation", "No reply generated"])


@pytest.mark.parametrize("use_async", [False, True], ids=["initiate_chat", "a_initiate_chat"])
@pytest.mark.parametrize("stop", ["limit", "termination"])
def test_never_in_a_group_never_asks_and_stops_at_the_limit_or_a_termination_message(
    stop: str, use_async: bool
) -> None:
    scenario = GroupScenario(
        seed=-3,
        method="round_robin",
        mode="NEVER",
        limit=1 if stop == "limit" else None,
        max_round=12,
        termination="safe",
        scripts=(
            ("alice 1", "alice 2", "alice 3"),
            ("bob 1", "bob 2. TERMINATE" if stop == "termination" else "bob 2"),
        ),
        answers=("never asked",),
        manager_termination="never",
    )
    native, ours = both(scenario, use_async=use_async)
    assert native == ours
    assert ours.prompts == []
    assert ours.human_input == []
    assert spoken(ours)[-3:] == [(PROXY, ""), ("alice", "alice 2"), ("bob", spoken(ours)[-1][1])]
    assert len(ours.history) == 6, "the proxy's second turn sends nothing, which ends the chat"
    reason = (
        "Maximum number of consecutive auto-replies reached"
        if stop == "limit"
        else f"Termination message condition on agent '{PROXY}' met"
    )
    assert ours.stop_reasons in ([], [reason, "No reply generated"])


@pytest.mark.parametrize("use_async", [False, True], ids=["initiate_chat", "a_initiate_chat"])
def test_an_assistant_that_starts_the_group_with_max_turns_hands_the_proxy_the_same_turns(use_async: bool) -> None:
    scenario = GroupScenario(
        seed=7,
        method="custom",
        mode="ALWAYS",
        max_round=4,
        scripts=(("alice 1", "alice 2", "alice 3", "alice 4"), ("bob 1", "bob 2")),
        answers=("", "Stop there.", "exit"),
        manager_termination="never",
        initiator=0,
        proxy_position=2,
        max_turns=3,
    )
    native, ours = both(scenario, use_async=use_async)
    assert native == ours
    expected = [
        ("alice", "Start."),
        ("bob", "bob 1"),
        ("bob", "bob 2"),
        (PROXY, ""),  # asked, Enter: the auto-reply; then max_round (4) ends the manager's first run
        ("alice", "alice 1"),  # alice's second turn of max_turns, sent to the manager again
        (PROXY, "Stop there."),
        ("alice", "alice 2"),  # the custom method returns None next, which ends the second run
        ("alice", "alice 3"),  # the third turn; bob, selected next, has nothing left to say
    ]
    assert ours.prompts == [ALWAYS_PROMPT, ALWAYS_PROMPT]
    if use_async and AUTOGEN_DISTRIBUTION == "pyautogen" and AUTOGEN_VERSION.startswith("0.2."):
        # pyautogen 0.2's a_run_chat catches no NoEligibleSpeaker: None from the custom method raises it, for both
        assert ours.outcome == "NoEligibleSpeaker"
        assert spoken(ours) == expected[:-1]
        return
    assert ours.outcome == "ok"
    assert spoken(ours) == expected
    assert ours.stop_reasons in (
        [],
        ["Maximum rounds (4) reached", "No next speaker selected", "No reply generated", "Maximum turns (3) reached"],
    )
