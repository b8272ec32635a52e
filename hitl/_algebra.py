"""The boolean algebra shared by policies and conditions: flattening and precedence-aware reprs."""

from __future__ import annotations

from collections.abc import Iterable
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
