"""Humans in AutoGen's GroupChat, with real agents and no LLM: what a user relies on.

Who wrote a message (``ctx.speaker``) against who delivered it (``ctx.sender``, the chat manager); the human
handed the turn (``hand_over``), interjecting from another thread, and choosing the next speaker
(``then="manual"``), over every selection method AutoGen has; every question recorded whatever the provider
(a scripted human, a queue answered from another thread, a timeout nobody meets); approval gates on the agent
that executes in a group (a refused script writes no file, a refused tool never runs); and the warnings.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import queue
import random
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from autogen import ConversableAgent, GroupChat, GroupChatManager
from autogen.coding import LocalCommandLineCodeExecutor

from hitl import (
    Always,
    ApproveCode,
    ApproveTools,
    CallbackInput,
    DecisionRecord,
    Interjection,
    Never,
    PolicyUserProxy,
    QueueInput,
    ScriptedInput,
    SpeakerSelection,
    TimeoutInput,
    TurnContext,
    When,
)
from hitl.core.conditions import FromSender, has_code_block
from hitl.core.errors import ConfigWarning
from hitl.testing import ScriptedAssistant, code_block, quiet, tool_call

MANAGER = "chat_manager"  # GroupChatManager's default name: the sender of every message in a group
CHAT_LIMIT = 20.0  # seconds: a chat that is not over by then hangs (a question nobody will answer)

#: AutoGen's selection methods a SpeakerSelection wraps here ("manual" has tests of its own).
METHODS = ["round_robin", "random", "custom", "auto"]

#: AG2 (0.3+) runs "auto" through a model client we can script; pyautogen 0.2 has no such hook, and its
#: "auto" with a manager without an LLM selects the next agent in order (GroupChat._finalize_speaker).
AUTO_TAKES_A_MODEL_CLIENT = "select_speaker_auto_model_client_cls" in {f.name for f in dataclasses.fields(GroupChat)}


@pytest.fixture(autouse=True)
def seeded_random() -> Iterator[None]:
    """AutoGen's "random" draws from the random module: the same draws in every run."""
    state = random.getstate()
    random.seed(20240611)
    yield
    random.setstate(state)


# -- building groups -------------------------------------------------------------------------------------------


def backwards(last_speaker: Any, group: GroupChat) -> Any:
    """A custom selection method: the agent before the last speaker, in the group's order."""
    return group.agents[group.agents.index(last_speaker) - 1]


def scripted_auto(names: list[str]) -> dict[str, Any]:
    """GroupChat arguments with which "auto" names ``names`` in turn, offline.

    On AG2, the manager's speaker-selection agent gets a model client that answers with the next name; on
    pyautogen 0.2 none are needed (without an LLM its "auto" selects the next agent in order).
    """
    if not AUTO_TAKES_A_MODEL_CLIENT:
        return {}
    picks = itertools.cycle(names)

    class NamePicker:
        """A model client (AutoGen's ModelClient protocol) that names the next speaker from a script."""

        def __init__(self, config: dict[str, Any], **kwargs: Any) -> None:
            pass

        def create(self, params: dict[str, Any]) -> Any:
            message = SimpleNamespace(content=next(picks), function_call=None, tool_calls=None)
            return SimpleNamespace(choices=[SimpleNamespace(message=message)], model="picker", cost=0.0)

        def message_retrieval(self, response: Any) -> list[str]:
            return [choice.message.content for choice in response.choices]

        def cost(self, response: Any) -> float:
            return 0.0

        @staticmethod
        def get_usage(response: Any) -> dict[str, Any]:
            return {}

    return {
        "select_speaker_auto_llm_config": {"config_list": [{"model": "picker", "model_client_cls": "NamePicker"}]},
        "select_speaker_auto_model_client_cls": NamePicker,
    }


def wrapped(method: str, auto_names: list[str]) -> tuple[str | Callable[[Any, Any], Any], dict[str, Any]]:
    """The ``then`` of a SpeakerSelection for ``method``, and the GroupChat arguments it needs."""
    if method == "custom":
        return backwards, {}
    if method == "auto":
        return "auto", scripted_auto(auto_names)
    return method, {}


def group_of(agents: list[Any], selection: Any, max_round: int, **kwargs: Any) -> tuple[GroupChat, GroupChatManager]:
    group = GroupChat(agents, messages=[], max_round=max_round, speaker_selection_method=selection, **kwargs)
    return group, GroupChatManager(group, llm_config=False)


def run(
    initiator: PolicyUserProxy, manager: GroupChatManager, message: str = "Start.", use_async: bool = False
) -> None:
    with quiet():
        if use_async:
            asyncio.run(initiator.a_initiate_chat(manager, message=message))
        else:
            initiator.initiate_chat(manager, message=message)


def run_bounded(initiator: PolicyUserProxy, manager: GroupChatManager, use_async: bool) -> float:
    """Run the chat in a thread of its own, and fail (instead of hanging) if it is not over within CHAT_LIMIT.

    Returns how long it took. An exception in the chat fails the test.
    """
    errors: list[BaseException] = []

    def chat() -> None:
        try:
            run(initiator, manager, use_async=use_async)
        except BaseException as error:  # handed to the test's thread
            errors.append(error)

    started = time.monotonic()
    thread = threading.Thread(target=chat, daemon=True)
    thread.start()
    thread.join(CHAT_LIMIT)
    assert not thread.is_alive(), f"the group chat was still running after {CHAT_LIMIT} s"
    if errors:
        raise errors[0]
    return time.monotonic() - started


def names(group: GroupChat) -> list[str]:
    return [message["name"] for message in group.messages]


def asked(proxy: PolicyUserProxy) -> list[DecisionRecord]:
    return [record for record in proxy.decisions if record.asked]


def selections(proxy: PolicyUserProxy) -> list[DecisionRecord]:
    return [record for record in proxy.decisions if record.policy == "speaker_selection"]


def prompts_of(proxy: PolicyUserProxy) -> list[str]:
    """What the proxy's scripted human was asked."""
    provider = proxy.human_input
    assert isinstance(provider, ScriptedInput)
    return provider.prompts


def answering(answer: str | Callable[[TurnContext], str]) -> tuple[CallbackInput, list[tuple[str, TurnContext]]]:
    """A provider that answers every question alike (or by the context), and the questions it was asked."""
    questions: list[tuple[str, TurnContext]] = []

    def human(prompt: str, ctx: TurnContext) -> str:
        questions.append((prompt, ctx))
        return answer if isinstance(answer, str) else answer(ctx)

    return CallbackInput(human), questions


def script(prefix: str, count: int = 14) -> list[str]:
    return [f"{prefix} {n}." for n in range(1, count + 1)]


# -- 1. FromSender in a group: the author, not the manager -----------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
def test_from_sender_fires_at_exactly_the_critics_messages_whatever_selects(method: str) -> None:
    provider = {name: answering("") for name in ("human", "reviewer")}
    human, reviewer = (
        PolicyUserProxy(
            name, policy=When(FromSender("critic")), code_execution_config=False, human_input=provider[name][0]
        )
        for name in ("human", "reviewer")
    )
    coder = ScriptedAssistant("coder", script("Draft"))
    critic = ScriptedAssistant("critic", script("Review"))
    then, extra = wrapped(method, ["critic", "human", "coder", "reviewer"])
    group, manager = group_of([human, coder, reviewer, critic], then, max_round=14, **extra)
    run(human, manager)

    assert len(group.messages) == 14  # ran to max_round: every selection happened
    first_four = {
        "round_robin": ["coder", "reviewer", "critic", "human"],
        "custom": ["critic", "reviewer", "coder", "human"],  # backwards
        "auto": ["critic", "human", "coder", "reviewer"] if AUTO_TAKES_A_MODEL_CLIENT else ["coder", "reviewer"],
    }
    expected = first_four.get(method)
    if expected:  # the wrapped method selected (the scripted model for "auto")
        assert names(group)[1 : 1 + len(expected)] == expected
    fired_anywhere, quiet_anywhere = 0, 0
    for proxy in (human, reviewer):
        decided = {record.turn for record in proxy.decisions}
        by_critic = {turn for turn in decided if group.messages[turn - 1]["name"] == "critic"}
        fired = {record.turn for record in asked(proxy)}
        assert fired == by_critic, (proxy.name, names(group))
        questions = provider[proxy.name][1]
        assert [ctx.turn for _, ctx in questions] == sorted(fired)
        assert {(ctx.sender, ctx.speaker) for _, ctx in questions} <= {(MANAGER, "critic")}
        for record in proxy.decisions:
            message = group.messages[record.turn - 1]
            assert (record.sender, record.speaker, record.message) == (MANAGER, message["name"], message["content"])
            assert record.outcome == "auto_reply"  # Enter at the critic's, the policy's auto-reply elsewhere
        fired_anywhere += len(fired)
        quiet_anywhere += len(decided - by_critic)
    assert fired_anywhere  # the proxies decided about the critic's messages
    assert quiet_anywhere  # and about others'


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_from_sender_matches_the_author_over_random_groups(seed: int) -> None:
    random.seed(seed)
    human_input, questions = answering("")
    human = PolicyUserProxy(
        "human", policy=When(FromSender("critic", "tester")), code_execution_config=False, human_input=human_input
    )
    agents: list[Any] = [human] + [ScriptedAssistant(name, script(name)) for name in ("coder", "critic", "tester")]
    group, manager = group_of(agents, "random", max_round=14)
    run(human, manager)
    for record in human.decisions:
        author = group.messages[record.turn - 1]["name"]
        assert record.speaker == author
        assert record.sender == MANAGER
        assert record.asked == (author in ("critic", "tester"))
    assert [ctx.speaker for _, ctx in questions] == [r.speaker for r in asked(human)]


@pytest.mark.parametrize("other", ["critic", "coder"])
def test_in_a_two_agent_chat_the_speaker_is_the_sender(other: str) -> None:
    human_input, questions = answering("")
    human = PolicyUserProxy(
        "human", policy=When(FromSender("critic")), code_execution_config=False, human_input=human_input
    )
    with quiet():
        human.initiate_chat(ScriptedAssistant(other, ["One.", "Two."], on_exhausted="stop"), message="Go.")
    assert [(r.sender, r.speaker, r.asked) for r in human.decisions] == [(other, other, other == "critic")] * 2
    assert all((ctx.sender, ctx.speaker) == (other, other) for _, ctx in questions)


# -- 2. hand_over: the human gets the turn after a message with code ---------------------------------------------

ANSWERS = {"text": "Use a list comprehension.", "enter": "", "exit": "exit"}
OUTCOMES = {"text": "human_reply", "enter": "auto_reply", "exit": "stop"}


def coder_with_code() -> ScriptedAssistant:
    return ScriptedAssistant(
        "coder",
        [
            "A plan.",
            code_block("print(1)"),
            "A revision.",
            code_block("print(2)"),
            "Done.",
            code_block("print(3)"),
            *script("Note"),
        ],
    )


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("answer", list(ANSWERS))
@pytest.mark.parametrize("method", METHODS)
def test_a_message_with_code_hands_the_human_the_next_turn_whatever_selects(
    method: str, answer: str, use_async: bool
) -> None:
    human_input, questions = answering(ANSWERS[answer])
    human = PolicyUserProxy("human", policy=Never(), code_execution_config=False, human_input=human_input)
    coder, critic = coder_with_code(), ScriptedAssistant("critic", script("Fine"))
    then, extra = wrapped(method, ["coder", "critic"])
    selection = SpeakerSelection(human, hand_over=When(has_code_block), then=then)
    group, manager = group_of([human, coder, critic], selection, max_round=12, **extra)
    run(human, manager, use_async=use_async)

    messages = group.messages
    with_code = [turn for turn, message in enumerate(messages, 1) if has_code_block(message)]
    assert with_code, names(group)  # the coder wrote code: there was something to hand over
    assert all(messages[turn - 1]["name"] == "coder" for turn in with_code)
    if answer == "exit":  # the first code ends the chat, there and then
        expected = [with_code[0]]
        assert with_code == expected == [len(messages)]
    else:  # every message with code that a selection followed: the human spoke next, as they answered
        expected = [turn for turn in with_code if turn < len(messages)]
        assert expected  # at least one hand-over happened
        for turn in expected:
            assert (messages[turn]["name"], messages[turn]["content"]) == ("human", ANSWERS[answer])
    assert [ctx.turn for _, ctx in questions] == expected
    assert {(ctx.sender, ctx.speaker) for _, ctx in questions} == {(MANAGER, "coder")}
    for record in human.decisions:
        assert record.policy == "Never()"
        if record.turn in expected:
            assert (record.fired, record.asked, record.outcome) == ("When(has_code_block)", True, OUTCOMES[answer])
            assert record.answer == ANSWERS[answer]
        else:  # selected by the wrapped method: its own policy decides, and never asks
            assert (record.fired, record.asked, record.outcome) == ("Never()", False, "auto_reply")
    assert [r.turn for r in asked(human)] == expected


def test_the_human_is_asked_once_a_code_message_even_when_the_method_would_select_them_anyway() -> None:
    human_input, questions = answering("")
    human = PolicyUserProxy("human", policy=Never(), code_execution_config=False, human_input=human_input)
    coder = ScriptedAssistant("coder", [code_block("print(1)"), "Thanks."])
    selection = SpeakerSelection(human, hand_over=When(has_code_block), then="round_robin")
    group, manager = group_of([human, coder], selection, max_round=5)
    run(human, manager)
    assert names(group) == ["human", "coder", "human", "coder", "human"]
    assert [ctx.turn for _, ctx in questions] == [2]  # the code; "Thanks." is the proxy's own policy's (Never)


def test_the_humans_own_message_is_never_handed_back_to_them() -> None:
    own_code = code_block("print('mine')")
    human_input, questions = answering(own_code)  # the human's reply holds code too
    human = PolicyUserProxy("human", policy=Never(), code_execution_config=False, human_input=human_input)
    coder = ScriptedAssistant("coder", [code_block("print(1)"), *script("Note")])
    critic = ScriptedAssistant("critic", script("Fine"))
    selection = SpeakerSelection(human, hand_over=When(has_code_block), then="round_robin")
    group, manager = group_of([human, coder, critic], selection, max_round=5)
    run(human, manager)
    assert names(group) == ["human", "coder", "human", "coder", "critic"]
    assert group.messages[2]["content"] == own_code
    assert len(questions) == 1


def test_the_hand_over_policy_sees_the_author_and_the_group_history() -> None:
    seen: list[TurnContext] = []

    def code_from_anyone(ctx: TurnContext) -> bool:
        seen.append(ctx)
        return has_code_block(ctx)

    human_input, _ = answering("")
    human = PolicyUserProxy("human", policy=Never(), code_execution_config=False, human_input=human_input)
    coder = ScriptedAssistant("coder", ["Plan.", code_block("print(1)"), *script("Note")])
    critic = ScriptedAssistant("critic", script("Fine"))
    selection = SpeakerSelection(human, hand_over=code_from_anyone, then="round_robin")
    group, manager = group_of([human, coder, critic], selection, max_round=8)
    run(human, manager)
    assert seen
    for ctx in seen:
        author = group.messages[ctx.turn - 1]["name"]
        assert author != "human"  # the human's own messages are not asked about
        assert ctx.speaker == author
        # The human's proxy's own view of the group: the same messages, the human's own as the proxy's.
        assert [(m["content"], m.get("name")) for m in ctx.messages] == [
            (m["content"], m["name"]) for m in group.messages[: ctx.turn]
        ]
        assert all((m["role"] == "assistant") == (m.get("name") == "human") for m in ctx.messages)
        assert ctx.recipient == "human"
    assert [r.fired for r in asked(human)] == ["When(code_from_anyone)"]


def test_speaker_selection_contexts_and_records_name_the_manager_as_sender_like_the_proxys() -> None:
    """``TurnContext.sender`` and ``DecisionRecord.sender``: "in a group chat, the chat manager"."""
    seen: list[TurnContext] = []

    def never(ctx: TurnContext) -> bool:
        seen.append(ctx)
        return False

    answers = ScriptedInput(["2", "exit"])
    human = PolicyUserProxy("human", policy=Never(), code_execution_config=False, human_input=answers)
    coder = ScriptedAssistant("coder", script("Draft"))
    selection = SpeakerSelection(human, hand_over=never, then="manual")
    group, manager = group_of([human, coder, ScriptedAssistant("critic", script("Fine"))], selection, max_round=3)
    run(human, manager)
    assert names(group) == ["human", "coder"]
    assert [ctx.speaker for ctx in seen] == [r.speaker for r in selections(human)][1:] == ["coder"]
    assert [ctx.sender for ctx in seen] == [MANAGER]  # the hand-over policy's context
    assert [r.sender for r in selections(human)] == [MANAGER, MANAGER]  # as every record of the proxy says


@pytest.mark.parametrize("answer", ["", "exit", "Not in the repository root."])
def test_enter_on_a_handed_over_turn_lets_an_executing_proxy_run_the_code_once(tmp_path: Path, answer: str) -> None:
    marker = tmp_path / "handed.txt"
    human_input, questions = answering(answer)
    human = PolicyUserProxy(
        "human",
        policy=Never(),
        human_input=human_input,
        code_execution_config={"executor": LocalCommandLineCodeExecutor(work_dir=tmp_path, timeout=30)},
    )
    coder = ScriptedAssistant("coder", [code_block(f"open(r'{marker}', 'a').write('ran\\n')"), *script("Note")])
    selection = SpeakerSelection(human, hand_over=When(has_code_block), then="round_robin")
    critic = ScriptedAssistant("critic", script("Fine"))
    group, manager = group_of([human, coder, critic], selection, max_round=6)
    run(human, manager)
    assert len(questions) == 1
    if answer == "":
        assert marker.read_text() == "ran\n"
        assert group.messages[2]["content"].startswith("exitcode: 0")
    elif answer == "exit":
        assert not marker.exists()
        assert len(group.messages) == 2  # the chat ended at the code
    else:
        assert not marker.exists()
        assert group.messages[2]["content"] == answer


# -- 3. interjections: the human's words, from another thread, at the next selection -------------------------------


def between_coder_and_critic(last_speaker: Any, group: GroupChat) -> Any:
    """A custom method that never selects the human: only an interjection gives them a turn."""
    return group.agent_by_name("critic" if last_speaker.name == "coder" else "coder")


def interjecting(agent: ConversableAgent, at: int, interject: Callable[[], None]) -> None:
    """Make ``agent`` call ``interject`` while it writes its ``at``-th reply (its message is sent after that)."""
    replies = itertools.count(1)

    def reply(recipient: Any, messages: Any = None, sender: Any = None, config: Any = None) -> tuple[bool, None]:
        if next(replies) == at:
            interject()
        return False, None  # on to its scripted reply

    agent.register_reply([ConversableAgent, None], reply, position=0)


def from_another_thread(selection: SpeakerSelection, *texts: str) -> Callable[[], None]:
    def interject() -> None:
        def human() -> None:
            for text in texts:
                selection.interject(text)

        thread = threading.Thread(target=human)
        thread.start()
        thread.join()

    return interject


def interjection_group(max_round: int = 8) -> tuple[PolicyUserProxy, SpeakerSelection, GroupChat, GroupChatManager]:
    # Always() and a human with no answers: asking at all would raise InputExhaustedError.
    human = PolicyUserProxy("human", policy=Always(), code_execution_config=False, human_input=ScriptedInput([]))
    selection = SpeakerSelection(human, then=between_coder_and_critic)
    coder, critic = ScriptedAssistant("coder", script("Draft")), ScriptedAssistant("critic", script("Review"))
    group, manager = group_of([human, coder, critic], selection, max_round=max_round)
    return human, selection, group, manager


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize(
    ("text", "outcome"), [("Add tests first.", "human_reply"), ("", "auto_reply"), ("exit", "stop")]
)
def test_an_interjection_is_the_humans_message_at_the_next_selection_and_nobody_is_asked(
    text: str, outcome: str, use_async: bool
) -> None:
    human, selection, group, manager = interjection_group()
    interjecting(group.agent_by_name("coder"), 2, from_another_thread(selection, text))
    run(human, manager, use_async=use_async)

    draft_two = names(group).index("coder", 2) + 1  # the turn of the coder's second message
    assert group.messages[draft_two - 1]["content"] == "Draft 2."
    if text == "exit":  # ends the chat: nobody speaks after the coder's message
        assert len(group.messages) == draft_two
    else:
        assert (group.messages[draft_two]["name"], group.messages[draft_two]["content"]) == ("human", text)
        assert group.messages[draft_two + 1]["name"] == "coder"  # then the wrapped method selects again
        assert len(group.messages) == 8
    assert prompts_of(human) == []  # nobody was asked
    (record,) = human.decisions
    assert (record.fired, record.outcome, record.answer) == ("Interjection()", outcome, text)
    assert (record.turn, record.speaker, record.sender) == (draft_two, "coder", MANAGER)
    assert selection.interjections == []


def test_interjections_from_a_thread_started_before_the_chat_are_taken_one_a_selection_oldest_first() -> None:
    human, selection, group, manager = interjection_group()
    critic_spoke, interjected = threading.Event(), threading.Event()

    def human_at_a_keyboard() -> None:
        assert critic_spoke.wait(CHAT_LIMIT)
        selection.interject("First thought.")
        selection.interject("Second thought.")
        interjected.set()

    keyboard = threading.Thread(target=human_at_a_keyboard)
    keyboard.start()

    def signal() -> None:
        critic_spoke.set()
        assert interjected.wait(CHAT_LIMIT)

    interjecting(group.agent_by_name("critic"), 1, signal)
    run(human, manager)
    keyboard.join()
    assert [(m["name"], m["content"]) for m in group.messages[:6]] == [
        ("human", "Start."),
        ("coder", "Draft 1."),
        ("critic", "Review 1."),
        ("human", "First thought."),
        ("human", "Second thought."),
        ("coder", "Draft 2."),
    ]
    assert [(r.fired, r.outcome, r.answer, r.speaker) for r in human.decisions] == [
        ("Interjection()", "human_reply", "First thought.", "critic"),
        ("Interjection()", "human_reply", "Second thought.", "human"),
    ]


def test_an_interjection_comes_before_a_hand_over() -> None:
    human_input, questions = answering("Asked.")
    human = PolicyUserProxy("human", policy=Never(), code_execution_config=False, human_input=human_input)
    selection = SpeakerSelection(human, hand_over=When(has_code_block), then="round_robin")
    coder = ScriptedAssistant("coder", [code_block("print(1)"), *script("Note")])
    interjecting(coder, 1, from_another_thread(selection, "Interjected."))
    group, manager = group_of([human, coder], selection, max_round=4)
    run(human, manager)
    assert [m["content"] for m in group.messages] == ["Start.", code_block("print(1)"), "Interjected.", "Note 1."]
    assert questions == []
    assert [r.fired for r in human.decisions] == ["Interjection()"]
    assert Interjection() == Interjection()
    assert repr(Interjection()) == "Interjection()"


# -- 4. then="manual": the human's provider is asked who speaks next -------------------------------------------

LISTING = "1: human\n2: coder\n3: critic"

MANUAL_CASES = {
    "number": (["3"], "critic", ["selected"]),
    "name": (["coder"], "coder", ["selected"]),
    "padded_name": ([" critic "], "critic", ["selected"]),
    "enter": ([""], "coder", ["fallback"]),  # round_robin after the human: the coder
    "q": (["q"], "coder", ["fallback"]),
    "invalid_then_valid": (["7", "nobody", "3"], "critic", ["invalid", "invalid", "selected"]),
    "invalid_every_try": (["0", "Critic", "-1"], "coder", ["invalid", "invalid", "fallback"]),
    "exit": (["exit"], None, ["stop"]),
}


def manual_group(
    answers: list[str], *, policy: Any = None, tries: int = 3, max_round: int = 2, fallback: str = "round_robin"
) -> tuple[PolicyUserProxy, GroupChat, GroupChatManager]:
    human = PolicyUserProxy(
        "human",
        policy=Never() if policy is None else policy,
        code_execution_config=False,
        human_input=ScriptedInput(answers),
    )
    coder, critic = ScriptedAssistant("coder", script("Draft")), ScriptedAssistant("critic", script("Review"))
    selection = SpeakerSelection(human, then="manual", tries=tries, fallback=fallback)
    group, manager = group_of([human, coder, critic], selection, max_round=max_round)
    return human, group, manager


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("case", list(MANUAL_CASES))
def test_manual_selection_asks_the_humans_provider_with_the_numbered_list(case: str, use_async: bool) -> None:
    answers, chosen, outcomes = MANUAL_CASES[case]
    human, group, manager = manual_group(answers)
    run(human, manager, use_async=use_async)

    assert names(group) == ["human"] + ([chosen] if chosen else [])
    prompts = prompts_of(human)
    assert len(prompts) == len(answers)  # asked once an answer, no more (a ScriptedInput raises past its answers)
    assert all(LISTING in prompt for prompt in prompts)
    for prompt, invalid in zip(prompts[1:], answers, strict=False):
        assert prompt.startswith(f"Invalid input: {invalid.strip()!r}.")
    records = human.decisions
    assert [(r.policy, r.fired, r.outcome, r.answer, r.input_event) for r in records] == [
        ("speaker_selection", "speaker_selection", outcome, answer, "answered")
        for outcome, answer in zip(outcomes, answers, strict=True)
    ]
    for record, prompt in zip(records, prompts, strict=True):
        assert (record.agent, record.asked, record.prompt) == ("human", True, prompt)
        assert (record.turn, record.speaker, record.message) == (1, "human", "Start.")
    assert (records[-1].stop_reason is not None) == (case == "exit")


def test_manual_selection_asks_at_most_tries_times_then_the_fallback_selects() -> None:
    human, group, manager = manual_group(["nobody", "x"], tries=1, max_round=3)  # one question a selection
    run(human, manager)
    assert names(group) == ["human", "coder", "critic"]  # round_robin each time the human gave no valid answer
    assert [r.outcome for r in human.decisions] == ["fallback", "fallback"]  # tries=1: the one answer was the last
    assert [r.turn for r in human.decisions] == [1, 2]
    assert [r.speaker for r in human.decisions] == ["human", "coder"]


def test_an_answer_that_looks_like_a_number_but_is_none_is_asked_again_not_a_crash() -> None:
    # "²".isdigit() is True, but int("²") raises ValueError.
    human, group, manager = manual_group(["²", "3"])
    run(human, manager)
    assert names(group) == ["human", "critic"]
    assert [r.outcome for r in human.decisions] == ["invalid", "selected"]


def test_a_manual_chat_over_several_rounds_records_every_question_in_order() -> None:
    answers = ["2", "human", "Please add tests.", "3", "", "", "exit"]
    human, group, manager = manual_group(answers, policy=Always(), max_round=12)
    run(human, manager)
    # human, then the coder (2), the human (asked for a reply), the critic (3), Enter: round_robin after the
    # critic is the human, asked for a reply (Enter: auto-reply), then exit.
    assert [(m["name"], m["content"]) for m in group.messages] == [
        ("human", "Start."),
        ("coder", "Draft 1."),
        ("human", "Please add tests."),
        ("critic", "Review 1."),
        ("human", ""),
    ]
    assert [(r.policy, r.outcome, r.answer) for r in human.decisions] == [
        ("speaker_selection", "selected", "2"),
        ("speaker_selection", "selected", "human"),
        ("Always()", "human_reply", "Please add tests."),
        ("speaker_selection", "selected", "3"),
        ("speaker_selection", "fallback", ""),
        ("Always()", "auto_reply", ""),
        ("speaker_selection", "stop", "exit"),
    ]
    assert [r.prompt for r in human.decisions] == prompts_of(human)


# -- 5. a queue answered from another thread, and a timeout nobody meets: every question recorded -----------------


class HumanAtAQueue(threading.Thread):
    """A human answering a QueueInput from another thread: speaker questions and reply questions, each from a
    script; ``None`` in a script leaves that question unanswered."""

    def __init__(self, inbox: QueueInput, speakers: list[str | None], replies: list[str | None]) -> None:
        super().__init__(daemon=True)
        self.inbox = inbox
        self.speakers, self.replies = iter(speakers), iter(replies)
        self.seen: list[Any] = []
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            try:
                question = self.inbox.next_question(timeout=0.05)
            except queue.Empty:
                continue
            self.seen.append(question)
            script = self.speakers if "select the next speaker" in question.prompt else self.replies
            answer = next(script, "exit")
            if answer is not None:
                self.inbox.answer(question.id, answer)

    def __enter__(self) -> HumanAtAQueue:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.done.set()
        self.join(5)


def queue_group(provider: Any) -> tuple[PolicyUserProxy, GroupChat, GroupChatManager]:
    human = PolicyUserProxy("human", policy=Always(), code_execution_config=False, human_input=provider)
    coder, critic = ScriptedAssistant("coder", script("Draft")), ScriptedAssistant("critic", script("Review"))
    group, manager = group_of([human, coder, critic], SpeakerSelection(human, then="manual"), max_round=12)
    return human, group, manager


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
def test_a_group_run_with_a_queue_records_every_question_including_speaker_selection(use_async: bool) -> None:
    inbox = QueueInput()
    human, group, manager = queue_group(inbox)
    with HumanAtAQueue(inbox, ["3", "1", "bogus", "2", "", "exit"], ["Please add tests.", ""]) as person:
        run_bounded(human, manager, use_async)
    # The critic (3), the human (1: asked, replies), "bogus" then the coder (2), Enter: round_robin after the
    # coder is the critic; "exit" ends it at the next selection.
    assert [m["name"] for m in group.messages] == ["human", "critic", "human", "coder", "critic"]
    assert group.messages[2]["content"] == "Please add tests."
    records = asked(human)
    assert records == human.decisions  # Always() asks at every turn: every decision is a question
    assert [q.prompt for q in person.seen] == [r.prompt for r in records]
    assert [(r.policy, r.outcome, r.answer, r.input_event) for r in records] == [
        ("speaker_selection", "selected", "3", "answered"),
        ("speaker_selection", "selected", "1", "answered"),
        ("Always()", "human_reply", "Please add tests.", "answered"),
        ("speaker_selection", "invalid", "bogus", "answered"),
        ("speaker_selection", "selected", "2", "answered"),
        ("speaker_selection", "fallback", "", "answered"),
        ("speaker_selection", "stop", "exit", "answered"),
    ]
    assert [q.context.turn for q in person.seen] == [r.turn for r in records] == [1, 2, 2, 3, 3, 4, 5]
    assert inbox.pending() == []


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
def test_a_group_run_with_a_timeout_uses_its_fallback_records_the_timeout_and_does_not_hang(use_async: bool) -> None:
    inbox = QueueInput()
    human, group, manager = queue_group(TimeoutInput(inbox, seconds=0.3, default=""))
    # None: nobody answers that question.
    with HumanAtAQueue(inbox, ["3", None, "2", None, "exit"], [None]) as person:
        took = run_bounded(human, manager, use_async)
    assert took < 10
    # critic (3); no answer: round_robin after the critic is the human, asked for a reply: no answer, the
    # fallback "" auto-replies; then the coder (2); no answer: round_robin after the coder is the critic; exit.
    assert [(m["name"], m["content"]) for m in group.messages] == [
        ("human", "Start."),
        ("critic", "Review 1."),
        ("human", ""),
        ("coder", "Draft 1."),
        ("critic", "Review 2."),
    ]
    records = asked(human)
    assert records == human.decisions
    assert [q.prompt for q in person.seen] == [r.prompt for r in records]
    assert [(r.policy, r.outcome, r.answer, r.input_event) for r in records] == [
        ("speaker_selection", "selected", "3", "answered"),
        ("speaker_selection", "fallback", "", "timeout"),
        ("Always()", "auto_reply", "", "timeout"),
        ("speaker_selection", "selected", "2", "answered"),
        ("speaker_selection", "fallback", "", "timeout"),
        ("speaker_selection", "stop", "exit", "answered"),
    ]
    assert inbox.pending() == []


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
def test_a_speaker_question_nobody_answers_ends_the_chat_with_the_timeouts_exit(use_async: bool) -> None:
    inbox = QueueInput()
    human, group, manager = queue_group(TimeoutInput(inbox, seconds=0.2))  # default "exit"
    with HumanAtAQueue(inbox, [None], []):
        run_bounded(human, manager, use_async)
    assert names(group) == ["human"]
    assert [(r.policy, r.outcome, r.answer, r.input_event) for r in human.decisions] == [
        ("speaker_selection", "stop", "exit", "timeout")
    ]


# -- 6. approval gates on the agent that executes, in a group ----------------------------------------------------

REFUSALS = {"approve": "", "exit": "exit", "text": "No: not in the repository root."}


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("answer", list(REFUSALS))
@pytest.mark.parametrize("order", ["right_after_the_code", "after_the_critic"])
def test_code_written_in_a_group_runs_only_once_approved_and_then_once(
    tmp_path: Path, order: str, answer: str, use_async: bool
) -> None:
    marker = tmp_path / "written.txt"
    code = code_block(f"open(r'{marker}', 'a').write('ran\\n')")
    human = ScriptedInput([REFUSALS[answer]])  # one question, about that code; asked again: InputExhaustedError
    executor = PolicyUserProxy(
        "executor",
        policy=Never() | ApproveCode(),
        human_input=human,
        code_execution_config={"executor": LocalCommandLineCodeExecutor(work_dir=tmp_path, timeout=30)},
    )
    coder = ScriptedAssistant("coder", [code, "Thanks.", "Anything else?"], on_exhausted="stop")
    critic = ScriptedAssistant("critic", ["Go ahead.", "Fine.", "Fine again."], on_exhausted="stop")
    agents = [executor, coder, critic] if order == "after_the_critic" else [executor, critic, coder]
    group, manager = group_of(agents, "round_robin", max_round=9)
    run(executor, manager, "Write the file.", use_async=use_async)

    turn_of_code = [m["content"] for m in group.messages].index(code) + 1
    after_the_code = names(group)[turn_of_code:]
    assert len(human.prompts) == 1
    assert "written.txt" in human.prompts[0]
    (record,) = asked(executor)
    assert (record.fired, record.sender, record.answer) == ("ApproveCode()", MANAGER, REFUSALS[answer])
    if answer == "exit":  # the chat ends where the executor was asked
        assert not marker.exists()
        assert "executor" not in after_the_code
        assert len(group.messages) == turn_of_code + (order == "after_the_critic")
        return
    executor_turn = turn_of_code + after_the_code.index("executor")  # its first message after the code (0-based)
    if answer == "approve":
        assert marker.read_text() == "ran\n"  # ran, exactly once, though the chat went on
        assert group.messages[executor_turn]["content"].startswith("exitcode: 0")
        assert len(group.messages) == 9
    else:
        assert not marker.exists()
        assert group.messages[executor_turn]["content"] == REFUSALS["text"]  # what the group sees


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("answer", list(REFUSALS))
def test_a_tool_call_in_a_group_runs_only_once_approved_and_a_refusal_is_what_the_group_sees(
    answer: str, use_async: bool
) -> None:
    ran: list[str] = []

    def write_file(name: str) -> str:
        ran.append(name)
        return f"wrote {name}"

    human = ScriptedInput([REFUSALS[answer]])
    executor = PolicyUserProxy(
        "executor",
        policy=Never() | ApproveTools(),
        human_input=human,
        function_map={"write_file": write_file},
        code_execution_config=False,
    )
    call = tool_call("write_file", {"name": "notes.txt"}, call_id="call_1")
    coder = ScriptedAssistant("coder", [call, "Thanks.", "Done."], on_exhausted="stop")
    group, manager = group_of([executor, coder], "round_robin", max_round=6)
    run(executor, manager, "Take notes.", use_async=use_async)

    assert len(human.prompts) == 1
    assert "write_file" in human.prompts[0]
    assert names(group)[1] == "coder"
    assert group.messages[1]["tool_calls"][0]["id"] == "call_1"
    if answer == "approve":
        assert ran == ["notes.txt"]
        result = group.messages[2]
        assert result["tool_responses"][0]["content"] == "wrote notes.txt"
    elif answer == "exit":
        assert ran == []
        assert len(group.messages) == 2  # the chat ended at the call
    else:
        assert ran == []
        refusal = group.messages[2]
        assert (refusal["name"], refusal["content"]) == ("executor", REFUSALS["text"])
        assert [(r["tool_call_id"], r["content"]) for r in refusal["tool_responses"]] == [
            ("call_1", "USER INTERRUPTED")
        ]
    (record,) = asked(executor)
    assert (record.fired, record.speaker, record.answer) == ("ApproveTools()", "coder", REFUSALS[answer])


# -- 7. warnings -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
def test_a_group_with_autogens_own_manual_selection_warns_that_it_bypasses_hitl(use_async: bool) -> None:
    human = PolicyUserProxy("human", policy=Never(), code_execution_config=False, human_input=ScriptedInput([]))
    _, manager = group_of([human, ScriptedAssistant("coder", ["Hi."])], "manual", max_round=1)  # never selects

    async def a_chat() -> None:
        await human.a_initiate_chat(manager, message="Start.")

    def chat() -> None:
        with quiet():
            if use_async:
                asyncio.run(a_chat())
            else:
                human.initiate_chat(manager, message="Start.")

    with pytest.warns(ConfigWarning, match=r"selects speakers with AutoGen's 'manual' method") as caught:
        chat()
    (warning,) = [w for w in caught if issubclass(w.category, ConfigWarning)]
    assert "SpeakerSelection(human, then='manual')" in str(warning.message)
    assert warning.filename == __file__  # points at the chat the user started


def test_speaker_selection_with_manual_does_not_warn() -> None:
    human, _, manager = manual_group(["exit"])
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConfigWarning)
        run(human, manager)


@pytest.mark.parametrize("selection", ["round_robin", "speaker_selection"])
def test_a_group_chat_is_bounded_by_max_round_so_no_unbounded_chat_warning(selection: str) -> None:
    human = PolicyUserProxy("human", policy=Never(), code_execution_config=False)  # no limits, no termination
    method: Any = SpeakerSelection(human, then="round_robin") if selection != "round_robin" else "round_robin"
    group, manager = group_of([human, ScriptedAssistant("coder", script("Draft"))], method, max_round=4)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConfigWarning)
        run(human, manager)
    assert len(group.messages) == 4
    # The same proxy in a two-agent chat does warn: the warning is there, and not for a group.
    with pytest.warns(ConfigWarning, match="never asks a human"), quiet():
        human.initiate_chat(ScriptedAssistant("coder", ["Hi."], on_exhausted="stop"), message="Start.")
