"""Seeded conversations for the durable differential suite (tests/adapters/autogen/test_durable_differential.py).

A conversation is a pure function of its parameters and of its human's answers: a seeded model client writes
code blocks (run by a real ``LocalCommandLineCodeExecutor``), tool calls (a real function) and plain text, in
two-agent chats and in GroupChats (round robin, random, or "auto" with a seeded selector model). With
``"wander": true`` the model, the code and the random speaker draws also use randomness nobody seeded, so only
the journal can repeat them.

Every real effect leaves a trace in the conversation's work directory: the model clients append a line per
call they serve to ``effects``, the tool a line per call (with its idempotency key), and each code block
writes a file of its own and appends a line to ``runs.log``. An effect run twice shows up there.

Run as a script, it is a new interpreter for one step (see ``run_step``): ``python durable_seeded.py start STORE
ID PARAMS``, ``... answer STORE QUESTION TEXT``, ``... resume STORE ID`` or ``... plain PARAMS``; it prints what
the step ended with as one JSON line.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import random
import sys
import types
from pathlib import Path
from typing import Any

from autogen import AssistantAgent, GroupChat, GroupChatManager
from autogen.coding import LocalCommandLineCodeExecutor

from hitl import (
    Always,
    ApproveCode,
    ApproveTools,
    InputPolicy,
    Keyword,
    PolicyUserProxy,
    ScriptedInput,
    Terminate,
    TurnContext,
    When,
)
from hitl.durable import Chat, DurableInput, conversation, idempotency_key

#: The durable factories, by the shape of their chat.
TWO_AGENT, GROUP = "seeded-two-agent", "seeded-group"
#: The human policies a conversation may have, by name (see ``policy``).
POLICIES = ("terminate+code", "always", "chance", "tools+code", "chance+tools")
#: Whether this AutoGen can give the "auto" selector its own model client (pyautogen 0.2.35 cannot).
AUTO_SELECTION = "select_speaker_auto_model_client_cls" in getattr(GroupChat, "__dataclass_fields__", {})
#: The human's answers come from here: a pure function of the seed and the question's position.
FEEDBACK = ("Please add a test.", "Shorter, please.", "Use a helper function.")

#: The conversation this process runs now (one at a time): its work directory, seed and randomness.
STATE: dict[str, Any] = {"work": ".", "seed": 0, "wander": False}


def digest(*parts: Any) -> str:
    """Return a stable digest of ``parts`` (JSON, with ``str`` for anything else)."""
    text = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def note(*fields: Any) -> None:
    """Append one line to the work directory's trace of real effects."""
    with open(Path(STATE["work"]) / "effects", "a", encoding="utf-8") as trace:
        trace.write(json.dumps(list(fields)) + "\n")


def answer(seed: int, index: int) -> str:
    """The human's answer to the ``index``-th question of conversation ``seed``: Enter, feedback, or exit."""
    rng = random.Random(f"answer/{seed}/{index}")
    draw = rng.random()
    if draw < 0.07:
        return "exit"
    if draw < 0.32:
        return f"{rng.choice(FEEDBACK)} ({index})"
    return ""


def answers(seed: int, count: int = 200) -> list[str]:
    """The first ``count`` answers of conversation ``seed`` (what the uninterrupted run's human is given)."""
    return [answer(seed, index) for index in range(count)]


def _nonce() -> str:
    """Unjournaled randomness, when the conversation wanders: only the journal can give it again."""
    return f"-{random.SystemRandom().randrange(10**9)}" if STATE["wander"] else ""


def code_text(tag: str, fail: bool) -> str:
    """A code block that leaves its own file and a line in runs.log each time it runs."""
    lines = [
        "from pathlib import Path",
        f"Path('block-{tag}.txt').write_text('ran')",
        "with open('runs.log', 'a') as runs:",
        f"    runs.write('{tag}\\n')",
        f"print('block {tag} ran')",
    ]
    if STATE["wander"]:
        lines += ["import os", "print('noise', os.urandom(6).hex())"]
    if fail:
        lines.append("raise SystemExit(3)")
    return "```python\n" + "\n".join(lines) + "\n```"


class SeededModel:
    """A model client whose replies are a function of the seed, the agent and the messages it is given.

    The agent is read from its system message (``You are NAME.``); a coder writes code, calls the tool, talks
    or ends the chat; a critic talks or ends it. With ``wander`` a reply also carries a fresh random nonce.
    """

    def __init__(self, config: Any, **kwargs: Any) -> None:
        self.config = config

    def create(self, params: dict[str, Any]) -> Any:
        messages = list(params.get("messages", []))
        system = str(messages[0].get("content", "")) if messages else ""
        agent = system.removeprefix("You are ").split(".")[0] or "model"
        key = digest(STATE["seed"], agent, messages)
        # What a reply does follows from the messages; in a wandering conversation, from their number only (the
        # messages hold nonces), so that its shape is the same on every run while its text never is.
        rng = random.Random(digest(STATE["seed"], agent, len(messages)) if STATE["wander"] else key)
        tag = f"{agent}{len(messages)}-{key[:8]}{_nonce()}"
        reply: Any
        early = len(messages) < 6  # a chat does not end before it did something
        if agent == "critic":
            kind = rng.choices(["text", "done"], [6, 0 if early else 1])[0]
        elif len(messages) <= 2:  # the coder's first reply does something
            kind = rng.choice(["code", "tool"])
        else:
            kind = rng.choices(["code", "fail", "tool", "tools", "text", "done"], [6, 1, 3, 1, 3, 0 if early else 2])[0]
        if kind in ("code", "fail"):
            reply = code_text(tag, kind == "fail")
        elif kind in ("tool", "tools"):
            calls = [
                {
                    "id": f"call-{tag}-{n}",
                    "type": "function",
                    "function": {"name": "record", "arguments": json.dumps({"line": f"{tag}/{n}"})},
                }
                for n in range(1 if kind == "tool" else 2)
            ]
            reply = {"content": None, "role": "assistant", "tool_calls": calls}
        elif kind == "text":
            reply = f"Note {tag}: {rng.choice(['all well', 'looks fine', 'one more thing'])}."
        else:
            reply = f"Finished {tag}. TERMINATE"
        note("model", agent, tag, reply)
        return response_of(reply)

    def message_retrieval(self, response: Any) -> list[Any]:
        return [response.reply]

    def cost(self, response: Any) -> float:
        return 0.0

    @staticmethod
    def get_usage(response: Any) -> dict[str, Any]:
        return {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0, "cost": 0.0, "model": "seeded"}


class SelectorModel(SeededModel):
    """The "auto" speaker selector: names the next speaker, from the seed and the group's messages."""

    def create(self, params: dict[str, Any]) -> Any:
        messages = list(params.get("messages", []))
        key = digest("select", STATE["seed"], messages)
        if STATE["wander"]:
            key = digest(key, random.SystemRandom().random())
        chosen = random.Random(key).choice(["coder", "critic", "human"])
        note("select", len(messages), key[:8], chosen)
        return response_of(chosen)


def response_of(reply: Any) -> Any:
    """A client's response, as AutoGen handles it: attributes, and a ``message_retrieval_function`` AutoGen sets
    (AG2 0.10 and later set it only on a response that has one; the others always do)."""
    text = reply if isinstance(reply, str) else None
    message = types.SimpleNamespace(content=text, function_call=None, tool_calls=None)
    choice = types.SimpleNamespace(message=message)
    return types.SimpleNamespace(
        reply=reply, choices=[choice], model="seeded", cost=0.0, message_retrieval_function=None
    )


def llm_config(client: str, model: str) -> dict[str, Any]:
    return {"config_list": [{"model": model, "model_client_cls": client}], "cache_seed": None}


def record(line: str) -> str:
    """The tool: a real effect (a line in the trace, with the call's idempotency key)."""
    note("tool", line, idempotency_key())
    return f"recorded {line}"


def policy(name: str, seed: int) -> InputPolicy:
    """The human's policy ``name``: each asks at other points of the chat."""

    def chance(ctx: TurnContext) -> bool:  # a pure function of the message and the seed
        return int(digest("ask", seed, ctx.text)[:8], 16) % 2 == 0

    chance.__name__ = f"chance_{seed}"
    policies: dict[str, InputPolicy] = {
        "terminate+code": Terminate() | ApproveCode(),
        "always": Always(),
        "chance": When(chance),
        "tools+code": Terminate() | ApproveCode() | ApproveTools("record"),
        "chance+tools": When(chance) | ApproveTools("record"),
    }
    return policies[name]


def coder(name: str = "coder") -> AssistantAgent:
    agent = AssistantAgent(name, llm_config=llm_config("SeededModel", "seeded"), system_message=f"You are {name}.")
    agent.register_model_client(model_client_cls=SeededModel)
    return agent


def human_proxy(params: dict[str, Any], human_input: Any) -> PolicyUserProxy:
    return PolicyUserProxy(
        "human",
        policy=policy(params["policy"], params["seed"]),
        is_termination_msg=Keyword("TERMINATE"),
        human_input=human_input,
        max_consecutive_auto_reply=params.get("limit", 3),
        function_map={"record": record},
        code_execution_config={"executor": LocalCommandLineCodeExecutor(work_dir=params["work"], timeout=60)},
    )


def build(params: dict[str, Any], human_input: Any) -> Chat:
    """The chat of ``params`` (its ``shape``: ``two-agent`` or a group selection), with ``human_input``."""
    STATE.update(work=params["work"], seed=params["seed"], wander=params.get("wander", False))
    human = human_proxy(params, human_input)
    message = f"Write and run some code (conversation {params['seed']})."
    use_async = bool(params.get("async", False))
    if params["shape"] == "two-agent":
        return Chat(human, coder(), message=message, use_async=use_async, max_turns=params.get("turns", 6), silent=True)
    selection = params["shape"]
    extra: dict[str, Any] = {}
    if selection == "auto":
        extra = {
            "select_speaker_auto_model_client_cls": SelectorModel,
            "select_speaker_auto_llm_config": llm_config("SelectorModel", "selector"),
        }
    group_class = GroupChat if params.get("wander") else SeededGroupChat
    group = group_class(
        [human, coder(), coder("critic")],
        messages=[],
        max_round=params.get("rounds", 8),
        speaker_selection_method=selection,
        **extra,
    )
    manager = GroupChatManager(group, llm_config=False, is_termination_msg=Keyword("TERMINATE"))
    return Chat(human, manager, message=message, use_async=use_async, silent=True)


class SeededGroupChat(GroupChat):  # type: ignore[misc]
    """A GroupChat whose random draws are a function of the seed and of the messages so far.

    The differential runs compare a durable history with an uninterrupted one: a random speaker must be the
    same draw in both, wherever the resumes fall, so the draw is seeded by the position it is made at. (The
    wandering runs use AutoGen's own GroupChat and unseeded draws: there only the journal can repeat them.)
    """

    def append(self, message: dict[str, Any], speaker: Any) -> None:
        super().append(message, speaker)
        random.seed(digest("speaker", STATE["seed"], len(self.messages)))


@conversation(TWO_AGENT, version="1")
def seeded_two_agent(params: dict[str, Any]) -> Chat:
    """A two-agent durable conversation: its human answers through the store."""
    return build(params, DurableInput())


@conversation(GROUP, version="1")
def seeded_group(params: dict[str, Any]) -> Chat:
    """A group durable conversation: its human answers through the store."""
    return build(params, DurableInput())


def uninterrupted(params: dict[str, Any]) -> tuple[Chat, ScriptedInput]:
    """The same conversation with a scripted human who gives the seed's answers, run in one go."""
    human = ScriptedInput(answers(params["seed"]))
    return build(params, human), human


def factory_of(params: dict[str, Any]) -> str:
    return TWO_AGENT if params["shape"] == "two-agent" else GROUP


def run_step(command: str, args: list[str]) -> dict[str, Any]:
    """One step of a conversation, in this process: ``plain PARAMS`` (the uninterrupted run), or a durable
    ``start STORE ID PARAMS``, ``answer STORE QUESTION TEXT`` or ``resume STORE ID``; what it ended with."""
    from hitl.durable import Conversations
    from hitl.testing import quiet

    # AutoGen runs a block with the `python` on PATH: this interpreter's, not a version manager's shim (a shell
    # script that costs a tenth of a second per block).
    here = os.path.dirname(sys.executable)
    if os.environ.get("PATH", "").split(os.pathsep)[0] != here:
        os.environ["PATH"] = os.pathsep.join([here, os.environ.get("PATH", "")])
    if command == "plain":
        chat, human = uninterrupted(json.loads(args[0]))
        with quiet():
            if chat.use_async:
                asyncio.run(chat.initiator.a_initiate_chat(chat.recipient, message=chat.message, **chat.options))
            else:
                chat.initiator.initiate_chat(chat.recipient, message=chat.message, **chat.options)
        return {"history": chat.history(), "questions": len(human.prompts)}
    chats = Conversations(args[0])
    try:
        with quiet():
            if command == "answer":
                chats.answer(args[1], args[2])
                return {}
            if command == "start":
                params = json.loads(args[2])
                outcome = chats.start(factory_of(params), params, id=args[1])
            elif command == "resume":
                outcome = chats.resume(args[1])
            else:
                raise ValueError(f"unknown command {command!r}")
            question = outcome.question
            return {
                "status": outcome.status,
                "error": outcome.error,
                "question": None if question is None else question.id,
                "kind": None if question is None else question.kind,
                "history": chats.show(outcome.conversation).history,
            }
    finally:
        chats.close()


if __name__ == "__main__":  # a new interpreter for one step: python durable_seeded.py COMMAND ARGS...
    print(json.dumps(run_step(sys.argv[1], sys.argv[2:])))
