"""Decision records: one small immutable record for every decision a proxy makes, asked or not."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime, timezone
from typing import Any, ClassVar, Final, Literal

import pydantic_core
from pydantic import BaseModel, ConfigDict, Field, GetCoreSchemaHandler
from pydantic.fields import FieldInfo
from pydantic_core import core_schema

from .rules import CheckpointOutcome, InputEvent, Outcome, SelectionOutcome

__all__ = ["DecisionRecord", "new_record", "record_data"]


def _now() -> datetime:
    return datetime.now(timezone.utc)


_FIELDS: Final = (
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
)


class _Schemas:
    """Pydantic models behind the records (named as the records are, for JSON Schema)."""

    class DecisionRecord(BaseModel):
        """A decision record's schema: what validates records read back and what their JSON looks like."""

        model_config = ConfigDict(frozen=True, extra="forbid", title="DecisionRecord")

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
        outcome: Outcome | CheckpointOutcome | SelectionOutcome
        stop_reason: str | None = None
        message: str = ""
        stage: str | None = None
        speaker: str | None = None


_RecordSchema = _Schemas.DecisionRecord


class DecisionRecord:
    """One decision of a proxy about one incoming message: an immutable record.

    A record is small (a proxy keeps one per message, so a long chat keeps thousands) and speaks the
    Pydantic model API at the edges: ``record.model_dump()``, ``record.model_dump_json()``,
    ``DecisionRecord.model_validate(data)``, ``DecisionRecord.model_validate_json(line)``,
    ``DecisionRecord.model_json_schema()`` and ``record.model_copy(update=...)``. Building one by hand
    validates every field, as a Pydantic model does.

    Attributes:
        time: when the decision was complete (UTC).
        agent: the proxy's name.
        sender: the name of the agent that delivered the message (in a group chat, the chat manager).
        turn: the position of the message in the conversation (1-based).
        auto_replies: consecutive auto-replies to this sender before this message.
        auto_reply_limit: the limit in force.
        policy: the proxy's policy, as it prints.
        fired: the part of the policy that settled the decision.
        reason: why it decided so.
        asked: whether the human was asked.
        prompt: the prompt, if asked.
        answer: the answer used, if asked (after a timeout or EOF, the fallback answer).
        input_event: how the answer came about, if asked: ``answered``, or ``timeout``, ``eof`` or
            ``interrupt`` when the provider's fallback answer was used instead.
        outcome: ``human_reply``, ``auto_reply`` or ``stop``; for a workflow checkpoint ``approved``,
            ``redirected`` or ``aborted``; for a question about a group chat's next speaker (``policy`` and
            ``fired`` are ``"speaker_selection"``) ``selected``, ``fallback``, ``invalid`` or ``stop``.
        stop_reason: why the chat stopped, for ``stop``; why the workflow stopped, for ``aborted``.
        message: the incoming message's text, cut to 500 characters (at a checkpoint: the assistant's last message).
        stage: the workflow stage, on the record of its checkpoint (``None`` on a proxy's records). Such a
            record's ``agent`` is the stage's proxy, ``sender`` the assistant, ``turn`` the position of
            the assistant's last message, and ``policy`` and ``fired`` are ``"checkpoint"``.
        speaker: the name of the agent that wrote the message: in a group chat its author, in a two-agent
            chat the sender (``None`` in records written before it was kept).

    Examples:
        >>> record = DecisionRecord(
        ...     agent="user", sender="assistant", turn=2, auto_replies=0, auto_reply_limit=10,
        ...     policy="Never()", fired="Never()", reason="Never() never asks", asked=False, outcome="auto_reply",
        ... )
        >>> record.turn, record.outcome
        (2, 'auto_reply')
        >>> DecisionRecord.model_validate_json(record.model_dump_json()) == record
        True
    """

    __slots__ = ("_values",)

    _values: tuple[Any, ...]
    model_fields: ClassVar[dict[str, FieldInfo]]  # the fields, as on a Pydantic model

    def __init__(
        self,
        *,
        time: datetime | None = None,
        agent: str,
        sender: str | None,
        turn: int,
        auto_replies: int,
        auto_reply_limit: int,
        policy: str,
        fired: str,
        reason: str,
        asked: bool,
        prompt: str | None = None,
        answer: str | None = None,
        input_event: InputEvent | None = None,
        outcome: Outcome | CheckpointOutcome | SelectionOutcome,
        stop_reason: str | None = None,
        message: str = "",
        stage: str | None = None,
        speaker: str | None = None,
    ) -> None:
        """Build a record, validating every field (``time`` defaults to now)."""
        fields = dict(locals())
        del fields["self"]
        if time is None:
            del fields["time"]
        _set_values(self, _values_of(_RecordSchema.model_validate(fields)))

    # -- the fields ---------------------------------------------------------------------------------------
    @property
    def time(self) -> datetime:
        """When the decision was complete (UTC)."""
        stamp = self._values[0]
        return stamp if type(stamp) is datetime else datetime.fromtimestamp(stamp, timezone.utc)

    @property
    def agent(self) -> str:
        """The proxy's name."""
        return self._values[1]  # type: ignore[no-any-return]

    @property
    def sender(self) -> str | None:
        """The name of the agent that delivered the message (in a group chat, the chat manager)."""
        return self._values[2]  # type: ignore[no-any-return]

    @property
    def turn(self) -> int:
        """The position of the message in the conversation (1-based)."""
        return self._values[3]  # type: ignore[no-any-return]

    @property
    def auto_replies(self) -> int:
        """Consecutive auto-replies to this sender before this message."""
        return self._values[4]  # type: ignore[no-any-return]

    @property
    def auto_reply_limit(self) -> int:
        """The auto-reply limit in force."""
        return self._values[5]  # type: ignore[no-any-return]

    @property
    def policy(self) -> str:
        """The proxy's policy, as it prints."""
        return self._values[6]  # type: ignore[no-any-return]

    @property
    def fired(self) -> str:
        """The part of the policy that settled the decision."""
        return self._values[7]  # type: ignore[no-any-return]

    @property
    def reason(self) -> str:
        """Why the policy decided so."""
        return self._values[8]  # type: ignore[no-any-return]

    @property
    def asked(self) -> bool:
        """Whether the human was asked."""
        return self._values[9]  # type: ignore[no-any-return]

    @property
    def prompt(self) -> str | None:
        """The prompt, if asked."""
        return self._values[10]  # type: ignore[no-any-return]

    @property
    def answer(self) -> str | None:
        """The answer used, if asked (after a timeout or EOF, the fallback answer)."""
        return self._values[11]  # type: ignore[no-any-return]

    @property
    def input_event(self) -> InputEvent | None:
        """How the answer came about, if asked: ``answered``, ``timeout``, ``eof`` or ``interrupt``."""
        return self._values[12]  # type: ignore[no-any-return]

    @property
    def outcome(self) -> Outcome | CheckpointOutcome | SelectionOutcome:
        """``human_reply``, ``auto_reply`` or ``stop``; at a checkpoint or a speaker selection, what came of it."""
        return self._values[13]  # type: ignore[no-any-return]

    @property
    def stop_reason(self) -> str | None:
        """Why the chat (or the workflow) stopped, for ``stop`` (``aborted``)."""
        return self._values[14]  # type: ignore[no-any-return]

    @property
    def message(self) -> str:
        """The incoming message's text, cut to 500 characters."""
        return self._values[15]  # type: ignore[no-any-return]

    @property
    def stage(self) -> str | None:
        """The workflow stage, on the record of its checkpoint (``None`` on a proxy's records)."""
        return self._values[16]  # type: ignore[no-any-return]

    @property
    def speaker(self) -> str | None:
        """The name of the agent that wrote the message (in a group chat, its author; else the sender)."""
        return self._values[17]  # type: ignore[no-any-return]

    # -- the Pydantic model API ---------------------------------------------------------------------------
    def model_dump(
        self,
        *,
        mode: Literal["python", "json"] = "python",
        include: Collection[str] | None = None,
        exclude: Collection[str] | None = None,
        exclude_none: bool = False,
    ) -> dict[str, Any]:
        """Return the record as a dict; ``mode="json"`` gives JSON-ready values (``time`` as ISO 8601 text).

        ``include`` and ``exclude`` keep or leave out fields by name; ``exclude_none`` leaves out the
        fields that are ``None``, as Pydantic's ``model_dump`` does.
        """
        data = record_data(self)
        if include is not None or exclude is not None or exclude_none:
            data = {
                name: value
                for name, value in data.items()
                if (include is None or name in include)
                and (exclude is None or name not in exclude)
                and not (exclude_none and value is None)
            }
        return pydantic_core.to_jsonable_python(data) if mode == "json" else data

    def model_dump_json(
        self,
        *,
        indent: int | None = None,
        include: Collection[str] | None = None,
        exclude: Collection[str] | None = None,
        exclude_none: bool = False,
    ) -> str:
        """Return the record as JSON: by default one line, as [`JsonlAudit`][hitl.stores.audit.JsonlAudit] writes it."""
        data = self.model_dump(include=include, exclude=exclude, exclude_none=exclude_none)
        return pydantic_core.to_json(data, indent=indent).decode("utf-8")

    def model_copy(self, *, update: Mapping[str, Any] | None = None) -> DecisionRecord:
        """Return a copy, with the fields in ``update`` replaced (validated)."""
        return DecisionRecord.model_validate(self.model_dump() | dict(update or {})) if update else self

    @classmethod
    def model_validate(cls, obj: object) -> DecisionRecord:
        """Validate a dict (or a record) as a record; raises ``pydantic.ValidationError`` if it is not one."""
        if isinstance(obj, DecisionRecord):
            return obj
        return new_record(_values_of(_RecordSchema.model_validate(obj)))

    @classmethod
    def model_validate_json(cls, data: str | bytes) -> DecisionRecord:
        """Validate one JSON text as a record; raises ``pydantic.ValidationError`` if it is not one."""
        return new_record(_values_of(_RecordSchema.model_validate_json(data)))

    @classmethod
    def model_json_schema(cls) -> dict[str, Any]:
        """Return the JSON Schema of a record's JSON."""
        return _RecordSchema.model_json_schema()

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        """Let a record be a field of a Pydantic model (or a web response): validated, dumped as its JSON."""
        from_data = core_schema.no_info_after_validator_function(_from_schema, handler.generate_schema(_RecordSchema))
        return core_schema.union_schema(
            [core_schema.is_instance_schema(cls), from_data],
            serialization=core_schema.plain_serializer_function_ser_schema(record_data, when_used="always"),
        )

    # -- value semantics ----------------------------------------------------------------------------------
    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"DecisionRecord is immutable; cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"DecisionRecord is immutable; cannot delete {name!r}")

    def __eq__(self, other: object) -> bool:
        if isinstance(other, DecisionRecord):
            return self._values[1:] == other._values[1:] and self.time == other.time
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.time, *self._values[1:]))

    def __reduce__(self) -> tuple[Any, ...]:
        return new_record, (self._values,)

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={value!r}" for name, value in record_data(self).items())
        return f"DecisionRecord({fields})"


_set_values = DecisionRecord.__dict__["_values"].__set__
DecisionRecord.model_fields = _RecordSchema.model_fields


def new_record(values: tuple[Any, ...]) -> DecisionRecord:
    """Build a record from values known to be valid, in field order (the proxy's own; no validation).

    ``time`` may be a POSIX timestamp (``time.time()``), read as a UTC datetime.
    """
    record = object.__new__(DecisionRecord)
    _set_values(record, values)
    return record


def record_data(record: DecisionRecord) -> dict[str, Any]:
    """Return a record's fields as a dict, ``time`` as a datetime (what ``model_dump()`` returns, faster)."""
    data = dict(zip(_FIELDS, record._values, strict=False))  # strict costs time, and the lengths match
    data["time"] = record.time
    return data


def _from_schema(model: _RecordSchema) -> DecisionRecord:
    return new_record(_values_of(model))


def _values_of(model: _RecordSchema) -> tuple[Any, ...]:
    return tuple(getattr(model, name) for name in _FIELDS)
