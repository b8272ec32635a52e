"""The algebra policies and conditions share, written once: ``|``, ``&`` and ``~``, and fail-closed truth.

[`Operand`][hitl.core.algebra.Operand] is the base of both kinds, [`InputPolicy`][hitl.core.policies.InputPolicy] and
[`Condition`][hitl.core.conditions.Condition]: it gives them the operators, and refuses them a truth value.
[`Either`][hitl.core.algebra.Either], [`Both`][hitl.core.algebra.Both] and [`Negation`][hitl.core.algebra.Negation]
are the machinery of what the operators build (``AnyOf``, ``AllOf`` and ``Not`` for policies; ``AnyCondition``,
``AllConditions`` and ``NotCondition`` for conditions): operands flattened (``(a | b) | c`` holds ``(a, b, c)``),
reprs that read as the expression, and ``~~a`` is ``a``. Each kind adds only what its composites mean.

The rest is shared with the auto-replies: the names of the functions they wrap, and fail-closed truth: a wrapped
function that does not say True or False is an error.

Examples:
    >>> from hitl import Terminate, When
    >>> from hitl.core.conditions import Contains, has_code_block
    >>> (has_code_block | Contains("error")) & ~has_code_block
    (has_code_block | Contains('error')) & ~has_code_block
    >>> Terminate() | has_code_block
    Terminate() | When(has_code_block)
"""

from __future__ import annotations

import functools
import inspect
from abc import abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar, cast

if TYPE_CHECKING:
    from .context import TurnContext

__all__ = [
    "Algebra",
    "Both",
    "Either",
    "Junction",
    "Negation",
    "Operand",
    "call_predicate",
    "callable_name",
    "flatten",
    "is_coroutine_callable",
    "join",
    "truth",
]

#: The kind of operand an algebra is over: ``InputPolicy`` or ``Condition``.
K = TypeVar("K", bound="Operand[Any]")
_T = TypeVar("_T")


@dataclass(frozen=True)
class Algebra:
    """What ``|``, ``&`` and ``~`` build for one kind of operand: the kind's module sets it once they exist.

    Attributes:
        kind: the kind's base class, which every operand is an instance of.
        any: what ``a | b`` builds (an [`Either`][hitl.core.algebra.Either]).
        all: what ``a & b`` builds (a [`Both`][hitl.core.algebra.Both]).
        negation: what ``~a`` builds (a [`Negation`][hitl.core.algebra.Negation]).
        plural: what the operands are called, for the error that ``bool(operand)`` raises.
        truth_hint: what that error adds.
    """

    kind: type[Any]
    any: Callable[..., Any]
    all: Callable[..., Any]
    negation: Callable[..., Any]
    plural: str
    truth_hint: str = ""


class Operand(Generic[K]):
    """The base of policies and conditions: ``|``, ``&`` and ``~`` compose them, and they have no truth value.

    ``K`` is the kind (``InputPolicy`` or ``Condition``). Either side of ``|`` and ``&`` may be anything the
    kind takes as an operand (for both kinds, a plain function of a ``TurnContext``); when the other side
    cannot be one, the operator returns ``NotImplemented``, so the other side's operator builds the
    composition: a condition and a policy make a policy.

    Examples:
        >>> from hitl import Always, Terminate
        >>> ~(Always() & Terminate()) | (lambda ctx: ctx.turn > 3)
        ~(Always() & Terminate()) | When(<lambda>)
        >>> bool(Terminate())
        Traceback (most recent call last):
        ...
        TypeError: Terminate() has no truth value: combine policies with |, & and ~ rather than 'or', 'and' and 'not'
    """

    __slots__ = ()
    #: What the operators build for this kind, set by the kind's module.
    _algebra: ClassVar[Algebra]

    @abstractmethod
    def _coerce(self, value: object) -> K | None:
        """Return ``value`` as an operand of this kind, or None when it cannot be one here."""

    def _compose(self, make: Callable[..., Any], other: object, *, reflected: bool = False) -> K:
        """``make(self, other)`` (``make(other, self)`` when reflected), or NotImplemented for the other side to try."""
        operand = self._coerce(other)
        if operand is None:
            return cast("K", NotImplemented)
        return cast("K", make(operand, self) if reflected else make(self, operand))

    def __or__(self, other: K | Callable[[TurnContext], bool]) -> K:
        return self._compose(self._algebra.any, other)

    def __ror__(self, other: K | Callable[[TurnContext], bool]) -> K:
        return self._compose(self._algebra.any, other, reflected=True)

    def __and__(self, other: K | Callable[[TurnContext], bool]) -> K:
        return self._compose(self._algebra.all, other)

    def __rand__(self, other: K | Callable[[TurnContext], bool]) -> K:
        return self._compose(self._algebra.all, other, reflected=True)

    def __invert__(self) -> K:
        return cast("K", self._algebra.negation(self))

    def __bool__(self) -> bool:
        algebra = self._algebra
        raise TypeError(
            f"{self!r} has no truth value: combine {algebra.plural} with |, & and ~ rather than 'or', 'and' and 'not'"
            + algebra.truth_hint
        )


class Junction(Operand[K]):
    """The machinery of what ``|`` and ``&`` build: flattened operands, printed as the expression.

    A composite keeps its operands, flattened, in the dataclass field that ``_field`` names, and leaves
    ``__init__`` and ``__repr__`` to this class (its ``@dataclass`` says ``init=False, repr=False``).
    """

    __slots__ = ()
    #: The field that holds the operands (``policies`` for ``AnyOf``, ``operands`` for ``AnyCondition``).
    _field: ClassVar[str]
    #: The operator, as printed.
    _symbol: ClassVar[str]
    #: The operand truth that settles the whole: True for ``|`` (one true operand), False for ``&``.
    _settles: ClassVar[bool]
    #: The operands that bind more loosely, so are printed in parentheses.
    _looser: ClassVar[tuple[type[Any], ...]]

    def __init__(self, *operands: K) -> None:
        kind = type(self)
        flat = flatten(operands, kind=kind, base=self._algebra.kind, owner=kind.__name__, attr=self._field)
        object.__setattr__(self, self._field, flat)

    def __repr__(self) -> str:
        operands = getattr(self, self._field)
        return join(operands, self._symbol, needs_parens=self._looser) if operands else f"{type(self).__name__}()"


class Either(Junction[K]):
    """What ``a | b`` builds: it holds (or asks) when any operand does. See [`Junction`][hitl.core.algebra.Junction]."""

    __slots__ = ()
    _symbol = "|"
    _settles = True
    _looser = ()


class Both(Junction[K]):
    """What ``a & b`` builds: it holds (or asks) when every operand does. See [`Junction`][hitl.core.algebra.Junction].

    An ``Either`` operand is printed in parentheses: ``(a | b) & c``.
    """

    __slots__ = ()
    _symbol = "&"
    _settles = False
    _looser = (Either,)


class Negation(Operand[K]):
    """The machinery of what ``~a`` builds: its one operand checked, ``~~a`` is ``a``, ``~(a | b)`` printed so.

    A negation keeps its operand in the dataclass field that ``_field`` names, and leaves ``__repr__`` to
    this class (its ``@dataclass`` says ``repr=False``).
    """

    __slots__ = ()
    #: The field that holds the operand (``policy`` for ``Not``, ``operand`` for ``NotCondition``).
    _field: ClassVar[str]

    def __post_init__(self) -> None:
        operand, kind = getattr(self, self._field), self._algebra.kind
        if not isinstance(operand, kind):
            article = "an" if kind.__name__[0] in "AEIOU" else "a"
            raise TypeError(f"{type(self).__name__}() takes {article} {kind.__name__} (got {operand!r})")

    def __invert__(self) -> K:
        return cast("K", getattr(self, self._field))

    def __repr__(self) -> str:
        return "~" + join((getattr(self, self._field),), "", needs_parens=(Junction,))


def flatten(
    operands: Iterable[object], *, kind: type[Any], base: type[Any], owner: str, attr: str = "operands"
) -> tuple[Any, ...]:
    """Replace every ``kind`` operand by its own operands: ``(a | b) | c`` holds ``(a, b, c)``."""
    flat: list[Any] = []
    for operand in operands:
        if isinstance(operand, kind):
            flat.extend(getattr(operand, attr))
        elif isinstance(operand, base):
            flat.append(operand)
        else:
            raise TypeError(f"{owner}() takes {base.__name__} operands (got {operand!r})")
    return tuple(flat)


def join(operands: Iterable[object], symbol: str, *, needs_parens: tuple[type[Any], ...]) -> str:
    """Join operand reprs with `` | `` or `` & ``, parenthesising those that bind more loosely."""
    return f" {symbol} ".join(
        f"({operand!r})" if isinstance(operand, needs_parens) else repr(operand) for operand in operands
    )


def callable_name(function: object) -> str:
    """Name a wrapped function as its wrapper prints it: its ``__name__``, a partial's function, else its repr.

    Examples:
        >>> import functools
        >>> callable_name(len), callable_name(functools.partial(max, 3)), callable_name(lambda ctx: True)
        ('len', 'partial(max, ...)', '<lambda>')
    """
    if isinstance(function, functools.partial):
        return f"partial({callable_name(function.func)}, ...)"
    name = getattr(function, "__name__", None)
    return name if isinstance(name, str) and name else repr(function)


def truth(result: object, owner: object, error: Callable[[str], Exception]) -> bool:
    """Return ``result`` if it is True or False; otherwise raise ``error`` naming ``owner`` and the value.

    A predicate that returns ``None`` (a forgotten ``return``) or a match object must not pass for False:
    that would turn a broken check into a silent auto-reply.
    """
    if result is True or result is False:
        return result
    raise error(
        f"{owner!r} returned {result!r} ({type(result).__name__}), not a bool; "
        "it must return True or False (wrap the result in bool(...))"
    )


def call_predicate(
    predicate: Callable[[_T], object],
    subject: _T,
    owner: object,
    error: Callable[[str], Exception],
    *,
    during: str = "on",
) -> bool:
    """Return ``predicate(subject)`` for ``owner``, which wraps it, failing closed.

    An exception from the predicate, or a result that is not True or False (see
    [`truth`][hitl.core.algebra.truth]), is an ``error`` naming ``owner``, never a silent False.

    Examples:
        >>> from hitl import PolicyError
        >>> call_predicate(str.isupper, "STOP", "shouting", PolicyError)
        True
        >>> call_predicate(len, "", "short", PolicyError)
        Traceback (most recent call last):
        ...
        hitl.core.errors.PolicyError: 'short' returned 0 (int), not a bool; it must return True or False ...
    """
    try:
        result = predicate(subject)
    except Exception as exc:
        raise error(f"{owner!r} raised {type(exc).__name__} {during} {subject!r}") from exc
    return truth(result, owner, error)


def is_coroutine_callable(func: object) -> bool:
    """Whether calling ``func`` returns an awaitable: async functions, partials of them, async ``__call__``."""
    while hasattr(func, "func") and not inspect.isroutine(func):  # functools.partial
        func = func.func
    if inspect.iscoroutinefunction(func):
        return True
    call = getattr(func, "__call__", None)  # noqa: B004 - an object's async __call__ is what we look for
    return call is not None and not inspect.isroutine(func) and inspect.iscoroutinefunction(call)
