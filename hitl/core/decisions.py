"""Decisions: what a policy decided for one message, and why; and several asking parts' decisions merged into one.

A policy's [`decide`][hitl.core.policies.InputPolicy.decide] returns a [`Decision`][hitl.core.decisions.Decision];
[`hitl.core.policies`][hitl.core.policies] offers it too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .policies import InputPolicy

__all__ = ["Decision"]


@dataclass(frozen=True, slots=True)
class Decision:
    """What a policy decided for one message, and why.

    Attributes:
        ask: whether the human is asked.
        policy: the part of the policy that settled the decision (for a composed policy, the operand
            that fired, or the one that vetoed).
        reason: a short sentence saying why, for logs, the audit trail and
            [`InputPolicy.explain`][hitl.core.policies.InputPolicy.explain].
        detail: what the human should see before answering, when the policy has something to show
            (the code awaiting approval, a tool call's arguments); the proxy puts it above the prompt.
        approves: what an Enter on this question approves to run: the code blocks and tool calls shown in
            ``detail``, bound to their exact content, once each (a block shown twice is approved twice; see
            [`hitl.core.approval`][hitl.core.approval]).
        parts: for a composed policy where several parts ask, each asking part's own decision, in order;
            ``reason``, ``detail`` and ``approves`` then hold all of theirs. Empty otherwise.

    Examples:
        >>> from hitl import Never, TurnContext
        >>> Never().decide(TurnContext("hi"))
        Decision(ask=False, policy=Never(), reason='Never() never asks')
    """

    ask: bool
    policy: InputPolicy
    reason: str
    detail: str | None = field(default=None, repr=False)
    approves: tuple[tuple[str, ...], ...] = field(default=(), repr=False)
    parts: tuple[Decision, ...] = field(default=(), repr=False)

    @property
    def asked_by(self) -> tuple[InputPolicy, ...]:
        """Every part of the policy that asked (one, unless several parts of a composition asked)."""
        if self.parts:
            return tuple(part.policy for part in self.parts)
        return (self.policy,) if self.ask else ()

    def __post_init__(self) -> None:
        if type(self.ask) is not bool:
            raise TypeError(f"Decision.ask is True or False (got {self.ask!r}); wrap it in bool(...)")
        if not isinstance(self.reason, str):
            raise TypeError(f"Decision.reason is a text saying why (got {self.reason!r})")
        if self.detail is not None and not isinstance(self.detail, str):
            raise TypeError(f"Decision.detail is a text to show the human, or None (got {self.detail!r})")

    def __bool__(self) -> bool:
        raise TypeError(
            "a Decision has no truth value: read decision.ask (did the policy ask?) instead of testing the decision"
        )


def merge(decisions: list[Decision], lead: Decision | None = None) -> Decision:
    """Merge the decisions of several parts that asked into one: every reason, detail and approval.

    ``lead`` (default: the first) gives ``policy``, which words the prompt; ``parts`` holds each one. A
    single decision is returned as it is.

    Examples:
        >>> from hitl import Always, Terminate, TurnContext
        >>> ctx = TurnContext("done", is_termination=True)
        >>> merged = merge([Always().decide(ctx), Terminate().decide(ctx)])
        >>> merged.reason
        'Always() asks on every message; termination message'
        >>> merged.asked_by
        (Always(), Terminate())
    """
    if len(decisions) == 1:
        return decisions[0]
    parts: list[Decision] = []
    for decision in decisions:
        parts.extend(decision.parts or (decision,))
    details = [part.detail for part in parts if part.detail is not None]
    return Decision(
        True,
        (parts[0] if lead is None else lead).policy,
        "; ".join(part.reason for part in parts),
        "\n".join(details) if details else None,
        _union(part.approves for part in parts),
        tuple(parts),
    )


def _union(approvals: Iterable[tuple[tuple[str, ...], ...]]) -> tuple[tuple[str, ...], ...]:
    """Merge what several parts approve, as multisets: each item as often as the part that shows it most."""
    from collections import Counter

    merged: Counter[tuple[str, ...]] = Counter()
    for items in approvals:
        merged |= Counter(items)
    return tuple(merged.elements())
