"""The providers package: its names are hitl.inputs' and hitl's, and one asking adapter serves every caller."""

from __future__ import annotations

import asyncio
import inspect
import threading

import pytest

import hitl
import hitl.inputs
import hitl.providers
from hitl import TurnContext
from hitl.core.errors import ConfigurationError
from hitl.providers import (
    AsyncHumanInput,
    AsyncTimedHumanInput,
    HumanInput,
    NoAnswer,
    QueueInput,
    TimedHumanInput,
    TimeoutInput,
    a_ask,
    ask,
)

CTX = TurnContext("draft")


class SyncOnly:
    def __init__(self) -> None:
        self.threads: list[threading.Thread] = []

    def ask(self, prompt: str, context: TurnContext) -> str:
        self.threads.append(threading.current_thread())
        return f"sync: {prompt}{context.text}"


class AsyncOnly:
    async def a_ask(self, prompt: str, context: TurnContext) -> str:
        await asyncio.sleep(0)
        return f"async: {prompt}{context.text}"


class Both:
    def ask(self, prompt: str, context: TurnContext) -> str:
        return "from ask"

    async def a_ask(self, prompt: str, context: TurnContext) -> str:
        return "from a_ask"


class Silent:
    def ask(self, prompt: str, context: TurnContext) -> str:
        raise NoAnswer("eof", "exit", "closed")

    async def a_ask(self, prompt: str, context: TurnContext) -> str:
        raise NoAnswer("interrupt", "stop it")


class Timed:
    def ask(self, prompt: str, context: TurnContext) -> str:
        return "untimed"

    def ask_within(self, prompt: str, context: TurnContext, seconds: float) -> str:
        return f"within {seconds:g}"


class Slow:
    def ask(self, prompt: str, context: TurnContext) -> str:
        threading.Event().wait(5)
        return "too late"


# -- one set of names ---------------------------------------------------------------------------------------


def test_every_name_of_hitl_inputs_is_the_same_object_in_the_providers_package_or_the_console() -> None:
    import hitl.adapters.autogen.console as console

    for name in hitl.inputs.__all__:
        home = console if name in console.__all__ else hitl.providers
        assert getattr(hitl.inputs, name) is getattr(home, name), name


def test_the_providers_that_hitl_offers_are_the_packages_objects() -> None:
    shared = set(hitl.providers.__all__) & set(hitl.__all__)
    assert {"ScriptedInput", "CallbackInput", "QueueInput", "TimeoutInput", "NoAnswer"} <= shared
    for name in shared:
        assert getattr(hitl, name) is getattr(hitl.providers, name), name
    assert hitl.ConsoleInput is hitl.inputs.ConsoleInput


def test_hitl_inputs_still_offers_every_name_it_offered() -> None:
    offered = {
        "ALLOW_NON_INTERACTIVE_ENV",
        "MAX_TIMEOUT_SECONDS",
        "TERMINAL_RESET",
        "AsyncHumanInput",
        "CallbackInput",
        "ConsoleInput",
        "HumanInput",
        "NoAnswer",
        "Question",
        "QueueInput",
        "ScriptedInput",
        "TimeoutInput",
        "allowed_by_environment",
    }
    assert offered | {"TimedHumanInput", "AsyncTimedHumanInput"} <= set(hitl.inputs.__all__)


@pytest.mark.parametrize("name", hitl.providers.__all__)
def test_every_public_name_of_the_package_is_documented(name: str) -> None:
    value = getattr(hitl.providers, name)
    if not (inspect.isclass(value) or inspect.isfunction(value)):
        return  # a constant or a type alias: documented by the string after it, which the reference shows
    assert (getattr(value, "__doc__", None) or "").strip(), name


# -- the asking adapter, from sync callers ------------------------------------------------------------------


def test_ask_uses_a_sync_providers_ask_in_the_callers_thread() -> None:
    provider = SyncOnly()
    assert ask(provider, "? ", CTX) == "sync: ? draft"
    assert provider.threads == [threading.current_thread()]


def test_ask_runs_an_async_only_providers_a_ask_to_completion() -> None:
    assert ask(AsyncOnly(), "? ", CTX) == "async: ? draft"


def test_ask_prefers_ask_when_a_provider_has_both() -> None:
    assert ask(Both(), "? ", CTX) == "from ask"


def test_ask_lets_no_answer_through() -> None:
    with pytest.raises(NoAnswer) as raised:
        ask(Silent(), "? ", CTX)
    assert (raised.value.reason, raised.value.fallback) == ("eof", "exit")


def test_ask_refuses_to_run_an_async_provider_inside_a_running_loop() -> None:
    async def inside() -> str:
        return ask(AsyncOnly(), "? ", CTX)

    with pytest.raises(ConfigurationError, match="a_initiate_chat"):
        asyncio.run(inside())


def test_ask_within_uses_the_providers_own_timed_read() -> None:
    assert ask(Timed(), "? ", CTX, within=2.5) == "within 2.5"
    assert ask(Timed(), "? ", CTX) == "untimed"


def test_ask_within_gives_up_on_a_provider_without_a_timed_read() -> None:
    with pytest.raises(TimeoutError):
        ask(Slow(), "? ", CTX, within=0.05)


# -- the asking adapter, from async callers -----------------------------------------------------------------


def test_a_ask_awaits_an_async_only_provider() -> None:
    assert asyncio.run(a_ask(AsyncOnly(), "? ", CTX)) == "async: ? draft"


def test_a_ask_runs_a_sync_only_provider_in_a_daemon_thread() -> None:
    provider = SyncOnly()
    assert asyncio.run(a_ask(provider, "? ", CTX)) == "sync: ? draft"
    (thread,) = provider.threads
    assert thread is not threading.current_thread()
    assert thread.daemon


def test_a_ask_prefers_a_ask_when_a_provider_has_both() -> None:
    assert asyncio.run(a_ask(Both(), "? ", CTX)) == "from a_ask"


def test_a_ask_lets_no_answer_through() -> None:
    with pytest.raises(NoAnswer) as raised:
        asyncio.run(a_ask(Silent(), "? ", CTX))
    assert (raised.value.reason, raised.value.fallback) == ("interrupt", "stop it")


def test_a_ask_within_gives_up_on_a_blocking_provider() -> None:
    with pytest.raises((TimeoutError, asyncio.TimeoutError)):
        asyncio.run(a_ask(Slow(), "? ", CTX, within=0.05))


def test_the_workflow_and_timeout_input_ask_through_the_adapter() -> None:
    assert TimeoutInput(AsyncOnly(), seconds=5).ask("? ", CTX) == "async: ? draft"
    assert asyncio.run(TimeoutInput(SyncOnly(), seconds=5).a_ask("? ", CTX)) == "sync: ? draft"
    with pytest.raises(NoAnswer) as raised:
        TimeoutInput(Slow(), seconds=0.05, default="late").ask("? ", CTX)
    assert (raised.value.reason, raised.value.fallback) == ("timeout", "late")


# -- the declared protocols ---------------------------------------------------------------------------------


def test_timed_human_input_is_recognised_by_its_method_alone() -> None:
    class OnlyTimed:
        def ask_within(self, prompt: str, context: TurnContext, seconds: float) -> str:
            return ""

    assert isinstance(OnlyTimed(), TimedHumanInput)
    assert not isinstance(OnlyTimed(), HumanInput)
    assert not isinstance(SyncOnly(), TimedHumanInput)


def test_the_timed_providers_declare_the_timed_read() -> None:
    queue_input = QueueInput()
    assert isinstance(queue_input, TimedHumanInput)
    assert isinstance(queue_input, AsyncTimedHumanInput)
    assert isinstance(hitl.ConsoleInput(), TimedHumanInput)
    assert isinstance(hitl.providers.CallbackInput(lambda prompt, ctx: ""), TimedHumanInput)
    assert not isinstance(hitl.providers.ScriptedInput([]), TimedHumanInput)


def test_an_attribute_of_none_is_not_a_timed_read() -> None:
    class Disabled:
        ask_within = None

    assert not isinstance(Disabled(), TimedHumanInput)


def test_the_protocols_tell_sync_from_async_providers() -> None:
    assert isinstance(SyncOnly(), HumanInput)
    assert not isinstance(SyncOnly(), AsyncHumanInput)
    assert isinstance(AsyncOnly(), AsyncHumanInput)
    assert not isinstance(AsyncOnly(), HumanInput)


def test_a_scripted_human_shows_its_whole_script() -> None:
    from hitl.providers import ScriptedInput

    human = ScriptedInput(["first", "exit"])
    assert human.ask("? ", TurnContext("draft")) == "first"
    assert human.answers == ("first", "exit")
    assert human.remaining == 1
