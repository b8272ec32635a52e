"""SpeakerSelection keeps AutoGen's selection rules, refuses what would mislead, and names its errors."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from autogen import GroupChat, GroupChatManager

from hitl import (
    ApproveCode,
    ConfigurationError,
    Never,
    PolicyError,
    PolicyUserProxy,
    ScriptedInput,
    SpeakerSelection,
    When,
)
from hitl.core.approval import ApproveTools
from hitl.core.decisions import Decision
from hitl.core.policies import InputPolicy
from hitl.testing import ScriptedAssistant, quiet


def human_of(answers: list[str], **kwargs: Any) -> PolicyUserProxy:
    return PolicyUserProxy(
        "human", policy=Never(), code_execution_config=False, human_input=ScriptedInput(answers), **kwargs
    )


def agents(*names: str) -> list[ScriptedAssistant]:
    return [ScriptedAssistant(name, [f"{name} {n}" for n in range(1, 9)], on_exhausted="stop") for name in names]


def chat(human: PolicyUserProxy, group: GroupChat, *, use_async: bool = False) -> GroupChatManager:
    manager = GroupChatManager(group, llm_config=False)
    with quiet():
        if use_async:
            asyncio.run(human.a_initiate_chat(manager, message="Start."))
        else:
            human.initiate_chat(manager, message="Start.")
    return manager


def spoke(group: GroupChat) -> list[str]:
    return [message["name"] for message in group.messages]


def test_a_function_that_returns_manual_asks_the_humans_provider_not_the_console() -> None:
    human = human_of(["critic", "coder"])
    coder, critic = agents("coder", "critic")
    selection = SpeakerSelection(human, then=lambda last, group: "manual")
    group = GroupChat([human, coder, critic], messages=[], max_round=3, speaker_selection_method=selection)
    chat(human, group)
    assert spoke(group) == ["human", "critic", "coder"]
    assert [(r.policy, r.outcome, r.answer) for r in human.decisions] == [
        ("speaker_selection", "selected", "critic"),
        ("speaker_selection", "selected", "coder"),
    ]


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
def test_manual_selection_offers_only_the_speakers_the_transition_graph_allows(use_async: bool) -> None:
    human = human_of(["1", "1"])  # the first speaker offered, each time
    coder, critic = agents("coder", "critic")
    graph = {human: [coder, critic], coder: [critic], critic: [human]}
    group = GroupChat(
        [human, coder, critic],
        messages=[],
        max_round=4,
        speaker_selection_method=SpeakerSelection(human, then="manual"),
        allowed_or_disallowed_speaker_transitions=graph,
        speaker_transitions_type="allowed",
    )
    chat(human, group, use_async=use_async)
    # after the human: coder or critic (asked: "1" is the coder); after the coder only the critic (not
    # asked: one speaker is allowed); after the critic only the human (not asked either).
    assert spoke(group) == ["human", "coder", "critic", "human"]
    assert len(human.decisions) == 2  # one question, and the human's own turn (Never(): an auto-reply)
    question = human.decisions[0].prompt or ""
    assert "1: coder\n2: critic\n" in question
    assert "human" not in question.split("list:")[1].split("Enter")[0]


def test_manual_selection_keeps_allow_repeat_speaker_false() -> None:
    human = human_of(["coder", "1"])
    coder, critic = agents("coder", "critic")
    group = GroupChat(
        [human, coder, critic],
        messages=[],
        max_round=3,
        allow_repeat_speaker=False,
        speaker_selection_method=SpeakerSelection(human, then="manual"),
    )
    chat(human, group)
    assert spoke(group) == ["human", "coder", "human"]  # after the coder, "1" is the first other agent
    assert "coder" not in (human.decisions[1].prompt or "").split("list:")[1].split("Enter")[0]


def test_an_agent_named_like_a_number_is_chosen_by_its_name() -> None:
    human = human_of(["2"])
    one, two = agents("2", "1")
    group = GroupChat(
        [human, one, two], messages=[], max_round=2, speaker_selection_method=SpeakerSelection(human, then="manual")
    )
    chat(human, group)
    assert spoke(group) == ["human", "2"]


@pytest.mark.parametrize("gate", [ApproveCode(), Never() | ApproveTools("deploy")], ids=repr)
def test_a_hand_over_with_approval_gates_is_refused_at_once(gate: InputPolicy) -> None:
    with pytest.raises(ConfigurationError, match="put ApproveCode"):
        SpeakerSelection(human_of([]), hand_over=gate)


class Broken(InputPolicy):
    def decide(self, ctx: Any) -> Decision:
        return None  # type: ignore[return-value]

    def __repr__(self) -> str:
        return "Broken()"


def test_a_hand_over_policy_that_returns_no_decision_is_a_policy_error() -> None:
    human = human_of([])
    (coder,) = agents("coder")
    selection = SpeakerSelection(human, hand_over=Broken(), then="round_robin")
    group = GroupChat([human, coder], messages=[], max_round=3, speaker_selection_method=selection)
    with pytest.raises(PolicyError, match=r"Broken\(\)\.decide\(\) returned None, not a Decision"):
        chat(human, group)


def test_a_proxy_policy_that_returns_no_decision_is_a_policy_error() -> None:
    proxy = PolicyUserProxy("user", policy=Broken(), code_execution_config=False)
    (assistant,) = agents("assistant")
    with pytest.raises(PolicyError, match=r"Broken\(\)\.decide\(\) returned None, not a Decision"), quiet():
        proxy.initiate_chat(assistant, message="Start.", max_turns=2)


def test_a_rebuilt_manager_is_the_one_the_hand_over_sees() -> None:
    seen: list[tuple[str | None, int]] = []

    def note(ctx: Any) -> bool:
        seen.append((ctx.sender, ctx.auto_replies))
        return False

    human = human_of([])
    (coder,) = agents("coder")
    selection = SpeakerSelection(human, hand_over=When(note), then="round_robin")
    group = GroupChat([human, coder], messages=[], max_round=4, speaker_selection_method=selection)
    with quiet():
        human.initiate_chat(GroupChatManager(group, llm_config=False, name="first"), message="Start.")
        seen.clear()
        human.initiate_chat(GroupChatManager(group, llm_config=False, name="second"), message="Again.")
    assert seen
    assert {sender for sender, _ in seen} == {"second"}
    assert seen[0][1] == 0  # the second manager's own counter


class AsyncOnly:
    async def a_ask(self, prompt: str, context: Any) -> str:
        return "1"


def test_an_async_only_provider_cannot_answer_a_speaker_question_and_says_why() -> None:
    human = PolicyUserProxy("human", policy=Never(), code_execution_config=False, human_input=AsyncOnly())
    (coder,) = agents("coder")
    group = GroupChat(
        [human, coder], messages=[], max_round=2, speaker_selection_method=SpeakerSelection(human, then="manual")
    )
    with pytest.raises(ConfigurationError, match=r"asks 'human'.s human who speaks next synchronously"):
        chat(human, group, use_async=True)
