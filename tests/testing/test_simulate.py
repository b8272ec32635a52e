"""simulate() decides exactly as a real proxy does, without any agent, and fast."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hitl import Always, InputPolicy, Keyword, Never, Terminate, TurnContext, When
from hitl.core.conditions import AfterAutoReplies, EveryNth, has_code_block, has_tool_call
from hitl.testing import function_call, run_chat, simulate, tool_call


def second_message(ctx: TurnContext) -> bool:
    return ctx.turn == 2


REPLIES = st.lists(
    st.sampled_from(
        [
            "working",
            "TERMINATE",
            "done. TERMINATE",
            "```python\nprint(1)\n```",
            "",
            "why?",
            function_call("legacy"),
            tool_call("lookup"),
            {"content": [{"type": "text", "text": "TERMIN"}, {"type": "text", "text": "ATE"}]},
        ]
    ),
    min_size=1,
    max_size=8,
)
POLICIES: list[InputPolicy] = [
    Never(),
    Terminate(),
    Always(),
    Terminate() | When(has_code_block),
    When(EveryNth(2)),
    When(AfterAutoReplies(1)) | When(has_tool_call),
    When(second_message),
]


def test_simulate_returns_one_turn_per_message_until_the_stop() -> None:
    turns = simulate(Terminate(), ["a", "b", "TERMINATE", "never reached"], answers=[""])
    assert [t.outcome for t in turns] == ["auto_reply", "auto_reply", "stop"]
    assert [t.asked for t in turns] == [False, False, True]
    assert turns[-1].stop_reason is not None
    assert "no human input" in turns[-1].stop_reason


def test_simulate_counts_auto_replies_and_resets_them_on_a_human_reply() -> None:
    turns = simulate(Terminate(), ["a", "b", "c", "d"], auto_reply_limit=2, answers=["go on", ""])
    assert [t.context.auto_replies for t in turns] == [0, 1, 2, 0]
    assert [t.outcome for t in turns] == ["auto_reply", "auto_reply", "human_reply", "auto_reply"]


def test_simulate_uses_a_function_for_answers() -> None:
    turns = simulate(Always(), ["a", "b"], answers=lambda ctx: "exit" if ctx.text == "b" else "")
    assert [t.answer for t in turns] == ["", "exit"]
    assert turns[-1].outcome == "stop"


def test_simulate_takes_message_dicts_and_a_termination_condition() -> None:
    call: dict[str, Any] = {"content": None, "tool_calls": [{"id": "1", "function": {"name": "f"}}]}
    turns = simulate(Never(), [call, {"content": "ok TERMINATE"}], is_termination_msg=Keyword())
    assert [t.outcome for t in turns] == ["auto_reply", "stop"]


@pytest.mark.parametrize("policy", POLICIES, ids=repr)
@settings(max_examples=40, deadline=None)
@given(replies=REPLIES, limit=st.integers(min_value=0, max_value=3))
def test_simulate_agrees_with_a_real_chat(policy: InputPolicy, replies: list[str], limit: int) -> None:
    answers = [""] * 20
    transcript = run_chat(policy, replies, answers=answers, limits={"max_consecutive_auto_reply": limit}, raises=False)
    assert transcript.error is None
    # What the proxy received: not its own messages, nor the results of the tools it ran.
    incoming = [m for m in transcript.messages if m.get("name") != "user" and m.get("role") not in ("tool", "function")]
    turns = simulate(policy, incoming, answers=answers, auto_reply_limit=limit)
    real = [(d.asked, d.outcome) for d in transcript.decisions]
    assert [(t.asked, t.outcome) for t in turns][: len(real)] == real


def test_simulate_handles_thousands_of_cases_quickly() -> None:
    messages = [f"step {n}" for n in range(50)] + ["TERMINATE"]
    total = sum(len(simulate(Terminate() | When(has_code_block), messages)) for _ in range(100))
    assert total == 5100
