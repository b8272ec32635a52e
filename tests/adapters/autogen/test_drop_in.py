"""Drop-in: code that asks the human its own way (AutoGen's documented overrides) behaves as with UserProxyAgent.

Each case runs the native ``UserProxyAgent`` and ``PolicyUserProxy`` on the same script, with the same
override, and compares what was asked and what was said. The test runs with a stdin that is not a terminal
(pytest's), where hitl refuses to ask the console: an override does not read the console, so it is not refused.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import sys
from typing import Any

import pytest
from autogen import UserProxyAgent

from hitl import ConfigurationError, PolicyUserProxy
from hitl.adapters.autogen import compat
from hitl.testing import ScriptedAssistant

ANSWER = "This is a test"


def proxy_with_override(cls: type[Any], how: str, asked: list[str]) -> Any:
    """A proxy of ``cls`` whose human input is replaced ``how``, AutoGen's documented ways."""

    def record(prompt: str) -> str:
        asked.append(prompt)
        return ANSWER

    if how == "subclass get_human_input":

        class Sync(cls):  # type: ignore[misc]
            def get_human_input(self, prompt: str, **kwargs: Any) -> str:
                return record(prompt)

        return Sync("user", human_input_mode="ALWAYS", code_execution_config=False)
    if how == "subclass a_get_human_input":

        class Async(cls):  # type: ignore[misc]
            async def a_get_human_input(self, prompt: str, **kwargs: Any) -> str:
                return record(prompt)

        return Async("user", human_input_mode="ALWAYS", code_execution_config=False)
    proxy = cls("user", human_input_mode="ALWAYS", code_execution_config=False)
    if how == "instance get_human_input":  # as AutoGen's own tests replace it with a mock
        proxy.get_human_input = lambda prompt, **kwargs: record(prompt)
    else:

        async def replaced(prompt: str, **kwargs: Any) -> str:
            return record(prompt)

        proxy.a_get_human_input = replaced
    return proxy


def run(cls: type[Any], how: str, use_async: bool, **chat: Any) -> tuple[list[str], list[Any]]:
    asked: list[str] = []
    proxy = proxy_with_override(cls, how, asked)
    assistant = ScriptedAssistant(
        "assistant", ["a1", "a2", "a3", "a4"], max_consecutive_auto_reply=2, on_exhausted="stop"
    )
    with contextlib.redirect_stdout(io.StringIO()):  # AutoGen's own console, so hitl sees the real stdin
        if use_async:
            result = asyncio.run(proxy.a_initiate_chat(assistant, message="Hello.", **chat))
        else:
            result = proxy.initiate_chat(assistant, message="Hello.", **chat)
    return asked, [message.get("content") for message in result.chat_history]


CASES = [
    ("subclass get_human_input", False),
    ("instance get_human_input", False),
    ("subclass a_get_human_input", True),
    ("instance a_get_human_input", True),
]


def test_stdin_here_is_not_a_terminal_so_the_console_would_be_refused() -> None:
    assert not sys.stdin.isatty()
    with pytest.raises(ConfigurationError, match="stdin is not a terminal"):
        PolicyUserProxy("user", human_input_mode="ALWAYS", code_execution_config=False).check_can_ask()


@pytest.mark.parametrize("max_turns", [None, 3], ids=["to_the_end", "max_turns_3"])
@pytest.mark.parametrize(("how", "use_async"), CASES, ids=[how for how, _ in CASES])
def test_an_overridden_human_input_is_asked_exactly_as_natively(how: str, use_async: bool, max_turns: Any) -> None:
    native = run(UserProxyAgent, how, use_async, max_turns=max_turns)
    ours = run(PolicyUserProxy, how, use_async, max_turns=max_turns)
    assert ours == native
    assert ANSWER in ours[1]  # the override was asked, and its answer sent


@pytest.mark.skipif(not compat.ASYNC_INPUT_DELEGATES, reason="only pyautogen 0.2 asks get_human_input in async chats")
def test_on_pyautogen_02_an_async_chat_asks_an_overridden_sync_get_human_input() -> None:
    native = run(UserProxyAgent, "subclass get_human_input", True)
    ours = run(PolicyUserProxy, "subclass get_human_input", True)
    assert ours == native
    assert len(ours[0]) >= 1


@pytest.mark.skipif(compat.ASYNC_INPUT_DELEGATES, reason="pyautogen 0.2 asks get_human_input in async chats")
def test_an_async_chat_with_only_a_sync_override_still_reads_the_console_and_is_refused() -> None:
    asked: list[str] = []
    proxy = proxy_with_override(PolicyUserProxy, "subclass get_human_input", asked)
    assistant = ScriptedAssistant("assistant", ["a1"], on_exhausted="stop")
    with pytest.raises(ConfigurationError, match="stdin is not a terminal"):  # before anything is sent
        asyncio.run(proxy.a_initiate_chat(assistant, message="Hello."))
    assert asked == []


def test_a_gate_that_asks_only_where_code_runs_is_refused_on_a_console_nobody_can_answer() -> None:
    """``Never() & ApproveCode()`` never asks at the message, yet its gate asks where code runs."""
    from hitl import ApproveCode, Never, Stage, Workflow

    policy = Never() & ApproveCode()
    assert not policy.can_ask
    proxy = PolicyUserProxy("user", policy=policy, code_execution_config={"work_dir": "unused", "use_docker": False})
    assistant = ScriptedAssistant("assistant", ["```python\nprint('ran')\n```"], on_exhausted="stop")
    with pytest.raises(ConfigurationError, match="stdin is not a terminal"):
        proxy.initiate_chat(assistant, message="go", max_turns=2)
    with pytest.raises(ConfigurationError, match="stdin is not a terminal"):
        asyncio.run(proxy.a_initiate_chat(assistant, message="go", max_turns=2))
    stage = Stage("code", "Write it.", policy=policy, checkpoint=False)
    with pytest.raises(ConfigurationError, match="stdin is not a terminal"):
        Workflow([stage], assistant=assistant).run()


def test_get_human_input_taken_from_another_proxy_asks_through_that_proxy() -> None:
    """``proxy.get_human_input = other.get_human_input``: every question goes to the other proxy's human."""
    from hitl import Always, CallbackInput

    asked: dict[str, list[str]] = {"mine": [], "reviewer": []}

    def human(who: str, answer: str) -> CallbackInput:
        def ask(prompt: str, ctx: Any) -> str:
            asked[who].append(prompt)
            return answer

        return CallbackInput(ask)

    proxy = PolicyUserProxy("user", policy=Always(), human_input=human("mine", ""), code_execution_config=False)
    other = PolicyUserProxy("reviewer", human_input=human("reviewer", "exit"), code_execution_config=False)
    proxy.get_human_input = other.get_human_input  # type: ignore[method-assign]
    assistant = ScriptedAssistant("assistant", ["one", "two", "three"])
    result = proxy.initiate_chat(assistant, message="go", max_turns=3, silent=True)
    assert asked["mine"] == []
    assert len(asked["reviewer"]) == 1  # "exit" at the first question stops the chat
    assert len(result.chat_history) == 2
