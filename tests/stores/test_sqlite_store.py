"""The SQLite conversation store: leases that fence, first-writer-wins answers, a journal that survives kill -9."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from hitl.core.question import Question
from hitl.stores.durable import (
    ConversationStore,
    JournalEntry,
    LeaseHeld,
    LeaseLost,
    NotRunnable,
    QuestionClosed,
    StoreError,
    StoreFormatError,
    UnknownConversation,
)
from hitl.stores.sqlite import SqliteStore


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    opened = SqliteStore(tmp_path / "hitl.db")
    yield opened
    opened.close()


def feedback(conversation: str = "c1", prompt: str = "Your feedback: ") -> Question:
    return Question.new(kind="feedback", agent="user", prompt=prompt, conversation=conversation)


def test_the_store_speaks_the_protocol(store: SqliteStore) -> None:
    assert isinstance(store, ConversationStore)


def test_a_conversation_goes_ready_running_waiting_ready_done(store: SqliteStore) -> None:
    created = store.create("c1", "review", "2", {"topic": "sorting", "n": [1, 2]})
    assert (created.status, created.epoch, created.params) == ("ready", 0, {"topic": "sorting", "n": [1, 2]})
    lease = store.claim("c1", "worker-a", ttl=60)
    assert (store.get("c1").status, store.get("c1").owner, lease.epoch) == ("running", "worker-a", 1)
    store.record(lease, JournalEntry(0, "llm", "fp0", "done", {"content": "Draft."}))
    question = feedback()
    store.suspend(lease, question, seq=1, snapshot={"history": [{"content": "Draft."}]})
    assert (store.get("c1").status, store.get("c1").owner) == ("waiting", None)
    assert store.get("c1").snapshot == {"history": [{"content": "Draft."}]}
    assert [q.question for q in store.questions()] == [question]
    with pytest.raises(NotRunnable, match="waits for a human's answer"):
        store.claim("c1", "worker-b", ttl=60)
    answered = store.answer(question.id, "Looks good.", by="ana")
    assert (answered.status, answered.answer, answered.answered_by, answered.seq) == (
        "answered",
        "Looks good.",
        "ana",
        1,
    )
    assert store.get("c1").status == "ready"
    assert store.questions() == []
    lease = store.claim("c1", "worker-b", ttl=60)
    assert lease.epoch == 2
    store.record(lease, JournalEntry(1, "human", "fp1", "done", "Looks good."))
    store.finish(lease, {"summary": "done", "turns": 3}, snapshot={"history": []})
    ended = store.get("c1")
    assert (ended.status, ended.result, ended.owner) == ("done", {"summary": "done", "turns": 3}, None)
    assert ended.snapshot == {"history": []}
    with pytest.raises(NotRunnable, match=r"has ended \(done\)"):
        store.claim("c1", "worker-c", ttl=60)


def test_the_first_answer_wins_and_a_second_is_refused_with_the_winner(store: SqliteStore) -> None:
    store.create("c1", "review", "1", {})
    question = feedback()
    store.suspend(store.claim("c1", "w", ttl=60), question, seq=0)
    store.answer(question.id, "first")
    with pytest.raises(QuestionClosed, match="answered") as refused:
        store.answer(question.id, "second")
    assert refused.value.answer == "first"
    assert store.question(question.id).answer == "first"


def test_a_stale_lease_can_write_nothing(store: SqliteStore) -> None:
    store.create("c1", "review", "1", {})
    old = store.claim("c1", "slow-worker", ttl=0.05)
    time.sleep(0.1)  # the lease expires; another worker takes over
    new = store.claim("c1", "fast-worker", ttl=60)
    assert new.epoch == old.epoch + 1
    writes: list[Callable[[], object]] = [
        lambda: store.record(old, JournalEntry(0, "llm", "fp", "done", "x")),
        lambda: store.suspend(old, feedback(), seq=0),
        lambda: store.finish(old, None),
        lambda: store.fail(old, "boom"),
        lambda: store.renew(old, 60),
        lambda: store.release(old),
    ]
    for write in writes:
        with pytest.raises(LeaseLost, match=r"'slow-worker' lost its lease on 'c1' \(epoch 1\)"):
            write()
    assert store.journal("c1") == []
    assert store.questions() == []
    assert (store.get("c1").status, store.get("c1").owner) == ("running", "fast-worker")


def test_a_held_lease_is_not_taken_until_it_expires(store: SqliteStore) -> None:
    store.create("c1", "review", "1", {})
    lease = store.claim("c1", "a", ttl=60)
    with pytest.raises(LeaseHeld, match="is being run by 'a'"):
        store.claim("c1", "b", ttl=60)
    assert store.claim_next("b", ttl=60) is None
    store.release(lease)
    assert store.claim("c1", "b", ttl=60).epoch == 2


def test_claim_next_takes_the_oldest_runnable_one(store: SqliteStore) -> None:
    for name in ("c1", "c2", "c3"):
        store.create(name, "review", "1", {})
        time.sleep(0.002)
    store.suspend(store.claim("c1", "w", ttl=60), feedback("c1"), seq=0)  # waiting: not runnable
    first = store.claim_next("w", ttl=60)
    second = store.claim_next("w", ttl=60)
    assert (first and first.conversation, second and second.conversation) == ("c2", "c3")
    assert store.claim_next("w", ttl=60) is None


def test_the_journal_takes_entries_in_order_and_completes_intents_only_with_the_same_step(store: SqliteStore) -> None:
    store.create("c1", "review", "1", {})
    lease = store.claim("c1", "w", ttl=60)
    with pytest.raises(StoreError, match="the next entry is 0, not 1"):
        store.record(lease, JournalEntry(1, "llm", "fp", "done", "x"))
    store.record(lease, JournalEntry(0, "code", "fp-code", "intent"))
    with pytest.raises(StoreError, match=r"entry 0 is an unfinished intent"):
        store.record(lease, JournalEntry(1, "llm", "fp", "done", "x"))
    with pytest.raises(StoreError, match="does not complete it"):
        store.record(lease, JournalEntry(0, "code", "another-fp", "done", [0, "ok"]))
    store.record(lease, JournalEntry(0, "code", "fp-code", "intent", {"allowed_by": ["q1"]}))  # a new attempt
    assert store.journal("c1") == [JournalEntry(0, "code", "fp-code", "intent", {"allowed_by": ["q1"]})]
    with pytest.raises(StoreError, match="does not complete it"):
        store.record(lease, JournalEntry(0, "code", "another-fp", "intent"))
    store.record(lease, JournalEntry(0, "code", "fp-code", "done", [0, "ok"]))
    with pytest.raises(StoreError, match="does not complete it"):
        store.record(lease, JournalEntry(0, "code", "fp-code", "done", [0, "again"]))
    with pytest.raises(StoreError, match="does not complete it"):
        store.record(lease, JournalEntry(0, "code", "fp-code", "intent"))  # a done step is not started again
    assert store.journal("c1") == [JournalEntry(0, "code", "fp-code", "done", [0, "ok"])]


def test_only_json_is_kept_and_it_is_refused_when_written(store: SqliteStore) -> None:
    with pytest.raises(TypeError):
        store.create("c1", "review", "1", {"when": object()})
    store.create("c1", "review", "1", {})
    lease = store.claim("c1", "w", ttl=60)
    with pytest.raises(ValueError, match="JSON"):
        store.record(lease, JournalEntry(0, "llm", "fp", "done", float("nan")))
    assert store.journal("c1") == []


def test_cancel_withdraws_open_questions_and_prune_deletes_only_ended_conversations(store: SqliteStore) -> None:
    store.create("old", "review", "1", {})
    store.create("waiting", "review", "1", {})
    question = feedback("waiting")
    store.suspend(store.claim("waiting", "w", ttl=60), question, seq=0)
    lease = store.claim("old", "w", ttl=60)
    store.record(lease, JournalEntry(0, "llm", "fp", "done", "x"))
    store.finish(lease, None)
    with pytest.raises(StoreError, match="only ended conversations are pruned"):
        store.prune(time.time() + 1, statuses=("waiting",))
    assert store.prune(time.time() + 1) == 1
    with pytest.raises(UnknownConversation):
        store.get("old")
    assert store.journal("old") == []
    store.cancel("waiting")
    assert store.get("waiting").status == "cancelled"
    assert store.question(question.id).status == "withdrawn"
    with pytest.raises(QuestionClosed, match="withdrawn"):
        store.answer(question.id, "too late")


def test_a_newer_format_and_a_foreign_database_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "hitl.db"
    SqliteStore(path).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = '2' WHERE key = 'format'")
    with pytest.raises(StoreFormatError, match="format 2; this version of hitl reads format 1"):
        SqliteStore(path)
    foreign = tmp_path / "other.db"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE users (id INTEGER)")
    with pytest.raises(StoreFormatError, match="not a hitl store"):
        SqliteStore(foreign)


# -- many processes ------------------------------------------------------------------------------------------------
CLAIMER = textwrap.dedent(
    """
    import sys, time
    from hitl.stores.sqlite import SqliteStore
    from hitl.stores.durable import LeaseHeld
    store = SqliteStore(sys.argv[1])
    start = float(sys.argv[3])
    time.sleep(max(0.0, start - time.time()))
    try:
        lease = store.claim("c1", sys.argv[2], ttl=60)
    except LeaseHeld as held:
        print("refused:", held)
    else:
        print("claimed", lease.epoch)
    """
)


def test_of_processes_claiming_one_conversation_at_once_exactly_one_wins(tmp_path: Path) -> None:
    path = tmp_path / "hitl.db"
    with SqliteStore(path) as store:
        store.create("c1", "review", "1", {})
    start = time.time() + 1.5  # every process imports first, then they claim together
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CLAIMER, str(path), f"worker-{n}", str(start)], stdout=subprocess.PIPE, text=True
        )
        for n in range(6)
    ]
    outputs = [child.communicate(timeout=60)[0] for child in children]
    assert all(child.returncode == 0 for child in children), outputs
    assert sum(out.startswith("claimed 1") for out in outputs) == 1, outputs
    assert sum("refused: conversation 'c1' is being run by 'worker-" in out for out in outputs) == 5, outputs


ANSWERER = textwrap.dedent(
    """
    import sys, time
    from hitl.stores.sqlite import SqliteStore
    from hitl.stores.durable import QuestionClosed
    store = SqliteStore(sys.argv[1])
    time.sleep(max(0.0, float(sys.argv[4]) - time.time()))
    try:
        store.answer(sys.argv[2], sys.argv[3])
    except QuestionClosed as closed:
        print("refused", closed.answer)
    else:
        print("answered")
    """
)


def test_of_processes_answering_one_question_at_once_the_first_wins_and_the_others_see_its_answer(
    tmp_path: Path,
) -> None:
    path = tmp_path / "hitl.db"
    question = feedback()
    with SqliteStore(path) as store:
        store.create("c1", "review", "1", {})
        store.suspend(store.claim("c1", "w", ttl=60), question, seq=0)
    start = time.time() + 1.5
    children = [
        subprocess.Popen(
            [sys.executable, "-c", ANSWERER, str(path), question.id, f"answer {n}", str(start)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for n in range(6)
    ]
    outputs = [child.communicate(timeout=60)[0].strip() for child in children]
    with SqliteStore(path) as store:
        won = store.question(question.id).answer
    assert outputs.count("answered") == 1, outputs
    assert sorted(out for out in outputs if out != "answered") == [f"refused {won}"] * 5


WRITER = textwrap.dedent(
    """
    import sys
    from hitl.stores.sqlite import SqliteStore
    from hitl.stores.durable import JournalEntry
    store = SqliteStore(sys.argv[1])
    lease = store.claim("c1", "writer", ttl=600)
    print("ready", flush=True)
    seq = 0
    while True:
        store.record(lease, JournalEntry(seq, "code", f"fp{seq}", "intent"))
        store.record(lease, JournalEntry(seq, "code", f"fp{seq}", "done", {"n": seq, "pad": "x" * 2000}))
        seq += 1
    """
)


@pytest.mark.parametrize("delay", [0.05, 0.13, 0.31, 0.57])
def test_a_writer_killed_at_any_moment_leaves_a_whole_journal(tmp_path: Path, delay: float) -> None:
    path = tmp_path / "hitl.db"
    with SqliteStore(path) as store:
        store.create("c1", "review", "1", {})
    child = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "ready"
    time.sleep(delay)
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    with SqliteStore(path) as store:
        entries = store.journal("c1")
        assert entries, "the writer wrote nothing before it was killed"
        assert [entry.seq for entry in entries] == list(range(len(entries)))
        for entry in entries[:-1]:
            assert (entry.state, entry.result) == ("done", {"n": entry.seq, "pad": "x" * 2000})
        last = entries[-1]
        assert last.state == "intent" or last.result == {"n": last.seq, "pad": "x" * 2000}
        # The killed writer's lease still holds; once it expires, a new worker claims and goes on.
        assert store.get("c1").status == "running"
        with pytest.raises(LeaseHeld):
            store.claim("c1", "next", ttl=60)
