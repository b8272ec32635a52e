"""A differential suite: hundreds of seeded conversations, run uninterrupted and run suspended at every question.

Each conversation (tests/scripts/durable_seeded.py) is a two-agent chat or a GroupChat (round robin, random, or
"auto" with a seeded selector model), run with ``initiate_chat`` or ``a_initiate_chat``, with a human policy
that asks at pseudo-random points (at termination and before code, always, when a hash of the message says
so, before tool calls). A seeded model client writes code blocks (run by a real local executor), tool calls
(a real function) and text; the human's answers (Enter, feedback, ``exit``) are a pure function of the seed
and of the question's position.

Each conversation is run twice: once uninterrupted, with a scripted human; once durably, suspended at every
question, each answer and each resume in a process of its own. The two histories must be equal as canonical
JSON, and the real effects the same: every model call, code block and tool call exactly once.

Why a fork is a fresh process here: the pytest process imports AutoGen, hitl and the factories, and never
builds an agent, opens a store or runs a chat (importing ``hitl.durable`` put the journal into AutoGen's
classes, before any agent exists; the fixture checks the parent built nothing). Each start, answer,
resume and uninterrupted run is a ``fork`` child of that process, which reseeds ``random`` and exits when its
step ends: it starts from the state of an interpreter that has just imported those modules, and holds nothing
of the conversation but what it reads from the store and the work directory; no object of a run outlives its
step. A few conversations are also run with each step in a new interpreter (``subprocess`` and
``sys.executable``), to show nothing depends on the fork.

A second check runs conversations that cannot be repeated without the journal (the model's replies, the code's
output and the random speaker draws take fresh randomness at every call): each reply must appear once in the
history and no effect may run twice.

``HITL_DURABLE_SEEDS`` sets how many differential conversations are run (spread over the shapes this AutoGen
supports; default 200). At most two children run at a time.
"""

from __future__ import annotations

import gc
import json
import math
import multiprocessing
import multiprocessing.connection
import os
import random
import re
import subprocess
import sys
import time
import traceback
from collections import Counter, deque
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pytest

from hitl.stores.durable import canonical_json
from tests.scripts import durable_seeded as seeded

SCRIPT = Path(seeded.__file__).resolve()
#: Children at a time (the machine has two CPUs).
SLOTS = 2
#: How long one step may take before its child is killed (seconds).
STEP_TIMEOUT = 180.0

KINDS = ("two-agent", "round_robin", "random", *(("auto",) if seeded.AUTO_SELECTION else ()))
MODES = ("sync", "async")


@dataclass(frozen=True)
class Shape:
    kind: str
    mode: str
    policy: str

    @property
    def label(self) -> str:
        where = "two-agent" if self.kind == "two-agent" else f"group-{self.kind.replace('_', '-')}"
        return f"{where}-{self.mode}-{self.policy}"


SHAPES = [Shape(kind, mode, policy) for kind in KINDS for mode in MODES for policy in seeded.POLICIES]
TOTAL = int(os.environ.get("HITL_DURABLE_SEEDS", "200"))
PER_SHAPE = max(1, math.ceil(TOTAL / len(SHAPES)))


@dataclass(frozen=True)
class Conversation:
    """One seeded conversation of the suite."""

    id: str
    seed: int
    params: dict[str, Any]
    via: str = "fork"  # or "exec": every durable step in a new interpreter


def conversation_of(shape: Shape, seed: int, **extra: Any) -> Conversation:
    params = {"seed": seed, "shape": shape.kind, "policy": shape.policy, "async": shape.mode == "async", **extra}
    return Conversation(f"c{seed}", seed, params)


def conversations_of(shape: Shape) -> list[Conversation]:
    first = 1000 * (SHAPES.index(shape) + 1)
    return [conversation_of(shape, first + n) for n in range(PER_SHAPE)]


#: Each new interpreter costs a second or two of imports: a few conversations, with questions.
EXEC_CONVERSATIONS = [
    Conversation("x1", 27, {"seed": 27, "shape": "two-agent", "policy": "tools+code", "async": False}, "exec"),
    Conversation("x2", 11, {"seed": 11, "shape": "round_robin", "policy": "always", "async": True}, "exec"),
    Conversation("x3", 12, {"seed": 12, "shape": "random", "policy": "chance+tools", "async": False}, "exec"),
]
#: Conversations that only the journal can repeat (a random or "auto" group's shape also differs at each run:
#: those are run sync, where the shape of a chat decides nothing of how its steps are journaled).
WANDERING = [
    conversation_of(Shape(kind, mode, policy), seed, wander=True, rounds=10, turns=8)
    for seed, (kind, mode, policy) in enumerate(
        [
            ("two-agent", "sync", "tools+code"),
            ("two-agent", "async", "always"),
            ("two-agent", "async", "chance+tools"),
            ("round_robin", "async", "always"),
            ("random", "sync", "always"),
            ("random", "sync", "always"),
            ("random", "sync", "chance+tools"),
            *([("auto", "sync", "always"), ("auto", "sync", "tools+code")] if seeded.AUTO_SELECTION else []),
        ],
        start=500,
    )
]


# -- the children ------------------------------------------------------------------------------------------------
def forked(command: str, args: list[str], out: str) -> None:
    """The body of a forked child: like a new interpreter, it draws its own randomness."""
    random.seed()
    try:
        result = seeded.run_step(command, args)
    except BaseException as error:
        result = {"error": f"{type(error).__name__}: {error}", "traceback": traceback.format_exc()}
    Path(out).write_text(json.dumps(result), encoding="utf-8")


@dataclass
class Step:
    """A step for a child: ``command`` with ``args``, in a fork (``via="fork"``) or a new interpreter."""

    command: str
    args: list[str]
    via: str = "fork"


Job = Generator[Step, dict[str, Any], Any]


@dataclass
class Child:
    job: str
    step: Step
    out: Path
    started: float
    process: Any  # a multiprocessing Process, or a subprocess.Popen
    stderr: IO[str] | None = None

    def finished(self) -> bool:
        if self.step.via == "fork":
            return self.process.exitcode is not None
        return self.process.poll() is not None

    def kill(self) -> None:
        self.process.kill()
        if self.step.via == "fork":
            self.process.join()
        else:
            self.process.wait()

    def result(self) -> dict[str, Any]:
        if self.step.via == "fork":
            self.process.join()
            code = self.process.exitcode
            self.process.close()
            text = self.out.read_text(encoding="utf-8") if self.out.exists() else ""
        else:
            code = self.process.returncode
            assert self.stderr is not None
            self.stderr.close()
            lines = self.out.read_text(encoding="utf-8").strip().splitlines() if self.out.exists() else []
            text = lines[-1] if lines and code == 0 else ""
        if not text:
            errors = Path(f"{self.out}.err")
            said = errors.read_text(encoding="utf-8")[-3000:] if errors.exists() else ""
            return {"error": f"the child of {self.step.command} ended with {code} and no result", "traceback": said}
        result: dict[str, Any] = json.loads(text)
        return result


#: An answer from a new interpreter, as an inbox would give it: through the store alone (AutoGen's imports
#: would double the time of these runs, and answering needs nothing of a conversation but its store).
ANSWER = """
import sys
from hitl.stores.sqlite import SqliteStore
store = SqliteStore(sys.argv[1])
store.answer(sys.argv[2], sys.argv[3])
store.close()
print("{}")
"""


def launch(job: str, step: Step, out: Path) -> Child:
    if step.via == "fork":
        process = multiprocessing.get_context("fork").Process(target=forked, args=(step.command, step.args, str(out)))
        process.start()
        return Child(job, step, out, time.monotonic(), process)
    errors = open(f"{out}.err", "w", encoding="utf-8")  # noqa: SIM115 (closed when the child is done)
    program = ["-c", ANSWER] if step.command == "answer" else [str(SCRIPT), step.command]
    with open(out, "w", encoding="utf-8") as stdout:
        interpreter = subprocess.Popen([sys.executable, *program, *step.args], stdout=stdout, stderr=errors, text=True)
    return Child(job, step, out, time.monotonic(), interpreter, errors)


def run_jobs(jobs: dict[str, Job], scratch: Path) -> dict[str, Any]:
    """Run ``jobs`` (generators of steps) to their ends, each step in a child, ``SLOTS`` children at a time."""
    results: dict[str, Any] = {}
    ready: deque[tuple[str, dict[str, Any] | None]] = deque((name, None) for name in jobs)
    running: list[Child] = []
    count = 0
    while ready or running:
        while ready and len(running) < SLOTS:
            name, value = ready.popleft()
            try:
                step = jobs[name].send(value)  # type: ignore[arg-type]  # the first send is None
            except StopIteration as stop:
                results[name] = stop.value
                continue
            count += 1
            running.append(launch(name, step, scratch / f"step-{count}.json"))
        forks = [child.process.sentinel for child in running if child.step.via == "fork"]
        execs = any(child.step.via == "exec" for child in running)
        multiprocessing.connection.wait(forks, timeout=0.02 if execs or not forks else STEP_TIMEOUT)
        for child in list(running):
            if child.finished():
                running.remove(child)
                ready.appendleft((child.job, child.result()))
            elif time.monotonic() - child.started > STEP_TIMEOUT:
                child.kill()
                running.remove(child)
                ready.appendleft((child.job, {"error": f"{child.step.command} took over {STEP_TIMEOUT} s"}))
    return results


# -- what a conversation leaves --------------------------------------------------------------------------------
@dataclass
class Durable:
    """What a durable run of a conversation ended with."""

    status: str | None
    error: str | None
    history: list[Any]
    asked: list[dict[str, Any]] = field(default_factory=list)  # each question: its kind, answer, history shown


@dataclass
class Verdict:
    conversation: Conversation
    label: str
    work: Path
    durable: Durable
    plain: dict[str, Any] | None = None


def durable_job(conversation: Conversation, work: Path) -> Generator[Step, dict[str, Any], Durable]:
    """Start the conversation, then answer each question and resume it, every step in a child of its own."""
    store = str(work / "hitl.db")
    params = {**conversation.params, "work": str(work / "durable")}
    via = conversation.via
    out = yield Step("start", [store, conversation.id, json.dumps(params)], via)
    asked: list[dict[str, Any]] = []
    while not out.get("error") and out["status"] == "waiting":
        text = seeded.answer(conversation.seed, len(asked))
        asked.append({"kind": out["kind"], "answer": text, "shown": out["history"]})
        answered = yield Step("answer", [store, out["question"], text], via)
        if answered.get("error"):
            out = answered
            break
        out = yield Step("resume", [store, conversation.id], via)
    error = out.get("error")
    if error and out.get("traceback"):
        error = f"{error}\n{out['traceback']}"
    return Durable(out.get("status"), error, list(out.get("history") or []), asked)


def differential_job(conversation: Conversation, label: str, work: Path) -> Job:
    """The uninterrupted run, then the durable one, of one conversation (in work/plain and work/durable)."""
    for name in ("plain", "durable"):
        (work / name).mkdir(parents=True)
    plain = yield Step("plain", [json.dumps({**conversation.params, "work": str(work / "plain")})])
    durable = yield from durable_job(conversation, work)
    return Verdict(conversation, label, work, durable, plain)


def wandering_job(conversation: Conversation, label: str, work: Path) -> Job:
    (work / "durable").mkdir(parents=True)
    durable = yield from durable_job(conversation, work)
    return Verdict(conversation, label, work, durable)


def effects(work: Path) -> Counter[str]:
    """What really happened in ``work``: model calls, speaker selections, tool calls, code blocks (file and log).

    A tool call's idempotency key is left out (an uninterrupted run has none): see ``tool_keys``.
    """
    found: Counter[str] = Counter()
    trace = work / "effects"
    for line in trace.read_text(encoding="utf-8").splitlines() if trace.exists() else []:
        fields = json.loads(line)
        found[json.dumps(fields[:2] if fields[0] == "tool" else fields)] += 1
    for path in work.glob("block-*.txt"):
        found[f"code file {path.name}"] += 1
    runs = work / "runs.log"
    for line in runs.read_text(encoding="utf-8").splitlines() if runs.exists() else []:
        found[f"code run {line}"] += 1
    return found


def tool_keys(work: Path) -> list[Any]:
    trace = work / "effects"
    lines = [json.loads(line) for line in trace.read_text(encoding="utf-8").splitlines()] if trace.exists() else []
    return [fields[2] for fields in lines if fields[0] == "tool"]


def first_difference(ours: list[Any], theirs: list[Any]) -> str:
    for index, (one, other) in enumerate(zip(ours, theirs, strict=False)):
        if canonical_json(one) != canonical_json(other):
            return f"message {index}: durable {canonical_json(one)[:400]} / uninterrupted {canonical_json(other)[:400]}"
    return f"lengths: durable {len(ours)} / uninterrupted {len(theirs)}"


def ran_blocks(history: list[Any]) -> Counter[str]:
    """The code runs whose output the history shows: how many of each block (by its tag)."""
    outputs = "\n".join(str(m.get("content")) for m in history)
    return Counter(re.findall(r"^(?:Code output: )?block (\S+) ran$", outputs, re.M))


def code_runs(work: Path) -> Counter[str]:
    """The code runs that really happened in ``work``: how many of each block (by its tag)."""
    runs = work / "runs.log"
    return Counter(runs.read_text(encoding="utf-8").splitlines() if runs.exists() else [])


def problems(verdict: Verdict) -> list[str]:
    """Everything wrong with one differential conversation (empty: the durable run is the uninterrupted one)."""
    durable, plain, work = verdict.durable, verdict.plain, verdict.work
    if durable.status != "done":
        return [f"the durable run ended {durable.status}: {durable.error}"]
    assert plain is not None
    if plain.get("error"):
        return [f"the uninterrupted run failed: {plain['error']}\n{plain.get('traceback', '')}"]
    found: list[str] = []
    if canonical_json(durable.history) != canonical_json(plain["history"]):
        found.append(f"histories differ at {first_difference(durable.history, plain['history'])}")
    if len(durable.asked) != plain["questions"]:
        found.append(f"{len(durable.asked)} questions suspended the durable run, {plain['questions']} were asked")
    ours, theirs = effects(work / "durable"), effects(work / "plain")
    if ours != theirs:
        found.append(f"effects differ: durable only {ours - theirs}, uninterrupted only {theirs - ours}")
    # AutoGen itself runs a block again when its human speaks twice in a row (its "auto" scan window reads
    # messages[-0:]); an uninterrupted run does too, and each run leaves its output in the history. Every other
    # effect (a model call, a tool call) is unique by its content.
    twice = {effect: n for effect, n in ours.items() if n != 1 and not effect.startswith("code run")}
    if twice:
        found.append(f"effects run more than once: {twice}")
    if code_runs(work / "durable") != ran_blocks(durable.history):
        found.append(f"code runs {code_runs(work / 'durable')} are not the outputs in the history")
    keys = tool_keys(work / "durable")
    if len(set(keys)) != len(keys) or not all(
        isinstance(key, str) and key.startswith(f"{verdict.conversation.id}:") for key in keys
    ):
        found.append(f"tool calls' idempotency keys are not one per call: {keys}")
    files = {path.name[len("block-") : -len(".txt")] for path in (work / "durable").glob("block-*.txt")}
    if set(ran_blocks(durable.history)) != files:
        found.append(f"the blocks that ran {sorted(files)} are not those whose output the history shows")
    for asked in durable.asked:  # what a human was shown at a question is where the conversation went on from
        shown = asked["shown"]
        if canonical_json(durable.history[: len(shown)]) != canonical_json(shown):
            found.append(f"the history shown at a {asked['kind']} question is not a prefix of the final history")
            break
    return found


# -- the runs, once for the module ---------------------------------------------------------------------------------
def jobs_for(label: str) -> list[tuple[str, Conversation, str]]:
    """The conversations a test item needs: (job name, conversation, how it is run)."""
    if label == "exec":
        return [(f"exec/{c.id}", c, "differential") for c in EXEC_CONVERSATIONS]
    if label == "wandering":
        return [(f"wandering/{c.id}", c, "wandering") for c in WANDERING]
    shapes = SHAPES if label == "all" else [shape for shape in SHAPES if shape.label == label]
    return [(f"{shape.label}/{c.id}", c, "differential") for shape in shapes for c in conversations_of(shape)]


@pytest.fixture(scope="module")
def verdicts(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Verdict]:
    """Run every conversation the selected items of this module need, two children at a time; their verdicts."""
    labels = {
        item.callspec.params["label"]
        for item in request.session.items
        if getattr(item, "module", None) is request.module
        and hasattr(item, "callspec")
        and "label" in item.callspec.params
    }
    root = tmp_path_factory.mktemp("differential")
    scratch = root / "steps"
    scratch.mkdir()
    jobs: dict[str, Job] = {}
    for label in sorted(labels):
        for name, conversation, how in jobs_for(label):
            if name not in jobs:
                work = root / name.replace("/", "_")
                make = differential_job if how == "differential" else wandering_job
                jobs[name] = make(conversation, name.split("/")[0], work)
    untouched = dict(seeded.STATE)  # a chat built here would have set it: the children would inherit its run
    began = time.monotonic()
    gc.freeze()  # the children do not copy the parent's memory to collect garbage they never made
    try:
        results = run_jobs(jobs, scratch)
    finally:
        gc.unfreeze()
    print(f"\n{len(results)} conversations in {time.monotonic() - began:.1f} s")
    assert seeded.STATE == untouched == {"work": ".", "seed": 0, "wander": False}
    return results


def verdicts_of(verdicts: dict[str, Verdict], label: str) -> Iterator[Verdict]:
    for name, _, _ in jobs_for(label):
        yield verdicts[name]


def report(bad: dict[int, list[str]]) -> str:
    return "\n".join(f"seed {seed}: " + "\n    ".join(found) for seed, found in bad.items())


# -- the tests ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("label", [shape.label for shape in SHAPES])
def test_a_conversation_suspended_at_every_question_ends_as_an_uninterrupted_one(
    verdicts: dict[str, Verdict], label: str
) -> None:
    found = list(verdicts_of(verdicts, label))
    assert len(found) == PER_SHAPE
    bad = {v.conversation.seed: problems(v) for v in found if problems(v)}
    assert not bad, f"{len(bad)} of {len(found)} {label} conversations went wrong:\n{report(bad)}"


@pytest.mark.parametrize("label", ["exec"])
def test_each_step_in_a_new_interpreter_also_ends_as_an_uninterrupted_run(
    verdicts: dict[str, Verdict], label: str
) -> None:
    found = list(verdicts_of(verdicts, label))
    bad = {v.conversation.seed: problems(v) for v in found if problems(v)}
    assert not bad, report(bad)
    assert all(len(v.durable.asked) >= 2 for v in found), [len(v.durable.asked) for v in found]


MODEL_TAG = r"(?:coder|critic)\d+-[0-9a-f]{8}-\d+"


def model_tags(history: list[Any]) -> Counter[str]:
    """The tag of each model reply in a history (a reply's text or tool call carries it; nothing else starts so)."""
    tags: Counter[str] = Counter()
    for message in history:
        calls = message.get("tool_calls") or []
        if calls:
            tags[json.loads(calls[0]["function"]["arguments"])["line"].split("/")[0]] += 1
            continue
        text = str(message.get("content"))
        found = re.match(rf"(?:Note|Finished) ({MODEL_TAG})\b", text) or re.search(
            rf"\A```python\n.*Path\('block-({MODEL_TAG})\.txt'\)", text, re.S
        )
        if found:
            tags[found.group(1)] += 1
    return tags


@pytest.mark.parametrize("label", ["wandering"])
def test_a_model_that_never_answers_alike_is_called_once_per_reply_and_nothing_runs_twice(
    verdicts: dict[str, Verdict], label: str
) -> None:
    bad: dict[int, list[str]] = {}
    for verdict in verdicts_of(verdicts, label):
        durable, work = verdict.durable, verdict.work / "durable"
        if durable.status != "done":
            bad[verdict.conversation.seed] = [f"ended {durable.status}: {durable.error}"]
            continue
        trace = [json.loads(line) for line in (work / "effects").read_text(encoding="utf-8").splitlines()]
        found: list[str] = []
        called = Counter(fields[2] for fields in trace if fields[0] == "model")
        if called != model_tags(durable.history):  # each call's reply in the history, once; no call lost or extra
            found.append(f"model calls {sorted(called)} are not the replies in the history")
        tools = Counter(fields[1] for fields in trace if fields[0] == "tool")
        results = Counter(re.findall(r"recorded (\S+)", "\n".join(str(m.get("content")) for m in durable.history)))
        if tools != results or any(n != 1 for n in tools.values()):
            found.append(f"tool calls {tools} are not the results in the history {results}")
        runs, outputs = code_runs(work), ran_blocks(durable.history)
        files = {path.name[len("block-") : -len(".txt")] for path in work.glob("block-*.txt")}
        if runs != outputs or set(runs) != files:  # each run once, with its output in the history
            found.append(f"code runs {runs} / files {sorted(files)} / outputs {outputs}")
        for asked in durable.asked:
            if canonical_json(durable.history[: len(asked["shown"])]) != canonical_json(asked["shown"]):
                found.append("a history shown at a question is not a prefix of the final one")
                break
        if found:
            bad[verdict.conversation.seed] = found
    assert not bad, report(bad)
    everything = list(verdicts_of(verdicts, label))
    assert sum(len(v.durable.asked) for v in everything) >= 2 * len(everything)


@pytest.mark.parametrize("label", ["all"])
def test_the_seeds_cover_what_the_suite_claims(verdicts: dict[str, Verdict], label: str) -> None:
    """Questions of each kind at many points, every answer, and every kind of effect, in every shape of chat."""
    found = list(verdicts_of(verdicts, label))
    assert len(found) == PER_SHAPE * len(SHAPES) >= min(TOTAL, 200)
    some = max(1, len(found) // 40)  # 5 of each thing in the default 200 conversations
    asked = [question for v in found for question in v.durable.asked]
    assert len(asked) >= len(found)
    assert {q["kind"] for q in asked} == {"feedback", "approval"}
    answers = Counter("exit" if q["answer"] == "exit" else "enter" if not q["answer"] else "feedback" for q in asked)
    assert min(answers.values()) >= some, answers
    for kind in KINDS:  # questions at many points: after different numbers of messages
        points = {len(q["shown"]) for v in found if v.conversation.params["shape"] == kind for q in v.durable.asked}
        assert len(points) >= 3, (kind, points)
    if PER_SHAPE >= 5:  # and in every shape
        quiet = {s.label for s in SHAPES} - {v.label for v in found if v.durable.asked}
        assert not quiet, quiet
    everything: Counter[str] = sum((effects(v.work / "durable") for v in found), Counter())
    kinds = Counter(json.loads(key)[0] if key.startswith("[") else key.split()[1] for key in everything)
    assert kinds["model"] >= 3 * len(found), kinds
    assert kinds["tool"] >= 4 * some, kinds
    assert kinds["file"] >= 4 * some, kinds
    assert (kinds["select"] > 0) == seeded.AUTO_SELECTION, kinds
    histories = "\n".join(canonical_json(v.durable.history) for v in found)
    assert histories.count("exitcode: 3") >= some  # a block that fails
    assert histories.count("TERMINATE") >= 4 * some
    assert sum('"tool_calls":[{' in canonical_json(v.durable.history) for v in found) >= 4 * some
