"""The group-chat differential harness: native UserProxyAgent and PolicyUserProxy in the same GroupChat.

A scenario is a group (the human's proxy and 2 or 3 ScriptedAssistants), a speaker selection method, a mode,
the human's answers and the assistants' scripts. It runs twice, with fresh agents each time: once with AutoGen's
own ``UserProxyAgent`` (its console replaced by a scripted human), once with ``PolicyUserProxy`` and the built-in
policy of the same mode. Both runs must leave the same group history, ask the same prompts, keep the same human
input, stop at the same point for the same reason, leave the proxy the same history and counter with the manager,
call the speaker selection alike and show the same console output (AG2's events, pyautogen 0.2's printed text).

Speaker selection is made reproducible for both runs:

- ``"random"`` draws from Python's ``random`` module, seeded identically before each run;
- the custom method draws from a ``random.Random`` of the scenario's seed, created fresh for each run;
- ``"auto"`` asks the manager's LLM, here a scripted model client (``ScriptedSelector``) whose answers come from a
  fresh ``random.Random`` of the scenario's seed: no network, no cache.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import types
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

import autogen.agentchat.groupchat as groupchat_module
from autogen import ConversableAgent, GroupChat, GroupChatManager

from hitl import PolicyUserProxy, ScriptedInput
from hitl.core.errors import ConfigWarning
from hitl.core.policies import from_mode
from hitl.testing import ScriptedAssistant, quiet

from ._parity import MODES, TERMINATION_CHECKS, NativeHuman, _label, function_call_message, tool_call_message

__all__ = [
    "ASSISTANTS",
    "MANAGER_CHECKS",
    "METHODS",
    "PROXY",
    "SELECTOR_FIELDS",
    "GroupRun",
    "GroupScenario",
    "ScriptedSelector",
    "canonical",
    "compare",
    "custom_selection",
    "make_native",
    "make_ours",
    "run",
    "selector_class",
]

#: The speaker selection methods under test; "custom" is a function of (last_speaker, groupchat).
METHODS = ("round_robin", "random", "custom", "auto")
#: The assistants' names, in order; the human's proxy is "user".
ASSISTANTS = ("alice", "bob", "carol")
PROXY = "user"


def _never(message: dict[str, Any]) -> bool:
    return False


#: The manager's is_termination_msg: AutoGen's default (content == "TERMINATE"), the proxy's checks, or none.
MANAGER_CHECKS: dict[str, Any] = {**TERMINATION_CHECKS, "never": _never}


def lookup() -> str:
    """The tool (and legacy function) of the scenarios where the proxy executes them."""
    return "found it"


@dataclass(frozen=True)
class GroupScenario:
    """One generated group conversation: the same for both proxies."""

    seed: int
    method: str
    mode: str
    limit: int | None = None
    max_round: int = 10
    scripts: tuple[tuple[Any, ...], ...] = ((), ())
    assistant_limits: tuple[int | None, ...] = (None, None)
    on_exhausted: tuple[str, ...] = ("stop", "stop")
    answers: tuple[str, ...] = ()
    termination: str = "autogen-default"  # the proxy's is_termination_msg
    manager_termination: str = "autogen-default"
    initiator: int = -1  # -1: the proxy starts the chat; otherwise the assistant at that index
    proxy_position: int = 0  # where the proxy stands in the group's list of agents
    proxy_outside: bool = False  # the proxy starts the chat but is not one of the group's agents
    max_turns: int | None = None  # initiate_chat's max_turns: the initiator replies to the manager after a run
    allow_repeat_speaker: bool = True
    tools: str = "none"  # "none", "proxy" (the proxy can execute the calls), "nobody" (no agent can)
    opening: str = "Start."  # the initiator's first message
    send_introductions: bool = False
    default_auto_reply: str = ""
    again: str | None = None  # after a chat that ended without error, the initiator starts another in the same group

    @classmethod
    def generate(cls, seed: int, method: str) -> GroupScenario:
        rng = random.Random(f"group/{method}/{seed}")
        names = ASSISTANTS[: rng.choice([2, 3])]
        tools = rng.choice(["none"] * 7 + ["proxy"] * 2 + ["nobody"])
        kinds = (
            ["text"] * 6 + ["terminate-in", "terminate", "empty"] + (["tool", "function"] if tools != "none" else [])
        )
        scripts = []
        for name in names:
            script: list[Any] = []
            for n in range(rng.choice([0, *range(1, 9)])):
                kind = rng.choice(kinds)
                script.append(
                    {
                        "text": f"{name}: step {n}",
                        "terminate-in": f"{name}: step {n} done. TERMINATE",
                        "terminate": "TERMINATE",
                        "empty": "",
                        "tool": tool_call_message(n),
                        "function": function_call_message(),
                    }[kind]
                )
            scripts.append(tuple(script))
        answers = [rng.choice(["", "", "exit", f"feedback {n}", "TERMINATE"]) for n in range(rng.randint(0, 8))]
        return cls(
            seed=seed,
            method=method,
            mode=rng.choice(MODES),
            limit=rng.choice([0, 1, 2, 3, 5, None]),
            max_round=rng.randint(2, 12),
            scripts=tuple(scripts),
            assistant_limits=tuple(rng.choice([None, None, None, None, 1, 2, 3]) for _ in names),
            on_exhausted=tuple(rng.choice(["stop", "stop", "raise"]) for _ in names),
            answers=tuple(answers),
            termination=rng.choice(list(TERMINATION_CHECKS)),
            manager_termination=rng.choice([*MANAGER_CHECKS, "never", "never"]),
            initiator=rng.choice([-1, -1, -1, *range(len(names))]),
            proxy_position=rng.randint(0, len(names)),
            proxy_outside=rng.random() < 0.1,
            max_turns=rng.choice([None, None, None, 1, 2, 3]),
            allow_repeat_speaker=rng.choice([True, True, False]),
            tools=tools,
            opening=rng.choice(["Start."] * 8 + ["Start. TERMINATE", "TERMINATE"]),
            send_introductions=rng.random() < 0.1,
            default_auto_reply=rng.choice(["", "", "", "Go on."]),
            again=rng.choice([None, None, None, None, "Once more.", "TERMINATE"]),
        )


@dataclass
class GroupRun:
    """What one proxy's group did with a scenario."""

    outcome: str
    history: list[str]  # groupchat.messages, each as canonical JSON
    rounds: int
    prompts: list[str]
    human_input: list[str]
    stop_reasons: list[str]  # AG2's TerminationEvents (pyautogen 0.2 sends none)
    proxy_history: list[str]  # the proxy's own history with the manager, as canonical JSON
    counter: int
    selections: list[str]  # what the custom method or the scripted LLM was called with and answered
    console: list[str]  # what AutoGen showed: AG2's event types, pyautogen 0.2's printed text


COMPARED = (
    "outcome",
    "rounds",
    "history",
    "prompts",
    "human_input",
    "stop_reasons",
    "proxy_history",
    "counter",
    "selections",
    "console",
)


def canonical(message: Any) -> str:
    return json.dumps(message, sort_keys=True, default=repr)


# -- the scripted LLM of "auto" ---------------------------------------------------------------------------------


class ScriptedSelector:
    """A ModelClient for AutoGen's "auto" speaker selection: answers with agent names from a seeded script.

    AutoGen builds a new speaker-selection agent (and a new client) for every selection, so the script lives on
    the class: ``selector_class`` makes a fresh subclass (still named ``ScriptedSelector``, the name the config
    refers to) for each run.
    """

    rng: ClassVar[random.Random] = random.Random(0)
    names: ClassVar[tuple[str, ...]] = ()
    log: ClassVar[list[str]] = []

    def __init__(self, config: Any, **kwargs: Any) -> None:
        self.config = config

    def create(self, params: dict[str, Any]) -> Any:
        cls = type(self)
        roll = cls.rng.random()
        first, second = cls.rng.sample(cls.names, 2)
        if roll < 0.7:
            text = first
        elif roll < 0.8:
            text = f"The next speaker is {first}."
        elif roll < 0.9:
            text = f"{first} or {second}"  # two names: AutoGen asks again
        else:
            text = "Nobody in particular."  # no name: AutoGen asks again
        seen = [(m.get("role"), m.get("name"), m.get("content")) for m in params.get("messages", [])]
        cls.log.append(f"auto: shown {canonical(seen)}; answered {text!r}")
        message = types.SimpleNamespace(content=text, function_call=None, tool_calls=None)
        return types.SimpleNamespace(choices=[types.SimpleNamespace(message=message)], model="scripted", cost=0.0)

    def message_retrieval(self, response: Any) -> list[str]:
        return [choice.message.content for choice in response.choices]

    def cost(self, response: Any) -> float:
        return 0.0

    @staticmethod
    def get_usage(response: Any) -> dict[str, Any]:
        return {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0, "cost": 0.0, "model": "scripted"}


def selector_class(seed: int, names: tuple[str, ...]) -> type[ScriptedSelector]:
    attributes = {"rng": random.Random(f"selector/{seed}"), "names": names, "log": []}
    return type("ScriptedSelector", (ScriptedSelector,), attributes)


SELECTOR_LLM_CONFIG: dict[str, Any] = {
    "config_list": [{"model": "scripted", "model_client_cls": "ScriptedSelector"}],
    "cache_seed": None,  # AutoGen's default disk cache would answer from an earlier run
}

#: AG2's GroupChat (pyautogen 0.9, autogen 0.14) registers custom model clients on its internal speaker-selection
#: agent from ``select_speaker_auto_llm_config`` and ``select_speaker_auto_model_client_cls``; pyautogen 0.2.35 has
#: neither field.
SELECTOR_FIELDS = "select_speaker_auto_model_client_cls" in getattr(GroupChat, "__dataclass_fields__", {})


@contextlib.contextmanager
def _registering_selector(selector: type[ScriptedSelector]) -> Iterator[None]:
    """pyautogen 0.2: register the scripted client on the speaker-selection agent as ``_auto_select_speaker`` builds it.

    pyautogen 0.2 builds that agent with ``ConversableAgent(...)`` and the manager's llm_config, and offers no
    way to register a custom model client on it (``select_speaker_auto_model_client_cls`` came in AG2). While
    one selection runs, the name ``ConversableAgent`` in ``autogen.agentchat.groupchat`` is a subclass that
    registers the client on that agent once built; everything else in the selection is pyautogen's own code.
    (A subclass, not a function: the checking agent uses the name as its reply trigger too.)
    """
    original = groupchat_module.ConversableAgent

    class Registering(original):  # type: ignore[misc,valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            if self.name == "speaker_selection_agent":
                self.register_model_client(model_client_cls=selector)

    groupchat_module.ConversableAgent = Registering
    try:
        yield
    finally:
        groupchat_module.ConversableAgent = original


class SelectorRegisteringGroupChat(GroupChat):  # type: ignore[misc]  # AutoGen ships no type information
    """pyautogen 0.2's GroupChat, with the scripted client registered on each speaker-selection agent it builds.

    A subclass, not attributes of one group: the manager keeps a shallow copy of the group it is given.
    """

    scripted_selector: type[ScriptedSelector] = ScriptedSelector

    def _auto_select_speaker(self, *args: Any, **kwargs: Any) -> Any:
        with _registering_selector(self.scripted_selector):
            return super()._auto_select_speaker(*args, **kwargs)

    async def a_auto_select_speaker(self, *args: Any, **kwargs: Any) -> Any:
        with _registering_selector(self.scripted_selector):
            return await super().a_auto_select_speaker(*args, **kwargs)


# -- the custom selection method ---------------------------------------------------------------------------------


def custom_selection(seed: int, log: list[str]) -> Callable[[Any, Any], Any]:
    """A speaker_selection_method: an agent, a method name or None (which ends the chat), from a fresh seeded Random."""
    rng = random.Random(f"custom/{seed}")

    def select(last_speaker: Any, groupchat: Any) -> Any:
        roll = rng.random()
        choice: Any
        if roll < 0.08:
            choice = None
        elif roll < 0.2:
            choice = "round_robin"
        elif roll < 0.3:
            choice = "random"  # drawn from the seeded global random
        else:
            choice = groupchat.agents[rng.randrange(len(groupchat.agents))]
        shown = getattr(choice, "name", choice)
        log.append(f"custom: after {last_speaker.name} at {len(groupchat.messages)} messages: {shown!r}")
        return choice

    return select


# -- the two proxies ----------------------------------------------------------------------------------------------


def _proxy_options(scenario: GroupScenario) -> dict[str, Any]:
    options: dict[str, Any] = {
        "max_consecutive_auto_reply": scenario.limit,
        "is_termination_msg": TERMINATION_CHECKS[scenario.termination],
        "code_execution_config": False,
        "default_auto_reply": scenario.default_auto_reply,
    }
    if scenario.tools == "proxy":
        options["function_map"] = {"lookup": lookup, "legacy": lookup}
    return options


def make_native(scenario: GroupScenario, *, use_async: bool) -> NativeHuman:
    proxy = NativeHuman(
        PROXY, human_input_mode=scenario.mode, answers=list(scenario.answers), **_proxy_options(scenario)
    )
    if use_async:
        # As in the two-agent harness: pyautogen < 0.10 runs both the sync and the async human-reply check in
        # an async chat, so a native proxy asks twice per message (and counts two auto-replies); hitl asks once,
        # as AG2 0.10+ does. Async parity is with native minus that second check (on AG2 0.10+ it is skipped anyway).
        proxy._reply_func_list = [
            entry
            for entry in proxy._reply_func_list
            if entry["reply_func"] is not ConversableAgent.check_termination_and_human_reply
        ]
    return proxy


def make_ours(scenario: GroupScenario) -> PolicyUserProxy:
    return PolicyUserProxy(
        PROXY, policy=from_mode(scenario.mode), human_input=ScriptedInput(scenario.answers), **_proxy_options(scenario)
    )


def _assistants(scenario: GroupScenario) -> list[ScriptedAssistant]:
    assistants = []
    for name, script, limit, on_exhausted in zip(
        ASSISTANTS, scenario.scripts, scenario.assistant_limits, scenario.on_exhausted, strict=False
    ):
        options: dict[str, Any] = {} if limit is None else {"max_consecutive_auto_reply": limit}
        assistants.append(ScriptedAssistant(name, script, on_exhausted=on_exhausted, **options))  # type: ignore[arg-type]
    return assistants


async def _a_chats(initiator: Any, manager: Any, first: dict[str, Any], again: dict[str, Any] | None) -> None:
    await initiator.a_initiate_chat(manager, **first)
    if again is not None:
        await initiator.a_initiate_chat(manager, **again)


def run(proxy: Any, scenario: GroupScenario, *, use_async: bool) -> GroupRun:
    """Run the scenario's group with ``proxy`` as the human's agent; fresh assistants, group and manager."""
    assistants = _assistants(scenario)
    agents: list[Any] = list(assistants)
    if not (scenario.proxy_outside and scenario.initiator < 0):
        agents.insert(scenario.proxy_position, proxy)
    selections: list[str] = []
    method: Any = scenario.method
    group_options: dict[str, Any] = {}
    manager_options: dict[str, Any] = {"llm_config": False}
    selector: type[ScriptedSelector] | None = None
    if method == "custom":
        method = custom_selection(scenario.seed, selections)
    elif method == "auto":
        selector = selector_class(scenario.seed, tuple(agent.name for agent in agents))
        selections = selector.log
        manager_options["llm_config"] = SELECTOR_LLM_CONFIG
        if SELECTOR_FIELDS:
            group_options["select_speaker_auto_llm_config"] = SELECTOR_LLM_CONFIG
            group_options["select_speaker_auto_model_client_cls"] = selector
    group_class = GroupChat if selector is None or SELECTOR_FIELDS else SelectorRegisteringGroupChat
    group = group_class(
        agents,
        messages=[],
        max_round=scenario.max_round,
        speaker_selection_method=method,
        allow_repeat_speaker=scenario.allow_repeat_speaker,
        send_introductions=scenario.send_introductions,
        **group_options,
    )
    if group_class is SelectorRegisteringGroupChat:
        group.scripted_selector = selector
    manager = GroupChatManager(
        group, is_termination_msg=MANAGER_CHECKS[scenario.manager_termination], **manager_options
    )
    if selector is not None:
        manager.register_model_client(model_client_cls=selector)  # never asked (run_chat replies first), as in use
    initiator = proxy if scenario.initiator < 0 else assistants[scenario.initiator]
    error: BaseException | None = None
    state = random.getstate()
    random.seed(scenario.seed)  # "random" selection, and the custom method's "random": the same draws each run
    try:
        with quiet() as stream, warnings.catch_warnings():
            warnings.simplefilter("ignore", ConfigWarning)  # the scenarios explore unbounded setups on purpose
            options = {"message": scenario.opening, "max_turns": scenario.max_turns, "silent": True}
            # A second chat continues the group (clear_history=False): AutoGen resets the counters, not the history.
            again = {**options, "message": scenario.again, "clear_history": False}
            try:
                if use_async:
                    asyncio.run(_a_chats(initiator, manager, options, again if scenario.again else None))
                else:
                    initiator.initiate_chat(manager, **options)
                    if scenario.again:
                        initiator.initiate_chat(manager, **again)
            except Exception as exc:
                error = exc
    finally:
        random.setstate(state)
    prompts = proxy.prompts if isinstance(proxy, NativeHuman) else proxy.human_input.prompts
    return GroupRun(
        outcome=_label(error),
        history=[canonical(message) for message in group.messages],
        rounds=len(group.messages),
        prompts=list(prompts),
        human_input=list(proxy._human_input),
        stop_reasons=[
            event.content.termination_reason for event in stream.events if type(event).__name__ == "TerminationEvent"
        ],
        proxy_history=[canonical(message) for message in proxy.chat_messages.get(manager, [])],
        counter=proxy._consecutive_auto_reply_counter[manager],
        selections=list(selections),
        console=[type(event).__name__ for event in stream.events] + stream.printed,
    )


def _first_difference(native: Any, ours: Any) -> str:
    if isinstance(native, list) and isinstance(ours, list):
        for index, (left, right) in enumerate(zip(native, ours, strict=False)):
            if left != right:
                return f" (first at index {index}: native {left!r}, hitl {right!r})"
        return f" (lengths {len(native)} and {len(ours)})"
    return ""


def compare(scenario: GroupScenario, *, use_async: bool) -> str | None:
    """Run both proxies' groups; return a readable difference, or None when they agree."""
    native = run(make_native(scenario, use_async=use_async), scenario, use_async=use_async)
    ours = run(make_ours(scenario), scenario, use_async=use_async)
    for name in COMPARED:
        left, right = getattr(native, name), getattr(ours, name)
        if left != right:
            return (
                f"{'async' if use_async else 'sync'} {scenario}\n"
                f"{name} differs{_first_difference(left, right)}:\n  native: {left!r}\n  hitl:   {right!r}"
            )
    return None
