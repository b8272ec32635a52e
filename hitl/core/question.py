"""The question: what a human is asked, as one value that every provider, store and inbox passes around.

A [`Question`][hitl.core.question.Question] says who asks and about what (the prompt, and for an approval
the exact code or tool calls), what each answer does, and until when an answer is awaited. Its text is
safe to show as it is: ``prompt`` and ``detail`` hold no control or invisible characters (they are
escaped when the question is made, and refused when a question is read back). It is JSON both ways, with
a format number: a question written by a later format is refused, not misread.

Examples:
    >>> question = Question.new(
    ...     kind="approval", agent="user", sender="coder", conversation="review-42",
    ...     prompt="Press enter to run it: ", subjects=[Subject.of_code("python", "print('hi')")],
    ...     detail="[1] python\\n    print('hi')",
    ... )
    >>> Question.from_json(question.to_json()) == question
    True
    >>> question.answers.enter
    'run it'
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Final, Literal, get_args

from .text import visible

__all__ = [
    "APPROVAL",
    "CHECKPOINT",
    "FEEDBACK",
    "FORMAT",
    "Answers",
    "Question",
    "QuestionKind",
    "Subject",
]

#: What a question is for: feedback on a message, approval of code or tool calls about to run, or a
#: workflow checkpoint.
QuestionKind = Literal["feedback", "approval", "checkpoint"]
#: The JSON format this version writes (and the newest it reads).
FORMAT: Final = 1


@dataclass(frozen=True, slots=True)
class Answers:
    """What each kind of answer does, in words a console prints or an inbox shows beside each choice.

    Attributes:
        enter: what an empty answer (Enter) does.
        exit: what ``exit`` does.
        text: what any other text does.
    """

    enter: str
    exit: str
    text: str


#: Feedback on a message: Enter lets the auto-reply happen (or stops, on a termination message).
FEEDBACK: Final = Answers(enter="skip: auto-reply", exit="stop the conversation", text="reply with this text")
#: Approval of code or tool calls about to run.
APPROVAL: Final = Answers(enter="run it", exit="stop the conversation", text="refuse it, with this text as feedback")
#: A workflow checkpoint.
CHECKPOINT: Final = Answers(enter="approve the stage", exit="stop the workflow", text="send it back with this text")


@dataclass(frozen=True, slots=True)
class Subject:
    """What an approval is about, exactly as it would run (not escaped: an approval is bound to it).

    Attributes:
        kind: ``code`` (a code block) or ``call`` (a tool or function call).
        language: the code block's language (``""`` for a call).
        code: the code block's text (``""`` for a call).
        name: the tool's name (``""`` for code).
        arguments: the call's arguments, as the model wrote them (``""`` for code).
    """

    kind: Literal["code", "call"]
    language: str = ""
    code: str = ""
    name: str = ""
    arguments: str = ""

    @classmethod
    def of_code(cls, language: str, code: str) -> Subject:
        """Name a code block about to run."""
        return cls("code", language=language, code=code)

    @classmethod
    def of_call(cls, name: str, arguments: str) -> Subject:
        """Name a tool or function call about to run."""
        return cls("call", name=name, arguments=arguments)


@dataclass(frozen=True, slots=True, kw_only=True)
class Question:
    """One question to a human.

    Attributes:
        id: unique to this question.
        conversation: the conversation it belongs to (``""`` when there is none to name).
        kind: ``feedback``, ``approval`` or ``checkpoint``.
        agent: the agent (or workflow stage) that asks.
        sender: whose message the question is about, if anyone's.
        prompt: what the human is asked (display-safe).
        detail: what the human should see first, such as the code awaiting approval (display-safe).
        subjects: for an approval, the code blocks and calls it approves, exactly.
        answers: what each answer does.
        asked_at: when it was asked (UTC).
        deadline: when an answer stops being awaited (UTC), if ever.
    """

    id: str
    conversation: str = ""
    kind: QuestionKind
    agent: str
    sender: str | None = None
    prompt: str
    detail: str | None = None
    subjects: tuple[Subject, ...] = ()
    answers: Answers
    asked_at: datetime
    deadline: datetime | None = None

    def __post_init__(self) -> None:
        _check(self)

    @classmethod
    def new(
        cls,
        *,
        kind: QuestionKind,
        agent: str,
        prompt: str,
        sender: str | None = None,
        conversation: str = "",
        detail: str | None = None,
        subjects: Iterable[Subject] = (),
        answers: Answers | None = None,
        deadline: datetime | None = None,
    ) -> Question:
        """Ask a new question now: a fresh id, the prompt and detail escaped, the answers of its kind by default."""
        return cls(
            id=uuid.uuid4().hex,
            conversation=conversation,
            kind=kind,
            agent=agent,
            sender=sender,
            prompt=visible(prompt),
            detail=None if detail is None else visible(detail),
            subjects=tuple(subjects),
            answers=answers or _ANSWERS[kind],
            asked_at=datetime.now(timezone.utc),
            deadline=deadline,
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the question as JSON-ready data (times as ISO 8601 text), with its format number."""
        return {
            "format": FORMAT,
            "id": self.id,
            "conversation": self.conversation,
            "kind": self.kind,
            "agent": self.agent,
            "sender": self.sender,
            "prompt": self.prompt,
            "detail": self.detail,
            "subjects": [
                {"kind": s.kind, "language": s.language, "code": s.code, "name": s.name, "arguments": s.arguments}
                for s in self.subjects
            ],
            "answers": {"enter": self.answers.enter, "exit": self.answers.exit, "text": self.answers.text},
            "asked_at": self.asked_at.isoformat(),
            "deadline": None if self.deadline is None else self.deadline.isoformat(),
        }

    def to_json(self) -> str:
        """Return the question as one line of JSON (non-ASCII escaped: any text can hold it)."""
        return json.dumps(self.to_dict(), ensure_ascii=True)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Question:
        """Read a question back from ``to_dict`` data; raise ``ValueError`` naming what is wrong."""
        if not isinstance(data, Mapping):
            raise ValueError(f"a question is a JSON object, not {type(data).__name__}")
        version = data.get("format")
        if type(version) is not int or version < 1:
            raise ValueError(f"a question needs its format number (1 to {FORMAT}); got {version!r}")
        if version > FORMAT:
            raise ValueError(
                f"this question was written in format {version}; this version of hitl reads up to {FORMAT}"
            )
        expected = {"format", *Question.__dataclass_fields__}
        if unknown := sorted(set(data) - expected):
            raise ValueError(f"a question has no field {unknown[0]!r}")
        try:
            subjects = tuple(_subject(item) for item in data.get("subjects", ()))
            answers = Answers(**_strings(data["answers"], ("enter", "exit", "text"), "answers"))
            return cls(
                id=data["id"],
                conversation=data.get("conversation", ""),
                kind=data["kind"],
                agent=data["agent"],
                sender=data.get("sender"),
                prompt=data["prompt"],
                detail=data.get("detail"),
                subjects=subjects,
                answers=answers,
                asked_at=_time(data["asked_at"], "asked_at"),
                deadline=None if data.get("deadline") is None else _time(data["deadline"], "deadline"),
            )
        except KeyError as missing:
            raise ValueError(f"a question needs the field {missing.args[0]!r}") from None

    @classmethod
    def from_json(cls, text: str | bytes) -> Question:
        """Read a question back from ``to_json``; raise ``ValueError`` naming what is wrong."""
        return cls.from_dict(json.loads(text))


_ANSWERS: Final[dict[str, Answers]] = {"feedback": FEEDBACK, "approval": APPROVAL, "checkpoint": CHECKPOINT}


def _check(question: Question) -> None:
    for name in ("id", "agent"):
        value = getattr(question, name)
        if not isinstance(value, str) or not value:
            raise ValueError(f"a question's {name} is a non-empty text (got {value!r})")
    if question.kind not in get_args(QuestionKind):
        raise ValueError(f"a question's kind is one of {', '.join(get_args(QuestionKind))} (got {question.kind!r})")
    for name in ("conversation", "prompt"):
        if not isinstance(getattr(question, name), str):
            raise ValueError(f"a question's {name} is a text (got {getattr(question, name)!r})")
    for name in ("sender", "detail"):
        if getattr(question, name) is not None and not isinstance(getattr(question, name), str):
            raise ValueError(f"a question's {name} is a text or None (got {getattr(question, name)!r})")
    for name in ("prompt", "detail"):
        text = getattr(question, name)
        if text is not None and visible(text) != text:
            raise ValueError(f"a question's {name} holds control or invisible characters: {visible(text)[:80]!r}")
    if not isinstance(question.answers, Answers):
        raise ValueError(f"a question's answers are an Answers (got {question.answers!r})")
    if not all(isinstance(subject, Subject) for subject in question.subjects):
        raise ValueError("a question's subjects are Subject values")
    for name in ("asked_at", "deadline"):
        moment = getattr(question, name)
        if moment is not None and (not isinstance(moment, datetime) or moment.utcoffset() is None):
            raise ValueError(f"a question's {name} is a datetime with a time zone (got {moment!r})")


def _strings(data: object, names: tuple[str, ...], owner: str) -> dict[str, str]:
    if not isinstance(data, Mapping) or set(data) != set(names) or not all(isinstance(data[n], str) for n in names):
        raise ValueError(f"a question's {owner} are texts named {', '.join(names)} (got {data!r})")
    return {name: data[name] for name in names}


def _subject(data: object) -> Subject:
    fields = _strings(
        {key: value for key, value in data.items() if key != "kind"} if isinstance(data, Mapping) else data,
        ("language", "code", "name", "arguments"),
        "subjects",
    )
    kind = data.get("kind") if isinstance(data, Mapping) else None
    if kind not in ("code", "call"):
        raise ValueError(f"a question's subject is code or a call (got {kind!r})")
    return Subject(kind, **fields)


def _time(text: object, name: str) -> datetime:
    if not isinstance(text, str):
        raise ValueError(f"a question's {name} is ISO 8601 text (got {text!r})")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"a question's {name} is ISO 8601 text (got {text!r})") from None
    if moment.utcoffset() is None:
        raise ValueError(f"a question's {name} needs a time zone (got {text!r})")
    return moment
