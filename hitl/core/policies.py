"""Input policies: when the proxy asks a human.

A policy answers one question per incoming message, *ask a human now, or not?*, as a pure function of a
[`TurnContext`][hitl.core.context.TurnContext]. Everything else (what an answer means, when the chat stops) follows
AutoGen's own rules and lives in the proxy. Policies keep no state, so one policy object can serve any number of proxies
and conversations at once.

The three built-ins reproduce AutoGen's ``human_input_mode`` strings exactly:

| policy | AutoGen | asks when |
|---|---|---|
| ``Never()`` | ``"NEVER"`` | never |
| ``Terminate()`` | ``"TERMINATE"`` | a termination message, or the auto-reply limit is reached |
| ``Always()`` | ``"ALWAYS"`` | on every message |

``When(predicate)`` asks whenever ``predicate(context)`` is true, and policies combine with ``|`` (ask if
either asks), ``&`` (ask if both ask) and ``~`` (ask when the other would not). Plain callables of a
``TurnContext`` are accepted on either side of ``|`` and ``&``.

Examples:
    >>> from hitl import Terminate, When, TurnContext
    >>> def has_code(ctx):
    ...     return "```" in ctx.text
    >>> policy = Terminate() | When(has_code)
    >>> policy
    Terminate() | When(has_code)
    >>> policy.decide(TurnContext("```python\\nprint(1)\\n```")).ask
    True
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final, Literal

from .algebra import Algebra, Both, Either, Negation, Operand, call_predicate, callable_name
from .context import TurnContext
from .decisions import Decision
from .decisions import merge as merge
from .errors import PolicyError

__all__ = [
    "AllOf",
    "Always",
    "AnyOf",
    "Decision",
    "InputPolicy",
    "Never",
    "Not",
    "Predicate",
    "Terminate",
    "When",
    "from_mode",
]

#: A predicate over a turn: any callable that takes a TurnContext and returns a bool.
Predicate = Callable[[TurnContext], bool]

#: The native ``human_input_mode`` strings.
HumanInputMode = Literal["NEVER", "TERMINATE", "ALWAYS"]


class InputPolicy(Operand["InputPolicy"], ABC):
    """The base of every policy: decides, for one incoming message, whether a human is asked.

    Subclass it to write a policy of your own: implement ``decide`` as a pure function of the
    context (no I/O, no state), and give the class a readable ``repr``. Frozen dataclasses do both well.
    Policies compose with ``|``, ``&`` and ``~`` (see [`Operand`][hitl.core.algebra.Operand]).

    Examples:
        >>> from dataclasses import dataclass
        >>> from hitl import Decision, InputPolicy, TurnContext
        >>> @dataclass(frozen=True)
        ... class LongMessages(InputPolicy):
        ...     limit: int = 500
        ...     def decide(self, ctx: TurnContext) -> Decision:
        ...         long = len(ctx.text) > self.limit
        ...         return Decision(long, self, f"message is {len(ctx.text)} characters")
        >>> LongMessages(10).decide(TurnContext("a rather long message")).ask
        True
    """

    __slots__ = ()

    @abstractmethod
    def decide(self, ctx: TurnContext) -> Decision:
        """Decide whether to ask the human about the message in ``ctx``."""

    @property
    def can_ask(self) -> bool:
        """False only when the policy can never ask (``Never()``, ``~Always()``, ...)."""
        return True

    @property
    def always_asks(self) -> bool:
        """True only when the policy asks on every message (``Always()``, ``~Never()``, ...)."""
        return False

    @property
    def shows_detail(self) -> bool:
        """True when the policy's questions can carry a ``detail`` (the approval gates do)."""
        return False

    def explain(self, ctx: TurnContext) -> str:
        """Say in one line what the policy decides for ``ctx``, and why.

        Examples:
            >>> from hitl import Terminate, TurnContext
            >>> Terminate().explain(TurnContext("done", is_termination=True))
            'ask: Terminate(): termination message'
        """
        ask = self.decide(ctx).ask
        return f"{'ask' if ask else 'do not ask'}: {'; '.join(self.reasons(ctx))}"

    def reasons(self, ctx: TurnContext) -> list[str]:
        """Name each part of the policy that settled the decision for ``ctx``, with why.

        A composed policy names every part that decided: each one that asked, or, when none asked, each
        one that declined; a ``When`` on a composed condition names the conditions that held.

        Examples:
            >>> from hitl import Terminate, TurnContext, When
            >>> from hitl.core.conditions import Contains, has_code_block
            >>> (Terminate() | When(has_code_block | Contains("error"))).reasons(TurnContext("an error"))
            ["When(has_code_block | Contains('error')): Contains('error') holds"]
        """
        decision = self.decide(ctx)
        return [f"{decision.policy!r}: {decision.reason}"]

    def _coerce(self, value: object) -> InputPolicy | None:
        if isinstance(value, InputPolicy):
            return value
        return When(value) if callable(value) else None


# -- the built-ins ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Never(InputPolicy):
    """Never ask a human: AutoGen's ``human_input_mode="NEVER"``.

    The chat stops on a termination message or when the auto-reply limit is reached.

    Examples:
        >>> from hitl import Never, TurnContext
        >>> Never().decide(TurnContext("anything")).ask
        False
    """

    def decide(self, ctx: TurnContext) -> Decision:
        """Do not ask, whatever the message."""
        return _NEVER

    @property
    def can_ask(self) -> bool:
        """Always False."""
        return False

    def __repr__(self) -> str:
        return "Never()"


@dataclass(frozen=True, slots=True)
class Always(InputPolicy):
    """Ask a human on every message: AutoGen's ``human_input_mode="ALWAYS"``.

    Pressing Enter lets the auto-reply happen (or stops the chat on a termination message); the
    auto-reply limit never stops the chat, since the human is asked every time.

    Examples:
        >>> from hitl import Always, TurnContext
        >>> Always().decide(TurnContext("anything")).ask
        True
    """

    def decide(self, ctx: TurnContext) -> Decision:
        """Ask, whatever the message."""
        return _ALWAYS

    @property
    def always_asks(self) -> bool:
        """Always True."""
        return True

    def __repr__(self) -> str:
        return "Always()"


@dataclass(frozen=True, slots=True)
class Terminate(InputPolicy):
    """Ask on a termination message or when the auto-reply limit is reached: ``human_input_mode="TERMINATE"``.

    Examples:
        >>> from hitl import Terminate, TurnContext
        >>> Terminate().decide(TurnContext("working on it")).ask
        False
        >>> Terminate().decide(TurnContext("done", auto_replies=3, auto_reply_limit=3)).reason
        'auto-reply limit reached'
    """

    def decide(self, ctx: TurnContext) -> Decision:
        """Ask when the auto-reply limit is reached (checked first, as AutoGen does) or on termination."""
        if ctx.auto_replies >= ctx.auto_reply_limit:
            return _TERMINATE_LIMIT
        if ctx.is_termination:
            return _TERMINATE_MESSAGE
        return _TERMINATE_NO

    def __repr__(self) -> str:
        return "Terminate()"


@dataclass(frozen=True, slots=True)
class When(InputPolicy):
    """Ask whenever ``predicate(context)`` is true.

    ``predicate`` is any callable that takes a [`TurnContext`][hitl.core.context.TurnContext] and returns a ``bool``. It
    must return a real bool: anything else (``None`` from a forgotten ``return``, a regex match object) is a
    [`PolicyError`][hitl.core.errors.PolicyError], as is any exception the predicate raises, so that a broken predicate
    can never turn into a silent auto-reply. Wrap other results in ``bool(...)``.

    Examples:
        >>> from hitl import When, TurnContext
        >>> asks_question = When(lambda ctx: ctx.text.rstrip().endswith("?"))
        >>> asks_question.decide(TurnContext("Shall I go on?")).ask
        True
    """

    predicate: Predicate
    _yes: Decision = field(init=False, repr=False, compare=False)
    _no: Decision = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not callable(self.predicate):
            raise TypeError(
                f"When() needs a callable that takes a TurnContext and returns a bool (got {self.predicate!r})"
            )
        object.__setattr__(self, "_yes", Decision(True, self, "predicate is true"))
        object.__setattr__(self, "_no", Decision(False, self, "predicate is false"))

    def decide(self, ctx: TurnContext) -> Decision:
        """Ask when the predicate is true; raise [`PolicyError`][hitl.core.errors.PolicyError] if it cannot say."""
        ask = call_predicate(self.predicate, ctx, self, PolicyError, during="while deciding on")
        return self._yes if ask else self._no

    def reasons(self, ctx: TurnContext) -> list[str]:
        """Name the policy and why: for a condition, which of its parts held (or did not)."""
        explain = getattr(self.predicate, "explain", None)
        if explain is None or not getattr(type(self.predicate), "_hitl_takes_context", False):
            return super(When, self).reasons(ctx)
        self.decide(ctx)  # a predicate that fails is an error here too
        return [f"{self!r}: {explain(ctx)}"]

    def __repr__(self) -> str:
        return f"When({callable_name(self.predicate)})"


# -- composition -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, init=False, repr=False)
class AnyOf(Either[InputPolicy], InputPolicy):
    """Ask if any operand asks: what ``a | b | c`` builds. Operands are tried in order, and stop early.

    Nested ``AnyOf`` operands are flattened: ``(a | b) | c`` holds ``(a, b, c)``.

    Examples:
        >>> from hitl import Never, Terminate, Always
        >>> (Never() | Terminate()) | Always()
        Never() | Terminate() | Always()
    """

    policies: tuple[InputPolicy, ...]
    _shows: tuple[bool, ...] = field(init=False, repr=False, compare=False)
    _detail_after: tuple[bool, ...] = field(init=False, repr=False, compare=False)
    _field = "policies"

    def __init__(self, *policies: InputPolicy) -> None:
        Either.__init__(self, *policies)
        shows = tuple(policy.shows_detail for policy in self.policies)
        object.__setattr__(self, "_shows", shows)
        # For each operand: whether a later one can show a detail (then it is asked too, once one asks).
        later, after = False, []
        for show in reversed(shows):  # one pass from the end: long flattened chains stay linear
            after.append(later)
            later = later or show
        object.__setattr__(self, "_detail_after", tuple(reversed(after)))

    def decide(self, ctx: TurnContext) -> Decision:
        """Return the first asking operand's decision, or, if none asks, the last one's.

        When an operand asks, the later operands that can show a detail (the approval gates) are asked
        too, so the human sees every part's detail: ``Terminate() | ApproveCode()`` at the auto-reply
        limit shows the code. The decision then names every part that asked in ``parts``.
        """
        decision = _EMPTY_ANY
        policies = self.policies
        for index, policy in enumerate(policies):
            decision = policy.decide(ctx)
            if decision.ask:
                if not self._detail_after[index]:
                    return decision
                asking = [decision]
                for later, shows in zip(policies[index + 1 :], self._shows[index + 1 :], strict=True):
                    if shows and (extra := later.decide(ctx)).ask:
                        asking.append(extra)
                return merge(asking)
        return decision

    def reasons(self, ctx: TurnContext) -> list[str]:
        """Name every part that asked; when none asked, every part and why it did not."""
        policies = self.policies
        asked: list[InputPolicy] = []
        for index, policy in enumerate(policies):  # in the order decide() goes, stopping where it stops
            if policy.decide(ctx).ask:
                asked.append(policy)
                if self._detail_after[index]:
                    later = zip(policies[index + 1 :], self._shows[index + 1 :], strict=True)
                    asked.extend(other for other, shows in later if shows and other.decide(ctx).ask)
                break
        return [reason for policy in asked or policies for reason in policy.reasons(ctx)]

    @property
    def shows_detail(self) -> bool:
        """True when any operand can show a detail."""
        return True in self._shows

    @property
    def can_ask(self) -> bool:
        """True when any operand can ask."""
        return any(policy.can_ask for policy in self.policies)

    @property
    def always_asks(self) -> bool:
        """True when any operand always asks."""
        return any(policy.always_asks for policy in self.policies)


@dataclass(frozen=True, slots=True, init=False, repr=False)
class AllOf(Both[InputPolicy], InputPolicy):
    """Ask only if every operand asks: what ``a & b & c`` builds. Stops at the first operand that does not.

    Examples:
        >>> from hitl import Terminate, When
        >>> def from_coder(ctx):
        ...     return ctx.sender == "coder"
        >>> Terminate() & When(from_coder)
        Terminate() & When(from_coder)
    """

    policies: tuple[InputPolicy, ...]
    _field = "policies"

    def decide(self, ctx: TurnContext) -> Decision:
        """Return the first operand's decision that does not ask, or, if all ask, all of theirs merged."""
        decision = _EMPTY_ALL
        asking: list[Decision] = []
        for policy in self.policies:
            decision = policy.decide(ctx)
            if not decision.ask:
                return decision
            asking.append(decision)
        if len(asking) > 1 and any(part.detail is not None or part.approves for part in asking):
            return merge(asking, lead=decision)
        return decision

    def reasons(self, ctx: TurnContext) -> list[str]:
        """Name every part, when all asked; else the first part that did not ask, and why."""
        for policy in self.policies:
            if not policy.decide(ctx).ask:
                return policy.reasons(ctx)
        return [reason for policy in self.policies for reason in policy.reasons(ctx)]

    @property
    def shows_detail(self) -> bool:
        """True when any operand can show a detail."""
        return any(policy.shows_detail for policy in self.policies)

    @property
    def can_ask(self) -> bool:
        """True when every operand can ask."""
        return all(policy.can_ask for policy in self.policies)

    @property
    def always_asks(self) -> bool:
        """True when every operand always asks."""
        return all(policy.always_asks for policy in self.policies)


@dataclass(frozen=True, slots=True, repr=False)
class Not(Negation[InputPolicy], InputPolicy):
    """Ask exactly when ``policy`` would not: what ``~policy`` builds. ``~~p`` is ``p`` again.

    Examples:
        >>> from hitl import Terminate
        >>> ~Terminate()
        ~Terminate()
        >>> ~~Terminate()
        Terminate()
    """

    policy: InputPolicy
    _field = "policy"

    def decide(self, ctx: TurnContext) -> Decision:
        """Invert the operand's decision, keeping its reason."""
        inner = self.policy.decide(ctx)
        return Decision(not inner.ask, self, f"not ({inner.policy!r}: {inner.reason})")

    def reasons(self, ctx: TurnContext) -> list[str]:
        """Name the operand's reasons, inverted."""
        return [f"{self!r}: not ({'; '.join(self.policy.reasons(ctx))})"]

    @property
    def can_ask(self) -> bool:
        """True unless the operand always asks."""
        return not self.policy.always_asks

    @property
    def always_asks(self) -> bool:
        """True when the operand can never ask."""
        return not self.policy.can_ask


InputPolicy._algebra = Algebra(InputPolicy, AnyOf, AllOf, Not, "policies")


def from_mode(mode: str) -> InputPolicy:
    """Return the built-in policy for an AutoGen ``human_input_mode`` string.

    Raises:
        ConfigurationError: for anything but ``"NEVER"``, ``"TERMINATE"`` or ``"ALWAYS"``.

    Examples:
        >>> from_mode("TERMINATE")
        Terminate()
    """
    policy = _MODES.get(mode) if isinstance(mode, str) else None
    if policy is None:
        from .errors import ConfigurationError

        raise ConfigurationError(
            f"human_input_mode must be one of 'NEVER', 'TERMINATE' or 'ALWAYS' (got {mode!r}); "
            "or pass a policy object, for example policy=hitl.Terminate()"
        )
    return policy


def to_mode(policy: InputPolicy) -> HumanInputMode:
    """Return the AutoGen ``human_input_mode`` string nearest to ``policy``.

    Exact for the three built-ins; otherwise ``"NEVER"`` for a policy that can never ask, ``"ALWAYS"``
    for one that always asks, and ``"TERMINATE"`` for anything in between.
    """
    if not policy.can_ask:
        return "NEVER"
    if policy.always_asks:
        return "ALWAYS"
    return "TERMINATE"


_MODES: Final[dict[str, InputPolicy]] = {"NEVER": Never(), "TERMINATE": Terminate(), "ALWAYS": Always()}
_NEVER: Final = Decision(False, Never(), "Never() never asks")
_ALWAYS: Final = Decision(True, Always(), "Always() asks on every message")
_TERMINATE_LIMIT: Final = Decision(True, Terminate(), "auto-reply limit reached")
_TERMINATE_MESSAGE: Final = Decision(True, Terminate(), "termination message")
_TERMINATE_NO: Final = Decision(False, Terminate(), "no termination message and under the auto-reply limit")
_EMPTY_ANY: Final = Decision(False, AnyOf(), "no operand asks")
_EMPTY_ALL: Final = Decision(True, AllOf(), "every operand asks")
