"""The embedded conversation store: one SQLite file from the standard library, safe for many processes on one host.

The file is in WAL mode (readers never wait for the writer), every write is one ``BEGIN IMMEDIATE`` transaction
(it takes the write lock first, so two writers queue instead of failing half-way) and a busy connection waits up
to ``timeout`` seconds for the lock. A process killed at any moment leaves the file as it was after its last
committed transaction. Keep the file on a local disk: SQLite's locks do not hold over NFS.

Examples:
    >>> import tempfile, os
    >>> from hitl.core.question import Question
    >>> store = SqliteStore(os.path.join(tempfile.mkdtemp(), "hitl.db"))
    >>> _ = store.create("review-1", "code-review", "1", {"topic": "sorting"})
    >>> lease = store.claim("review-1", "worker-a", ttl=60)
    >>> store.record(lease, JournalEntry(0, "llm", "f0", "done", {"content": "Draft."}))
    >>> question = Question.new(kind="feedback", agent="user", prompt="Your feedback: ", conversation="review-1")
    >>> store.suspend(lease, question, seq=1)
    >>> store.get("review-1").status
    'waiting'
    >>> store.answer(question.id, "Looks good.").status
    'answered'
    >>> store.get("review-1").status
    'ready'
    >>> store.close()
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from ..core.question import Question
from .durable import (
    ENDED,
    ENDED_STATUSES,
    FORMAT,
    Conversation,
    ConversationStatus,
    JournalEntry,
    Lease,
    LeaseHeld,
    LeaseLost,
    NotRunnable,
    QuestionClosed,
    StoreBusy,
    StoredQuestion,
    StoreError,
    StoreFormatError,
    UnknownConversation,
    canonical_json,
    json_text,
)

__all__ = ["DEFAULT_PATH", "SqliteStore"]

#: Where a store is kept unless told otherwise: a file in the working directory.
DEFAULT_PATH = "hitl.db"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY,
    factory TEXT NOT NULL,
    version TEXT NOT NULL,
    params TEXT NOT NULL,
    status TEXT NOT NULL,
    epoch INTEGER NOT NULL DEFAULT 0,
    owner TEXT,
    lease_until REAL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    result TEXT,
    error TEXT,
    snapshot TEXT
);
CREATE INDEX IF NOT EXISTS conversations_by_status ON conversations (status, updated_at);
CREATE TABLE IF NOT EXISTS journal (
    conversation TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    state TEXT NOT NULL,
    result TEXT,
    PRIMARY KEY (conversation, seq)
);
CREATE TABLE IF NOT EXISTS questions (
    id TEXT PRIMARY KEY,
    conversation TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    question TEXT NOT NULL,
    status TEXT NOT NULL,
    answer TEXT,
    answered_by TEXT,
    answered_at REAL,
    asked_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS questions_by_status ON questions (status, asked_at);
CREATE INDEX IF NOT EXISTS questions_by_conversation ON questions (conversation, seq);
"""


class SqliteStore:
    """A [`ConversationStore`][hitl.stores.durable.ConversationStore] in one SQLite file.

    Args:
        path: the database file (created if missing); default ``hitl.db`` in the working directory.
        timeout: how long a write waits for another process's write lock, in seconds.
        create: create the file if it is missing; with ``create=False`` a missing file is a ``StoreError``
            (a reader given a mistyped path is told so, instead of reading an empty new store).

    Raises:
        StoreFormatError: for a file written by a newer version of hitl, or a database that is not a hitl store.
        StoreError: with ``create=False``, for a path where there is no file.

    One store object may be shared by the threads of a process (its connection is used under a lock); every
    process opens its own.
    """

    def __init__(
        self, path: str | os.PathLike[str] = DEFAULT_PATH, *, timeout: float = 30.0, create: bool = True
    ) -> None:
        self.path = Path(path)
        self.timeout = timeout
        if not create and (not self.path.is_file() or self.path.stat().st_size == 0):
            raise StoreError(f"there is no conversation store at {self.path}")
        self._lock = threading.RLock()
        self._db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None, check_same_thread=False)
        try:
            self._db.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA foreign_keys = ON")
            self._db.execute("PRAGMA synchronous = FULL")  # a committed step survives a power cut, not only a crash
            with self._write() as db:
                self._check_format(db)
        except sqlite3.DatabaseError as error:
            self._db.close()
            raise StoreFormatError(f"{self.path} cannot be opened as a hitl store: {error}") from None
        except BaseException:
            self._db.close()
            raise

    def _check_format(self, db: sqlite3.Connection) -> None:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if tables and "meta" not in tables:
            raise StoreFormatError(f"{self.path} is an SQLite database, but not a hitl store")
        if not tables:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute("INSERT INTO meta (key, value) VALUES ('format', ?)", (str(FORMAT),))
            return
        row = db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
        found = int(row[0]) if row is not None else None
        if found is None or found > FORMAT:
            raise StoreFormatError(
                f"{self.path} is a hitl store of format {found}; this version of hitl reads format {FORMAT} "
                "and older: upgrade hitl to open it"
            )

    # -- transactions ----------------------------------------------------------------------------------------
    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, with the write lock taken first (``BEGIN IMMEDIATE``)."""
        with self._lock, self._busy():
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def _read(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock, self._busy():
            return self._db.execute(sql, args).fetchall()

    @contextmanager
    def _busy(self) -> Iterator[None]:
        """Say ``StoreBusy`` when another connection held the database longer than the busy timeout."""
        try:
            yield
        except sqlite3.OperationalError as error:
            if "locked" in str(error) or "busy" in str(error):
                raise StoreBusy(
                    f"{self.path} stayed locked by another connection for longer than {self.timeout:g} s"
                ) from error
            raise

    # -- conversations ----------------------------------------------------------------------------------------
    def create(self, conversation: str, factory: str, version: str, params: Any) -> Conversation:
        """Record a new conversation, ``ready`` to run.

        Raises:
            StoreError: for an id in use.
            TypeError: for ``params`` JSON cannot hold.
        """
        now = time.time()
        text = canonical_json(params)
        with self._write() as db:
            try:
                db.execute(
                    "INSERT INTO conversations (id, factory, version, params, status, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, 'ready', ?, ?)",
                    (conversation, factory, version, text, now, now),
                )
            except sqlite3.IntegrityError:
                raise StoreError(f"a conversation {conversation!r} exists already") from None
        return self.get(conversation)

    def get(self, conversation: str) -> Conversation:
        """Return a conversation.

        Raises:
            UnknownConversation: if there is none with this id.
        """
        rows = self._read(f"SELECT {_CONVERSATION} FROM conversations WHERE id = ?", (conversation,))
        if not rows:
            raise UnknownConversation(f"no conversation {conversation!r} in {self.path}")
        return _conversation(rows[0])

    def conversations(self, status: ConversationStatus | None = None) -> list[Conversation]:
        """Return the conversations (with ``status``, if given), oldest first."""
        if status is None:
            rows = self._read(f"SELECT {_CONVERSATION} FROM conversations ORDER BY created_at, id")
        else:
            rows = self._read(
                f"SELECT {_CONVERSATION} FROM conversations WHERE status = ? ORDER BY created_at, id", (status,)
            )
        return [_conversation(row) for row in rows]

    # -- leases -----------------------------------------------------------------------------------------------
    def claim(self, conversation: str, owner: str, ttl: float) -> Lease:
        """Take the lease of a ``ready`` conversation, or of a ``running`` one whose lease expired.

        Raises:
            UnknownConversation: if there is none with this id.
            NotRunnable: if it waits for an answer or has ended.
            LeaseHeld: if another lease holds it.
        """
        now = time.time()
        with self._write() as db:
            row = db.execute(
                "SELECT status, owner, lease_until, epoch FROM conversations WHERE id = ?", (conversation,)
            ).fetchone()
            if row is None:
                raise UnknownConversation(f"no conversation {conversation!r} in {self.path}")
            status, holder, until, epoch = row
            if status == "running" and until is not None and until > now:
                raise LeaseHeld(
                    f"conversation {conversation!r} is being run by {holder!r} (its lease holds for "
                    f"{until - now:.1f} s more)"
                )
            if status not in ("ready", "running"):
                why = "waits for a human's answer" if status == "waiting" else f"has ended ({status})"
                raise NotRunnable(f"conversation {conversation!r} {why}")
            return self._take(db, conversation, owner, epoch + 1, now + ttl, now)

    def claim_next(
        self, owner: str, ttl: float, exclude: Sequence[str] = (), factories: Sequence[str] | None = None
    ) -> Lease | None:
        """Take the lease of the oldest runnable conversation (ready, or running with an expired lease).

        ``exclude``: conversations not to take; ``factories``: take only conversations of these factories
        (those this worker can build), if given.
        """
        now = time.time()
        skip = f" AND id NOT IN ({', '.join('?' for _ in exclude)})" if exclude else ""
        only = "" if factories is None else f" AND factory IN ({', '.join('?' for _ in factories)})"
        with self._write() as db:
            row = db.execute(
                "SELECT id, epoch FROM conversations WHERE (status = 'ready' "
                f"OR (status = 'running' AND lease_until <= ?)){skip}{only} ORDER BY updated_at, id LIMIT 1",
                (now, *exclude, *(factories or ())),
            ).fetchone()
            if row is None:
                return None
            return self._take(db, row[0], owner, row[1] + 1, now + ttl, now)

    @staticmethod
    def _take(db: sqlite3.Connection, conversation: str, owner: str, epoch: int, until: float, now: float) -> Lease:
        db.execute(
            "UPDATE conversations SET status = 'running', owner = ?, epoch = ?, lease_until = ?, updated_at = ? "
            "WHERE id = ?",
            (owner, epoch, until, now, conversation),
        )
        return Lease(conversation, owner, epoch, until)

    def _fence(self, db: sqlite3.Connection, lease: Lease) -> None:
        """Refuse a write under a lease that is no longer the conversation's."""
        row = db.execute(
            "SELECT status, epoch, owner FROM conversations WHERE id = ?", (lease.conversation,)
        ).fetchone()
        if row is None:
            raise UnknownConversation(f"no conversation {lease.conversation!r} in {self.path}")
        status, epoch, owner = row
        if status != "running" or epoch != lease.epoch:
            now_held = f"claimed again (epoch {epoch}, by {owner!r})" if epoch != lease.epoch else f"now {status}"
            raise LeaseLost(
                f"{lease.owner!r} lost its lease on {lease.conversation!r} (epoch {lease.epoch}): the conversation "
                f"was {now_held}"
            )

    def renew(self, lease: Lease, ttl: float) -> Lease:
        """Extend ``lease`` by ``ttl`` seconds from now (``LeaseLost`` if it is no longer the conversation's)."""
        now = time.time()
        with self._write() as db:
            self._fence(db, lease)
            db.execute(
                "UPDATE conversations SET lease_until = ?, updated_at = ? WHERE id = ?",
                (now + ttl, now, lease.conversation),
            )
        return Lease(lease.conversation, lease.owner, lease.epoch, now + ttl)

    def release(self, lease: Lease) -> None:
        """Give the lease back: the conversation is ``ready`` again."""
        self._end_lease(lease, "ready")

    def _end_lease(
        self,
        lease: Lease,
        status: ConversationStatus,
        result: str | None = None,
        error: str | None = None,
        snapshot: Any = None,
    ) -> None:
        shown = None if snapshot is None else json_text(snapshot)
        with self._write() as db:
            self._fence(db, lease)
            db.execute(
                "UPDATE conversations SET status = ?, owner = NULL, lease_until = NULL, updated_at = ?, "
                "result = COALESCE(?, result), error = COALESCE(?, error), snapshot = COALESCE(?, snapshot) "
                "WHERE id = ?",
                (status, time.time(), result, error, shown, lease.conversation),
            )

    # -- the journal ------------------------------------------------------------------------------------------
    def journal(self, conversation: str) -> list[JournalEntry]:
        """Return the conversation's journal, in order."""
        rows = self._read(
            "SELECT seq, kind, fingerprint, state, result FROM journal WHERE conversation = ? ORDER BY seq",
            (conversation,),
        )
        return [
            JournalEntry(seq, kind, fingerprint, state, None if result is None else json.loads(result))
            for seq, kind, fingerprint, state, result in rows
        ]

    def record(self, lease: Lease, entry: JournalEntry) -> None:
        """Append ``entry`` at the next position, or complete (or write again) the ``intent`` at its position.

        An intent written again (a new attempt of a step cut short) replaces the intent's result, which says
        what allowed the attempt.

        Raises:
            LeaseLost: under a lease that is no longer the conversation's.
            StoreError: for a position out of order, or an entry that does not complete the intent there.
            TypeError: for a result JSON cannot hold.
        """
        result = None if entry.state == "intent" and entry.result is None else json_text(entry.result)
        with self._write() as db:
            self._fence(db, lease)
            last = db.execute(
                "SELECT seq, kind, fingerprint, state FROM journal WHERE conversation = ? ORDER BY seq DESC LIMIT 1",
                (lease.conversation,),
            ).fetchone()
            if last is not None and last[0] == entry.seq:
                if last[3] != "intent" or (last[1], last[2]) != (entry.kind, entry.fingerprint):
                    raise StoreError(
                        f"journal of {lease.conversation!r}: entry {entry.seq} is {last[1]} {last[2]} ({last[3]}); "
                        f"{entry.kind} {entry.fingerprint} ({entry.state}) does not complete it"
                    )
                db.execute(
                    "UPDATE journal SET state = ?, result = ? WHERE conversation = ? AND seq = ?",
                    (entry.state, result, lease.conversation, entry.seq),
                )
                return
            expected = 0 if last is None else last[0] + 1
            if entry.seq != expected or (last is not None and last[3] == "intent"):
                raise StoreError(
                    f"journal of {lease.conversation!r}: the next entry is {expected}"
                    + (
                        f" (entry {last[0]} is an unfinished intent)"
                        if last is not None and last[3] == "intent"
                        else ""
                    )
                    + f", not {entry.seq}"
                )
            db.execute(
                "INSERT INTO journal (conversation, seq, kind, fingerprint, state, result) VALUES (?, ?, ?, ?, ?, ?)",
                (lease.conversation, entry.seq, entry.kind, entry.fingerprint, entry.state, result),
            )

    # -- questions --------------------------------------------------------------------------------------------
    def suspend(self, lease: Lease, question: Question, seq: int, snapshot: Any = None) -> None:
        """Store ``question`` (asked at journal position ``seq``) and mark the conversation ``waiting``.

        ``snapshot`` (JSON) is what readers are shown of the conversation meanwhile.
        """
        text = question.to_json()
        shown = None if snapshot is None else json_text(snapshot)
        with self._write() as db:
            self._fence(db, lease)
            now = time.time()
            try:
                db.execute(
                    "INSERT INTO questions (id, conversation, seq, question, status, asked_at) "
                    "VALUES (?, ?, ?, ?, 'open', ?)",
                    (question.id, lease.conversation, seq, text, now),
                )
            except sqlite3.IntegrityError:
                raise StoreError(f"a question {question.id!r} exists already") from None
            db.execute(
                "UPDATE conversations SET status = 'waiting', owner = NULL, lease_until = NULL, updated_at = ?, "
                "snapshot = COALESCE(?, snapshot) WHERE id = ?",
                (now, shown, lease.conversation),
            )

    def answer(self, question_id: str, text: str, by: str | None = None) -> StoredQuestion:
        """Answer an open question (first writer wins); its conversation is ``ready`` again.

        Raises:
            QuestionClosed: if it was answered (``error.answer`` is the answer that won) or withdrawn.
            StoreError: if there is no such question.
            TypeError: for an answer that is not text.
            StoreError: for text that is not Unicode (a lone surrogate, as a terminal in another encoding gives).
        """
        if not isinstance(text, str):
            raise TypeError(f"an answer is text (got {text!r})")
        _check_text(text, "an answer")
        if by is not None:
            _check_text(by, "who answers")
        with self._write() as db:
            row = db.execute(
                "SELECT conversation, status, answer FROM questions WHERE id = ?", (question_id,)
            ).fetchone()
            if row is None:
                raise StoreError(f"no question {question_id!r} in {self.path}")
            conversation, status, given = row
            if status != "open":
                raise QuestionClosed(
                    f"question {question_id!r} is {status}" + (f" (answer: {given!r})" if given is not None else ""),
                    given,
                )
            now = time.time()
            db.execute(
                "UPDATE questions SET status = 'answered', answer = ?, answered_by = ?, answered_at = ? WHERE id = ?",
                (text, by, now, question_id),
            )
            db.execute(
                "UPDATE conversations SET status = 'ready', updated_at = ? WHERE id = ? AND status = 'waiting'",
                (now, conversation),
            )
        return self.question(question_id)

    def question(self, question_id: str) -> StoredQuestion:
        """Return a stored question (``StoreError`` if there is none)."""
        rows = self._read(f"SELECT {_QUESTION} FROM questions WHERE id = ?", (question_id,))
        if not rows:
            raise StoreError(f"no question {question_id!r} in {self.path}")
        return _question(rows[0])

    def questions(
        self, conversation: str | None = None, status: Literal["open", "answered", "withdrawn"] | None = "open"
    ) -> list[StoredQuestion]:
        """Return the questions (open ones by default), oldest first, of one conversation or of all."""
        where, args = [], []
        if conversation is not None:
            where.append("conversation = ?")
            args.append(conversation)
        if status is not None:
            where.append("status = ?")
            args.append(status)
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        rows = self._read(f"SELECT {_QUESTION} FROM questions{clause} ORDER BY asked_at, id", args)
        return [_question(row) for row in rows]

    # -- the end ----------------------------------------------------------------------------------------------
    def finish(self, lease: Lease, result: Any, snapshot: Any = None) -> None:
        """End the conversation as ``done`` with ``result`` (JSON), and what readers are shown of it."""
        self._end_lease(lease, "done", result=json_text(result), snapshot=snapshot)

    def fail(self, lease: Lease, error: str, snapshot: Any = None) -> None:
        """End the conversation as ``failed``, saying why."""
        self._end_lease(lease, "failed", error=str(error), snapshot=snapshot)

    def cancel(self, conversation: str) -> None:
        """End a conversation that has not ended as ``cancelled``; its open questions are withdrawn."""
        with self._write() as db:
            row = db.execute("SELECT status FROM conversations WHERE id = ?", (conversation,)).fetchone()
            if row is None:
                raise UnknownConversation(f"no conversation {conversation!r} in {self.path}")
            if row[0] in ENDED:
                return
            now = time.time()
            db.execute(
                "UPDATE conversations SET status = 'cancelled', owner = NULL, lease_until = NULL, updated_at = ? "
                "WHERE id = ?",
                (now, conversation),
            )
            db.execute(
                "UPDATE questions SET status = 'withdrawn' WHERE conversation = ? AND status = 'open'", (conversation,)
            )

    def prune(self, before: float, statuses: Sequence[ConversationStatus] = ENDED_STATUSES) -> int:
        """Delete the conversations with one of ``statuses`` last changed before ``before``; return how many.

        Their journals and questions go with them.

        Raises:
            StoreError: for a status that has not ended (a running or waiting conversation is never pruned).
        """
        alive = [status for status in statuses if status not in ENDED]
        if alive:
            raise StoreError(f"only ended conversations are pruned, not {', '.join(map(repr, alive))} ones")
        marks = ", ".join("?" for _ in statuses)
        with self._write() as db:
            cursor = db.execute(
                f"DELETE FROM conversations WHERE status IN ({marks}) AND updated_at < ?", (*statuses, before)
            )
            return cursor.rowcount

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._db.close()

    def __enter__(self) -> SqliteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SqliteStore({str(self.path)!r})"


_CONVERSATION = (
    "id, factory, version, params, status, epoch, owner, lease_until, created_at, updated_at, result, error, snapshot"
)
_QUESTION = "question, conversation, seq, status, answer, answered_by, answered_at"


def _conversation(row: tuple[Any, ...]) -> Conversation:
    id_, factory, version, params, status, epoch, owner, until, created, updated, result, error, shown = row
    return Conversation(
        id_,
        factory,
        version,
        json.loads(params),
        status,
        epoch,
        owner,
        until,
        created,
        updated,
        None if result is None else json.loads(result),
        error,
        None if shown is None else json.loads(shown),
    )


def _question(row: tuple[Any, ...]) -> StoredQuestion:
    text, conversation, seq, status, answer, by, at = row
    return StoredQuestion(Question.from_json(text), conversation, seq, status, answer, by, at)


def _check_text(text: str, what: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        shown = text.encode("utf-8", "backslashreplace").decode("ascii", "backslashreplace")
        raise StoreError(
            f"{what} must be Unicode text; {shown!r} has an undecodable character at {error.start} "
            "(is the terminal's encoding UTF-8?)"
        ) from None
