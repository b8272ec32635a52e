"""DecisionRecord: a small immutable record that speaks the Pydantic model API at the edges."""

from __future__ import annotations

import copy
import json
import pickle
from datetime import datetime, timezone
from typing import Any

import pydantic
import pytest

from hitl import Always, Terminate
from hitl.stores.audit import DecisionRecord
from hitl.testing import run_chat

FIELDS: dict[str, Any] = {
    "agent": "user",
    "sender": "assistant",
    "turn": 4,
    "auto_replies": 1,
    "auto_reply_limit": 10,
    "policy": "Terminate()",
    "fired": "Terminate()",
    "reason": "termination message",
    "asked": True,
    "prompt": "Press enter...",
    "answer": "",
    "input_event": "answered",
    "outcome": "stop",
    "stop_reason": "Enter",
    "message": "All done. TERMINATE",
}


def proxy_records() -> list[DecisionRecord]:
    chat = run_chat(Always(), ["one", "two", "TERMINATE"], answers=["", "more please", ""])
    return list(chat.decisions)


def test_records_a_proxy_keeps_round_trip_through_json_and_compare_equal() -> None:
    for record in proxy_records():
        line = record.model_dump_json()
        assert "\n" not in line
        back = DecisionRecord.model_validate_json(line)
        assert back == record
        assert hash(back) == hash(record)
        assert DecisionRecord.model_validate(json.loads(line)) == record
        assert back.model_dump() == record.model_dump()


def test_time_is_a_utc_datetime_and_json_gives_it_as_iso_text() -> None:
    record = proxy_records()[0]
    assert isinstance(record.time, datetime)
    assert record.time.tzinfo == timezone.utc
    assert abs((datetime.now(timezone.utc) - record.time).total_seconds()) < 60
    text = record.model_dump(mode="json")["time"]
    assert isinstance(text, str)
    assert text.endswith("Z")
    assert datetime.fromisoformat(text.replace("Z", "+00:00")) == record.time


def test_the_json_has_every_field_in_the_documented_order() -> None:
    record = proxy_records()[1]
    assert list(json.loads(record.model_dump_json())) == [
        "time",
        "agent",
        "sender",
        "turn",
        "auto_replies",
        "auto_reply_limit",
        "policy",
        "fired",
        "reason",
        "asked",
        "prompt",
        "answer",
        "input_event",
        "outcome",
        "stop_reason",
        "message",
        "stage",
        "speaker",
    ]
    assert list(record.model_dump()) == list(DecisionRecord.model_json_schema()["properties"])


def test_building_a_record_validates_every_field() -> None:
    record = DecisionRecord(**FIELDS)
    assert record.turn == 4
    assert record.stage is None
    assert record.time.tzinfo == timezone.utc
    with pytest.raises(pydantic.ValidationError, match="turn"):
        DecisionRecord(**FIELDS | {"turn": "fourth"})
    with pytest.raises(pydantic.ValidationError, match="outcome"):
        DecisionRecord(**FIELDS | {"outcome": "maybe"})
    with pytest.raises(TypeError, match="colour"):
        DecisionRecord(**FIELDS, colour="red")  # type: ignore[call-arg]
    with pytest.raises(pydantic.ValidationError, match="colour"):
        DecisionRecord.model_validate(FIELDS | {"colour": "red"})
    with pytest.raises(pydantic.ValidationError):
        DecisionRecord.model_validate_json('{"agent": "user"}')


def test_a_record_is_immutable_and_copies_with_updates_validated() -> None:
    record = DecisionRecord(**FIELDS)
    with pytest.raises(AttributeError, match="immutable"):
        record.turn = 5  # type: ignore[misc]
    with pytest.raises(AttributeError, match="immutable"):
        del record.agent
    changed = record.model_copy(update={"turn": 5})
    assert (changed.turn, record.turn) == (5, 4)
    assert changed.model_dump() == record.model_dump() | {"turn": 5}
    with pytest.raises(pydantic.ValidationError):
        record.model_copy(update={"turn": "five"})
    assert record.model_copy() == record


def test_records_pickle_and_copy() -> None:
    for record in [DecisionRecord(**FIELDS), *proxy_records()]:
        assert pickle.loads(pickle.dumps(record)) == record
        assert copy.deepcopy(record) == record
        assert copy.copy(record) == record


def test_records_that_differ_in_any_field_are_not_equal() -> None:
    record = DecisionRecord(**FIELDS)
    assert record != DecisionRecord(**FIELDS | {"time": record.time, "answer": "x"})
    assert record == DecisionRecord(**FIELDS | {"time": record.time})
    assert record != record.model_dump()
    assert len({record, DecisionRecord(**FIELDS | {"time": record.time})}) == 1


def test_the_repr_names_every_field() -> None:
    text = repr(DecisionRecord(**FIELDS))
    assert text.startswith("DecisionRecord(time=datetime.datetime(")
    assert "turn=4" in text
    assert "stage=None" in text


def test_text_json_cannot_hold_as_it_is_still_dumps() -> None:
    record = run_chat(Terminate(), ["bad \udc80 text", "TERMINATE"], answers=[""]).decisions[0]
    assert record.message == "bad \udc80 text"
    assert DecisionRecord.model_validate(record.model_dump(mode="json")) == record


def test_fields_can_be_kept_or_left_out_as_with_pydantic() -> None:
    record = DecisionRecord(**FIELDS | {"prompt": None, "answer": None, "input_event": None, "asked": False})
    assert set(record.model_dump(include={"turn", "agent"})) == {"turn", "agent"}
    assert "message" not in record.model_dump(exclude={"message"})
    dumped = record.model_dump(mode="json", exclude_none=True)
    assert None not in dumped.values()
    assert {"prompt", "answer", "input_event", "stage"}.isdisjoint(dumped)
    assert json.loads(record.model_dump_json(exclude_none=True)) == dumped
    assert record.model_dump_json(indent=2).startswith('{\n  "time"')


def test_records_can_be_fields_of_pydantic_models_and_type_adapters() -> None:
    from pydantic import BaseModel, TypeAdapter

    records = proxy_records()

    class Page(BaseModel):
        records: list[DecisionRecord]

    page = Page(records=records)
    back = Page.model_validate_json(page.model_dump_json())
    assert back.records == records
    assert all(type(record) is DecisionRecord for record in back.records)
    assert json.loads(page.model_dump_json())["records"][0] == json.loads(records[0].model_dump_json())
    assert TypeAdapter(list[DecisionRecord]).validate_python([r.model_dump() for r in records]) == records
    assert "DecisionRecord" in Page.model_json_schema()["$defs"]
    with pytest.raises(pydantic.ValidationError):
        Page.model_validate({"records": [{"turn": 1}]})
    assert list(DecisionRecord.model_fields) == list(records[0].model_dump())


def test_a_policy_whose_decision_lacks_a_reason_is_an_error_where_it_decides() -> None:
    from hitl import Decision, InputPolicy, TurnContext

    class NoReason(InputPolicy):
        def decide(self, ctx: TurnContext) -> Decision:
            return Decision(False, self, None)  # type: ignore[arg-type]

    with pytest.raises(TypeError, match=r"Decision.reason is a text"):
        run_chat(NoReason(), ["hello"])
    with pytest.raises(TypeError, match=r"Decision.ask is True or False"):
        Decision(1, NoReason(), "yes")  # type: ignore[arg-type]
