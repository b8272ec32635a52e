"""The audit trail: one typed record for every decision a proxy makes, asked or not.

Every incoming message gives one [`DecisionRecord`][hitl.audit.DecisionRecord]: when, from whom, which turn,
the policy and the part of it that fired (and why), the prompt and the answer if the human was asked,
what came of it (a human reply, an auto-reply, or a stop, and why), and whether the human timed out,
closed the input or interrupted. Records are kept on the proxy (``proxy.decisions``) and can be
streamed to sinks, such as [`JsonlAudit`][hitl.audit.JsonlAudit], which writes one flushed JSON line per
decision so a crash loses nothing already decided.
"""

from __future__ import annotations

import json
import os
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from ._rules import InputEvent, Outcome

__all__ = ["AuditSink", "DecisionRecord", "InputEvent", "JsonlAudit", "Outcome", "read_jsonl"]


def _now() -> datetime:
    return datetime.now(timezone.utc)


class DecisionRecord(BaseModel):
    """One decision of a proxy about one incoming message.

    Attributes:
        time: when the decision was complete (UTC).
        agent: the proxy's name.
        sender: the sender's name.
        turn: the position of the message in the conversation (1-based).
        auto_replies: consecutive auto-replies to this sender before this message.
        auto_reply_limit: the limit in force.
        policy: the proxy's policy, as it prints.
        fired: the part of the policy that settled the decision.
        reason: why it decided so.
        asked: whether the human was asked.
        prompt: the prompt, if asked.
        answer: the answer used, if asked (after a timeout or EOF, the fallback answer).
        input_event: how the answer came about, if asked.
        outcome: ``human_reply``, ``auto_reply`` or ``stop``.
        stop_reason: why the chat stopped, for ``stop``.
        message: the incoming message's text, cut to 500 characters.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    time: datetime = Field(default_factory=_now)
    agent: str
    sender: str | None
    turn: int
    auto_replies: int
    auto_reply_limit: int
    policy: str
    fired: str
    reason: str
    asked: bool
    prompt: str | None = None
    answer: str | None = None
    input_event: InputEvent | None = None
    outcome: Outcome
    stop_reason: str | None = None
    message: str = ""


@runtime_checkable
class AuditSink(Protocol):
    """Where decision records go: anything with ``write(record)``."""

    def write(self, record: DecisionRecord) -> None:
        """Keep one record."""
        ...


class JsonlAudit:
    """Append each decision to a JSON Lines file, one flushed line per decision.

    Lines are written whole and flushed at once, so the file stays parseable if the process is killed
    mid-chat: every decision taken before the kill is there. ``fsync=True`` also forces each line to
    disk (slower; survives a machine crash). Safe to share between threads.

    Examples:
        >>> import tempfile, pathlib
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "decisions.jsonl"
        >>> audit = JsonlAudit(path)
        >>> audit.path.name
        'decisions.jsonl'
    """

    def __init__(self, path: str | os.PathLike[str], *, fsync: bool = False) -> None:
        self.path = Path(path)
        self.fsync = fsync
        self._lock = threading.Lock()
        self._file: IO[str] | None = None

    def write(self, record: DecisionRecord) -> None:
        """Append ``record`` as one JSON line, and flush it."""
        try:
            line = record.model_dump_json() + "\n"
        except ValueError:  # text JSON cannot hold as it is (a lone surrogate, say): escape it
            line = json.dumps(record.model_dump(mode="json"), ensure_ascii=True) + "\n"
        with self._lock:
            if self._file is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._file = self.path.open("a", encoding="utf-8")
            self._file.write(line)
            self._file.flush()
            if self.fsync:
                os.fsync(self._file.fileno())

    def close(self) -> None:
        """Close the file (it is reopened, in append mode, by the next write)."""
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None

    def __repr__(self) -> str:
        return f"JsonlAudit({str(self.path)!r})"


def read_jsonl(path: str | os.PathLike[str]) -> list[DecisionRecord]:
    """Read the records of a JSON Lines audit file, validating each one.

    Examples:
        >>> import tempfile, pathlib
        >>> read_jsonl(pathlib.Path(tempfile.mkdtemp()) / "missing.jsonl")
        []
    """
    file = Path(path)
    if not file.exists():
        return []
    # Split on "\n" only: a record's text may hold other line breaks (U+2028...), which JSON leaves as they are.
    lines = file.read_text(encoding="utf-8").split("\n")
    return [DecisionRecord.model_validate(json.loads(line)) for line in lines if line.strip()]
