"""Decision records describe each message as it was when the proxy decided, however late they are read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hitl import JsonlAudit, Keyword, Never, Terminate, TurnContext, When
from hitl.core.conditions import has_code_block
from hitl.stores.audit import read_jsonl
from hitl.testing import code_block, run_chat


def test_a_context_keeps_the_history_as_it_was() -> None:
    history = [{"content": "one"}, {"content": "two"}]
    ctx = TurnContext(history[-1], messages=history)
    history.append({"content": "three"})
    assert ctx.turn == 2
    assert [m["content"] for m in ctx.messages] == ["one", "two"]


def test_records_read_after_the_chat_describe_each_turn_as_it_was() -> None:
    transcript = run_chat(
        Terminate() | When(has_code_block), [code_block("x = 1"), "more", "TERMINATE"], answers=["", ""]
    )
    assert [(d.turn, d.asked, d.auto_replies) for d in transcript.decisions] == [
        (2, True, 0),
        (4, False, 1),
        (6, True, 2),
    ]
    assert [d.message for d in transcript.decisions] == ["```python\nx = 1\n```", "more", "TERMINATE"]


def test_records_written_to_a_sink_and_read_later_are_the_same(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "audit.jsonl"
    transcript = run_chat(Never(), ["a", "b", "TERMINATE"], audit=JsonlAudit(path))
    assert read_jsonl(path) == transcript.decisions
    assert [d.outcome for d in transcript.decisions] == ["auto_reply", "auto_reply", "stop"]


def test_a_jsonl_audit_reads_back_text_with_any_line_break_or_broken_unicode(tmp_path: Any) -> None:
    path = Path(str(tmp_path)) / "audit.jsonl"
    odd = ["Line one\u2028line two", "next\u0085line", "bad \udcff byte", "TERMINATE"]
    transcript = run_chat(Never(), odd, audit=JsonlAudit(path), is_termination_msg=Keyword())
    assert transcript.error is None  # an audit line that cannot be written as is does not end the chat
    records = read_jsonl(path)
    assert [r.message for r in records] == odd
    assert records == transcript.decisions
