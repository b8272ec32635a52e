"""The audit trail: one typed record for every decision a proxy makes, asked or not.

Every incoming message gives one [`DecisionRecord`][hitl.stores.audit.DecisionRecord]: when, from whom, which turn,
the policy and the part of it that fired (and why), the prompt and the answer if the human was asked,
what came of it (a human reply, an auto-reply, or a stop, and why), and whether the human timed out,
closed the input or interrupted. A [`Workflow`][hitl.adapters.autogen.workflow.Workflow] adds one record per checkpoint
question (with ``stage`` set). Records are kept on the proxy (``proxy.decisions``) and can be streamed to
sinks, such as [`JsonlAudit`][hitl.stores.audit.JsonlAudit], which appends each decision as one JSON line in a
single write, so a crash loses nothing already decided and can tear at most the line being written;
[`read_jsonl`][hitl.stores.audit.read_jsonl] reads every complete record back and reports such a torn last line.
[`LoggingAudit`][hitl.stores.audit.LoggingAudit] sends each decision to Python's ``logging`` instead, as one
readable line with the record attached, for the handlers an application already has.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
import warnings
import weakref
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Protocol, runtime_checkable

import pydantic_core

from ..core.errors import user_stacklevel
from ..core.records import DecisionRecord, record_data
from ..core.rules import CheckpointOutcome, InputEvent, Outcome

try:  # POSIX: an advisory lock keeps the repair of a torn line away from a write under way in another process
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "AuditRecords",
    "AuditSink",
    "CheckpointOutcome",
    "DecisionRecord",
    "InputEvent",
    "JsonlAudit",
    "LoggingAudit",
    "Outcome",
    "TornLineWarning",
    "read_jsonl",
]


@runtime_checkable
class AuditSink(Protocol):
    """Where decision records go: anything with ``write(record)``."""

    def write(self, record: DecisionRecord) -> None:
        """Keep one record."""
        ...


class TornLineWarning(UserWarning):
    """An audit file ends in a torn line: a writer was killed in the middle of writing a record.

    [`read_jsonl`][hitl.stores.audit.read_jsonl] warns so (and returns every complete record), and
    [`JsonlAudit`][hitl.stores.audit.JsonlAudit] warns when it removes such a line before appending to the file.
    """


class JsonlAudit:
    """Append each decision to a JSON Lines file: one line per decision, written by one ``write`` call.

    The file is opened in append mode at the operating-system level (``O_APPEND``) and each record goes
    out as one whole line in a single ``os.write``, so a process killed at any moment (even ``kill -9``)
    leaves every earlier record complete, and at most the line it was writing torn, with no newline at
    its end. [`read_jsonl`][hitl.stores.audit.read_jsonl] reads such a file and reports the torn line instead of
    failing. When a ``JsonlAudit`` first opens a file that ends in a torn line (a restart after a
    crash), it removes that line, with a [`TornLineWarning`][hitl.stores.audit.TornLineWarning], so the records
    it appends stay readable. ``fsync=True`` also forces each line to disk (slower; survives a machine
    crash). Safe to share between threads, and between processes appending to the same file.

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
        self._fd: int | None = None
        self._finalizer: weakref.finalize[[int], JsonlAudit] | None = None

    def write(self, record: DecisionRecord) -> None:
        """Append ``record`` as one JSON line, in one write."""
        line = _json_line(record)
        with self._lock:
            fd = self._fd if self._fd is not None else self._open()
            locked = _lock(fd)
            try:
                # Another writer killed mid-record leaves a torn last line: end it, so this record starts its own.
                end = os.lseek(fd, 0, os.SEEK_END)
                if end and _HAS_PREAD and os.pread(fd, 1, end - 1) != b"\n":
                    _write_all(fd, b"\n")
                written = os.write(fd, line)
                if written != len(line):  # pragma: no cover - the system wrote part of it (rare on files)
                    _write_all(fd, line[written:])
            finally:
                if locked:
                    fcntl.flock(fd, fcntl.LOCK_UN)
            if self.fsync:
                os.fsync(fd)

    def _open(self) -> int:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        flags = os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
        fd = os.open(self.path, flags, 0o644)
        try:
            with _exclusive(fd):
                self._seal_torn_line(fd)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        self._finalizer = weakref.finalize(self, os.close, fd)
        return fd

    def _seal_torn_line(self, fd: int) -> None:
        """Make the file end with a newline: remove a torn last line, or end a complete one."""
        size = os.fstat(fd).st_size
        start = _last_line_start(fd, size)
        if start == size:
            return
        tail = _read_at(fd, size - start, start)
        if _is_record(tail):  # a complete record that only lacks its newline (written by another tool)
            _write_all(fd, b"\n")
            return
        os.ftruncate(fd, start)
        warnings.warn(
            f"{self.path} ended in a torn line ({size - start} bytes without a newline, not a complete record: "
            f"a writer was killed while writing it); JsonlAudit removed it before appending: {_excerpt(tail)}",
            TornLineWarning,
            stacklevel=user_stacklevel(),
        )

    def close(self) -> None:
        """Close the file (it is reopened, in append mode, by the next write)."""
        with self._lock:
            if self._finalizer is not None:
                self._finalizer()  # closes the descriptor, once
            self._fd, self._finalizer = None, None

    def __repr__(self) -> str:
        return f"JsonlAudit({str(self.path)!r})"


def _json_line(record: DecisionRecord) -> bytes:
    try:
        return pydantic_core.to_json(record_data(record)) + b"\n"
    except ValueError:  # text JSON cannot hold as it is (a lone surrogate, say): escape it
        return (json.dumps(record.model_dump(mode="json"), ensure_ascii=True) + "\n").encode("ascii")


def _write_all(fd: int, data: bytes) -> None:
    """Write ``data`` with one ``os.write``; continue only if the system wrote part of it (rare on files)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


_HAS_PREAD = hasattr(os, "pread")  # POSIX; where it is missing (Windows), a torn end is not checked


def _lock(fd: int) -> bool:
    """Take the file's advisory lock (POSIX) and return True; False where there is none to take."""
    if fcntl is None:  # pragma: no cover - Windows
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
    except OSError:  # a file system without locks (NFS without lockd, Lustre): appends stay whole lines anyway
        return False
    return True


@contextlib.contextmanager
def _exclusive(fd: int) -> Iterator[None]:
    """Hold an advisory lock on the file (POSIX), so no other writer is half-way through a line meanwhile."""
    locked = _lock(fd)
    try:
        yield
    finally:
        if locked:
            fcntl.flock(fd, fcntl.LOCK_UN)


def _last_line_start(fd: int, size: int, chunk: int = 1 << 16) -> int:
    """Return the offset just after the file's last newline (0 if it has none)."""
    end = size
    while end > 0:
        begin = max(0, end - chunk)
        found = _read_at(fd, end - begin, begin).rfind(b"\n")
        if found >= 0:
            return begin + found + 1
        end = begin
    return 0


def _read_at(fd: int, size: int, offset: int) -> bytes:
    if hasattr(os, "pread"):
        return os.pread(fd, size, offset)
    os.lseek(fd, offset, os.SEEK_SET)  # pragma: no cover - Windows; writes append wherever this points
    return os.read(fd, size)  # pragma: no cover


def _is_record(line: bytes) -> bool:
    try:
        DecisionRecord.model_validate(json.loads(line))
    except ValueError:
        return False
    return True


def _excerpt(line: bytes, width: int = 80) -> str:
    text = line[:width].decode("utf-8", errors="replace")
    return repr(text + ("..." if len(line) > width else ""))


class AuditRecords(list[DecisionRecord]):
    """The records [`read_jsonl`][hitl.stores.audit.read_jsonl] read: a list, which also says whether the file was torn.

    Attributes:
        torn_tail: the text of the file's torn last line (a record cut short when its writer was killed,
            without a newline and not valid JSON), or ``None`` when the file ends with a complete record.
        torn_lines: the numbers of every torn line, the last one included: with several processes
            appending, one killed mid-record leaves its torn line where the others went on writing.
    """

    def __init__(
        self, records: Iterable[DecisionRecord] = (), torn_tail: str | None = None, torn_lines: Iterable[int] = ()
    ) -> None:
        super().__init__(records)
        self.torn_tail = torn_tail
        self.torn_lines = list(torn_lines)


def read_jsonl(path: str | os.PathLike[str]) -> AuditRecords:
    """Read the records of a JSON Lines audit file, validating each one.

    A process killed while [`JsonlAudit`][hitl.stores.audit.JsonlAudit] was writing can leave a line torn (cut
    short: not valid JSON): the last line, or, when several processes append to the file, a line the
    others wrote after (each writer seals a torn end with a newline before its own record). That is a
    crash, not corruption: every complete record is returned, the torn lines' numbers are in the result's
    ``torn_lines`` (the last line's text in ``torn_tail``), and a
    [`TornLineWarning`][hitl.stores.audit.TornLineWarning] says so. A line that is whole JSON but not a record is
    corruption, and an error.

    Raises:
        ValueError: a line is whole JSON but not a valid record; the message names the file and the line.

    Examples:
        >>> import tempfile, pathlib
        >>> read_jsonl(pathlib.Path(tempfile.mkdtemp()) / "missing.jsonl")
        []
    """
    file = Path(path)
    if not file.exists():
        return AuditRecords()
    # Split on "\n" only: a record's text may hold other line breaks (U+2028...), which JSON leaves as they are.
    lines = file.read_bytes().split(b"\n")
    tail = lines.pop()  # what follows the last newline: nothing, unless the last line was torn
    records = AuditRecords()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            json.loads(line)
        except ValueError:  # cut short by a writer killed mid-record; another process wrote on after it
            records.torn_lines.append(number)
            continue
        records.append(_parse(line, file, number))
    if records.torn_lines:
        warnings.warn(
            f"{file}: line(s) {', '.join(map(str, records.torn_lines[:10]))} torn, records cut short when their "
            f"writer was killed while others went on appending; the {len(records)} complete records are returned",
            TornLineWarning,
            stacklevel=2,
        )
    if not tail.strip():
        return records
    try:
        json.loads(tail)
    except ValueError:  # not JSON (a UnicodeDecodeError is a ValueError too): cut short by a crash
        records.torn_tail = tail.decode("utf-8", errors="replace")
        records.torn_lines.append(len(lines) + 1)
        warnings.warn(
            f"{file}: the last line ({len(tail)} bytes) is torn, a record cut short when its writer was killed; "
            f"the {len(records)} complete records before it are returned, the torn text is in .torn_tail",
            TornLineWarning,
            stacklevel=2,
        )
        return records
    records.append(_parse(tail, file, len(lines) + 1))  # whole JSON without a newline: a record, or corruption
    return records


def _parse(line: bytes, file: Path, number: int) -> DecisionRecord:
    # json.loads, not Pydantic's parser: a record may hold text with a lone surrogate, written escaped.
    try:
        return DecisionRecord.model_validate(json.loads(line))
    except ValueError as exc:  # not JSON, not UTF-8, or not a record
        raise ValueError(f"{file}, line {number}: not a decision record: {_excerpt(line)}\n{exc}") from exc


class LoggingAudit:
    """Send each decision to Python's ``logging``: one readable line, with the record attached.

    Each record is logged at ``level`` on ``logger`` (a name or a ``logging.Logger``) as one line that says
    what happened, such as ``user: message 4 from assistant: asked (Terminate(): termination message),
    answered '' -> stop (...)``, and the [`DecisionRecord`][hitl.stores.audit.DecisionRecord] itself is attached as
    the log record's ``decision`` attribute (``extra``), for filters and structured formatters
    (``record.decision.model_dump(mode="json")`` is JSON-ready). Nothing is formatted when the logger
    would drop the line. Logging configuration (handlers, levels, files) stays the application's.

    Examples:
        >>> import logging
        >>> audit = LoggingAudit()
        >>> audit
        LoggingAudit('hitl.decisions', level='INFO')
        >>> LoggingAudit(logging.getLogger("myapp.hitl"), level="DEBUG").logger.name
        'myapp.hitl'
    """

    __slots__ = ("level", "logger")

    def __init__(self, logger: str | logging.Logger = "hitl.decisions", level: int | str = logging.INFO) -> None:
        if isinstance(logger, str):
            logger = logging.getLogger(logger)
        elif not isinstance(logger, logging.Logger):
            raise TypeError(f"LoggingAudit logger is a logger name or a logging.Logger (got {logger!r})")
        self.logger: logging.Logger = logger
        self.level: int = _level(level)

    def write(self, record: DecisionRecord) -> None:
        """Log ``record`` as one line, attached as the log record's ``decision``."""
        if self.logger.isEnabledFor(self.level):
            self.logger.log(self.level, "%s", _describe(record), extra={"decision": record})

    def __repr__(self) -> str:
        return f"LoggingAudit({self.logger.name!r}, level={logging.getLevelName(self.level)!r})"


def _level(level: object) -> int:
    if isinstance(level, bool) or not isinstance(level, (int, str)):
        raise TypeError(f"LoggingAudit level is a logging level such as logging.INFO or 'INFO' (got {level!r})")
    if isinstance(level, str):
        number = logging.getLevelName(level.upper())
        if not isinstance(number, int):
            raise ValueError(
                f"LoggingAudit level {level!r} is not a logging level; use DEBUG, INFO, WARNING, ERROR or CRITICAL"
            )
        return number
    if level < 0:
        raise ValueError(f"LoggingAudit level must be >= 0 (got {level}); use logging.INFO, logging.DEBUG...")
    return level


_EVENTS = {"timeout": " (timed out)", "eof": " (input closed)", "interrupt": " (interrupted)"}


def _describe(record: DecisionRecord) -> str:
    """Say what a decision was, on one line: who, which message, asked or not and why, the answer, the outcome.

    Examples:
        >>> print(_describe(DecisionRecord(
        ...     agent="user", sender="assistant", turn=4, auto_replies=1, auto_reply_limit=10,
        ...     policy="Terminate()", fired="Terminate()", reason="termination message", asked=True,
        ...     answer="", input_event="answered", outcome="stop", stop_reason="Enter",
        ... )))
        user: message 4 from assistant: asked (Terminate(): termination message), answered '' -> stop (Enter)
    """
    where = f"message {record.turn} from {record.sender or '?'}"
    if record.stage is not None:
        where = f"checkpoint of stage {record.stage!r} after {where}"
    if record.asked:
        how = f"asked ({record.fired}: {record.reason}), answered {record.answer!r}"
        how += _EVENTS.get(record.input_event or "", "")
    else:
        how = f"not asked ({record.fired}: {record.reason})"
    outcome = record.outcome.replace("_", "-")
    if record.stop_reason:
        outcome += f" ({record.stop_reason})"
    return _one_line(f"{record.agent}: {where}: {how} -> {outcome}")


def _one_line(text: str) -> str:
    """Escape line breaks (a reason or a stop reason may hold some), so each decision stays one log line."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)
