"""TurnContext: what a policy sees of one message, as users build it in tests and as the proxy builds it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from hitl import PolicyUserProxy, Terminate, TurnContext
from hitl.core.context import HistoryView, message_text
from hitl.testing import ScriptedAssistant, quiet
from tests.conftest import EnterInput


def test_a_string_is_a_message_and_a_message_alone_is_its_own_history() -> None:
    ctx = TurnContext("hello", sender="bot", recipient="user", auto_replies=2, auto_reply_limit=5)
    assert ctx.message == {"content": "hello"}
    assert list(ctx.messages) == [ctx.message]
    assert (ctx.text, ctx.turn, ctx.sender, ctx.recipient) == ("hello", 1, "bot", "user")
    assert not ctx.limit_reached
    assert TurnContext("x", auto_replies=5, auto_reply_limit=5).limit_reached


@pytest.mark.parametrize(
    ("content", "text"),
    [
        (None, ""),
        ("plain", "plain"),
        (
            [
                {"type": "text", "text": "a"},
                {"type": "image_url", "image_url": {"url": "u"}},
                {"type": "text", "text": "b"},
            ],
            "a\nb",
        ),
        (42, "42"),
    ],
)
def test_text_reads_every_shape_of_content(content: Any, text: str) -> None:
    assert TurnContext({"content": content}).text == text
    assert message_text(content) == text


def test_a_context_is_immutable() -> None:
    ctx = TurnContext("hi")
    with pytest.raises(AttributeError, match="immutable"):
        ctx.sender = "someone"
    with pytest.raises(AttributeError, match="immutable"):
        del ctx.message


def test_the_termination_check_runs_once_and_only_when_read() -> None:
    calls: list[dict[str, Any]] = []

    def check(message: dict[str, Any]) -> bool:
        calls.append(message)
        return message.get("content") == "TERMINATE"

    ctx = TurnContext("TERMINATE", is_termination=check)
    assert calls == []
    assert "is_termination=?" in repr(ctx)
    assert ctx.is_termination
    assert ctx.is_termination
    assert len(calls) == 1
    assert "is_termination=True" in repr(ctx)


def test_a_termination_check_that_raises_raises_where_it_is_read() -> None:
    def broken(message: dict[str, Any]) -> bool:
        raise KeyError("content")

    ctx = TurnContext("x", is_termination=broken)
    with pytest.raises(KeyError):
        _ = ctx.is_termination


def test_received_counts_the_messages_the_recipient_received() -> None:
    history = [
        {"content": "go", "name": "user", "role": "assistant"},
        {"content": "a", "name": "bot", "role": "user"},
        {"content": "result", "role": "tool"},
        {"content": "b", "name": "bot", "role": "user"},
    ]
    ctx = TurnContext(history[-1], messages=history, recipient="user")
    assert ctx.received == 2
    assert ctx.turn == 4


def test_a_view_reads_its_history_in_place_and_fails_clearly_once_the_history_is_cleared() -> None:
    history: list[Mapping[str, Any]] = [{"content": str(n)} for n in range(5)]
    view = HistoryView(history, 3)
    assert [m["content"] for m in view[1:]] == ["1", "2"]
    assert view[-1]["content"] == "2"
    with pytest.raises(IndexError):
        _ = view[3]
    assert view == history[:3]
    history.clear()
    with pytest.raises(LookupError, match="cleared"):
        list(view)


def test_the_proxy_gives_the_provider_the_context_of_the_message_asked_about(enter: EnterInput) -> None:
    proxy = PolicyUserProxy(
        "user", policy=Terminate(), human_input=enter, max_consecutive_auto_reply=1, code_execution_config=False
    )
    assistant = ScriptedAssistant("assistant", ["working", "still working", "done"])
    with quiet():
        proxy.initiate_chat(assistant, message="go", max_turns=3)
    (ctx,) = enter.contexts  # the auto-reply limit is reached at the second reply: Terminate() asks
    assert (ctx.sender, ctx.recipient, ctx.turn, ctx.auto_replies, ctx.auto_reply_limit) == (
        "assistant",
        "user",
        4,
        1,
        1,
    )
    assert ctx.limit_reached
    assert not ctx.is_termination
    assert ctx.text == "still working"
    assert [m["content"] for m in ctx.messages] == ["go", "working", "", "still working"]


def test_the_speaker_is_the_sender_unless_a_group_names_the_author() -> None:
    two_agents = TurnContext("draft", sender="coder")
    assert two_agents.speaker == "coder"
    assert "speaker" not in repr(two_agents)
    group = TurnContext("looks wrong", sender="chat_manager", speaker="critic")
    assert (group.sender, group.speaker) == ("chat_manager", "critic")
    assert "speaker='critic'" in repr(group)
    with pytest.raises(AttributeError):
        group.speaker = "coder"
