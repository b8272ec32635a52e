r"""Conditions: composable predicates over a message, for ``When(...)`` and for termination.

A condition answers *is this message X?* It is a pure function of a [`TurnContext`][hitl.core.context.TurnContext], and
it is callable two ways:

* with a ``TurnContext``, so it works anywhere a predicate does: ``When(has_code_block)``;
* with a message dict, so it works as ``is_termination_msg=`` on **any** AutoGen agent. Called that way
  it never raises, whatever the message holds (``content`` None, a list of parts, a number, no keys).

Conditions combine with ``|``, ``&`` and ``~`` (flattened, with reprs that read as the expression), and
combine with policies too: ``has_code_block | Terminate()`` is ``When(has_code_block) | Terminate()``.
This module holds what a condition is and how conditions compose; the ready conditions (``Keyword``,
``has_code_block``, ``FromSender``...) live in [`hitl.core.condition_library`][hitl.core.condition_library], and
are imported from here.

Examples:
    >>> from hitl.core.conditions import Keyword, has_code_block, asks_question
    >>> done = Keyword("TERMINATE")
    >>> done({"content": "All tests pass. TERMINATE"})
    True
    >>> done({"content": None, "tool_calls": []})
    False
    >>> review = has_code_block | (asks_question & ~done)
    >>> review
    has_code_block | asks_question & ~Keyword('TERMINATE')
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from .algebra import Algebra, Both, Either, Negation, Operand, call_predicate, callable_name
from .context import TurnContext
from .errors import PolicyError
from .lazy import lazy_names
from .policies import InputPolicy

if TYPE_CHECKING:
    from .condition_library import (
        AfterAutoReplies,
        AsksQuestion,
        Contains,
        EveryNth,
        FromSender,
        HasCodeBlock,
        HasToolCall,
        Keyword,
        LongerThan,
        Matches,
        asks_question,
        has_code_block,
        has_tool_call,
    )
    from .condition_library import known_language as known_language
    from .condition_library import known_patterns as known_patterns

__all__ = [
    "AfterAutoReplies",
    "AllConditions",
    "AnyCondition",
    "AsksQuestion",
    "Condition",
    "Contains",
    "EveryNth",
    "FromSender",
    "FunctionCondition",
    "HasCodeBlock",
    "HasToolCall",
    "Keyword",
    "LongerThan",
    "Matches",
    "NotCondition",
    "asks_question",
    "condition",
    "has_code_block",
    "has_tool_call",
]


def _as_context(subject: object) -> TurnContext:
    if isinstance(subject, TurnContext):
        return subject
    if isinstance(subject, Mapping):
        name = subject.get("name")
        return TurnContext(subject, sender=name if isinstance(name, str) else None)
    if isinstance(subject, str):
        return TurnContext({"content": subject})
    return TurnContext({})


class Condition(Operand["Condition"], ABC):
    """The base of every condition: a pure predicate over one message, composable with ``|``, ``&``, ``~``.

    Subclass it and implement ``test``; or wrap any function with [`condition`][hitl.core.conditions.condition].
    The operators are [`Operand`][hitl.core.algebra.Operand]'s.

    Examples:
        >>> from hitl import TurnContext
        >>> from hitl.core.conditions import Condition
        >>> class Shouting(Condition):
        ...     def test(self, ctx):
        ...         return ctx.text.isupper()
        ...     def __repr__(self):
        ...         return "Shouting()"
        >>> Shouting()({"content": "STOP"}), Shouting()(TurnContext("calm"))
        (True, False)
    """

    __slots__ = ()
    #: Tells TurnContext to evaluate this termination check on the whole context, not the bare message.
    _hitl_takes_context = True

    @abstractmethod
    def test(self, ctx: TurnContext) -> bool:
        """Whether the message in ``ctx`` satisfies the condition."""

    def explain(self, ctx: TurnContext) -> str:
        """Say whether the condition holds for ``ctx``, naming the parts of a composed one that decided.

        Examples:
            >>> from hitl import TurnContext
            >>> from hitl.core.conditions import Contains, has_code_block
            >>> (has_code_block | Contains("error")).explain(TurnContext("no luck"))
            "has_code_block does not hold and Contains('error') does not hold"
        """
        return f"{self!r} {'holds' if self.test(ctx) else 'does not hold'}"

    def __call__(self, subject: TurnContext | Mapping[str, Any] | str) -> bool:
        """Test a TurnContext, or a bare message dict (as AutoGen's ``is_termination_msg`` is called).

        A bare message has no history: conditions about history see it as the first message, with no
        auto-replies so far.
        """
        return self.test(subject if isinstance(subject, TurnContext) else _as_context(subject))

    # With a policy on the other side, the operators return NotImplemented and the policy's own operator builds the
    # composition, so ``has_code_block | Terminate()`` is an InputPolicy (as the types say).
    def _coerce(self, value: object) -> Condition | None:
        if isinstance(value, Condition):
            return value
        if isinstance(value, InputPolicy) or not callable(value):
            return None
        return FunctionCondition(value)


class _Junction(Condition):
    """What ``AnyCondition`` and ``AllConditions`` mean: an operand whose truth is ``_settles`` decides."""

    __slots__ = ()
    operands: tuple[Condition, ...]
    _field = "operands"
    _settles: ClassVar[bool]

    def test(self, ctx: TurnContext) -> bool:
        """True when any operand holds (``|``), or every operand (``&``); stops at the operand that decides."""
        settles = self._settles
        for operand in self.operands:
            if (not operand.test(ctx)) is not settles:  # this operand's truth is settles: it decides
                return settles
        return not settles

    def explain(self, ctx: TurnContext) -> str:
        """Name the operand that decides (the first that holds for ``|``, that does not for ``&``); else each one."""
        settles = self._settles
        for operand in self.operands:
            if (not operand.test(ctx)) is not settles:
                return operand.explain(ctx)
        return " and ".join(operand.explain(ctx) for operand in self.operands) or Condition.explain(self, ctx)


@dataclass(frozen=True, slots=True, init=False, repr=False)
class AnyCondition(Either[Condition], _Junction):
    """True when any operand is: what ``a | b`` builds (flattened, short-circuiting).

    Examples:
        >>> from hitl.core.conditions import Contains, has_code_block
        >>> either = (has_code_block | Contains("error")) | Contains("failed")
        >>> len(either.operands), either({"content": "Build failed"})
        (3, True)
    """

    operands: tuple[Condition, ...]


@dataclass(frozen=True, slots=True, init=False, repr=False)
class AllConditions(Both[Condition], _Junction):
    """True when every operand is: what ``a & b`` builds (flattened, short-circuiting).

    Examples:
        >>> from hitl.core.conditions import Contains, asks_question
        >>> (asks_question & Contains("deploy"))({"content": "Shall I deploy now?"})
        True
    """

    operands: tuple[Condition, ...]


@dataclass(frozen=True, slots=True, repr=False)
class NotCondition(Negation[Condition], Condition):
    """True when the operand is not: what ``~a`` builds. ``~~a`` is ``a``.

    Examples:
        >>> from hitl.core.conditions import has_code_block
        >>> ~has_code_block, ~~has_code_block
        (~has_code_block, has_code_block)
    """

    operand: Condition
    _field = "operand"

    def test(self, ctx: TurnContext) -> bool:
        """True when the operand does not hold."""
        return not self.operand.test(ctx)

    def explain(self, ctx: TurnContext) -> str:
        """Say why the operand does or does not hold: the reason this one holds or does not."""
        return self.operand.explain(ctx)


@dataclass(frozen=True, slots=True)
class FunctionCondition(Condition):
    """Any function of a TurnContext, as a condition; see [`condition`][hitl.core.conditions.condition].

    Examples:
        >>> from hitl import TurnContext
        >>> def from_bot(ctx):
        ...     return ctx.sender == "bot"
        >>> FunctionCondition(from_bot)(TurnContext("hi", sender="bot"))
        True
    """

    function: Callable[[TurnContext], bool]
    name: str | None = None

    def __post_init__(self) -> None:
        if not callable(self.function):
            raise TypeError(f"condition() takes a callable of a TurnContext (got {self.function!r})")

    def test(self, ctx: TurnContext) -> bool:
        """Call the function; an exception or a non-bool result is a [`PolicyError`][hitl.core.errors.PolicyError]."""
        return call_predicate(self.function, ctx, self, PolicyError)

    def __repr__(self) -> str:
        return self.name if self.name is not None else callable_name(self.function)


def condition(function: Callable[[TurnContext], bool], *, name: str | None = None) -> Condition:
    """Turn any function of a TurnContext into a condition, so it composes and works as ``is_termination_msg``.

    Unlike the built-in conditions, a wrapped function can fail: an exception, or a result that is not
    a bool, becomes a [`PolicyError`][hitl.core.errors.PolicyError] naming it (never a silent False).

    Examples:
        >>> from hitl.core.conditions import condition
        >>> short = condition(lambda ctx: len(ctx.text) < 5, name="short")
        >>> (short | ~short)({"content": "hi"})
        True
        >>> short
        short
    """
    return FunctionCondition(function, name)


Condition._algebra = Algebra(
    Condition, AnyCondition, AllConditions, NotCondition, "conditions", ", and call it with a message to test it"
)

#: The library of conditions (every name above not defined here) lives in
#: [`hitl.core.condition_library`][hitl.core.condition_library], which builds on this module, so it is imported on first
#: use; ``known_language`` and ``known_patterns`` check what the approval gates are given too.
_LIBRARY = [*(name for name in __all__ if name not in globals()), "known_language", "known_patterns"]
if not TYPE_CHECKING:  # the type checker sees the imports above, so a misspelt name is still an error
    __getattr__ = lazy_names(__name__, dict.fromkeys(_LIBRARY, "hitl.core.condition_library"), globals())


def __dir__() -> list[str]:
    return sorted({*globals(), *_LIBRARY})
