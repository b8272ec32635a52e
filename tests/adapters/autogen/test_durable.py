"""Durable conversations: suspended at every question, resumed elsewhere, with the history of an uninterrupted run.

The conversation (tests/scripts/durable_factories.py) has a model client, real local code execution and a
tool; every real effect leaves a line or a file in its work directory, so an effect run twice is seen.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from autogen.coding import LocalCommandLineCodeExecutor

from hitl import ApproveCode, Keyword, Never, PolicyUserProxy
from hitl.durable import Chat, Conversations, DivergenceError, DurableInput, conversation
from hitl.stores.durable import canonical_json
from hitl.testing import ScriptedAssistant, code_block, quiet
from tests.scripts import durable_factories as factories

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"


def effects(work: Path, *, keys: bool = False) -> Counter[str]:
    """What really happened in ``work``: model calls, tool calls, and the code blocks that ran (by file).

    A tool call's idempotency key is left out unless ``keys`` (an uninterrupted run has none).
    """
    found: Counter[str] = Counter()
    trace = work / "effects"
    if trace.exists():
        for line in trace.read_text(encoding="utf-8").splitlines():
            kind, text = json.loads(line)
            found[f"{kind}: {text if keys else text.split(' key=')[0]}"] += 1
    for path in work.glob("block-*.txt"):
        found[f"code: {path.name}"] += 1
    runs = work / "runs.log"
    if runs.exists():
        for line in runs.read_text(encoding="utf-8").splitlines():
            found[f"ran: {line}"] += 1
    return found


def answer_for(rng: random.Random) -> str:
    return rng.choice(["", "", "", "Please add a test.", "exit"])


def durable_run(
    store: Path, params: dict[str, Any], seed: int, factory: str = "coding"
) -> tuple[list[Any], list[str], int]:
    """Run a conversation suspended at every question, each resume from a fresh store object and fresh agents."""
    rng = random.Random(f"answers/{seed}")
    answers: list[str] = []
    chats = Conversations(store)
    with quiet():
        outcome = chats.start(factory, params, id=f"c{seed}")
    suspensions = 0
    while outcome.status == "waiting":
        assert outcome.question is not None
        suspensions += 1
        answers.append(answer_for(rng))
        chats.close()
        chats = Conversations(store)  # as another process would: nothing kept in memory
        chats.answer(outcome.question.id, answers[-1])
        with quiet():
            outcome = chats.resume(f"c{seed}")
    assert outcome.status == "done", outcome
    view = chats.show(f"c{seed}")
    chats.close()
    return view.history, answers, suspensions


def uninterrupted_run(params: dict[str, Any], answers: list[str], factory: str = "coding") -> list[Any]:
    chat = (factories.uninterrupted if factory == "coding" else factories.uninterrupted_group)(params, answers)
    with quiet():
        if chat.use_async:
            asyncio.run(chat.initiator.a_initiate_chat(chat.recipient, message=chat.message, **chat.options))
        else:
            chat.initiator.initiate_chat(chat.recipient, message=chat.message, **chat.options)
    history: list[Any] = chat.history()
    return history


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("seed", range(12))
def test_a_conversation_suspended_at_every_question_ends_as_an_uninterrupted_one(
    tmp_path: Path, seed: int, use_async: bool
) -> None:
    durable_work, plain_work = tmp_path / "durable", tmp_path / "plain"
    durable_work.mkdir()
    plain_work.mkdir()
    params = {"work": str(durable_work), "seed": seed, "turns": 6, "async": use_async}
    history, answers, suspensions = durable_run(tmp_path / "hitl.db", params, seed)
    plain = uninterrupted_run({**params, "work": str(plain_work)}, answers)
    assert suspensions == len(answers) >= 1
    assert canonical_json(history) == canonical_json(plain)
    assert effects(durable_work) == effects(plain_work)  # every model call, tool call and code block once
    tools = [key for key in effects(durable_work, keys=True) if key.startswith("tool")]
    assert all(effects(durable_work, keys=True)[key] == 1 for key in tools)  # each call its own key, once
    assert all(f"key=c{seed}:" in key for key in tools)


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("seed", range(6))
def test_a_group_suspended_at_every_question_ends_as_an_uninterrupted_one(
    tmp_path: Path, seed: int, use_async: bool
) -> None:
    durable_work, plain_work = tmp_path / "durable", tmp_path / "plain"
    durable_work.mkdir()
    plain_work.mkdir()
    params = {"work": str(durable_work), "seed": seed, "rounds": 9, "async": use_async}
    history, answers, _ = durable_run(tmp_path / "hitl.db", params, seed, factory="group")
    plain = uninterrupted_run({**params, "work": str(plain_work)}, answers, factory="group")
    assert canonical_json(history) == canonical_json(plain)
    assert effects(durable_work) == effects(plain_work)
    assert {m["name"] for m in history} >= {"human", "coder", "critic"}


def test_a_random_speaker_choice_is_replayed_not_drawn_again(tmp_path: Path) -> None:
    chats = Conversations(tmp_path / "hitl.db")
    stops = 0
    for seed in range(40):  # groups whose random draws reach the human, and stop there
        random.seed(seed)
        params = {"work": str(tmp_path), "seed": seed, "rounds": 12, "selection": "random"}
        with quiet():
            outcome = chats.start("group", params, id=f"g{seed}")
        seen: list[list[Any]] = []
        while outcome.status == "waiting":
            assert outcome.question is not None
            seen.append(chats.show(f"g{seed}").history)
            chats.answer(outcome.question.id, "")
            random.seed(random.SystemRandom().random())  # as another process would: other random draws
            with quiet():
                outcome = chats.resume(f"g{seed}")
        assert outcome.status == "done"
        final = chats.show(f"g{seed}").history
        for before in seen:  # what was decided before a stop is what the resumed runs kept
            assert canonical_json(final[: len(before)]) == canonical_json(before)
        stops += len(seen)
        if stops >= 3:
            break
    assert stops >= 3
    assert any(entry.kind == "select" for entry in chats.store.journal(f"g{seed}"))


def test_a_human_who_leaves_the_speaker_to_chance_gets_the_same_draw_on_every_resume(tmp_path: Path) -> None:
    chats = Conversations(tmp_path / "hitl.db")
    params = {"work": str(tmp_path), "seed": 7, "rounds": 8, "selection": "manual-random"}
    with quiet():
        outcome = chats.start("group", params, id="m1")
    stops = 0
    while outcome.status == "waiting":
        assert outcome.question is not None
        stops += 1
        chats.answer(outcome.question.id, "")  # Enter: at a speaker question, a random draw picks
        random.seed(random.SystemRandom().random())  # as another process would: other random draws
        with quiet():
            outcome = chats.resume("m1")  # replayed: a DivergenceError if a draw were not journaled
    assert outcome.status == "done", outcome
    assert stops >= 2
    journal = chats.store.journal("m1")
    assert any(entry.kind == "select" for entry in journal)


def run_script(store: Path, *args: str) -> Any:
    done = subprocess.run(
        [sys.executable, str(SCRIPTS / "durable_factories.py"), str(store), *args],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout.strip()
    return json.loads(out.splitlines()[-1]) if out else None


def test_each_resume_in_a_fresh_process_runs_nothing_twice_even_a_model_that_never_answers_alike(
    tmp_path: Path,
) -> None:
    params = {"work": str(tmp_path), "seed": 3, "turns": 6, "wander": True}
    store = tmp_path / "hitl.db"
    outcome = run_script(store, "start", "c1", json.dumps(params))
    processes = 1
    while outcome["status"] == "waiting":
        run_script(store, "answer", outcome["question"], "")  # answered from another process...
        outcome = run_script(store, "resume", "c1")  # ...and resumed from a third
        processes += 2
    assert outcome["status"] == "done"
    assert processes >= 5
    happened = effects(tmp_path)
    model_turns = [key for key in happened if key.startswith("model")]
    assert all(happened[key] == 1 for key in happened), happened  # no model call, tool or block ran twice
    assert len(model_turns) >= 3
    view = Conversations(store).show("c1")
    blocks = [m["content"] for m in view.history if "```python" in str(m.get("content"))]
    ran = sorted(key.split(": ")[1] for key in happened if key.startswith("code"))
    # every block in the history ran exactly once, under the name its (random) text gave it
    assert sorted(f"block-{b.split('block-')[1].split('.txt')[0]}.txt" for b in blocks) == ran


def test_a_replay_that_asks_something_else_fails_loudly_naming_the_step(tmp_path: Path) -> None:
    params = {"work": str(tmp_path), "seed": 1, "turns": 6}
    chats = Conversations(tmp_path / "hitl.db")
    with quiet():
        outcome = chats.start("coding", params, id="c1")
    assert outcome.question is not None
    chats.answer(outcome.question.id, "")
    factories.SYSTEM_MESSAGE[0] = "You write code, and changed."
    try:
        with (
            quiet(),
            pytest.raises(
                DivergenceError, match=r"diverged from its journal at step 0: the journal has a llm"
            ) as error,
        ):
            chats.resume("c1")
    finally:
        factories.SYSTEM_MESSAGE[0] = "You write code."
    assert error.value.seq == 0
    assert error.value.expected[1] != error.value.found
    assert chats.show("c1").status == "failed"
    assert "diverged from its journal at step 0" in (chats.show("c1").error or "")


def test_of_two_processes_resuming_one_conversation_at_once_one_runs_it_and_the_other_is_told(tmp_path: Path) -> None:
    params = {"work": str(tmp_path), "seed": 2, "turns": 6, "slow": 0.6}
    store = tmp_path / "hitl.db"
    outcome = run_script(store, "start", "c1", json.dumps(params))
    assert outcome["status"] == "waiting"
    run_script(store, "answer", outcome["question"], "")
    start = time.time() + 2.0
    children = [
        subprocess.Popen(
            [sys.executable, str(SCRIPTS / "durable_factories.py"), str(store), "resume-at", "c1", str(start)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = [json.loads(child.communicate(timeout=180)[0].strip().splitlines()[-1]) for child in children]
    refused = [result for result in results if "error" in result]
    ran = [result for result in results if "status" in result]
    assert len(ran) == 1, results
    assert len(refused) == 1, results
    assert refused[0]["error"] == "LeaseHeld"
    assert "is being run by" in refused[0]["message"]


@pytest.mark.parametrize("decision", ["skip", ""], ids=["skip", "run-again"])
def test_a_process_killed_during_code_execution_leaves_a_question_not_a_second_run(
    tmp_path: Path, decision: str
) -> None:
    params = {"work": str(tmp_path), "seed": 0, "turns": 4, "sleepy": 3.0}
    store = tmp_path / "hitl.db"
    outcome = run_script(store, "start", "c1", json.dumps(params))
    assert outcome["status"] == "waiting"  # the reviewer approves the first block...
    run_script(store, "answer", outcome["question"], "")
    child = subprocess.Popen(  # ...and the process that runs it is killed while it runs
        [sys.executable, str(SCRIPTS / "durable_factories.py"), str(store), "resume", "c1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob("block-*.txt")):
        assert time.monotonic() < deadline, "the block never started"
        time.sleep(0.05)
    child.kill()
    child.wait(timeout=30)
    assert len(list(tmp_path.glob("block-*.txt"))) == 1
    chats = Conversations(store, lease=0.5)
    time.sleep(chats.lease)  # unlike a clean stop, a kill leaves its lease to expire (60 s; here it is short)
    with sqlite3_lease_expired(store), quiet():
        uncertain = chats.resume("c1")
    assert uncertain.status == "waiting"
    assert uncertain.question is not None
    assert uncertain.question.kind == "checkpoint"
    assert "was started before the process stopped, and may or may not have run" in uncertain.question.prompt
    assert len(list(tmp_path.glob("block-*.txt"))) == 1  # asking ran nothing
    chats.answer(uncertain.question.id, decision)
    while True:
        with quiet():
            outcome_after = chats.resume("c1")
        if outcome_after.status != "waiting":
            break
        assert outcome_after.question is not None
        chats.answer(outcome_after.question.id, "exit")
    assert outcome_after.status == "done"
    runs = (tmp_path / "runs.log").read_text(encoding="utf-8").splitlines()
    assert runs.count("block 1") == (1 if decision == "skip" else 2)  # run again only when the human said so
    outputs = [str(m.get("content")) for m in chats.show("c1").history]
    if decision == "skip":
        assert any("not run again" in text for text in outputs)
    else:
        assert any("exitcode: 0" in text for text in outputs)


@contextlib.contextmanager
def sqlite3_lease_expired(store: Path) -> Iterator[None]:
    """Expire the killed worker's lease now (it was taken for 60 s), as waiting that long would."""
    with sqlite3.connect(store) as db:
        db.execute("UPDATE conversations SET lease_until = 0 WHERE status = 'running'")
    yield


SCRIPT: dict[str, Any] = {"code": "open('safe.txt', 'w').write('ok')", "turns": 4}


@conversation("approve-then-run", version="1")
def approve_then_run(params: dict[str, Any]) -> Chat:
    human = PolicyUserProxy(
        "human",
        policy=Never() | ApproveCode(),
        is_termination_msg=Keyword("TERMINATE"),
        human_input=DurableInput(),
        code_execution_config={"executor": LocalCommandLineCodeExecutor(work_dir=params["work"], timeout=30)},
    )
    blocks = [code_block(SCRIPT["code"])] + ([code_block(SCRIPT["second"])] if "second" in SCRIPT else [])
    coder = ScriptedAssistant("coder", [*blocks, "Done. TERMINATE"], on_exhausted="stop")
    return Chat(human, coder, message="Go.", max_turns=int(SCRIPT["turns"]), silent=True)


def test_an_approval_is_never_replayed_for_other_code(tmp_path: Path) -> None:
    chats = Conversations(tmp_path / "hitl.db")
    with quiet():
        outcome = chats.start("approve-then-run", {"work": str(tmp_path)}, id="a1")
    assert outcome.question is not None
    assert "safe.txt" in (outcome.question.detail or "")  # the human approves what they are shown...
    chats.answer(outcome.question.id, "")
    SCRIPT["code"] = "open('pwned.txt', 'w').write('ran')"  # ...and the code changes before the resume
    try:
        with quiet(), pytest.raises(DivergenceError, match="diverged from its journal at step 0"):
            chats.resume("a1")
    finally:
        SCRIPT["code"] = "open('safe.txt', 'w').write('ok')"
    assert not (tmp_path / "pwned.txt").exists()
    assert chats.show("a1").status == "failed"


def test_a_replay_that_ends_before_its_journal_does_fails_instead_of_dropping_steps(tmp_path: Path) -> None:
    SCRIPT["second"] = "open('second.txt', 'w').write('ok')"
    chats = Conversations(tmp_path / "hitl.db")
    try:
        with quiet():
            first = chats.start("approve-then-run", {"work": str(tmp_path)}, id="a2")
        assert first.question is not None
        chats.answer(first.question.id, "")
        with quiet():
            second = chats.resume("a2")  # the first block runs; the second waits for its approval
        assert second.status == "waiting"
        assert second.question is not None
        chats.answer(second.question.id, "")
        SCRIPT["turns"] = 1  # the code now ends the chat after the coder's first reply
        with quiet(), pytest.raises(DivergenceError, match="diverged from its journal"):
            chats.resume("a2")
    finally:
        SCRIPT["turns"] = 4
        del SCRIPT["second"]
    assert chats.show("a2").status == "failed"
    assert (tmp_path / "safe.txt").exists()
    assert not (tmp_path / "second.txt").exists()


def test_a_worker_runs_the_others_when_one_conversation_cannot_run_here(tmp_path: Path) -> None:
    chats = Conversations(tmp_path / "hitl.db")
    chats.store.create("orphan", "a-factory-of-another-app", "1", {})
    chats.store.create("older", "approve-then-run", "0", {"work": str(tmp_path)})  # another version of it
    with quiet():
        chats.start("approve-then-run", {"work": str(tmp_path)}, id="a3", run=False)
        outcomes = chats.work()
    by_id = {outcome.conversation: outcome for outcome in outcomes}
    assert "orphan" not in by_id  # a worker claims only what it has a factory for
    assert chats.store.get("orphan").epoch == 0
    assert by_id["older"].status == "ready"
    assert "was started by factory 'approve-then-run' version '0'" in (by_id["older"].error or "")
    assert by_id["a3"].status == "waiting"
    assert chats.show("older").status == "ready"  # left for a worker that has its version
    assert chats.show("orphan").status == "ready"
