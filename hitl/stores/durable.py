"""Durable conversations: what a store keeps, and the protocol every store speaks (SQLite now, PostgreSQL next).

A durable conversation is rebuilt from code (a factory, by name and version, with JSON parameters) and replayed
from its **journal**: every nondeterministic or side-effecting step (a model reply, a tool or code result, a
human answer, a speaker selection) is an entry with its sequence number, its kind, a fingerprint of its request
and its JSON result. A step with effects writes an *intent* before it runs and its result after.

A conversation is worked on under a **lease**: a worker claims it (the lease's ``epoch`` goes up by one each
time), and every write names the lease; a write under an older epoch is refused with
[`LeaseLost`][hitl.stores.durable.LeaseLost], so a worker that lost its lease (it stalled past its deadline and
another took over) can never write. When a human is needed and no answer is stored, the worker **suspends**:
the question is stored and the conversation marked waiting in one transaction, and the lease ends. An
**answer** (first writer wins) makes the conversation ready again, for any worker in any process.

Everything a store keeps is JSON; a store's file or schema says its format version, and a store refuses a
newer format than it knows ([`StoreFormatError`][hitl.stores.durable.StoreFormatError]).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal, Protocol, runtime_checkable

from ..core.errors import HitlError
from ..core.question import Question

__all__ = [
    "ENDED",
    "ENDED_STATUSES",
    "FORMAT",
    "Conversation",
    "ConversationStatus",
    "ConversationStore",
    "EntryState",
    "JournalEntry",
    "Lease",
    "LeaseHeld",
    "LeaseLost",
    "NotRunnable",
    "QuestionClosed",
    "StoreBusy",
    "StoreError",
    "StoreFormatError",
    "StoredQuestion",
    "UnknownConversation",
    "canonical_json",
    "json_text",
]

#: The store format this version writes, and the newest it reads.
FORMAT: Final = 1

#: Where a conversation is: ``ready`` to run (new, or its question answered), ``running`` under a lease,
#: ``waiting`` for a human's answer, or ended: ``done``, ``failed``, ``cancelled``.
ConversationStatus = Literal["ready", "running", "waiting", "done", "failed", "cancelled"]
#: A journal entry is an ``intent`` (the step started, its result is not known) or ``done``.
EntryState = Literal["intent", "done"]
#: Statuses a conversation cannot leave (what ``prune`` deletes by default).
ENDED_STATUSES: Final[tuple[ConversationStatus, ...]] = ("done", "failed", "cancelled")
#: The same, as a set.
ENDED: Final = frozenset(ENDED_STATUSES)


class StoreError(HitlError, RuntimeError):
    """A store cannot do what was asked (the subclasses say why)."""


class UnknownConversation(StoreError, LookupError):
    """No conversation has this id."""


class NotRunnable(StoreError):
    """The conversation cannot be claimed: it waits for an answer, or it has ended."""


class LeaseHeld(StoreError):
    """Another worker holds the conversation's lease, and it has not expired."""


class LeaseLost(StoreError):
    """A write under a lease that is no longer the conversation's (another worker claimed it since)."""


class QuestionClosed(StoreError):
    """The question was answered (first writer wins) or withdrawn already; ``answer`` is the answer that won."""

    def __init__(self, message: str, answer: str | None = None) -> None:
        super().__init__(message)
        self.answer = answer


class StoreBusy(StoreError):
    """The store could not be used in time (another process held it): nothing was written; try again later.

    A run stopped by it gives its lease back: the conversation is resumed later, not failed.
    """


class StoreFormatError(StoreError):
    """The store was written by a newer version of hitl (or is not a hitl store)."""


def canonical_json(value: Any) -> str:
    """Return ``value`` as canonical JSON (sorted keys, no spaces): what fingerprints and stores compare.

    Text outside ASCII is escaped, so that any Python string (a lone surrogate included) is kept.

    Raises:
        TypeError: for a value JSON cannot hold (a store refuses it when it is written, not when it is read).
        ValueError: for a float JSON cannot hold (NaN, infinities).

    Examples:
        >>> canonical_json({"b": 1, "a": [True, None, "tea"]})
        '{"a":[true,null,"tea"],"b":1}'
        >>> len(canonical_json("é"))  # "\\u00e9", quoted
        8
    """
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)


def json_text(value: Any) -> str:
    """Return ``value`` as compact JSON with its keys in their order: how a store keeps results and snapshots.

    A step's result is served to a replay as the live run had it, key order included (a tool's dict shown
    to a model as text must read the same); a store must keep it so (in PostgreSQL: ``json``, not ``jsonb``).
    Text outside ASCII is escaped, as in ``canonical_json``.

    Examples:
        >>> json_text({"b": 1, "a": 2})
        '{"b":1,"a":2}'
    """
    return json.dumps(value, separators=(",", ":"), ensure_ascii=True, allow_nan=False)


@dataclass(frozen=True, slots=True)
class Conversation:
    """A conversation as a store keeps it.

    Attributes:
        id: the conversation's id.
        factory: the name of the factory that builds its agents.
        version: the factory's version it was started with (a resume with another version is refused).
        params: the factory's parameters (JSON).
        status: where it is (see ``ConversationStatus``).
        epoch: how many times it was claimed (the current lease's epoch).
        owner: the worker holding the lease, while ``running``.
        lease_until: when that lease expires (POSIX seconds), while ``running``.
        created_at: when it was started (POSIX seconds).
        updated_at: when it last changed (POSIX seconds).
        result: what it ended with (JSON), once ``done``.
        error: why it failed, once ``failed``.
        snapshot: what a reader is shown of it (its history and decisions, JSON), as of its last suspension
            or its end.
    """

    id: str
    factory: str
    version: str
    params: Any
    status: ConversationStatus
    epoch: int
    owner: str | None
    lease_until: float | None
    created_at: float
    updated_at: float
    result: Any = None
    error: str | None = None
    snapshot: Any = None


@dataclass(frozen=True, slots=True)
class Lease:
    """A worker's right to run a conversation until ``until``: every write names it.

    Attributes:
        conversation: the conversation's id.
        owner: the worker's name.
        epoch: the claim's number; a write under an older one is refused.
        until: when the lease expires unless renewed (POSIX seconds).
    """

    conversation: str
    owner: str
    epoch: int
    until: float


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One journaled step of a conversation.

    Attributes:
        seq: its position in the conversation's journal (0, 1, 2...).
        kind: what it is (``llm``, ``tool``, ``code``, ``human``, ``select``, or a kind you declare).
        fingerprint: a digest of its request; a replay whose request differs is a loud error.
        state: ``intent`` (started, result unknown) or ``done``.
        result: its result (JSON), once ``done``; for an intent, what allowed a new attempt of it, if one was
            made after a crash (``{"allowed_by": [question ids]}``).
    """

    seq: int
    kind: str
    fingerprint: str
    state: EntryState
    result: Any = None


@dataclass(frozen=True, slots=True)
class StoredQuestion:
    """A question a conversation suspended at, with its answer once given.

    Attributes:
        question: the question, as every provider and inbox shows it.
        conversation: the conversation's id.
        seq: the journal position of the human step that asked it.
        status: ``open``, ``answered`` or ``withdrawn``.
        answer: the answer, once ``answered``.
        answered_by: who answered, if they said.
        answered_at: when (POSIX seconds), once ``answered``.
    """

    question: Question
    conversation: str
    seq: int
    status: Literal["open", "answered", "withdrawn"]
    answer: str | None = None
    answered_by: str | None = None
    answered_at: float | None = None


@runtime_checkable
class ConversationStore(Protocol):
    """What every store does: the interface durable conversations, workers and inboxes are written against.

    Writes under a lease raise [`LeaseLost`][hitl.stores.durable.LeaseLost] when the lease is no longer the
    conversation's; each method is one transaction.
    """

    def create(self, conversation: str, factory: str, version: str, params: Any) -> Conversation:
        """Record a new conversation, ``ready`` to run; an id in use is a ``StoreError``."""
        ...

    def get(self, conversation: str) -> Conversation:
        """Return a conversation; ``UnknownConversation`` if there is none with this id."""
        ...

    def conversations(self, status: ConversationStatus | None = None) -> list[Conversation]:
        """Return the conversations (with ``status``, if given), oldest first."""
        ...

    def claim(self, conversation: str, owner: str, ttl: float) -> Lease:
        """Take the lease of a ``ready`` conversation, or of a ``running`` one whose lease expired.

        Raises ``NotRunnable`` (waiting or ended) or ``LeaseHeld`` (someone else's lease holds).
        """
        ...

    def claim_next(
        self, owner: str, ttl: float, exclude: Sequence[str] = (), factories: Sequence[str] | None = None
    ) -> Lease | None:
        """Take the lease of the oldest runnable conversation not in ``exclude``, or return None if there is none.

        With ``factories``, only a conversation of one of these factories (a worker claims what it can build).
        """
        ...

    def renew(self, lease: Lease, ttl: float) -> Lease:
        """Extend ``lease`` by ``ttl`` seconds from now."""
        ...

    def release(self, lease: Lease) -> None:
        """Give the lease back: the conversation is ``ready`` again (a worker that stops without finishing)."""
        ...

    def journal(self, conversation: str) -> list[JournalEntry]:
        """Return the conversation's journal, in order."""
        ...

    def record(self, lease: Lease, entry: JournalEntry) -> None:
        """Append ``entry`` (its ``seq`` must be the next one), or complete the ``intent`` at its ``seq``.

        An ``intent`` recorded at the ``seq`` of an intent (same kind and fingerprint) writes it again: a new
        attempt of a step cut short, its ``result`` saying what allowed it.
        """
        ...

    def suspend(self, lease: Lease, question: Question, seq: int, snapshot: Any = None) -> None:
        """Store ``question`` (asked at journal position ``seq``) and mark the conversation ``waiting``.

        One transaction; the lease ends with it. ``snapshot`` (JSON) is what readers are shown meanwhile.
        """
        ...

    def answer(self, question_id: str, text: str, by: str | None = None) -> StoredQuestion:
        """Answer an open question (first writer wins): its conversation is ``ready`` again.

        Raises ``QuestionClosed`` (with the answer that won) for an answered or withdrawn question, and
        ``StoreError`` for an unknown one.
        """
        ...

    def question(self, question_id: str) -> StoredQuestion:
        """Return a stored question."""
        ...

    def questions(
        self, conversation: str | None = None, status: Literal["open", "answered", "withdrawn"] | None = "open"
    ) -> list[StoredQuestion]:
        """Return the questions (open ones by default), oldest first, of one conversation or of all."""
        ...

    def finish(self, lease: Lease, result: Any, snapshot: Any = None) -> None:
        """End the conversation as ``done`` with ``result`` (JSON), and what readers are shown of it."""
        ...

    def fail(self, lease: Lease, error: str, snapshot: Any = None) -> None:
        """End the conversation as ``failed``, saying why."""
        ...

    def cancel(self, conversation: str) -> None:
        """End a conversation that has not ended as ``cancelled``; its open questions are withdrawn."""
        ...

    def prune(self, before: float, statuses: Sequence[ConversationStatus] = ENDED_STATUSES) -> int:
        """Delete the conversations with one of ``statuses`` last changed before ``before``; return how many."""
        ...

    def close(self) -> None:
        """Release the store's resources (its database connections)."""
        ...
