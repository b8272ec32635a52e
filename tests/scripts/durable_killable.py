"""Durable conversations killed with SIGKILL at any moment: the processes of test_durable_kills.py.

``python durable_killable.py serve`` starts a server that has imported hitl and AutoGen once, and forks a fresh
process per command it reads on stdin (one JSON object per line), so that dozens of processes can be started,
killed and resumed in a test's time. A forked process starts its own session (a process group of its own: the
test kills it with its code executions), runs one command and exits. Its parent, the server, says on stdout
when it was forked (``{"pid": PID}``) and when it ended (``{"exited": PID, "killed": BOOL, "status": N}``), and
reaps it only when told (``{"cmd": "reap"}``), so that its pid cannot be reused while the test may still kill it.

Commands:
    ``{"cmd": "run", "store": PATH, "id": ID, "factory": NAME, "params": {...}, "kill_at": N, "out": PATH}``
        run the durable conversation until it is done: start it (or go on with it), answer each question it
        stops at from its parameters and resume it, in this process. With ``kill_at``, the store kills this
        process (SIGKILL, from inside) in its ``kill_at``-th journal write, after the write's statements ran
        and before its commit. Writes ``{"status": ...}`` to ``out``.
    ``{"cmd": "reference", "params": {...}, "out": PATH}``
        run the same conversation uninterrupted, with a scripted human giving the same answers; write its
        history and how many questions it asked to ``out``.

Every effect and every model call leaves a line of JSON in ``<work>/trace`` (``work`` is a parameter):
    ``["model", TURN, PID, "start" | "end"]``   a model call, around its (slow) answer;
    ``["exec", SEQ, PID]``                      a code execution begins (SEQ: its journal position);
    ``["code", TURN, SEQ]``                     written by the code block itself, as it runs: one per real run;
    ``["tool", ENV, KEY, PID]``                 the tool runs (KEY: its idempotency key): one per real run;
    ``["think", PID]``                          the human's proxy does some work between two steps;
    ``["selfkill", PID, WHAT...]``              the store is about to kill its process inside a write.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import signal
import sys
import threading
import time
import traceback
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from autogen import Agent, AssistantAgent
from autogen.coding import LocalCommandLineCodeExecutor

from hitl import ApproveCode, Keyword, PolicyUserProxy, ScriptedInput, Terminate
from hitl.core.question import Question
from hitl.durable import Chat, Conversations, DurableInput, Outcome, conversation, idempotency_key
from hitl.stores.durable import JournalEntry, Lease, UnknownConversation
from hitl.stores.sqlite import SqliteStore
from hitl.testing import quiet

#: How long a process's lease lasts (renewed every third of it); a killed one's is expired by the test.
LEASE = 2.0
#: What the human answers, drawn in order from a seeded list (``""`` approves code or ends at TERMINATE).
ANSWERS = ["", "", "", "", "", "", "Please add a test.", "exit"]


def trace(work: str | Path, *fields: Any) -> None:
    """Append one line to the work directory's trace (one ``write``: whole, even when killed)."""
    with open(Path(work) / "trace", "a", encoding="utf-8") as log:
        log.write(json.dumps(list(fields)) + "\n")


def answers_for(seed: int, count: int = 40) -> list[str]:
    """The human's answers in a conversation, in the order its questions are asked."""
    rng = random.Random(f"answers/{seed}")
    return [rng.choice(ANSWERS[:-1] if n < 5 else ANSWERS) for n in range(count)]  # no early exit


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


class SlowModel:
    """A model client that takes its time, with replies drawn from a seed and the length of the conversation.

    Its replies are code blocks (real code: it sleeps a little, and says in the trace that it ran), calls
    of the ``deploy`` tool, notes and ``TERMINATE``. It writes ``start`` to the trace before it "thinks" and
    ``end`` after, so a test knows a process was killed in the middle of a model call.
    """

    settings: ClassVar[dict[str, Any]] = {}

    def __init__(self, config: Any, **kwargs: Any) -> None:
        self.config = config

    def create(self, params: dict[str, Any]) -> Any:
        work, seed = SlowModel.settings["work"], SlowModel.settings["seed"]
        messages = params.get("messages", [])
        turn = len(messages)  # grows at every call of a conversation: each call has its own number
        rng = random.Random(f"{seed}/{turn}")
        replies = sum(1 for m in messages if m.get("role") == "assistant")  # the coder's own, as AutoGen sends them
        kind = rng.choice(["code", "code", "code", "tool", "tool", "tool", "text", "done"])
        kind = ["code", "tool"][replies] if replies < 2 else kind  # at least one of each, early
        if kind == "done" and turn < 12:  # not too soon: a conversation long enough to be killed a few times
            kind = "text"
        thinking, running = rng.uniform(0.08, 0.25), rng.uniform(0.1, 0.3)
        trace(work, "model", turn, os.getpid(), "start")
        time.sleep(thinking)
        message: Any
        if kind == "code":
            text = (
                "```python\nimport json, os, time\n"
                "with open('trace', 'a') as log:\n"
                f"    log.write(json.dumps(['code', {turn}, os.environ.get('KILLABLE_STEP')]) + '\\n')\n"
                f"time.sleep({running:.3f})\nprint('block {turn} ran')\n```"
            )
            message = Message(content=text, function_call=None, tool_calls=None)
        elif kind == "tool":
            call = types.SimpleNamespace(
                id=f"call_{turn}",
                type="function",
                function=types.SimpleNamespace(name="deploy", arguments=json.dumps({"env": f"env-{turn}"})),
            )
            message = Message(content=None, function_call=None, tool_calls=[call])
        elif kind == "text":
            message = Message(content=f"Note {turn}: all well.", function_call=None, tool_calls=None)
        else:
            message = Message(content=f"Finished at {turn}. TERMINATE", function_call=None, tool_calls=None)
        trace(work, "model", turn, os.getpid(), "end")
        return types.SimpleNamespace(choices=[types.SimpleNamespace(message=message)], model="slow", cost=0.0)

    def message_retrieval(self, response: Any) -> list[Any]:
        message = response.choices[0].message
        if message.tool_calls:
            return [{"content": None, "role": "assistant", "tool_calls": message.model_dump()["tool_calls"]}]
        return [message.content]

    def cost(self, response: Any) -> float:
        return 0.0

    @staticmethod
    def get_usage(response: Any) -> dict[str, Any]:
        return {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0, "cost": 0.0, "model": "slow"}


class KeyedExecutor(LocalCommandLineCodeExecutor):  # type: ignore[misc]  # AutoGen ships no type information
    """Real local code execution that tells the code its journal position (``KILLABLE_STEP``) and traces its start."""

    def execute_code_blocks(self, code_blocks: list[Any]) -> Any:
        key = idempotency_key()
        step = key.rsplit(":", 1)[1] if key else "-"
        os.environ["KILLABLE_STEP"] = step  # the code's own process inherits it
        trace(self.work_dir, "exec", None if key is None else int(step), os.getpid())
        return super().execute_code_blocks(code_blocks)


def build(params: dict[str, Any], human_input: Any, *, idempotent: bool) -> Chat:
    """The conversation: a human's proxy that approves code and ends the chat, a slow model, code and a tool."""
    work = params["work"]
    SlowModel.settings = {"work": work, "seed": params["seed"]}

    def deploy(env: str) -> str:
        trace(work, "tool", env, idempotency_key(), os.getpid())  # the effect: one line per real run
        time.sleep(random.Random(env).uniform(0.15, 0.3))
        return f"deployed to {env}"

    def think(recipient: Any, messages: Any = None, sender: Any = None, config: Any = None) -> tuple[bool, Any]:
        trace(work, "think", os.getpid())  # some work between two steps, that is no step of its own
        time.sleep(0.03)
        return False, None

    human = PolicyUserProxy(
        "human",
        policy=Terminate() | ApproveCode(),
        is_termination_msg=Keyword("TERMINATE"),
        human_input=human_input,
        max_consecutive_auto_reply=12,
        function_map={"deploy": deploy},
        code_execution_config={"executor": KeyedExecutor(work_dir=work, timeout=60)},
    )
    human.register_reply([Agent, None], think, position=0)
    coder = AssistantAgent(
        "coder",
        llm_config={"config_list": [{"model": "slow", "model_client_cls": "SlowModel"}], "cache_seed": None},
        system_message="You write code and deploy it.",
    )
    coder.register_model_client(model_client_cls=SlowModel)
    return Chat(
        human,
        coder,
        message="Write some code, run it and deploy it.",
        use_async=params.get("async", False),
        idempotent=["deploy"] if idempotent else [],
        idempotent_code=idempotent,
        max_turns=params.get("turns", 8),
        silent=True,
    )


@conversation("killable-idempotent", version="1")
def killable_idempotent(params: dict[str, Any]) -> Chat:
    """The conversation, with its tool and its code declared safe to run again after a crash in their middle."""
    return build(params, DurableInput(), idempotent=True)


@conversation("killable-asking", version="1")
def killable_asking(params: dict[str, Any]) -> Chat:
    """The conversation, with nothing declared idempotent: a step cut short by a crash is a question."""
    return build(params, DurableInput(), idempotent=False)


class KillingStore(SqliteStore):
    """An SQLite store that kills its own process (SIGKILL) inside its ``kill_at``-th ``record`` or ``suspend``.

    The kill comes after the transaction's statements ran and before its ``COMMIT``: the write is half done.
    """

    def __init__(self, path: str, kill_at: int, work: str) -> None:
        self.kill_at = kill_at
        self.work = work
        self.writes = 0
        self._armed = threading.local()
        super().__init__(path)  # writes already (the format check), unarmed

    def _count(self, *what: Any) -> None:
        self.writes += 1
        self._armed.what = what if self.writes == self.kill_at else None

    @contextlib.contextmanager
    def _write(self) -> Iterator[Any]:
        with super()._write() as db:
            yield db
            what = getattr(self._armed, "what", None)
            self._armed.what = None
            if what is not None:  # the statements ran; the commit is next
                trace(self.work, "selfkill", os.getpid(), *what)
                os.kill(os.getpid(), signal.SIGKILL)

    def record(self, lease: Lease, entry: JournalEntry) -> None:
        self._count("record", entry.seq, entry.kind, entry.state)
        super().record(lease, entry)

    def suspend(self, lease: Lease, question: Question, seq: int, snapshot: Any = None) -> None:
        self._count("suspend", seq, question.kind, question.id)
        super().suspend(lease, question, seq, snapshot)


def answer_open(store: SqliteStore, conversation_id: str, params: dict[str, Any]) -> None:
    """Answer the question the conversation waits at: the next of its answers, or a checkpoint decision."""
    asked = store.questions(conversation_id, status=None)
    for stored in asked:
        if stored.status != "open":
            continue
        checkpoint = stored.question.kind == "checkpoint"
        before = [q for q in asked if (q.question.kind == "checkpoint") == checkpoint]
        index = [q.question.id for q in before].index(stored.question.id)
        text = params["checkpoints"][index % len(params["checkpoints"])] if checkpoint else params["answers"][index]
        store.answer(stored.question.id, text, by="killable")


def drive(command: dict[str, Any]) -> dict[str, Any]:
    """Run a durable conversation until it is done, answering its questions: the ``run`` command."""
    params, conversation_id = command["params"], command["id"]
    store = KillingStore(command["store"], command.get("kill_at", 0), params["work"])
    chats = Conversations(store, lease=LEASE)
    outcome: Outcome
    with quiet():
        try:
            found = store.get(conversation_id)
        except UnknownConversation:
            outcome = chats.start(command["factory"], params, id=conversation_id)
        else:
            if found.status == "done":
                return {"status": "done", "writes": store.writes}
            if found.status == "waiting":
                answer_open(store, conversation_id, params)
            outcome = chats.resume(conversation_id)
        while outcome.status == "waiting":
            answer_open(store, conversation_id, params)
            outcome = chats.resume(conversation_id)
    return {"status": outcome.status, "error": outcome.error, "writes": store.writes}


def reference(command: dict[str, Any]) -> dict[str, Any]:
    """Run the conversation uninterrupted, with a scripted human: the ``reference`` command."""
    params = command["params"]
    human = ScriptedInput(params["answers"])
    chat = build(params, human, idempotent=True)
    with quiet():
        if chat.use_async:
            asyncio.run(chat.initiator.a_initiate_chat(chat.recipient, message=chat.message, **chat.options))
        else:
            chat.initiator.initiate_chat(chat.recipient, message=chat.message, **chat.options)
    return {"history": chat.history(), "asked": len(human.prompts)}


def child(command: dict[str, Any]) -> None:
    """The forked process: a session of its own, output to a log, one command, then exit."""
    code = 1
    try:
        os.setsid()
        log = os.open(command["out"] + ".log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        result = drive(command) if command["cmd"] == "run" else reference(command)
        Path(command["out"]).write_text(json.dumps(result), encoding="utf-8")
        code = 0
    except BaseException:
        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def serve() -> None:
    """Fork a process per command, say when it started and ended, and reap it when told."""
    print(json.dumps({"ready": os.getpid()}), flush=True)
    while True:
        line = sys.stdin.readline()
        if not line:
            return
        command = json.loads(line)
        if command["cmd"] == "reap":
            os.waitpid(command["pid"], 0)
            continue
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child, which never returns
            child(command)
        print(json.dumps({"pid": pid}), flush=True)
        ended = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)  # not reaped: its pid stays its own
        assert ended is not None
        killed = ended.si_code != os.CLD_EXITED
        print(json.dumps({"exited": pid, "killed": killed, "status": ended.si_status}), flush=True)


if __name__ == "__main__":
    if sys.argv[1:] != ["serve"]:
        raise SystemExit("usage: python durable_killable.py serve")
    serve()
