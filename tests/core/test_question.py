"""The question value: display-safe text, exact approval subjects, JSON both ways with a format number."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hitl.core.question import APPROVAL, CHECKPOINT, FEEDBACK, FORMAT, Answers, Question, Subject
from hitl.core.text import visible


def approval(**changes: Any) -> Question:
    fields: dict[str, Any] = {
        "kind": "approval",
        "agent": "user",
        "sender": "coder",
        "conversation": "review-42",
        "prompt": "Press enter to run it: ",
        "detail": "[1] python\n    print('hi')",
        "subjects": [Subject.of_code("python", "print('hi')\x1b[2K"), Subject.of_call("deploy", '{"env": "prod"}')],
        "deadline": datetime(2026, 12, 1, tzinfo=timezone.utc),
    }
    return Question.new(**(fields | changes))


def test_a_question_round_trips_through_json_exactly() -> None:
    question = approval()
    line = question.to_json()
    assert "\n" not in line
    assert Question.from_json(line) == question
    assert Question.from_dict(json.loads(line)) == question
    assert json.loads(line)["format"] == FORMAT


@settings(max_examples=200, deadline=None)
@given(st.text(), st.text(), st.text(), st.one_of(st.none(), st.text()))
def test_any_text_is_made_display_safe_and_any_subject_kept_exact(
    prompt: str, code: str, name: str, detail: str | None
) -> None:
    question = Question.new(
        kind="approval",
        agent="user",
        prompt=prompt,
        detail=detail,
        subjects=[Subject.of_code("", code), Subject.of_call(name, code)],
    )
    assert visible(question.prompt) == question.prompt  # nothing left to escape: shown as it is
    assert question.detail is None or visible(question.detail) == question.detail
    back = Question.from_json(question.to_json())
    assert back == question
    assert back.subjects[0].code == code  # bound to exactly what runs, never escaped
    assert back.subjects[1].name == name


def test_text_that_could_hide_what_runs_is_refused_when_read_back() -> None:
    data = approval().to_dict()
    for field, text in (("prompt", "ok\x1b[8mhidden"), ("detail", "a\u202eb"), ("prompt", "zero\u200bwidth")):
        with pytest.raises(ValueError, match=f"{field} holds control or invisible"):
            Question.from_dict(data | {field: text})


def test_each_kind_has_its_answers_by_default() -> None:
    assert approval().answers == APPROVAL
    assert approval(kind="feedback", subjects=[]).answers == FEEDBACK
    assert approval(kind="checkpoint", subjects=[]).answers == CHECKPOINT
    custom = Answers(enter="stop", exit="stop", text="reply")
    assert approval(kind="feedback", answers=custom).answers == custom


def test_a_question_from_a_later_format_is_refused_not_misread() -> None:
    data = approval().to_dict()
    with pytest.raises(ValueError, match="format 2; this version of hitl reads up to 1"):
        Question.from_dict(data | {"format": 2})
    with pytest.raises(ValueError, match="format number"):
        Question.from_dict({k: v for k, v in data.items() if k != "format"})


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "poll"}, "kind is one of feedback, approval, checkpoint"),
        ({"id": ""}, "id is a non-empty text"),
        ({"agent": 3}, "agent is a non-empty text"),
        ({"asked_at": "yesterday"}, "asked_at is ISO 8601"),
        ({"asked_at": "2026-11-26T10:00:00"}, "needs a time zone"),
        ({"deadline": 5}, "deadline is ISO 8601"),
        ({"answers": {"enter": "go"}}, "answers are texts named enter, exit, text"),
        ({"subjects": [{"kind": "shell", "language": "", "code": "", "name": "", "arguments": ""}]}, "code or a call"),
        ({"colour": "red"}, "no field 'colour'"),
    ],
)
def test_a_malformed_question_is_a_clear_error(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Question.from_dict(approval().to_dict() | change)


def test_a_missing_field_is_named() -> None:
    data = approval().to_dict()
    del data["prompt"]
    with pytest.raises(ValueError, match="needs the field 'prompt'"):
        Question.from_dict(data)
    with pytest.raises(ValueError, match="JSON object"):
        Question.from_json("[1, 2]")


def test_questions_are_immutable_and_have_distinct_ids() -> None:
    first, second = approval(), approval()
    assert first.id != second.id
    with pytest.raises(AttributeError):
        first.prompt = "changed"  # type: ignore[misc]
    assert first.asked_at.tzinfo is not None
    assert first.deadline is not None
    assert first.deadline - first.asked_at < timedelta(days=400)
