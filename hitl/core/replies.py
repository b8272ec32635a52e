"""Auto-reply strategies: what the proxy says when no human spoke and nothing else replied.

AutoGen's reply chain runs tool calls, code execution and the LLM (if any) first; only when none of
them produced a reply does the proxy fall back to its auto-reply. AutoGen's is a fixed
``default_auto_reply``; here it can depend on the message:

* [`StaticReply`][hitl.core.replies.StaticReply]: a fixed text or message (AutoGen's ``default_auto_reply``);
* [`CallableReply`][hitl.core.replies.CallableReply]: any function of the
  [`TurnContext`][hitl.core.context.TurnContext];
* [`FirstMatch`][hitl.core.replies.FirstMatch]: ``[(condition, reply), ...]`` rules, the first that holds
  wins, else a default.

A strategy that returns ``None`` sends no reply, which ends the chat. Subclasses of
[`PolicyUserProxy`][hitl.adapters.autogen.proxy.PolicyUserProxy] can override its
[`auto_reply`][hitl.adapters.autogen.proxy.PolicyUserProxy.auto_reply] method instead.

Examples:
    >>> from hitl.core.conditions import asks_question, Contains
    >>> from hitl.core.replies import FirstMatch
    >>> smart = FirstMatch(
    ...     [(asks_question & ~Contains("TERMINATE"), "Please use your best judgment and continue."),
    ...      (~Contains("exitcode:"), "Please proceed with the next step or say TERMINATE if complete.")],
    ...     default="",
    ... )
    >>> from hitl import TurnContext
    >>> smart.reply(TurnContext("Should I use pandas or polars?"))
    'Please use your best judgment and continue.'
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

from .algebra import callable_name, truth
from .context import TurnContext
from .errors import AutoReplyError

__all__ = ["AutoReply", "CallableReply", "FirstMatch", "Reply", "StaticReply", "as_auto_reply"]

#: What an auto-reply is: a text, a message dict, or None for no reply (which ends the chat).
Reply: TypeAlias = "str | dict[str, Any] | None"


def _checked(value: object, owner: object) -> str | dict[str, Any] | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return dict(value)
    raise AutoReplyError(
        f"{owner!r} produced {value!r} ({type(value).__name__}); an auto-reply is a str, a dict or None"
    )


class AutoReply(ABC):
    """The base of every auto-reply strategy: compute the proxy's auto-reply from the TurnContext.

    Examples:
        >>> from hitl import TurnContext
        >>> class Countdown(AutoReply):
        ...     def reply(self, ctx):
        ...         left = ctx.auto_reply_limit - ctx.auto_replies
        ...         return f"{left} auto-replies left; wrap up soon." if left < 3 else "Go on."
        >>> Countdown().reply(TurnContext("...", auto_replies=9, auto_reply_limit=10))
        '1 auto-replies left; wrap up soon.'
    """

    __slots__ = ()

    @abstractmethod
    def reply(self, ctx: TurnContext) -> str | dict[str, Any] | None:
        """Return the auto-reply for the message in ``ctx``: a text, a message dict, or None for none."""


@dataclass(frozen=True, slots=True)
class StaticReply(AutoReply):
    """Always the same reply: AutoGen's ``default_auto_reply``.

    Examples:
        >>> from hitl import TurnContext
        >>> StaticReply("Please continue.").reply(TurnContext("..."))
        'Please continue.'
    """

    message: str | Mapping[str, Any] | None

    def __post_init__(self) -> None:
        _checked(self.message, self)

    def reply(self, ctx: TurnContext) -> str | dict[str, Any] | None:
        """Return the fixed reply (a fresh copy of a dict)."""
        return _checked(self.message, self)


@dataclass(frozen=True, slots=True)
class CallableReply(AutoReply):
    """A reply computed by a function of the TurnContext.

    An exception in the function, or a result that is not a str, a dict or None, is an
    [`AutoReplyError`][hitl.core.errors.AutoReplyError] naming the function.

    Examples:
        >>> from hitl import TurnContext
        >>> CallableReply(lambda ctx: f"Got {len(ctx.text)} characters.").reply(TurnContext("hello"))
        'Got 5 characters.'
    """

    function: Callable[[TurnContext], Any]

    def __post_init__(self) -> None:
        if not callable(self.function):
            raise TypeError(f"CallableReply() takes a function of a TurnContext (got {self.function!r})")

    def reply(self, ctx: TurnContext) -> str | dict[str, Any] | None:
        """Call the function."""
        try:
            value = self.function(ctx)
        except Exception as exc:
            raise AutoReplyError(f"{self!r} raised {type(exc).__name__} on {ctx!r}") from exc
        return _checked(value, self)

    def __repr__(self) -> str:
        return f"CallableReply({callable_name(self.function)})"


def _as_rule_reply(reply: object, what: str = "a FirstMatch reply") -> AutoReply:
    if isinstance(reply, AutoReply):
        return reply
    if reply is None or isinstance(reply, (str, Mapping)):
        return StaticReply(reply)
    if callable(reply):
        return CallableReply(reply)
    raise TypeError(f"{what} is a str, a dict, None, a function of the TurnContext or an AutoReply (got {reply!r})")


@dataclass(frozen=True, slots=True, init=False)
class FirstMatch(AutoReply):
    """The reply of the first rule whose condition holds, or ``default`` when none does.

    Args:
        rules: ``(condition, reply)`` pairs, tried in order. A condition is any
            [`Condition`][hitl.core.conditions.Condition] or function of the TurnContext returning a bool; a reply
            is a text, a message dict, None (no reply), a function of the TurnContext, or an AutoReply.
        default: the reply when no rule holds (same forms); AutoGen's default auto-reply is ``""``.

    Examples:
        >>> from hitl import TurnContext
        >>> from hitl.core.conditions import has_code_block
        >>> rules = FirstMatch([(has_code_block, "Running it.")], default="Go on.")
        >>> rules.reply(TurnContext("no code here"))
        'Go on.'
    """

    rules: tuple[tuple[Callable[[TurnContext], bool], AutoReply], ...]
    default: AutoReply

    def __init__(self, rules: Iterable[tuple[Callable[[TurnContext], bool], Any]], default: Any = "") -> None:
        checked: list[tuple[Callable[[TurnContext], bool], AutoReply]] = []
        for rule in rules:
            if not (isinstance(rule, tuple) and len(rule) == 2 and callable(rule[0])):
                raise TypeError(f"FirstMatch rules are (condition, reply) pairs (got {rule!r})")
            checked.append((rule[0], _as_rule_reply(rule[1])))
        object.__setattr__(self, "rules", tuple(checked))
        object.__setattr__(self, "default", _as_rule_reply(default))

    def reply(self, ctx: TurnContext) -> str | dict[str, Any] | None:
        """Return the first matching rule's reply, or the default's."""
        for condition, reply in self.rules:
            try:
                matched = condition(ctx)
            except Exception as exc:
                raise AutoReplyError(f"the condition {condition!r} of {self!r} raised {type(exc).__name__}") from exc
            if truth(matched, condition, AutoReplyError):
                return reply.reply(ctx)
        return self.default.reply(ctx)

    def __repr__(self) -> str:
        rules = ", ".join(f"({condition!r}, {reply!r})" for condition, reply in self.rules)
        return f"FirstMatch([{rules}], default={self.default!r})"


def as_auto_reply(value: object) -> AutoReply:
    """Turn the shorthands accepted by ``PolicyUserProxy(auto_reply=...)`` into a strategy.

    A str, a dict or None is a [`StaticReply`][hitl.core.replies.StaticReply]; a list of ``(condition, reply)`` pairs is
    a [`FirstMatch`][hitl.core.replies.FirstMatch] with the default ``""``; any other callable is a
    [`CallableReply`][hitl.core.replies.CallableReply].

    Examples:
        >>> as_auto_reply("Please continue.")
        StaticReply(message='Please continue.')
    """
    if isinstance(value, AutoReply):
        return value
    if isinstance(value, list):
        return FirstMatch(value)
    return _as_rule_reply(value, "an auto-reply (or a list of (condition, reply) rules)")
