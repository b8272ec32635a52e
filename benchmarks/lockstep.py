"""Two chats in lockstep: each in its own worker process, taking turns every few rounds.

On a shared machine, the load of other processes changes from one second to the next, and with it the
speed of a chat: two chats timed one after the other (even in a random order) differ by 10% or more when
nothing differs but the moment. So the two chats of a pair run at the same time, in two worker processes
that pass a baton through a pipe every ``HANDOFF`` rounds: only one of them runs at any moment, and
whatever slows the machine down slows both alike, within a few milliseconds.

Each chat is timed by its own thread's CPU clock, less the CPU time spent passing the baton (a write and
a read on a pipe, measured around each pass). Each process has its own garbage collector, on while the
chat runs, so each chat pays for its own garbage. Both processes start with the same hash seed, drawn anew
every few pairs (see ``Lockstep.start``); within those pairs each arm runs in each process equally often,
and which arm starts is drawn at random.
"""

from __future__ import annotations

import gc
import itertools
import multiprocessing
import os
import random
import tempfile
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Literal

from common import NO_LIMIT, Enter, NativeHuman, cpu_ns, script, silent

from hitl import InputPolicy, PolicyUserProxy
from hitl.testing import ScriptedAssistant

#: Rounds between two passes of the baton (a round costs a few hundred microseconds).
HANDOFF = 20
#: Pairs run by one pair of workers (one hash seed) before both are restarted with another.
SEED_BLOCK = 4

_TOKEN, _DONE = b"t", b"d"
_AUDIT_FILES = itertools.count()


@dataclass(frozen=True)
class ArmSpec:
    """One side of a comparison, as data a worker process can build a proxy from."""

    name: str
    kind: Literal["native", "hitl"]
    mode: str = "NEVER"
    policy: InputPolicy | None = None
    code_execution: bool = False
    audit: bool = False

    def build(self, work_dir: str) -> Any:
        options: dict[str, Any] = {"code_execution_config": False, "max_consecutive_auto_reply": NO_LIMIT}
        if self.code_execution:
            from autogen.coding import LocalCommandLineCodeExecutor

            options["code_execution_config"] = {"executor": LocalCommandLineCodeExecutor(work_dir=work_dir)}
        if self.kind == "native":
            return NativeHuman("user", human_input_mode=self.mode, **options)
        if self.audit:
            from hitl.stores.audit import JsonlAudit

            options["audit"] = JsonlAudit(Path(work_dir) / f"decisions-{next(_AUDIT_FILES)}.jsonl")
        return PolicyUserProxy("user", policy=self.policy, human_input=Enter(), **options)


@dataclass
class Sample:
    """One timed chat: its CPU time, and the CPU clock at the start of each round.

    The time leaves the baton passes out, and counts reading ``proxy.decisions``; the stamps (baton passes
    left out too) end with one when the last round ends, before the records are read.
    """

    cpu_ns: int
    stamps: list[int] = field(repr=False)
    records: int
    messages: int


class _Baton:
    """The pipe pair two workers pass the right to run through."""

    def __init__(self, read_fd: int, write_fd: int) -> None:
        self.read_fd = read_fd
        self.write_fd = write_fd
        self.excluded = 0  # CPU time spent passing, taken out of the chat's time
        self.other_done = False

    def reset(self) -> None:
        self.excluded = 0
        self.other_done = False

    def wait(self) -> None:
        if os.read(self.read_fd, 1) == _DONE:
            self.other_done = True

    def pass_(self) -> None:
        if self.other_done:
            return
        started = cpu_ns()
        os.write(self.write_fd, _TOKEN)
        self.wait()
        self.excluded += cpu_ns() - started

    def finish(self) -> None:
        os.write(self.write_fd, _DONE)
        while not self.other_done:
            self.wait()


class _LockstepAssistant(ScriptedAssistant):
    """A ScriptedAssistant that stamps the CPU clock as each round begins, and passes the baton every few rounds."""

    def __init__(self, replies: list[str], baton: _Baton) -> None:
        super().__init__("assistant", replies, max_consecutive_auto_reply=NO_LIMIT)
        self.baton = baton
        self.stamps: list[int] = []

    def receive(self, *args: Any, **kwargs: Any) -> Any:
        baton = self.baton
        if self.stamps and len(self.stamps) % HANDOFF == 0:
            baton.pass_()
        self.stamps.append(cpu_ns() - baton.excluded)
        return super().receive(*args, **kwargs)


def _worker(conn: Connection, reader: Connection, writer: Connection) -> None:
    if hasattr(os, "sched_setaffinity"):  # both workers on one CPU: the same caches, the same neighbours
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    baton = _Baton(reader.fileno(), writer.fileno())  # plain pipes: one byte a pass, no framing
    with tempfile.TemporaryDirectory() as work_dir, silent():
        while True:
            command = conn.recv()
            if command is None:
                return
            spec, rounds, first = command
            proxy = spec.build(work_dir)
            assistant = _LockstepAssistant(script(rounds), baton)
            gc.collect()  # a clean heap at the start; the collector stays on during the chat
            conn.send("ready")
            conn.recv()
            baton.reset()
            if not first:
                baton.wait()
            started = cpu_ns()
            proxy.initiate_chat(assistant, message="go", max_turns=rounds, silent=True)
            assistant.stamps.append(cpu_ns() - baton.excluded)  # the end of the last round
            records = len(proxy.decisions) if spec.kind == "hitl" else 0  # built when read: inside the timing
            spent = cpu_ns() - started - baton.excluded
            baton.finish()
            stamps = [stamp - assistant.stamps[0] for stamp in assistant.stamps]
            conn.send(Sample(spent, stamps, records, len(proxy.chat_messages[assistant])))


class Lockstep:
    """Two worker processes that run the two chats of a pair in lockstep (use it as a context manager)."""

    def __init__(self) -> None:
        self._conns: list[Connection] = []
        self._workers: list[Any] = []
        self.hash_seeds: list[int] = []  # every PYTHONHASHSEED the workers ran with

    def start(self, hash_seed: int) -> None:
        """(Re)start the two workers, both with this ``PYTHONHASHSEED``.

        The seed orders every set and dict of str keys in a process, and AutoGen pays for it on each reply:
        its ``isinstance(sender, Agent)`` checks walk a set of attribute names (a runtime Protocol's), and
        a native chat's cost moves by half from one seed to the next. Two workers with different seeds would
        compare the seeds as much as the arms, so they share one, drawn anew every few pairs.
        """
        self.close()
        context = multiprocessing.get_context("spawn")  # a fresh interpreter: no lock held by a forked thread
        a_to_b, b_to_a = context.Pipe(duplex=False), context.Pipe(duplex=False)  # (reader, writer) each
        saved = os.environ.get("PYTHONHASHSEED")
        os.environ["PYTHONHASHSEED"] = str(hash_seed)  # a spawned interpreter reads it as it starts
        try:
            for reader, writer in ((b_to_a[0], a_to_b[1]), (a_to_b[0], b_to_a[1])):
                mine, theirs = context.Pipe()
                worker = context.Process(target=_worker, args=(theirs, reader, writer), daemon=True)
                worker.start()
                self._conns.append(mine)
                self._workers.append(worker)
        finally:
            if saved is None:
                del os.environ["PYTHONHASHSEED"]
            else:
                os.environ["PYTHONHASHSEED"] = saved
        for end in (*a_to_b, *b_to_a):
            end.close()  # the workers hold their own copies
        self.hash_seeds.append(hash_seed)

    def pair(
        self, arms: tuple[ArmSpec, ArmSpec], rounds: int, rng: random.Random, order: tuple[int, int] | None = None
    ) -> dict[str, Sample]:
        """Run one chat of each arm in lockstep; which worker runs which arm, and which starts, drawn at random.

        ``order`` fixes it instead: (the arm the first worker runs, the worker that starts).
        """
        swap, first = (rng.randrange(2), rng.randrange(2)) if order is None else order
        assigned = (arms[1], arms[0]) if swap else arms
        for index, (conn, arm) in enumerate(zip(self._conns, assigned, strict=True)):
            conn.send((arm, rounds, index == first))
        for conn in self._conns:
            if conn.recv() != "ready":
                raise RuntimeError("a lockstep worker did not get ready")
        for conn in self._conns:
            conn.send("go")
        samples: dict[str, Sample] = {arm.name: conn.recv() for conn, arm in zip(self._conns, assigned, strict=True)}
        for arm in arms:
            if samples[arm.name].messages != 2 * rounds:
                raise RuntimeError(f"{arm.name}: the chat ended early ({samples[arm.name].messages} messages)")
        return samples

    def compare(
        self, arms: tuple[ArmSpec, ArmSpec], rounds: int, pairs: int, rng: random.Random
    ) -> dict[str, list[Sample]]:
        """``pairs`` pairs of chats, in blocks of ``SEED_BLOCK`` run by two workers started with a new hash seed.

        In each block, each arm runs in each worker equally often (in a random order), after two untimed
        chats that warm each worker up for each arm.
        """
        samples: dict[str, list[Sample]] = {arm.name: [] for arm in arms}
        for block in range(0, pairs, SEED_BLOCK):
            self.start(rng.randrange(1, 2**32))
            for swap in (0, 1):
                self.pair(arms, min(rounds, 100), rng, order=(swap, swap))
            swaps = [index % 2 for index in range(min(SEED_BLOCK, pairs - block))]
            rng.shuffle(swaps)
            for swap in swaps:
                for name, sample in self.pair(arms, rounds, rng, order=(swap, rng.randrange(2))).items():
                    samples[name].append(sample)
        return samples

    def close(self) -> None:
        """Stop the workers, if they run."""
        for conn in self._conns:
            conn.send(None)
        for worker in self._workers:
            worker.join(timeout=10)
        self._conns, self._workers = [], []

    def __enter__(self) -> Lockstep:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
