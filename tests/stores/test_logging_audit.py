"""LoggingAudit: every decision as one log line on Python's logging, with the record attached."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from hitl import Keyword, Limits, Terminate, TurnContext, When
from hitl.stores.audit import AuditSink, DecisionRecord, JsonlAudit, LoggingAudit
from hitl.testing import code_block, run_chat


def has_code(ctx: TurnContext) -> bool:
    return "```" in ctx.text


def chat(audit: object) -> None:
    run_chat(
        Terminate() | When(has_code),
        ["Plan.", code_block("print(1)"), "Done. TERMINATE"],
        answers=["looks wrong", ""],
        audit=audit,
        is_termination_msg=Keyword("TERMINATE"),
        limits=Limits(max_consecutive_auto_reply=5),
    )


def test_each_decision_is_one_line_on_the_hitl_decisions_logger(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="hitl.decisions"):
        chat(LoggingAudit())
    records = [record for record in caplog.records if record.name == "hitl.decisions"]
    assert [record.levelno for record in records] == [logging.INFO] * 3
    assert [record.getMessage() for record in records] == [
        "user: message 2 from assistant: not asked (When(has_code): predicate is false) -> auto-reply",
        "user: message 4 from assistant: asked (When(has_code): predicate is true), answered 'looks wrong' "
        "-> human-reply",
        "user: message 6 from assistant: asked (Terminate(): termination message), answered '' -> stop "
        "(Termination message condition on agent 'user' met and no human input provided)",
    ]


def test_the_record_is_attached_as_extra(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="hitl.decisions"):
        chat(LoggingAudit())
    decisions = [vars(record)["decision"] for record in caplog.records if record.name == "hitl.decisions"]
    assert all(isinstance(decision, DecisionRecord) for decision in decisions)
    assert [decision.outcome for decision in decisions] == ["auto_reply", "human_reply", "stop"]
    assert decisions[1].answer == "looks wrong"
    assert decisions[1].model_dump(mode="json")["policy"] == "Terminate() | When(has_code)"


def test_a_named_logger_and_level_are_used(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="myapp.review"):
        chat(LoggingAudit(logging.getLogger("myapp.review"), level="debug"))
    records = [record for record in caplog.records if record.name == "myapp.review"]
    assert len(records) == 3
    assert {record.levelname for record in records} == {"DEBUG"}


def test_nothing_is_formatted_when_the_level_is_off(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="hitl.decisions"):
        chat(LoggingAudit())
    assert [record for record in caplog.records if record.name == "hitl.decisions"] == []


def test_it_goes_with_a_jsonl_audit(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    jsonl = JsonlAudit(tmp_path / "decisions.jsonl")
    with caplog.at_level(logging.INFO, logger="hitl.decisions"):
        chat([LoggingAudit(), jsonl])
    jsonl.close()
    assert len((tmp_path / "decisions.jsonl").read_text(encoding="utf-8").splitlines()) == 3
    assert len([record for record in caplog.records if record.name == "hitl.decisions"]) == 3


def test_a_reason_with_line_breaks_stays_one_line(caplog: pytest.LogCaptureFixture) -> None:
    record = DecisionRecord(
        agent="user",
        sender="assistant",
        turn=2,
        auto_replies=0,
        auto_reply_limit=10,
        policy="p",
        fired="p",
        reason="first\nsecond\r\x1b[2K",
        asked=True,
        answer="a\nb",
        input_event="timeout",
        outcome="stop",
        stop_reason="User requested to end the conversation",
    )
    with caplog.at_level(logging.INFO, logger="hitl.decisions"):
        LoggingAudit().write(record)
    (line,) = [entry.getMessage() for entry in caplog.records]
    assert line == (
        "user: message 2 from assistant: asked (p: first\\nsecond\\r\\x1b[2K), answered 'a\\nb' (timed out) "
        "-> stop (User requested to end the conversation)"
    )


def test_a_checkpoint_record_names_its_stage(caplog: pytest.LogCaptureFixture) -> None:
    record = DecisionRecord(
        agent="code_proxy",
        sender="coder",
        turn=4,
        auto_replies=0,
        auto_reply_limit=0,
        policy="checkpoint",
        fired="checkpoint",
        reason="stage finished",
        asked=True,
        answer="add tests",
        input_event="answered",
        outcome="redirected",
        stage="code",
    )
    with caplog.at_level(logging.INFO, logger="hitl.decisions"):
        LoggingAudit().write(record)
    assert caplog.records[0].getMessage() == (
        "code_proxy: checkpoint of stage 'code' after message 4 from coder: asked (checkpoint: stage finished), "
        "answered 'add tests' -> redirected"
    )


def test_it_is_an_audit_sink_with_a_repr() -> None:
    audit = LoggingAudit("hitl.decisions", level=logging.WARNING)
    assert isinstance(audit, AuditSink)
    assert repr(audit) == "LoggingAudit('hitl.decisions', level='WARNING')"


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"level": "LOUD"}, ValueError, "LoggingAudit level 'LOUD' is not a logging level; use DEBUG, INFO"),
        ({"level": -1}, ValueError, "LoggingAudit level must be >= 0 (got -1)"),
        ({"level": True}, TypeError, "LoggingAudit level is a logging level such as logging.INFO or 'INFO'"),
        ({"logger": 3}, TypeError, "LoggingAudit logger is a logger name or a logging.Logger (got 3)"),
    ],
)
def test_a_bad_argument_is_an_error_that_says_what_fits(
    kwargs: dict[str, object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        LoggingAudit(**kwargs)  # type: ignore[arg-type]
