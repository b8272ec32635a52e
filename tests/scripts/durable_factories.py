"""Conversation factories for the durable tests: a model that is not a pure function, real code, a counted tool.

Every real effect leaves a trace in ``<work>/effects``: the model appends a line per call it answers, the code a
file per block it runs, the tool a line per call. A replay that re-ran any of them would show up there.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sys
import time
import types
from pathlib import Path
from typing import Any

from autogen import AssistantAgent
from autogen.coding import LocalCommandLineCodeExecutor

from hitl import ApproveCode, Keyword, PolicyUserProxy, ScriptedInput, SpeakerSelection, Terminate
from hitl.durable import Chat, DurableInput, conversation, idempotency_key


def note(work: str, kind: str, text: str) -> None:
    with open(Path(work) / "effects", "a", encoding="utf-8") as trace:
        trace.write(json.dumps([kind, text]) + "\n")


class Message(types.SimpleNamespace):
    """A model's message, as a real client gives it: with ``model_dump``."""

    def model_dump(self, **kwargs: Any) -> dict[str, Any]:
        data: dict[str, Any] = {"content": self.content, "role": "assistant", "function_call": None}
        data["tool_calls"] = (
            [{"id": c.id, "type": "function", "function": dict(vars(c.function))} for c in self.tool_calls]
            if self.tool_calls
            else None
        )
        return data


def text_message(text: str) -> Any:
    return Message(content=text, function_call=None, tool_calls=None)


class WanderingModel:
    """A model client whose answers come from a seeded script but whose calls draw fresh randomness too.

    The script makes a conversation reproducible; the extra draw (appended to the reply) differs at every call,
    so a replay that called the model again could not give the same history.
    """

    work = ""
    seed = 0
    wander = False
    slow = 0.0
    sleepy = 0.0

    def __init__(self, config: Any, **kwargs: Any) -> None:
        self.config = config

    def create(self, params: dict[str, Any]) -> Any:
        cls = type(self)
        turn = sum(1 for m in params.get("messages", []) if m.get("role") == "user")
        rng = random.Random(f"{cls.seed}/{turn}")
        kind = rng.choice(["code", "code", "tool", "text", "done"]) if turn > 1 else "code"
        # Unjournaled randomness (with "wander"): only the journal can repeat a reply.
        nonce = random.SystemRandom().randrange(10**9) if cls.wander else turn
        if cls.slow:
            time.sleep(cls.slow)
        if kind == "code":
            pause = f"import time\ntime.sleep({cls.sleepy})\n" if cls.sleepy else ""
            run = f"open('runs.log', 'a').write('block {turn}\\n')\n"  # every run of the block, counted
            text = (
                f"```python\nopen('block-{turn}-{nonce}.txt', 'w').write('ran')\n{run}{pause}print('block {turn}')\n```"
            )
            message = text_message(text)
        elif kind == "tool":
            call = types.SimpleNamespace(
                id=f"call_{nonce}",
                type="function",
                function=types.SimpleNamespace(name="deploy", arguments=json.dumps({"env": f"env-{turn}"})),
            )
            message = Message(content=None, function_call=None, tool_calls=[call])
        elif kind == "text":
            message = types.SimpleNamespace(
                content=f"Note {turn}: all well ({nonce}).", function_call=None, tool_calls=None
            )
        else:
            message = types.SimpleNamespace(
                content=f"Finished ({nonce}). TERMINATE", function_call=None, tool_calls=None
            )
        note(cls.work, "model", f"turn {turn}")
        return types.SimpleNamespace(choices=[types.SimpleNamespace(message=message)], model="wandering", cost=0.0)

    def message_retrieval(self, response: Any) -> list[Any]:
        message = response.choices[0].message
        if message.tool_calls:
            return [
                {
                    "content": None,
                    "role": "assistant",
                    "tool_calls": [
                        {
                            "id": c.id,
                            "type": "function",
                            "function": {"name": c.function.name, "arguments": c.function.arguments},
                        }
                        for c in message.tool_calls
                    ],
                }
            ]
        return [message.content]

    def cost(self, response: Any) -> float:
        return 0.0

    @staticmethod
    def get_usage(response: Any) -> dict[str, Any]:
        return {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0, "cost": 0.0, "model": "wandering"}


#: The coder's system message: a test changes it between runs to see the divergence named.
SYSTEM_MESSAGE = ["You write code."]
#: More of the coder's model settings (a test changes them between runs).
LLM_SETTINGS: dict[str, Any] = {}


def build(params: dict[str, Any], human_input: Any) -> Chat:
    work = params["work"]
    WanderingModel.work, WanderingModel.seed = work, params["seed"]
    WanderingModel.wander, WanderingModel.slow = params.get("wander", False), params.get("slow", 0.0)
    WanderingModel.sleepy = params.get("sleepy", 0.0)

    def deploy(env: str) -> str:
        note(work, "tool", f"{env} key={idempotency_key()}")
        died = Path(work) / "died"
        if params.get("die_in_tool") and not died.exists():  # the process dies in the middle of the call, once
            died.write_text("once", encoding="utf-8")
            os.kill(os.getpid(), signal.SIGKILL)
        return f"deployed to {env}"

    human = PolicyUserProxy(
        "human",
        policy=Terminate() | ApproveCode(),
        is_termination_msg=Keyword("TERMINATE"),
        human_input=human_input,
        max_consecutive_auto_reply=params.get("limit", 8),
        function_map={"deploy": deploy},
        code_execution_config={"executor": LocalCommandLineCodeExecutor(work_dir=work, timeout=30)},
    )
    model = AssistantAgent(
        "coder",
        llm_config={
            "config_list": [
                {
                    "model": "wandering",
                    "model_client_cls": "WanderingModel",
                    **{k: v for k, v in LLM_SETTINGS.items() if k in ("model", "api_key")},
                }
            ],
            "cache_seed": None,
            **{k: v for k, v in LLM_SETTINGS.items() if k not in ("model", "api_key")},
        },
        system_message=SYSTEM_MESSAGE[0],
    )
    model.register_model_client(model_client_cls=WanderingModel)
    return Chat(
        human,
        model,
        message="Write and run some code.",
        use_async=params.get("async", False),
        idempotent=params.get("idempotent", ()),
        idempotent_code=params.get("idempotent_code", False),
        max_turns=params.get("turns", 6),
        silent=True,
    )


@conversation("coding", version="1")
def coding(params: dict[str, Any]) -> Chat:
    """The durable conversation: its human answers through the store."""
    return build(params, DurableInput())


def uninterrupted(params: dict[str, Any], answers: list[str]) -> Chat:
    """The same conversation with a scripted human, run in one go."""
    return build(params, ScriptedInput(answers))


if __name__ == "__main__":  # a child process: python durable_factories.py STORE COMMAND [ARGS]
    from hitl.durable import Conversations, Outcome
    from hitl.testing import quiet

    outcome: Outcome | None

    chats = Conversations(sys.argv[1])
    command, args = sys.argv[2], sys.argv[3:]
    with quiet():
        if command == "resume-at":  # resume at a given moment (several processes at once)
            time.sleep(max(0.0, float(args[1]) - time.time()))
            try:
                outcome = chats.resume(args[0])
            except Exception as error:
                print(json.dumps({"error": type(error).__name__, "message": str(error)}))
                raise SystemExit(0) from None
        elif command == "start":
            outcome = chats.start("coding", json.loads(args[1]), id=args[0])
        elif command == "resume":
            outcome = chats.resume(args[0])
        elif command == "answer":
            chats.answer(args[0], args[1])
            outcome = None
        else:
            raise SystemExit(f"unknown command {command}")
    if outcome is not None:
        print(json.dumps({"status": outcome.status, "question": outcome.question and outcome.question.id}))


def build_group(params: dict[str, Any], human_input: Any) -> Chat:
    """A group: the human, the model-driven coder and a scripted critic, with AutoGen's own selection."""
    from autogen import GroupChat, GroupChatManager

    from hitl.testing import ScriptedAssistant

    two = build(params, human_input)
    critic = ScriptedAssistant("critic", [f"Review {n}: fine." for n in range(1, 20)], on_exhausted="stop")
    group = GroupChat(
        [two.initiator, two.recipient, critic],
        messages=[],
        max_round=params.get("rounds", 8),
        speaker_selection_method=params.get("selection", "round_robin"),
    )
    if params.get("selection") == "manual-random":  # the human picks; Enter leaves it to a random draw
        group.speaker_selection_method = SpeakerSelection(two.initiator, then="manual", fallback="random")
    manager = GroupChatManager(group, llm_config=False, is_termination_msg=Keyword("TERMINATE"))
    return Chat(two.initiator, manager, message="Write and run some code.", use_async=params.get("async", False))


@conversation("group", version="1")
def group(params: dict[str, Any]) -> Chat:
    """The durable group conversation."""
    return build_group(params, DurableInput())


def uninterrupted_group(params: dict[str, Any], answers: list[str]) -> Chat:
    """The same group with a scripted human, run in one go."""
    return build_group(params, ScriptedInput(answers))
