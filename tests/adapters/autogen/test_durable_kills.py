"""kill -9 a durable conversation at any moment and resume it: it ends as an uninterrupted one, nothing done runs twice.

Each conversation (tests/scripts/durable_killable.py: a slow model, real code execution, a real tool, a human
who approves code and ends the chat, answering from a seeded list) runs in child processes that the test kills
with SIGKILL, at seeded moments: after a random delay, in the middle of a model call, of a code execution or of
a tool call, between two steps, or inside a journal write (the store kills its own process after the write's
statements and before its commit). After each kill the test reads the journal and the trace of every effect,
expires the dead worker's lease and resumes the conversation in a new process, which may be killed again. The
processes are forked by a server that imported hitl and AutoGen once (a fresh interpreter per process would
cost more than the whole test in imports); each has a session of its own and never shares its store.

What is checked, after each process (killed or not) against the state before it:

- the journal only grows: a done entry is never changed, an intent is completed by the same step;
- a kill inside a journal write commits none of it;
- no effect ran outside its journaled step, or without its intent recorded first;
- an effect whose entry was done never runs again; one left as an intent runs at most once more (once exactly
  when the next process completes it: run again, or not at all when the human chose ``skip``);
- a model call whose reply was journaled is never made again (at most the one in flight is lost);
- without idempotent declarations, every step cut short is a checkpoint question before it runs again;

and at the end: the history is the one of the same conversation run uninterrupted (canonical JSON), with the
same questions asked and the same effects.

``HITL_DURABLE_KILLS`` sets how many kills the main test plans (default 48, three per conversation); pytest
``-s`` shows how the kills fell.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from hitl.stores.durable import JournalEntry, StoredQuestion, UnknownConversation, canonical_json
from hitl.stores.sqlite import SqliteStore
from tests.scripts import durable_killable as killable

pytestmark = pytest.mark.skipif(not hasattr(os, "fork") or not hasattr(signal, "SIGKILL"), reason="POSIX kill -9")

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "durable_killable.py"
KILLS = int(os.environ.get("HITL_DURABLE_KILLS", "48"))
PER_CONVERSATION = 3
WORKERS = 4
KINDS = ("model call", "code execution", "tool call", "between steps", "journal write")
#: How a kill's moment is chosen, and how often: after a delay, at a trace line, or inside a store write.
STRATEGIES = ["delay", "delay", "delay", "model", "code", "tool", "between", "write", "write"]
#: Without idempotent declarations: mostly in the middle of effects, to be asked about.
ASKING = ["code", "code", "tool", "tool", "delay", "write"]


# -- the child processes -----------------------------------------------------------------------------------------
class Forker:
    """The server that forks the test's child processes (``durable_killable.py serve``): hitl imported once."""

    def __init__(self, log: Path) -> None:
        self.log = log
        self._errors = open(log, "w", encoding="utf-8")  # noqa: SIM115 - kept open for the server's lifetime
        self.process = subprocess.Popen(
            [sys.executable, str(SCRIPT), "serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._errors,
            text=True,
            bufsize=1,
        )
        self._lines: queue.Queue[dict[str, Any]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        ready = self.next(timeout=180)
        assert ready is not None, "the fork server did not start"
        assert "ready" in ready, ready

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(json.loads(line))
        self._lines.put({"eof": True})

    def next(self, timeout: float) -> dict[str, Any] | None:
        try:
            item = self._lines.get(timeout=timeout)
        except queue.Empty:
            return None
        assert "eof" not in item, f"the fork server died: {self.log.read_text(encoding='utf-8')[-3000:]}"
        return item

    def send(self, command: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()

    def spawn(self, command: dict[str, Any]) -> Child:
        self.send(command)
        started = self.next(timeout=60)
        assert started is not None, "the fork server did not fork"
        assert "pid" in started, started
        return Child(self, int(started["pid"]), Path(command["out"]))

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)
        self._errors.close()


class Child:
    """A forked process: its own session (its code executions die with it), not reaped until the test is done."""

    def __init__(self, forker: Forker, pid: int, out: Path) -> None:
        self.forker = forker
        self.pid = pid
        self.out = out
        self.ended: dict[str, Any] | None = None
        self.reaped = False

    def wait(self, timeout: float) -> bool:
        """Whether the process ended (within ``timeout`` seconds)."""
        if self.ended is None:
            found = self.forker.next(timeout)
            if found is not None:
                assert found.get("exited") == self.pid, found
                self.ended = found
        return self.ended is not None

    def kill(self) -> None:
        """SIGKILL the process and its process group (the code it runs), and wait until it is gone."""
        for kill in (os.killpg, os.kill):
            with contextlib.suppress(ProcessLookupError):
                kill(self.pid, signal.SIGKILL)
        assert self.wait(60), "a killed process did not end"
        time.sleep(0.01)  # its code's process, killed with it, is gone too (it cannot write any more)

    def reap(self) -> None:
        if not self.reaped:
            if not self.wait(0):
                self.kill()
            self.forker.send({"cmd": "reap", "pid": self.pid})
            self.reaped = True

    @property
    def killed(self) -> bool:
        assert self.ended is not None
        return bool(self.ended["killed"])

    def result(self) -> dict[str, Any]:
        """What the process wrote: it must have ended on its own, without an error."""
        log = self.out.with_name(self.out.name + ".log")
        detail = log.read_text(encoding="utf-8")[-4000:] if log.exists() else "(no log)"
        assert self.ended is not None, detail
        assert not self.killed, detail
        assert self.ended["status"] == 0, detail
        data: dict[str, Any] = json.loads(self.out.read_text(encoding="utf-8"))
        return data


@pytest.fixture(scope="module")
def forkers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[queue.Queue[Forker]]:
    logs = tmp_path_factory.mktemp("forkers")
    with ThreadPoolExecutor(WORKERS) as pool:  # each imports hitl and AutoGen once; at the same time
        started = list(pool.map(lambda n: Forker(logs / f"forker-{n}.log"), range(WORKERS)))
    idle: queue.Queue[Forker] = queue.Queue()
    for forker in started:
        idle.put(forker)
    yield idle
    for forker in started:
        forker.close()


# -- what a process left behind ----------------------------------------------------------------------------------
@dataclass
class Trace:
    """The work directory's trace: every real effect, every model call, and where processes stopped."""

    runs: Counter[int] = field(default_factory=Counter)  # real runs of each effect, by journal position
    tries: list[tuple[int, int]] = field(default_factory=list)  # (position, pid): runs begun (code or tool)
    keys: list[tuple[int, str]] = field(default_factory=list)  # (position, idempotency key) of each tool run
    model: list[tuple[int, int]] = field(default_factory=list)  # (turn, pid): model calls begun
    selfkills: dict[int, list[Any]] = field(default_factory=dict)  # pid: the write it killed itself in
    effects: Counter[str] = field(default_factory=Counter)  # real runs by what ran (``code 6``, ``tool env-9``)
    unkeyed: int = 0  # real runs outside a journaled step (none in a durable run)


def read_trace(work: Path) -> Trace:
    found = Trace()
    path = work / "trace"
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    for line in lines:
        kind, *rest = json.loads(line)
        if kind == "code":
            turn, step = rest
            found.effects[f"code {turn}"] += 1
            if step in (None, "-"):
                found.unkeyed += 1
            else:
                found.runs[int(step)] += 1
        elif kind == "exec":
            step, pid = rest
            if step is not None:
                found.tries.append((int(step), int(pid)))
        elif kind == "tool":
            env, key, pid = rest
            found.effects[f"tool {env}"] += 1
            if key is None:
                found.unkeyed += 1
            else:
                step = int(key.rsplit(":", 1)[1])
                found.runs[step] += 1
                found.tries.append((step, int(pid)))
                found.keys.append((step, key))
        elif kind == "model" and rest[2] == "start":
            found.model.append((int(rest[0]), int(rest[1])))
        elif kind == "selfkill":
            found.selfkills[int(rest[0])] = rest[1:]
    return found


@dataclass
class State:
    """The conversation as a process left it: its journal, its questions, its status, and the trace."""

    journal: list[JournalEntry]
    questions: list[StoredQuestion]
    status: str
    trace: Trace

    def entry(self, seq: int) -> JournalEntry | None:
        return self.journal[seq] if seq < len(self.journal) else None


def read_state(store_path: Path, conversation: str, work: Path) -> State:
    with SqliteStore(store_path) as store:
        status: str
        try:
            status = store.get(conversation).status
        except UnknownConversation:
            status = "new"
        return State(store.journal(conversation), store.questions(conversation, status=None), status, read_trace(work))


def expire_lease(store_path: Path, conversation: str) -> None:
    """Expire a killed worker's lease now (it would run out in ``killable.LEASE`` seconds)."""
    with contextlib.closing(sqlite3.connect(store_path)) as db, db:
        db.execute("UPDATE conversations SET lease_until = 0 WHERE id = ? AND status = 'running'", (conversation,))


# -- one conversation, killed and resumed -----------------------------------------------------------------------
@dataclass
class Run:
    """One process of a conversation: how its kill was chosen, what it hit, and the states around it."""

    pid: int
    strategy: str
    kind: str | None  # what the kill hit; None: the process ended on its own
    before: State
    after: State


@dataclass
class Outcome:
    seed: int
    factory: str
    runs: list[Run]
    history: list[Any]
    reference: dict[str, Any]
    reference_effects: Counter[str]

    @property
    def kills(self) -> list[Run]:
        return [run for run in self.runs if run.kind is not None]


class Watch:
    """The trace as a process writes it: wait for the next line that says something."""

    def __init__(self, child: Child, work: Path) -> None:
        self.child = child
        self.path = work / "trace"
        self.offset = 0
        self.pending: list[list[Any]] = []
        self.partial = ""

    def until(self, wanted: Callable[[list[Any]], bool], limit: float = 60.0) -> list[Any] | None:
        """Wait for a line ``wanted`` accepts (after the ones seen); None if the process ended first."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if self.path.exists():
                with open(self.path, encoding="utf-8") as trace:
                    trace.seek(self.offset)
                    self.partial += trace.read()
                    self.offset = trace.tell()
                *complete, self.partial = self.partial.split("\n")
                self.pending += [json.loads(line) for line in complete if line]
            while self.pending:
                line = self.pending.pop(0)
                if wanted(line):
                    return line
            if self.child.wait(0.004):
                return None
        raise AssertionError("the process never did what the test waited for")


def stop_at(child: Child, work: Path, strategy: str, rng: random.Random) -> None:
    """Kill the process at a moment chosen by ``strategy`` (``write``: it kills itself), unless it ends first.

    ``delay``: after a random delay; ``model``, ``code``, ``tool``, ``between``: a little after a model call, a
    code execution, a tool call or the work between two steps begins; ``in-code``: as soon as the code itself
    runs (after an execution it began).
    """
    pid, trace = child.pid, Watch(child, work)
    if strategy == "write":
        assert child.wait(120), "the process did not end"
        return
    delay = 0.0
    if strategy == "delay":
        delay = rng.uniform(0.05, 0.9)
    elif strategy == "model":
        found = trace.until(lambda line: line[0] == "model" and line[2:] == [pid, "start"])
        delay = rng.uniform(0.0, 0.1) if found else 0.0
    elif strategy in ("code", "tool"):
        begins = "exec" if strategy == "code" else "tool"
        found = trace.until(lambda line: line[0] == begins and line[-1] == pid)
        delay = rng.uniform(0.0, 0.12) if found else 0.0
    elif strategy == "in-code":
        began = trace.until(lambda line: line[0] == "exec" and line[-1] == pid)
        if began is not None:
            trace.until(lambda line: line[0] == "code" and line[2] == str(began[1]))
    else:
        found = trace.until(lambda line: line == ["think", pid])
        delay = rng.uniform(0.0, 0.03) if found else 0.0
    if not child.wait(delay):
        child.kill()


def classify(run_pid: int, before: State, after: State) -> str:
    """What the kill of ``run_pid`` hit, from the trace and the journal it left."""
    if run_pid in after.trace.selfkills:
        return "journal write"
    if in_flight(run_pid, before, after):
        return "model call"
    last = after.journal[-1] if after.journal else None
    if last is not None and last.state == "intent":
        return {"code": "code execution", "tool": "tool call"}[last.kind]
    return "between steps"


def in_flight(run_pid: int, before: State, after: State) -> int:
    """How many of the model calls this process began have no reply in the journal (0 or 1)."""
    began = sum(1 for _, pid in after.trace.model if pid == run_pid)
    journaled = sum(1 for entry in after.journal[len(before.journal) :] if entry.kind == "llm")
    return began - journaled


@dataclass(frozen=True)
class Job:
    """A conversation to run: its seed, factory, kills planned, checkpoint answers and kill strategies."""

    seed: int
    factory: str
    planned: int
    checkpoints: list[str]
    strategies: list[str]
    reference: bool = True  # run it uninterrupted too


def converse(forker: Forker, root: Path, job: Job) -> Outcome:
    """Run one conversation to its end through processes killed ``planned`` times; run its reference too."""
    seed, factory, planned = job.seed, job.factory, job.planned
    rng = random.Random(f"kills/{factory}/{seed}")
    work, plain = root / "work", root / "plain"
    work.mkdir()
    plain.mkdir()
    store, conversation = root / "hitl.db", f"k{seed}"
    params = {
        "work": str(work),
        "seed": seed,
        "answers": killable.answers_for(seed),
        "checkpoints": job.checkpoints,
        "async": seed % 2 == 1,
    }
    reference: dict[str, Any] = {}
    if job.reference:
        uninterrupted = forker.spawn(
            {"cmd": "reference", "params": {**params, "work": str(plain)}, "out": str(root / "ref")}
        )
        try:
            assert uninterrupted.wait(180), "the uninterrupted run did not end"
            reference = uninterrupted.result()
        finally:
            uninterrupted.reap()
    runs: list[Run] = []
    before = read_state(store, conversation, work)
    while True:
        assert len(runs) <= planned + 2, "the conversation does not end"
        strategy = rng.choice(job.strategies) if len([r for r in runs if r.kind]) < planned else "none"
        command = {
            "cmd": "run",
            "store": str(store),
            "id": conversation,
            "factory": factory,
            "params": params,
            "kill_at": rng.randint(1, 14) if strategy == "write" else 0,
            "out": str(root / f"run-{len(runs)}"),
        }
        child = forker.spawn(command)
        try:
            if strategy == "none":
                assert child.wait(180), "the process did not end"
            else:
                stop_at(child, work, strategy, rng)
        finally:
            child.reap()
        after = read_state(store, conversation, work)
        if child.killed:
            runs.append(Run(child.pid, strategy, classify(child.pid, before, after), before, after))
            expire_lease(store, conversation)
        else:
            assert child.result()["status"] == "done"
            runs.append(Run(child.pid, strategy, None, before, after))
            break
        before = after
    with SqliteStore(store) as done:
        shown = done.get(conversation).snapshot
    return Outcome(seed, factory, runs, list(shown["history"]), reference, read_trace(plain).effects)


def run_all(forkers: queue.Queue[Forker], root: Path, jobs: list[Job]) -> list[Outcome]:
    """Run the conversations, as many at a time as there are fork servers."""

    def run(job: Job) -> Outcome:
        forker = forkers.get()
        try:
            place = root / f"{job.factory}-{job.seed}"
            place.mkdir()
            return converse(forker, place, job)
        finally:
            forkers.put(forker)

    with ThreadPoolExecutor(WORKERS) as pool:
        return list(pool.map(run, jobs))


# -- the checks --------------------------------------------------------------------------------------------------
def decision_at(state: State, seq: int, idempotent: bool) -> str:
    """What was decided about the step at ``seq`` cut short: ``run`` again, or ``skip`` it."""
    if idempotent:
        return "run"
    answers = [
        q.answer for q in state.questions if q.question.kind == "checkpoint" and q.seq == seq and q.answer is not None
    ]
    assert answers, f"step {seq} was cut short and completed without a question"
    return "skip" if answers[-1].strip() else "run"


def check_process(outcome: Outcome, index: int, idempotent: bool) -> None:
    """What one process did, against the state it began with."""
    run = outcome.runs[index]
    before, after = run.before, run.after
    conversation = f"k{outcome.seed}"
    where = f"conversation {conversation} ({outcome.factory}), process {index} ({run.strategy} -> {run.kind})"
    # The journal only grows: a done entry never changes; an intent is completed by the same step.
    assert len(after.journal) >= len(before.journal), where
    for entry in before.journal:
        grown = after.journal[entry.seq]
        if entry.state == "done":
            assert grown == entry, where
        else:
            assert (grown.kind, grown.fingerprint) == (entry.kind, entry.fingerprint), where
    # Nothing ran outside its journaled step, or without its intent recorded first.
    assert after.trace.unkeyed == 0, f"{where}: an effect ran outside a journaled step"
    for seq in after.trace.runs:
        recorded = after.entry(seq)
        assert recorded is not None, f"{where}: step {seq} ran, and the journal has no intent for it"
        assert recorded.kind in ("code", "tool"), where
    # Each effect: never again once done; at most once more when cut short; once when first run here.
    effects = {entry.seq for entry in after.journal if entry.kind in ("code", "tool")}
    for seq in effects | set(before.trace.runs) | set(after.trace.runs):
        more = after.trace.runs[seq] - before.trace.runs[seq]
        prior, now = before.entry(seq), after.entry(seq)
        assert now is not None, where
        if prior is not None and prior.state == "done":
            assert more == 0, f"{where}: step {seq}, done before this process, ran {more} more time(s)"
        assert more in (0, 1), f"{where}: step {seq} ran {more} times in one process"
        if now.state == "done" and prior is not None and prior.state == "intent":
            decided = decision_at(after, seq, idempotent)
            assert more == (1 if decided == "run" else 0), f"{where}: step {seq} ({decided}) ran {more} more times"
            if decided == "skip":
                assert "not run again" in canonical_json(now.result), where
        if now.state == "done" and prior is None:
            assert more == 1, f"{where}: step {seq}, first run here, ran {more} times"
    # Each tool run has its step's key, the same at every run.
    for seq, key in after.trace.keys:
        assert key == f"{conversation}:{seq}", where
    # At most the model call in flight is lost; a journaled one is never made again.
    lost = in_flight(run.pid, before, after)
    assert lost in (0, 1), f"{where}: {lost} model calls without a journaled reply"
    assert lost == (run.kind == "model call") or run.kind == "journal write", where
    # A kill inside a journal write commits none of it.
    if run.pid in after.trace.selfkills:
        what, seq, kind, detail = after.trace.selfkills[run.pid]
        kept = after.entry(seq)
        if what == "record":  # nothing, or the intent the write was to complete
            assert kept is None or (kept.kind, kept.state, detail) == (kind, "intent", "done"), f"{where}: {kept}"
        else:
            assert detail not in {q.question.id for q in after.questions}, f"{where}: the question was kept"
            assert after.status == "running", where
    # Checkpoint questions: never with idempotent declarations, and only about the step cut short.
    checkpoints = checkpoints_asked(run)
    if idempotent:
        assert not checkpoints, where
    last = before.journal[-1] if before.journal else None
    assert len(checkpoints) <= 1, where
    for question in checkpoints:
        assert last is not None, where
        assert (last.state, last.seq) == ("intent", question.seq), where
        assert "may or may not have run" in question.question.prompt, where


def checkpoints_asked(run: Run) -> list[StoredQuestion]:
    """The checkpoint questions a process asked."""
    old = {question.question.id for question in run.before.questions}
    return [q for q in run.after.questions if q.question.kind == "checkpoint" and q.question.id not in old]


def run_on_without_a_question(outcome: Outcome) -> list[str]:
    """Without idempotent declarations, a step cut short must be asked about before it runs again, after every crash.

    Return where it was not. ``owed``: the steps begun (their intent written, or run again) since the human was
    last asked about them.
    """
    found: list[str] = []
    owed: set[int] = set()
    for index, run in enumerate(outcome.runs):
        tried = {seq for seq, pid in run.after.trace.tries if pid == run.pid}
        last = run.before.journal[-1] if run.before.journal else None
        if last is not None and last.state == "intent":
            reached = last.seq in tried or run.after.journal[last.seq].state == "done"
            if last.seq in owed and reached and not checkpoints_asked(run):
                found.append(
                    f"conversation k{outcome.seed}, process {index}: step {last.seq} ({last.kind}) was cut short "
                    f"again after the human said to run it again, and was run on without a question"
                )
            if checkpoints_asked(run):
                owed.discard(last.seq)
        begun = tried | {e.seq for e in run.after.journal[len(run.before.journal) :] if e.state == "intent"}
        owed |= {seq for seq in begun if run.after.journal[seq].state == "intent"}
    return found


def check_conversation(outcome: Outcome, idempotent: bool) -> None:
    conversation = f"k{outcome.seed}"
    final = outcome.runs[-1].after
    assert final.status == "done", conversation
    assert all(entry.state == "done" for entry in final.journal), conversation
    for index in range(len(outcome.runs)):
        check_process(outcome, index, idempotent)
    # Model calls: one per journaled reply, plus the ones in flight when a process was killed.
    lost = sum(in_flight(run.pid, run.before, run.after) for run in outcome.runs)
    assert len(final.trace.model) == sum(1 for e in final.journal if e.kind == "llm") + lost, conversation
    # The questions: the same as uninterrupted (checkpoint questions aside).
    asked = [q for q in final.questions if q.question.kind != "checkpoint"]
    assert len(asked) == outcome.reference["asked"], conversation
    skipped = [
        e.seq for e in final.journal if e.kind in ("code", "tool") and "not run again" in canonical_json(e.result)
    ]
    assert all(count == 1 for count in outcome.reference_effects.values()), outcome.reference_effects
    if not skipped:  # the same history and the same effects as uninterrupted (the ones cut short: run again)
        assert canonical_json(outcome.history) == canonical_json(outcome.reference["history"]), conversation
        assert set(final.trace.effects) == set(outcome.reference_effects), conversation
    else:  # differs by design: the agents are told the step was not run
        notes = [m for m in outcome.history if "not run again" in str(m.get("content"))]
        assert len(notes) == len(skipped), conversation
        assert set(final.trace.effects) <= set(outcome.reference_effects), conversation
    if idempotent:
        assert not skipped, conversation


def report(title: str, outcomes: list[Outcome]) -> Counter[str]:
    kinds = Counter(run.kind for outcome in outcomes for run in outcome.kills if run.kind)
    by_strategy = Counter((run.strategy, run.kind) for outcome in outcomes for run in outcome.kills)
    print(f"\n{title}: {sum(kinds.values())} kills in {len(outcomes)} conversations")
    for kind in KINDS:
        print(f"  {kind:15} {kinds[kind]:3}")
    print("  by how the moment was chosen:", dict(sorted(by_strategy.items(), key=str)))
    return kinds


def test_a_conversation_killed_at_any_moment_and_resumed_ends_as_an_uninterrupted_one_running_nothing_twice(
    forkers: queue.Queue[Forker], tmp_path: Path
) -> None:
    conversations = max(1, -(-KILLS // PER_CONVERSATION))
    jobs = [Job(seed, "killable-idempotent", PER_CONVERSATION, [""], STRATEGIES) for seed in range(conversations)]
    outcomes = run_all(forkers, tmp_path, jobs)
    kinds = report("idempotent steps", outcomes)
    for outcome in outcomes:
        check_conversation(outcome, idempotent=True)
    total = sum(kinds.values())
    assert total >= KILLS * 3 // 4, kinds
    assert all(kinds[kind] >= KILLS // 16 for kind in KINDS), kinds  # 3 each by default


def test_without_idempotent_declarations_a_step_cut_short_is_asked_about_skip_keeps_it_and_enter_runs_it_again(
    forkers: queue.Queue[Forker], tmp_path: Path
) -> None:
    seeds = range(100, 100 + max(4, KILLS // 8))
    jobs = [
        Job(seed, "killable-asking", PER_CONVERSATION, ["skip", ""] if seed % 2 else ["", "skip"], ASKING)
        for seed in seeds
    ]
    outcomes = run_all(forkers, tmp_path, jobs)
    report("nothing declared idempotent", outcomes)
    for outcome in outcomes:
        check_conversation(outcome, idempotent=False)
    decided = Counter(
        q.answer for outcome in outcomes for q in outcome.runs[-1].after.questions if q.question.kind == "checkpoint"
    )
    print("  checkpoint answers:", dict(decided))
    assert decided["skip"] >= 2, decided
    assert decided[""] >= 2, decided
    unasked = [problem for outcome in outcomes for problem in run_on_without_a_question(outcome)]
    assert not unasked, "\n".join(unasked)


def test_a_step_cut_short_again_after_the_human_said_run_it_again_is_asked_about_again(
    forkers: queue.Queue[Forker], tmp_path: Path
) -> None:
    seed = next(seed for seed in range(200, 300) if killable.answers_for(seed)[0] == "")  # the first code is approved
    job = Job(seed, "killable-asking", 2, [""], ["in-code"], reference=False)  # killed in the code, then in its re-run
    [outcome] = run_all(forkers, tmp_path, [job])
    first, again, last = outcome.runs
    assert [first.kind, again.kind, last.kind] == ["code execution", "code execution", None]
    step = first.after.journal[-1].seq
    assert [run.after.trace.runs[step] for run in outcome.runs[:2]] == [1, 2]  # it ran, and ran again on Enter
    assert [q.seq for q in checkpoints_asked(again)] == [step]
    # The re-run was cut short too: it may or may not have run (again), so the human is asked again.
    assert [q.seq for q in checkpoints_asked(last)] == [step], (
        f"step {step} ran {last.after.trace.runs[step]} times: the third run was not asked about"
    )
    assert last.after.trace.runs[step] == 3
