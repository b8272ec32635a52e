"""A crash tears at most the last line of a JSON Lines audit, and every complete record reads back."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from collections import defaultdict
from pathlib import Path

import pytest

from hitl import Always
from hitl.stores.audit import AuditRecords, DecisionRecord, JsonlAudit, TornLineWarning, read_jsonl
from hitl.testing import run_chat

SCRIPTS = Path(__file__).parents[1] / "scripts"


def records(count: int) -> list[DecisionRecord]:
    return list(run_chat(Always(), [f"message {n}" for n in range(count)], answers=[""] * count).decisions)


def written(path: Path, count: int) -> list[DecisionRecord]:
    audit = JsonlAudit(path)
    kept = records(count)
    for record in kept:
        audit.write(record)
    audit.close()
    return kept


@pytest.mark.parametrize("cut", [1, 40, -2], ids=["first-byte", "middle", "all-but-the-newline"])
def test_a_torn_last_line_is_reported_and_every_complete_record_is_read(tmp_path: Path, cut: int) -> None:
    path = tmp_path / "audit.jsonl"
    kept = written(path, 3)
    whole = path.read_bytes()
    last_line = whole[whole.rindex(b"\n", 0, len(whole) - 1) + 1 :]
    path.write_bytes(whole[: len(whole) - len(last_line)] + last_line[:cut])
    with pytest.warns(TornLineWarning, match=r"the last line \(\d+ bytes\) is torn.*the 2 complete records"):
        got = read_jsonl(path)
    assert isinstance(got, AuditRecords)
    assert got == kept[:2]
    assert got.torn_tail == last_line[:cut].decode()


def test_a_line_torn_inside_a_character_is_still_a_torn_line(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    kept = written(path, 1)
    torn = json.dumps(kept[0].model_dump(mode="json") | {"message": "é" * 10}, ensure_ascii=False).encode()
    with path.open("ab") as file:
        file.write(torn[: torn.index("é".encode()) + 1])  # half of a two-byte character
    with pytest.warns(TornLineWarning):
        assert read_jsonl(path) == kept


def test_a_file_without_a_torn_line_reads_without_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    kept = written(path, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = read_jsonl(path)
        assert got == kept
        assert got.torn_tail is None
        path.write_bytes(path.read_bytes().rstrip(b"\n"))  # a complete last record without its newline
        assert read_jsonl(path) == kept


def test_a_middle_line_that_is_whole_json_but_not_a_record_is_corruption_and_an_error_that_names_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "audit.jsonl"
    written(path, 1)
    with path.open("ab") as file:
        file.write(b'{"agent": "not a whole record"}\n')
        file.write(records(1)[0].model_dump_json().encode() + b"\n")
    with pytest.raises(ValueError, match=r"audit.jsonl, line 2: not a decision record"):
        read_jsonl(path)


@pytest.mark.parametrize("damage", [b'{"time": "2026-01-01T00:00:00Z", "agent": "cut sh', b"\xff\xfe"])
def test_a_torn_middle_line_left_by_one_of_several_writers_is_reported_not_raised(
    tmp_path: Path, damage: bytes
) -> None:
    """A writer killed mid-record while another process went on appending: its torn line is mid-file."""
    path = tmp_path / "audit.jsonl"
    kept = written(path, 2)
    survivor = JsonlAudit(path)  # another process, running all along
    first, later = records(2)
    survivor.write(first)
    with path.open("ab") as file:
        file.write(damage)  # the killed writer's fragment, no newline
    survivor.write(later)  # sealed off before this record, which starts a line of its own
    survivor.close()
    kept.append(first)
    with pytest.warns(TornLineWarning, match=r"line\(s\) 4 torn"):
        got = read_jsonl(path)
    assert got == [*kept, later]
    assert got.torn_lines == [4]
    assert got.torn_tail is None


def test_a_last_line_that_is_whole_json_but_not_a_record_is_an_error_not_a_tear(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    written(path, 1)
    with path.open("ab") as file:
        file.write(b'{"agent": "x"}')
    with pytest.raises(ValueError, match="line 2: not a decision record"):
        read_jsonl(path)


def test_each_record_is_one_os_level_write_of_the_whole_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[bytes] = []
    real_write = os.write

    def spy(fd: int, data: bytes) -> int:
        calls.append(bytes(data))
        return real_write(fd, data)

    audit = JsonlAudit(tmp_path / "audit.jsonl")
    kept = records(3)
    monkeypatch.setattr(os, "write", spy)
    for record in kept:
        audit.write(record)
    audit.close()
    assert calls == [record.model_dump_json().encode() + b"\n" for record in kept]


def test_a_restarted_writer_removes_the_torn_line_and_appends_readable_records(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    kept = written(path, 2)
    with path.open("ab") as file:
        file.write(kept[0].model_dump_json().encode()[:30])  # the crash
    restarted = JsonlAudit(path)
    more = records(1)
    with pytest.warns(TornLineWarning, match="ended in a torn line .*JsonlAudit removed it before appending"):
        restarted.write(more[0])
    restarted.close()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = read_jsonl(path)
    assert got == kept + more
    assert got.torn_tail is None


def test_a_restarted_writer_ends_a_complete_last_record_that_lacks_its_newline(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    kept = written(path, 2)
    path.write_bytes(path.read_bytes().rstrip(b"\n"))
    more = records(1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        JsonlAudit(path).write(more[0])
    assert read_jsonl(path) == kept + more


@pytest.mark.parametrize("seed", [1, 2])
def test_writers_killed_at_any_moment_leave_every_complete_record_and_at_most_one_torn_line(
    tmp_path: Path, seed: int
) -> None:
    # Ten writers in turn append large records to one file, each killed with SIGKILL (at a random moment,
    # or in the middle of a write); each new writer starts on what the last one left, as a restart would.
    path = tmp_path / "audit.jsonl"
    done = subprocess.run(
        [sys.executable, str(SCRIPTS / "audit_writer.py"), str(path), "10", str(seed), "1500000"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert any(report["torn"]), "no kill landed in a write: the test did not test tearing"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = read_jsonl(path)
    ends_torn = report["torn"][-1]
    assert (got.torn_tail is not None) == ends_torn
    assert len(caught) == ends_torn
    torn_bytes = len(path.read_bytes()) - len(got) * report["line"]
    assert (torn_bytes > 0) == ends_torn, "only the last line is torn; every line before it is a whole record"
    by_writer: defaultdict[int, list[int]] = defaultdict(list)
    for record in got:
        writer, seq = map(int, record.message.split(":"))
        by_writer[writer].append(seq)
    for writer, seqs in by_writer.items():
        assert seqs == list(range(len(seqs))), f"writer {writer} lost a record it completed: {seqs}"
    assert list(by_writer) == sorted(by_writer)


def test_a_file_system_without_locks_still_gets_every_record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import fcntl

    def no_locks(fd: int, operation: int) -> None:
        raise OSError(38, "Function not implemented")  # NFS without lockd, Lustre without -o flock

    monkeypatch.setattr(fcntl, "flock", no_locks)
    path = tmp_path / "audit.jsonl"
    assert written(path, 3) == read_jsonl(path)


def test_a_torn_line_is_sealed_even_after_the_file_was_truncated_to_the_writers_old_size(tmp_path: Path) -> None:
    """logrotate's copytruncate, then a writer killed mid-record leaving exactly as many bytes as before."""
    path = tmp_path / "audit.jsonl"
    survivor = JsonlAudit(path)
    first, later = records(2)
    survivor.write(first)
    size = path.stat().st_size
    os.truncate(path, 0)
    with path.open("ab") as file:
        file.write((later.model_dump_json() * 2).encode()[:size])  # a torn fragment, no newline
    assert path.stat().st_size == size
    survivor.write(later)
    survivor.close()
    with pytest.warns(TornLineWarning):
        got = read_jsonl(path)
    assert got == [later]
    assert got.torn_lines == [1]
