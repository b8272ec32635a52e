"""Limits: how long a proxy may run without a human, and how long a whole chat may run."""

from __future__ import annotations

import reprlib
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

__all__ = ["Limits"]


def _check_int(value: Any, *, field: str, minimum: int, none_means: str) -> Any:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(
            f"Limits.{field} must be an int >= {minimum} or None (got {reprlib.repr(value)} of type "
            f"{type(value).__name__}); None means {none_means}"
        )
    if value < minimum:
        raise ValueError(f"Limits.{field} must be >= {minimum} (got {_shown(value)}); use None for {none_means}")
    if value > MAX_LIMIT:
        raise ValueError(f"Limits.{field} must be <= {MAX_LIMIT:,} (got {_shown(value)}); use None for {none_means}")
    return value


#: The largest limit accepted: a billion turns or auto-replies is beyond any chat; larger is a mistake.
MAX_LIMIT = 1_000_000_000


def _shown(value: int) -> str:
    """Show an int as text, even one of more digits than Python prints (where ``str`` raises)."""
    try:
        return str(value)
    except ValueError:
        return f"an int of about {value.bit_length() * 3 // 10:,} digits"


class Limits(BaseModel):
    """How long a proxy may run without a human, and how long a whole chat may run.

    Attributes:
        max_consecutive_auto_reply: how many auto-replies in a row the proxy may send to one sender
            before the limit is reached. The count resets whenever a human replies. When the limit is
            reached, a policy that does not ask stops the chat, and ``Terminate()`` asks the human.
            ``None`` means AutoGen's own default, ``ConversableAgent.MAX_CONSECUTIVE_AUTO_REPLY`` (100);
            ``0`` means the proxy never auto-replies.
        max_turns: how many round trips a chat started by this proxy may take, when the caller of
            ``initiate_chat`` gives no ``max_turns``. ``None`` means no limit on turns.

    Both must be ints (not bools, floats or strings); anything else is a ``pydantic.ValidationError``
    that names the field.

    Examples:
        >>> from hitl import Limits
        >>> Limits(max_consecutive_auto_reply=10, max_turns=20)
        Limits(max_consecutive_auto_reply=10, max_turns=20)
        >>> Limits(max_turns=0)
        Traceback (most recent call last):
        ...
        pydantic_core._pydantic_core.ValidationError: 1 validation error for Limits
        max_turns
          Value error, Limits.max_turns must be >= 1 (got 0); use None for no limit on turns ...
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_consecutive_auto_reply: int | None = None
    max_turns: int | None = None

    @field_validator("max_consecutive_auto_reply", mode="before")
    @classmethod
    def _check_auto_reply(cls, value: Any) -> Any:
        return _check_int(
            value, field="max_consecutive_auto_reply", minimum=0, none_means="AutoGen's default limit (100)"
        )

    @field_validator("max_turns", mode="before")
    @classmethod
    def _check_turns(cls, value: Any) -> Any:
        return _check_int(value, field="max_turns", minimum=1, none_means="no limit on turns")
