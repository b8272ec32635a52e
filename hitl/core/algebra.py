"""What policies, conditions and auto-replies share: the algebra's flattening and reprs, and wrapped functions.

The names of the functions they wrap, and fail-closed truth: a wrapped function that does not say True
or False is an error.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable
from typing import Any


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


def is_coroutine_callable(func: object) -> bool:
    """Whether calling ``func`` returns an awaitable: async functions, partials of them, async ``__call__``."""
    while hasattr(func, "func") and not inspect.isroutine(func):  # functools.partial
        func = func.func
    if inspect.iscoroutinefunction(func):
        return True
    call = getattr(func, "__call__", None)  # noqa: B004 - an object's async __call__ is what we look for
    return call is not None and not inspect.isroutine(func) and inspect.iscoroutinefunction(call)
