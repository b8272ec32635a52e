"""Auto-reply strategies, each in real AutoGen chats with scripted, LLM-free assistants."""

from __future__ import annotations

from typing import Any

import autogen
import pytest

from hitl import (
    AutoReplyError,
    CallableReply,
    ConfigurationError,
    FirstMatch,
    Keyword,
    Never,
    PolicyUserProxy,
    StaticReply,
    Terminate,
    TurnContext,
    When,
)
from hitl.core.conditions import Contains, asks_question
from hitl.core.replies import as_auto_reply
from hitl.testing import ScriptedAssistant, quiet, run_chat

SCRIPT = ["Should I use a bar chart?", "Draft ready.", "exitcode: 0 (execution succeeded)", "Report done. TERMINATE"]
JUDGMENT = "Please use your best judgment and continue."
PROCEED = "Please proceed with the next step or say TERMINATE if complete."


def native_chat(**kwargs: Any) -> list[dict[str, Any]]:
    proxy = autogen.UserProxyAgent(
        "user", human_input_mode="NEVER", is_termination_msg=Keyword(), code_execution_config=False, **kwargs
    )
    with quiet():
        result = proxy.initiate_chat(ScriptedAssistant("assistant", SCRIPT), message="Start.", silent=True)
    return list(result.chat_history)


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
def test_a_static_reply_is_autogens_default_auto_reply(use_async: bool) -> None:
    ours = run_chat(Never(), SCRIPT, auto_reply="Please continue.", is_termination_msg=Keyword(), use_async=use_async)
    assert ours.messages == native_chat(default_auto_reply="Please continue.")
    strategy = run_chat(Never(), SCRIPT, auto_reply=StaticReply("Please continue."), is_termination_msg=Keyword())
    assert strategy.messages == ours.messages


def test_without_a_strategy_the_auto_reply_is_autogens_empty_one() -> None:
    assert run_chat(Never(), SCRIPT, is_termination_msg=Keyword()).messages == native_chat()


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
def test_a_callable_sees_the_message_and_the_counter_as_the_policy_did(use_async: bool) -> None:
    seen: list[tuple[str, int]] = []
    decided: list[TurnContext] = []
    replied: list[TurnContext] = []

    def never_asks(ctx: TurnContext) -> bool:
        decided.append(ctx)
        return False

    def reply(ctx: TurnContext) -> str:
        seen.append((ctx.text, ctx.auto_replies))
        replied.append(ctx)
        return f"ack {ctx.auto_replies}"

    transcript = run_chat(
        When(never_asks), SCRIPT, auto_reply=CallableReply(reply), is_termination_msg=Keyword(), use_async=use_async
    )
    assert seen == [(SCRIPT[0], 0), (SCRIPT[1], 1), (SCRIPT[2], 2)]  # auto-replies sent before this one
    assert transcript.texts[2] == "ack 0"
    assert len(replied) == 3
    assert all(r is d for r, d in zip(replied, decided[:3], strict=True))  # the very context the policy saw


class SmartUserProxy(autogen.UserProxyAgent):  # type: ignore[misc]
    """The classic pattern: context-aware replies by overriding generate_reply."""

    def generate_reply(self, messages: Any = None, sender: Any = None, **kwargs: Any) -> Any:
        last = (messages or self.chat_messages[sender])[-1].get("content") or ""
        if "TERMINATE" in last:
            return None
        if "?" in last:
            return JUDGMENT
        if "exitcode:" not in last:
            return PROCEED
        return super().generate_reply(messages=messages, sender=sender, **kwargs)


SMART = FirstMatch([(asks_question & ~Contains("TERMINATE"), JUDGMENT), (~Contains("exitcode:"), PROCEED)], default="")


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
def test_first_match_rules_express_the_smart_user_proxy_without_subclassing(use_async: bool) -> None:
    classic = SmartUserProxy("user", human_input_mode="NEVER", code_execution_config=False)
    with quiet():
        expected = classic.initiate_chat(ScriptedAssistant("assistant", SCRIPT), message="Start.", silent=True)
    ours = run_chat(Never(), SCRIPT, auto_reply=SMART, is_termination_msg=Keyword(), use_async=use_async)
    assert ours.messages == expected.chat_history
    assert ours.texts[2] == JUDGMENT
    assert ours.texts[4] == PROCEED
    assert ours.texts[6] == ""


def test_the_classic_generate_reply_override_keeps_working_on_a_policy_user_proxy() -> None:
    class Smart(PolicyUserProxy):
        def generate_reply(self, messages: Any = None, sender: Any = None, **kwargs: Any) -> Any:
            last = (messages or self.chat_messages[sender])[-1].get("content") or ""
            if "?" in last and "TERMINATE" not in last:
                return JUDGMENT
            return super().generate_reply(messages=messages, sender=sender, **kwargs)

    proxy = Smart("user", policy=Never(), is_termination_msg=Keyword(), code_execution_config=False)
    transcript = run_chat(proxy, SCRIPT)
    assert transcript.texts[2] == JUDGMENT
    assert transcript.texts[4] == ""
    assert transcript.decisions[-1].outcome == "stop"


def test_a_subclass_overrides_one_method_to_compute_its_auto_reply() -> None:
    class Countdown(PolicyUserProxy):
        def auto_reply(self, ctx: TurnContext) -> str:
            return f"{ctx.auto_reply_limit - ctx.auto_replies} left"

    proxy = Countdown("user", policy=Never(), limits={"max_consecutive_auto_reply": 5}, code_execution_config=False)
    assert run_chat(proxy, ["a", "b"]).texts == ["Start.", "a", "5 left", "b", "4 left"]


def test_none_sends_no_reply_and_the_chat_ends_there() -> None:
    transcript = run_chat(Never(), ["a", "b", "c"], auto_reply=lambda ctx: None if ctx.text == "b" else "go")
    assert transcript.texts == ["Start.", "a", "go", "b"]


def test_the_auto_reply_is_not_used_when_a_human_answered_or_the_chat_stopped() -> None:
    calls: list[str] = []

    def reply(ctx: TurnContext) -> str:
        calls.append(ctx.text)
        return "auto"

    transcript = run_chat(Terminate(), ["a", "TERMINATE", "b"], answers=["human text"], auto_reply=reply)
    assert transcript.texts == ["Start.", "a", "auto", "TERMINATE", "human text", "b", "auto"]
    assert calls == ["a", "b"]


def test_strategy_failures_are_errors_not_replies() -> None:
    def broken(ctx: TurnContext) -> str:
        raise RuntimeError("no")

    transcript = run_chat(Never(), ["a"], auto_reply=broken, raises=False)
    assert isinstance(transcript.error, AutoReplyError)
    assert isinstance(transcript.error.__cause__, RuntimeError)
    assert transcript.texts == ["Start.", "a"]
    with pytest.raises(AutoReplyError, match="produced 42"):
        run_chat(Never(), ["a"], auto_reply=lambda ctx: 42)
    with pytest.raises(TypeError, match="pairs"):
        FirstMatch([("not a pair",)])  # type: ignore[list-item]
    with pytest.raises(ConfigurationError, match="give one of them"):
        PolicyUserProxy("u", auto_reply="x", default_auto_reply="y", code_execution_config=False)


def test_shorthands_and_assignment() -> None:
    assert as_auto_reply("x") == StaticReply("x")
    assert as_auto_reply({"content": "x"}) == StaticReply({"content": "x"})
    assert isinstance(as_auto_reply(lambda ctx: "x"), CallableReply)
    assert isinstance(as_auto_reply([(asks_question, "x")]), FirstMatch)
    proxy = PolicyUserProxy("u", policy=Never(), code_execution_config=False)
    proxy.auto_reply_strategy = "assigned"
    assert run_chat(proxy, ["a"]).texts[2] == "assigned"


def test_each_sender_gets_its_own_decided_context_when_chats_run_in_threads() -> None:
    import threading
    import time

    from hitl.stores.audit import DecisionRecord

    class SlowSink:
        def write(self, record: DecisionRecord) -> None:
            time.sleep(0.02)  # lets the other thread's decision come in between

    seen: dict[str, list[int]] = {"a": [], "b": []}

    def reply(ctx: TurnContext) -> str:
        seen[str(ctx.sender)].append(ctx.auto_replies)
        return "go on"

    proxy = PolicyUserProxy(
        "user",
        policy=Never(),
        limits={"max_consecutive_auto_reply": 10},
        auto_reply=reply,
        audit=SlowSink(),
        code_execution_config=False,
    )

    def chat(name: str) -> None:
        proxy.initiate_chat(ScriptedAssistant(name, ["1", "2", "3"], on_exhausted="stop"), message="go", silent=True)

    with quiet():
        threads = [threading.Thread(target=chat, args=(name,)) for name in ("a", "b")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert seen == {"a": [0, 1, 2], "b": [0, 1, 2]}
