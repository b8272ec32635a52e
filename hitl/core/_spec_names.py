"""The names of the policy grammar: one table that reads them and writes them back.

Each entry of ``NAMES`` is a name of the grammar: what its parentheses hold, the object it builds from
them, and the objects it writes back, with their argument. The reader (``hitl.core._spec_reader``) and the
writer (``hitl.core.spec``) both go through it, so a new name is one entry here.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from .approval import ApproveCode, ApproveTools
from .conditions import (
    AfterAutoReplies,
    AllConditions,
    AnyCondition,
    AsksQuestion,
    Contains,
    EveryNth,
    FromSender,
    HasCodeBlock,
    HasToolCall,
    Keyword,
    LongerThan,
    Matches,
    NotCondition,
    asks_question,
    has_code_block,
    has_tool_call,
)
from .errors import ConfigurationError
from .policies import AllOf, Always, AnyOf, Never, Not, Terminate, When

MAX_DEPTH = 100
"""How deep parentheses and ``~`` may nest in a text: far beyond any policy a person writes, far below Python's
recursion limit for the objects built (their repr, equality and decisions recurse)."""

#: What a name's parentheses hold: nothing (no parentheses), a whole number, one text (commas included),
#: or a list of values separated by commas.
Takes = Literal["nothing", "number", "text", "values"]

#: What an entry's ``argument`` answers for an object of its class that the name cannot write (a
#: case-insensitive ``Matches``, say): another entry may, or the object has no text form.
NO_FORM: Final = object()

#: A quoted value, by its quote: backslashes escape the next character.
QUOTED = {
    '"': re.compile(r'"([^"\\]*(?:\\.[^"\\]*)*)"', re.DOTALL),
    "'": re.compile(r"'([^'\\]*(?:\\.[^'\\]*)*)'", re.DOTALL),
}


@dataclass(frozen=True, slots=True)
class Name:
    """A name of the grammar: how it is read (``takes``, ``make``) and which objects it writes back.

    ``make`` gets None (no parentheses), an int, a str or a tuple of str, as ``takes`` says; ``argument``
    gives, for an object of class ``cls``, what ``make`` would get to build it again (None: no
    parentheses), or ``NO_FORM``.
    """

    name: str
    takes: Takes
    make: Callable[[Any], Any]
    cls: type
    argument: Callable[[Any], Any]
    policy: bool = False  # a policy only (else a condition, which is a policy as When(condition) too)
    optional: bool = False  # the parentheses may be left out: ``code`` as well as ``code(python)``
    example: str = ""

    def text(self, argument: Any) -> str:
        """Write this name with ``argument`` (what ``argument`` gave), quoting the values that need it."""
        if argument is None or argument == ():
            return self.name
        if self.takes == "number":
            return f"{self.name}({argument})"
        if self.takes == "text":
            return f"{self.name}({write_value(argument, commas=True)})"
        return f"{self.name}({', '.join([write_value(value, commas=False) for value in argument])})"


def _nothing(item: object) -> None:
    return None


def _approve_code_languages(gate: ApproveCode) -> tuple[str, ...]:
    if gate.preview_lines != 10:
        raise ConfigurationError(f"{gate!r} with preview_lines={gate.preview_lines} has no text form")
    return gate.languages


#: Every name, in the order the error for an unknown name lists them.
NAMES: tuple[Name, ...] = (
    Name("never", "nothing", lambda v: Never(), Never, _nothing, policy=True),
    Name("terminate", "nothing", lambda v: Terminate(), Terminate, _nothing, policy=True),
    Name("always", "nothing", lambda v: Always(), Always, _nothing, policy=True),
    Name(
        "code",
        "values",
        lambda v: has_code_block if v is None else HasCodeBlock(*v),
        HasCodeBlock,
        lambda c: c.languages,
        optional=True,
        example="code(python, sh)",
    ),
    Name(
        "tools",
        "values",
        lambda v: has_tool_call if v is None else HasToolCall(*v),
        HasToolCall,
        lambda c: NO_FORM if c.patterns else None,
        optional=True,
        example="tools(run_*)",
    ),
    Name(
        "tool", "values", lambda v: HasToolCall(*v), HasToolCall, lambda c: c.patterns or NO_FORM, example="tool(run_*)"
    ),
    Name("question", "nothing", lambda v: asks_question, AsksQuestion, _nothing),
    Name("after", "number", AfterAutoReplies, AfterAutoReplies, lambda c: c.n, example="after(3)"),
    Name("every", "number", EveryNth, EveryNth, lambda c: c.n, example="every(3)"),
    Name("from", "values", lambda v: FromSender(*v), FromSender, lambda c: c.names, example="from(coder)"),
    Name(
        "contains",
        "text",
        Contains,
        Contains,
        lambda c: NO_FORM if c.case_sensitive or c.whole_word else c.text,
        example="contains(error)",
    ),
    Name("longer", "number", LongerThan, LongerThan, lambda c: c.characters, example="longer(2000)"),
    Name(
        "keyword",
        "text",
        lambda v: Keyword() if v is None else Keyword(v),
        Keyword,
        lambda c: NO_FORM if c.at_end or c.whole_word or not c.case_sensitive else c.word,
        optional=True,
        example="keyword(TERMINATE)",
    ),
    Name(
        "matches",
        "text",
        Matches,
        Matches,
        lambda c: c.pattern if c.case_sensitive else NO_FORM,
        example="matches('exit code: [1-9]')",
    ),
    Name(
        "approve_code",
        "values",
        lambda v: ApproveCode(*(v or ())),
        ApproveCode,
        _approve_code_languages,
        policy=True,
        optional=True,
        example="approve_code(python)",
    ),
    Name(
        "approve_tools",
        "values",
        lambda v: ApproveTools(*(v or ())),
        ApproveTools,
        lambda p: p.patterns,
        policy=True,
        optional=True,
        example="approve_tools(deploy_*)",
    ),
)


@dataclass(frozen=True)
class Grammar:
    """The policy grammar or the condition grammar: the names it reads and writes, and its operators."""

    what: Literal["policy", "condition"]
    reads: Mapping[str, Name]  # each name it reads, building its own kind of object
    writes: tuple[Name, ...]  # the names whose objects it writes as they are (not through When)
    any_of: type  # ``|``; the next three take operands as their arguments
    all_of: type  # ``&``
    not_: type  # ``~``
    operands: Callable[[Any], tuple[Any, ...]]  # of an ``any_of`` or ``all_of``
    negated: Callable[[Any], Any]  # of a ``not_``
    unwritable: str  # the error for an object no name writes, ``{!r}`` for the object
    _by_class: dict[type, tuple[Name, ...]] = field(default_factory=dict, init=False, repr=False, compare=False)

    def name_text(self, item: object) -> str | None:
        """Write a named object (``code(python)``); None when no name of this grammar writes it."""
        cls = type(item)
        names = self._by_class.get(cls)
        if names is None:
            names = self._by_class[cls] = tuple([name for name in self.writes if issubclass(cls, name.cls)])
        for name in names:
            argument = name.argument(item)
            if argument is not NO_FORM:
                return name.text(argument)
        return None


def _as_policy(name: Name) -> Name:
    make = name.make
    return dataclasses.replace(name, make=lambda v: When(make(v)))


CONDITION = Grammar(
    "condition",
    reads={name.name: name for name in NAMES if not name.policy},
    writes=tuple([name for name in NAMES if not name.policy]),
    any_of=AnyCondition,
    all_of=AllConditions,
    not_=NotCondition,
    operands=lambda condition: condition.operands,
    negated=lambda condition: condition.operand,
    unwritable="{!r} has no text form; give it in code, not in configuration",
)
POLICY = Grammar(
    "policy",
    reads={name.name: name if name.policy else _as_policy(name) for name in NAMES},
    writes=tuple([name for name in NAMES if name.policy]),
    any_of=AnyOf,
    all_of=AllOf,
    not_=Not,
    operands=lambda policy: policy.policies,
    negated=lambda policy: policy.policy,
    unwritable="{!r} is a policy class of your own, which has no text form",
)


def write_value(value: str, *, commas: bool) -> str:
    """Write a value bare when it reads back as itself, else quoted (``commas``: the name reads one text)."""
    bare = (
        value
        and value == value.strip()
        and value[0] not in QUOTED
        and "(" not in value
        and ")" not in value
        and (commas or "," not in value)
    )
    if bare:
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
