"""The differential harness: run native UserProxyAgent and PolicyUserProxy on the same scenario and compare."""

from __future__ import annotations

import asyncio
import random
import warnings
from dataclasses import dataclass, field
from typing import Any

import autogen
from autogen import ConversableAgent

from hitl import InputExhaustedError, PolicyUserProxy, ScriptedInput, ScriptExhaustedError
from hitl.core.errors import ConfigWarning
from hitl.core.policies import from_mode
from hitl.testing import ScriptedAssistant, quiet

MODES = ("NEVER", "TERMINATE", "ALWAYS")


class NativeHumanExhausted(Exception):
    """The native side's scripted human ran out of answers."""


class NativeHuman(autogen.UserProxyAgent):  # type: ignore[misc]
    """AutoGen's own UserProxyAgent, with a scripted human in place of the console."""

    def __init__(self, *args: Any, answers: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._answers = list(answers)
        self.prompts: list[str] = []

    def get_human_input(self, prompt: str, **kwargs: Any) -> str:
        self.prompts.append(prompt)
        if not self._answers:
            raise NativeHumanExhausted(prompt)
        answer = self._answers.pop(0)
        self._human_input.append(answer)
        return answer

    async def a_get_human_input(self, prompt: str, **kwargs: Any) -> str:
        return self.get_human_input(prompt)


def _crashes_on_none(message: dict[str, Any]) -> bool:
    return "TERMINATE" in message.get("content", "")  # the lesson's lambda: TypeError on a tool call


def _safe(message: dict[str, Any]) -> bool:
    return "TERMINATE" in (message.get("content") or "")


TERMINATION_CHECKS: dict[str, Any] = {"autogen-default": None, "safe": _safe, "crashes-on-none": _crashes_on_none}


def tool_call_message(n: int) -> dict[str, Any]:
    return {
        "content": None,
        "tool_calls": [{"id": f"call_{n}", "type": "function", "function": {"name": "lookup", "arguments": "{}"}}],
    }


def function_call_message() -> dict[str, Any]:
    return {"content": None, "function_call": {"name": "legacy", "arguments": "{}"}}


@dataclass(frozen=True)
class Scenario:
    """One generated conversation: the same for both agents."""

    seed: int
    mode: str
    limit: int | None
    max_turns: int | None
    assistant_limit: int | None
    script: tuple[Any, ...]
    answers: tuple[str, ...]
    termination: str
    on_exhausted: str

    @classmethod
    def generate(cls, seed: int) -> Scenario:
        rng = random.Random(seed)
        script: list[Any] = []
        for n in range(rng.randint(1, 8)):
            kind = rng.choice(["text", "text", "terminate-in", "terminate", "empty", "tool", "function"])
            script.append(
                {
                    "text": f"working on step {n}",
                    "terminate-in": f"step {n} done. TERMINATE",
                    "terminate": "TERMINATE",
                    "empty": "",
                    "tool": tool_call_message(n),
                    "function": function_call_message(),
                }[kind]
            )
        answers = [rng.choice(["", "", "exit", f"feedback {n}", "TERMINATE"]) for n in range(rng.randint(0, 10))]
        return cls(
            seed=seed,
            mode=rng.choice(MODES),
            limit=rng.choice([0, 1, 2, 3, 5, None]),
            max_turns=rng.choice([None, None, 1, 2, 3, 5, 8]),
            assistant_limit=rng.choice([None, None, None, 1, 2, 3]),
            script=tuple(script),
            answers=tuple(answers),
            termination=rng.choice(list(TERMINATION_CHECKS)),
            on_exhausted=rng.choice(["raise", "stop"]),
        )


@dataclass
class Run:
    """What one agent did with a scenario."""

    history: list[dict[str, Any]]
    prompts: list[str]
    outcome: str
    human_input: list[str]
    counter: int
    stop_reasons: list[str]
    events: list[str] = field(default_factory=list, compare=False)


def _label(error: BaseException | None) -> str:
    if error is None:
        return "ok"
    if isinstance(error, (NativeHumanExhausted, InputExhaustedError)):
        return "human ran out of answers"
    if isinstance(error, ScriptExhaustedError):
        return "assistant ran out of replies"
    return type(error).__name__


def _assistant(scenario: Scenario) -> ScriptedAssistant:
    kwargs: dict[str, Any] = {}
    if scenario.assistant_limit is not None:
        kwargs["max_consecutive_auto_reply"] = scenario.assistant_limit
    return ScriptedAssistant("assistant", scenario.script, on_exhausted=scenario.on_exhausted, **kwargs)  # type: ignore[arg-type]


def make_native(scenario: Scenario, *, use_async: bool) -> NativeHuman:
    proxy = NativeHuman(
        "user",
        human_input_mode=scenario.mode,
        max_consecutive_auto_reply=scenario.limit,
        is_termination_msg=TERMINATION_CHECKS[scenario.termination],
        code_execution_config=False,
        answers=list(scenario.answers),
    )
    if use_async:
        # pyautogen < 0.10 runs the sync and the async check in async chats (a bug); hitl asks once, as
        # AG2 0.10+ does. Async parity is with native minus that second check.
        proxy._reply_func_list = [
            entry
            for entry in proxy._reply_func_list
            if entry["reply_func"] is not ConversableAgent.check_termination_and_human_reply
        ]
    return proxy


def make_ours(scenario: Scenario) -> PolicyUserProxy:
    return PolicyUserProxy(
        "user",
        policy=from_mode(scenario.mode),
        max_consecutive_auto_reply=scenario.limit,
        is_termination_msg=TERMINATION_CHECKS[scenario.termination],
        code_execution_config=False,
        human_input=ScriptedInput(scenario.answers),
    )


def run(proxy: Any, scenario: Scenario, *, use_async: bool) -> Run:
    assistant = _assistant(scenario)
    error: BaseException | None = None
    with quiet() as stream, warnings.catch_warnings():
        warnings.simplefilter("ignore", ConfigWarning)  # the scenarios explore unbounded setups on purpose
        try:
            if use_async:
                asyncio.run(
                    proxy.a_initiate_chat(assistant, message="Start.", max_turns=scenario.max_turns, silent=True)
                )
            else:
                proxy.initiate_chat(assistant, message="Start.", max_turns=scenario.max_turns, silent=True)
        except Exception as exc:
            error = exc
    prompts = proxy.prompts if isinstance(proxy, NativeHuman) else proxy.human_input.prompts
    return Run(
        history=[dict(message) for message in proxy.chat_messages.get(assistant, [])],
        prompts=list(prompts),
        outcome=_label(error),
        human_input=list(proxy._human_input),
        counter=proxy._consecutive_auto_reply_counter[assistant],
        stop_reasons=[  # AG2's termination events (pyautogen 0.2 sends none)
            event.content.termination_reason for event in stream.events if type(event).__name__ == "TerminationEvent"
        ],
        events=[type(event).__name__ for event in stream.events],
    )


def compare(scenario: Scenario, *, use_async: bool) -> str | None:
    """Run both agents; return a readable difference, or None when they agree."""
    native = run(make_native(scenario, use_async=use_async), scenario, use_async=use_async)
    ours = run(make_ours(scenario), scenario, use_async=use_async)
    for name in ("outcome", "prompts", "history", "human_input", "counter", "stop_reasons"):
        if getattr(native, name) != getattr(ours, name):
            return (
                f"{'async' if use_async else 'sync'} {scenario}\n"
                f"{name} differs:\n  native: {getattr(native, name)!r}\n  hitl:   {getattr(ours, name)!r}"
            )
    return None
