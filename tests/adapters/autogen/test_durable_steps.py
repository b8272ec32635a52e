"""Durable steps: approvals stored as approvals, declared-idempotent effects, what a fingerprint covers, async runs.

The conversations are the ones of tests/scripts/durable_factories.py (a model client, real local code execution,
a counted tool) and small ones defined here with scripted assistants.
"""

from __future__ import annotations

import asyncio
import json
import math
import random
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from autogen.coding import LocalCommandLineCodeExecutor

from hitl import ApproveCode, Keyword, Never, PolicyUserProxy, Terminate
from hitl.adapters.autogen.durable import as_json, model_settings
from hitl.durable import Chat, Conversations, DivergenceError, DurableInput, conversation, idempotency_key
from hitl.providers.threads import in_event_loop
from hitl.stores.durable import JournalEntry, Lease
from hitl.stores.sqlite import SqliteStore
from hitl.testing import ScriptedAssistant, code_block, quiet, tool_call
from tests.adapters.autogen.test_durable import effects, sqlite3_lease_expired
from tests.scripts import durable_factories as factories

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"


def child(store: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPTS / "durable_factories.py"), str(store), *args],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def finish(chats: Conversations, conversation_id: str, outcome: Any, answer: str = "") -> Any:
    """Answer every further question with ``answer`` until the conversation ends."""
    while outcome.status == "waiting":
        chats.answer(outcome.question.id, answer)
        with quiet():
            outcome = chats.resume(conversation_id)
    return outcome


# -- approvals --------------------------------------------------------------------------------------------------
@conversation("steps-approve", version="1")
def approve(params: dict[str, Any]) -> Chat:
    human = PolicyUserProxy(
        "human",
        policy=Never() | ApproveCode(),
        is_termination_msg=Keyword("TERMINATE"),
        human_input=DurableInput(),
        code_execution_config={"executor": LocalCommandLineCodeExecutor(work_dir=params["work"], timeout=30)},
    )
    coder = ScriptedAssistant("coder", [code_block(params["code"]), "Done. TERMINATE"], on_exhausted="stop")
    return Chat(human, coder, message="Go.", max_turns=3, silent=True)


def test_a_question_to_approve_code_is_stored_as_an_approval_of_exactly_that_code(tmp_path: Path) -> None:
    code = "open('approved.txt', 'w').write('ok')"
    chats = Conversations(tmp_path / "hitl.db")
    with quiet():
        outcome = chats.start("steps-approve", {"work": str(tmp_path), "code": code}, id="a1")
    question = outcome.question
    assert question is not None
    assert question.kind == "approval"
    assert [(subject.kind, subject.code) for subject in question.subjects] == [("code", code)]
    assert question.detail is not None
    assert code in question.detail  # what an inbox shows first...
    assert code not in question.prompt  # ...and the question below it, not a second copy of the code
    assert question.answers.enter == "run it"
    assert [stored.question for stored in chats.pending("a1")] == [question]
    ended = finish(chats, "a1", outcome)
    assert ended.status == "done"
    assert (tmp_path / "approved.txt").read_text(encoding="utf-8") == "ok"


def test_feedback_at_a_termination_message_is_stored_as_feedback(tmp_path: Path) -> None:
    chats = Conversations(tmp_path / "hitl.db")
    with quiet():
        outcome = chats.start("coding", {"work": str(tmp_path), "seed": 5, "turns": 6}, id="f1")
    kinds = []
    while outcome.status == "waiting":
        assert outcome.question is not None
        kinds.append(outcome.question.kind)
        if outcome.question.kind == "feedback":
            assert outcome.question.subjects == ()
        chats.answer(outcome.question.id, "")
        with quiet():
            outcome = chats.resume("f1")
    assert {"approval", "feedback"} <= set(kinds), kinds


# -- steps with effects declared idempotent ---------------------------------------------------------------------
@pytest.mark.parametrize("declared", [True, False], ids=["idempotent", "not-declared"])
def test_a_tool_call_cut_short_by_a_crash_runs_again_only_when_declared_idempotent(
    tmp_path: Path, declared: bool
) -> None:
    params = {
        "work": str(tmp_path),
        "seed": 0,  # the coder writes code, then calls the tool
        "turns": 4,
        "die_in_tool": True,
        "idempotent": ["deploy"] if declared else [],
    }
    store = tmp_path / "hitl.db"
    started = json.loads(child(store, "start", "t1", json.dumps(params)).stdout.splitlines()[-1])
    assert started["status"] == "waiting"  # approve the first block
    assert child(store, "answer", started["question"], "").returncode == 0
    killed = child(store, "resume", "t1")  # the block runs, then the process dies inside the tool call
    assert killed.returncode == -9, killed.stderr[-2000:]
    assert (tmp_path / "died").exists()
    cut_short = SqliteStore(store).journal("t1")[-1]
    assert (cut_short.kind, cut_short.state) == ("tool", "intent")
    chats = Conversations(store)
    with sqlite3_lease_expired(store), quiet():
        outcome = chats.resume("t1")
    if not declared:  # the human is asked whether it ran
        assert outcome.question is not None
        assert outcome.question.kind == "checkpoint"
        assert "the tool call 'deploy'" in outcome.question.prompt
        assert sum(1 for key in effects(tmp_path) if key.startswith("tool")) == 1  # asking ran nothing
        chats.answer(outcome.question.id, "")  # run it again
        with quiet():
            outcome = chats.resume("t1")
    ended = finish(chats, "t1", outcome)
    assert ended.status == "done"
    calls = {key: count for key, count in effects(tmp_path, keys=True).items() if key.startswith("tool")}
    again = f"key=t1:{cut_short.seq}"
    # the call cut short ran twice, with the same idempotency key both times; every other call once
    assert [count for key, count in calls.items() if key.endswith(again)] == [2], calls
    assert all(count == 1 for key, count in calls.items() if not key.endswith(again)), calls
    journal = chats.store.journal("t1")
    assert journal[cut_short.seq].state == "done"
    assert [entry.state for entry in journal].count("intent") == 0


def test_idempotent_takes_tool_names() -> None:
    human = PolicyUserProxy("human", human_input=DurableInput(), code_execution_config=False)
    coder = ScriptedAssistant("coder", ["hi"])
    with pytest.raises(Exception, match="idempotent takes tool names"):
        Chat(human, coder, "Go.", idempotent="deploy")  # a str would be a set of one-letter names
    chat = Chat(human, coder, "Go.", idempotent=["deploy"], idempotent_code=True)
    assert chat.may_repeat("tool", {"agent": "human", "call": {"name": "deploy", "arguments": "{}"}})
    assert not chat.may_repeat("tool", {"agent": "human", "call": {"name": "pay", "arguments": "{}"}})
    assert chat.may_repeat("code", {"blocks": []})


# -- what a model step's fingerprint covers ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("change", "diverges"),
    [({"temperature": 0.9}, True), ({"model": "wandering-2"}, True), ({"api_key": "sk-other"}, False)],
    ids=["temperature", "model", "api-key"],
)
def test_a_model_step_replays_only_for_the_same_model_settings(
    tmp_path: Path, change: dict[str, Any], diverges: bool
) -> None:
    chats = Conversations(tmp_path / "hitl.db")
    with quiet():
        outcome = chats.start("coding", {"work": str(tmp_path), "seed": 1, "turns": 6}, id="m1")
    assert outcome.question is not None
    chats.answer(outcome.question.id, "")
    factories.LLM_SETTINGS.update(change)
    try:
        if diverges:
            with quiet(), pytest.raises(DivergenceError, match="at step 0: the journal has a llm step"):
                chats.resume("m1")
        else:  # a new key or endpoint does not make the journal's replies wrong
            with quiet():
                assert chats.resume("m1").status in ("waiting", "done")
    finally:
        factories.LLM_SETTINGS.clear()


def test_the_tools_a_model_is_offered_are_part_of_its_step() -> None:
    from autogen import AssistantAgent

    agent = AssistantAgent("a", llm_config={"config_list": [{"model": "m", "api_key": "x"}], "cache_seed": None})
    before = model_settings(agent)

    def lookup(city: str) -> str:
        """Look a city up."""
        return city

    agent.register_for_llm(description="look a city up")(lookup)
    after = model_settings(agent)
    assert before != after
    assert "lookup" in json.dumps(after)
    assert "x" not in json.dumps(after["config_list"])  # credentials are not part of it


def test_what_json_cannot_hold_is_journaled_as_json_keeps_it() -> None:
    class Reply:
        def model_dump(self, mode: str = "python") -> dict[str, Any]:
            return {"content": "hi", "ratio": math.inf}

    kept = as_json([True, {"reply": Reply(), "tags": {"a"}, 1: (1, 2), "when": object}])
    assert kept[1]["reply"] == {"content": "hi", "ratio": "inf"}
    assert kept[1]["tags"] == ["a"]
    assert kept[1]["1"] == [1, 2]
    assert kept[1]["when"] == str(object)
    assert as_json(kept) == kept  # what a live run goes on with is what a replay serves


# -- a human asked inside a step ----------------------------------------------------------------------------------
@conversation("steps-ask-in-tool", version="1")
def ask_in_tool(params: dict[str, Any]) -> Chat:
    human = PolicyUserProxy(
        "human",
        policy=Never(),
        is_termination_msg=Keyword("TERMINATE"),
        human_input=DurableInput(),
        code_execution_config=False,
    )

    def ask_boss() -> str:
        return human.get_human_input("Boss, may I? ")

    human.register_function({"ask_boss": ask_boss})
    coder = ScriptedAssistant("coder", [tool_call("ask_boss", {}), "Done. TERMINATE"], on_exhausted="stop")
    return Chat(human, coder, message="Go.", max_turns=3, silent=True)


def test_a_human_asked_inside_a_tool_fails_the_conversation_instead_of_becoming_the_tools_output(
    tmp_path: Path,
) -> None:
    chats = Conversations(tmp_path / "hitl.db")
    with quiet(), pytest.raises(Exception, match="a human was asked inside a journaled step"):
        chats.start("steps-ask-in-tool", {}, id="q1")
    view = chats.show("q1")
    assert view.status == "failed"
    assert "a human was asked inside a journaled step" in (view.error or "")


# -- async runs ------------------------------------------------------------------------------------------------
class ThreadWatchingStore(SqliteStore):
    """A real SQLite store that notes which of its writes ran on an event loop's thread."""

    on_loop: list[str]

    def record(self, lease: Lease, entry: JournalEntry) -> None:
        if in_event_loop():
            self.on_loop.append(f"record {entry.kind}")
        super().record(lease, entry)

    def suspend(self, lease: Lease, question: Any, seq: int, snapshot: Any = None) -> None:
        if in_event_loop():
            self.on_loop.append("suspend")
        super().suspend(lease, question, seq, snapshot)

    def questions(self, conversation: str | None = None, status: Any = "open") -> Any:
        if in_event_loop():
            self.on_loop.append("questions")
        return super().questions(conversation, status)


@pytest.mark.parametrize("factory", ["coding", "group"])
def test_an_async_chat_run_from_async_code_uses_the_store_from_worker_threads(tmp_path: Path, factory: str) -> None:
    store = ThreadWatchingStore(tmp_path / "hitl.db")
    store.on_loop = []
    chats = Conversations(store)

    async def main(seed: int) -> tuple[Any, int]:
        params = {"work": str(tmp_path), "seed": seed, "turns": 6, "rounds": 9, "async": True, "selection": "random"}
        outcome = await chats.a_start(factory, params, id=f"x{seed}")
        stops = 0
        while outcome.status == "waiting":
            stops += 1
            assert outcome.question is not None
            await asyncio.to_thread(chats.answer, outcome.question.id, "")
            outcome = await chats.a_resume(f"x{seed}")
        return outcome, stops

    kinds: set[str] = set()
    for seed in range(13, 23):  # until a run stops at a question and resumes
        random.seed(seed)
        with quiet():
            outcome, stops = asyncio.run(main(seed))
        assert outcome.status == "done"
        kinds |= {entry.kind for entry in chats.store.journal(f"x{seed}")}
        if stops and "llm" in kinds and (factory == "coding" or "select" in kinds):
            break
    assert stops >= 1
    assert {"llm", "human"} <= kinds, kinds
    # AutoGen runs code blocks synchronously on the loop in an async chat (with or without hitl): only the
    # writes of those steps are made there.
    assert set(store.on_loop) <= {"record code"}, store.on_loop


def test_a_sync_resume_of_an_async_chat_works_inside_a_running_event_loop(tmp_path: Path) -> None:
    chats = Conversations(tmp_path / "hitl.db")
    params = {"work": str(tmp_path), "seed": 2, "turns": 6, "async": True}

    async def notebook_cell() -> Any:  # a notebook runs its cells inside an event loop
        outcome = chats.start("coding", params, id="n1")
        return finish(chats, "n1", outcome)

    with quiet():
        outcome = asyncio.run(notebook_cell())
    assert outcome.status == "done"
    assert any(entry.kind == "llm" for entry in chats.store.journal("n1"))


# -- cancel and prune ------------------------------------------------------------------------------------------
def test_a_conversation_cancelled_while_it_runs_stops_at_its_next_step(tmp_path: Path) -> None:
    chats = Conversations(tmp_path / "hitl.db")
    params = {"work": str(tmp_path), "seed": 3, "turns": 6, "slow": 0.4}
    chats.start("coding", params, id="k1", run=False)
    outcomes: list[Any] = []

    def worker() -> None:
        with quiet():
            outcomes.append(Conversations(tmp_path / "hitl.db").resume("k1"))

    running = threading.Thread(target=worker)
    running.start()
    time.sleep(0.2)  # in the middle of the first model call
    chats.cancel("k1")
    running.join(timeout=60)
    assert [outcome.status for outcome in outcomes] == ["cancelled"]
    assert chats.show("k1").status == "cancelled"
    assert chats.pending("k1") == []
    assert not list(tmp_path.glob("block-*.txt"))  # the code the model then wrote never ran


def test_prune_deletes_only_ended_conversations_older_than_asked(tmp_path: Path) -> None:
    chats = Conversations(tmp_path / "hitl.db")
    chats.start("coding", {"work": str(tmp_path), "seed": 1}, id="old", run=False)
    chats.start("coding", {"work": str(tmp_path), "seed": 1}, id="waiting-one", run=False)
    chats.cancel("old")
    assert chats.prune(older_than=3600) == 0  # not old enough
    assert chats.prune(older_than=0) == 1
    assert [c.id for c in chats.store.conversations()] == ["waiting-one"]
    with pytest.raises(Exception, match="only ended conversations are pruned"):
        chats.prune(older_than=0, statuses=["ready"])


# -- the tool calls of one message, which AutoGen runs concurrently in an async chat ----------------------------
CALLS: list[str] = []


@conversation("steps-parallel-calls", version="1")
def parallel_calls(params: dict[str, Any]) -> Chat:
    human = PolicyUserProxy(
        "human",
        policy=Terminate(),
        is_termination_msg=Keyword("TERMINATE"),
        human_input=DurableInput(),
        code_execution_config=False,
    )

    async def note(n: int) -> str:
        await asyncio.sleep(0.05 * (3 - n))  # the first call started ends last
        CALLS.append(f"{n} {idempotency_key()}")
        return f"noted {n}"

    human.register_function({"note": note})
    calls = [tool_call("note", {"n": n}, call_id=f"call_{n}")["tool_calls"][0] for n in range(3)]
    message = {"content": None, "role": "assistant", "tool_calls": calls}
    coder = ScriptedAssistant("coder", [message, "Noted. TERMINATE", "Bye. TERMINATE"], on_exhausted="stop")
    return Chat(human, coder, message="Go.", use_async=True, max_turns=3, silent=True)


def test_the_tool_calls_of_one_message_in_an_async_chat_are_journaled_each_once(tmp_path: Path) -> None:
    CALLS.clear()
    chats = Conversations(tmp_path / "hitl.db")
    with quiet():
        outcome = chats.start("steps-parallel-calls", {}, id="p1")
    assert outcome.status == "waiting"  # at the termination message, after the three calls
    assert sorted(CALLS) == ["0 p1:0", "1 p1:1", "2 p1:2"]  # each its own step, in the order they started
    ended = finish(chats, "p1", outcome, answer="Once more.")
    assert ended.status == "done"
    assert len(CALLS) == 3  # the resume replayed them
    assert [entry.kind for entry in chats.store.journal("p1")].count("tool") == 3
    responses = [m for m in chats.show("p1").history if m.get("tool_responses")]
    assert [r["tool_call_id"] for r in responses[0]["tool_responses"]] == ["call_0", "call_1", "call_2"]
