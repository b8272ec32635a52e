"""The audit trail in real chats: every decision recorded, and a JSON Lines audit that survives a kill -9."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from hitl import Terminate
from hitl.stores.audit import DecisionRecord, read_jsonl
from hitl.testing import run_chat

SCRIPTS = Path(__file__).parents[1] / "scripts"


def test_every_decision_is_recorded_asked_or_not_and_serialisable() -> None:
    transcript = run_chat(
        Terminate(), ["a", "b", "TERMINATE"], answers=["more please", ""], limits={"max_consecutive_auto_reply": 1}
    )
    records = transcript.decisions
    assert [(r.turn, r.asked, r.outcome) for r in records] == [
        (2, False, "auto_reply"),
        (4, True, "human_reply"),
        (6, True, "stop"),
    ]
    assert records[1].reason == "auto-reply limit reached"
    assert records[1].prompt is not None
    assert records[1].answer == "more please"
    assert records[2].stop_reason == "Termination message condition on agent 'user' met and no human input provided"
    assert all(r.sender == "assistant" and r.agent == "user" and r.policy == "Terminate()" for r in records)
    for record in records:
        assert DecisionRecord.model_validate_json(record.model_dump_json()) == record


def test_a_jsonl_audit_stays_parseable_when_the_process_is_killed_mid_chat(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    process = subprocess.Popen([sys.executable, str(SCRIPTS / "audit_chat.py"), str(path)], stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if path.exists() and len(path.read_text(encoding="utf-8").splitlines()) >= 5:
                break
            time.sleep(0.05)
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    lines = path.read_bytes().split(b"\n")
    assert len(lines) >= 5
    records = read_jsonl(path)  # the kill may have torn the line being written, and only that one
    assert len(records) == len(lines) - 1
    assert (records.torn_tail is None) == (lines[-1] == b"")
    assert all(r.asked and r.outcome == "auto_reply" for r in records)
    assert [r.turn for r in records] == list(range(2, 2 * len(records) + 1, 2))
