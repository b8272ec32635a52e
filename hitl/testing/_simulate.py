"""simulate(): evaluate a policy over a conversation without any agent."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from ..adapters.autogen import compat as _compat
from ..core import rules as _rules
from ..core.context import DEFAULT_AUTO_REPLY_LIMIT, TurnContext
from ..core.policies import Decision, InputPolicy
from ..stores.audit import Outcome

__all__ = ["SimulatedTurn", "simulate"]


class SimulatedTurn(NamedTuple):
    """What a proxy with the policy would do with one incoming message.

    Attributes:
        position: the message's position among the incoming messages given to ``simulate`` (0-based).
        context: the TurnContext the policy saw.
        decision: the policy's decision (``decision.ask``, ``decision.policy``, ``decision.reason``).
        answer: the human's answer used, when asked.
        outcome: ``human_reply``, ``auto_reply`` or ``stop``.
        stop_reason: why the chat would stop, for ``stop``.
    """

    position: int
    context: TurnContext
    decision: Decision
    answer: str | None
    outcome: Outcome
    stop_reason: str | None

    @property
    def asked(self) -> bool:
        """Whether the human would be asked."""
        return self.decision.ask


def _as_message(message: str | Mapping[str, Any], sender: str) -> Mapping[str, Any]:
    if isinstance(message, str):
        return {"content": message, "role": "user", "name": sender}
    return message


def simulate(
    policy: InputPolicy,
    messages: Iterable[str | Mapping[str, Any]],
    *,
    answers: Sequence[str] | Callable[[TurnContext], str] = (),
    is_termination_msg: Callable[[dict[str, Any]], bool] | None = None,
    auto_reply_limit: int = DEFAULT_AUTO_REPLY_LIMIT,
    sender: str = "assistant",
    agent: str = "user",
    opening: str | Mapping[str, Any] | None = "Start.",
) -> list[SimulatedTurn]:
    """Run ``policy`` over incoming ``messages`` as a proxy would, with no agent, model or human.

    Each message is what the proxy receives from ``sender``; the auto-reply counter, the termination
    check and the answer rules are AutoGen's, exactly as in
    [`PolicyUserProxy`][hitl.adapters.autogen.proxy.PolicyUserProxy]. The human's answers come from ``answers`` in order
    (a list; Enter, ``""``, once it runs out) or from a function of the TurnContext. The simulation ends at the first
    ``stop``, as the chat would.

    The history starts with ``opening``, the proxy's first message, as in a chat the proxy starts
    (``run_chat`` sends the same ``"Start."``), so ``ctx.turn`` and ``ctx.messages`` are those of that
    chat; ``opening=None`` starts the history with the first incoming message.

    Examples:
        >>> from hitl import Terminate
        >>> turns = simulate(Terminate(), ["step 1", "step 2", "TERMINATE"], auto_reply_limit=2)
        >>> [(t.asked, t.outcome) for t in turns]
        [(False, 'auto_reply'), (False, 'auto_reply'), (True, 'stop')]
    """
    check = is_termination_msg if is_termination_msg is not None else _native_termination
    history: list[Mapping[str, Any]] = []
    if opening is not None:
        history.append(
            {"content": opening, "role": "assistant", "name": agent} if isinstance(opening, str) else opening
        )
    turns: list[SimulatedTurn] = []
    counter = 0
    asked = 0
    for index, raw in enumerate(messages):
        message = _as_message(raw, sender)
        history.append(message)
        ctx = TurnContext(
            message,
            messages=_Prefix(history, len(history)),
            sender=sender,
            recipient=agent,
            auto_replies=counter,
            auto_reply_limit=auto_reply_limit,
            is_termination=check,
        )
        decision = policy.decide(ctx)
        answer: str | None = None
        if decision.ask:
            answer = _next_answer(answers, ctx, asked)
            asked += 1
            outcome, reason = _rules.after_answer(ctx, answer, agent, decision.policy)
        else:
            outcome, reason = _rules.without_asking(ctx, agent)
        turns.append(SimulatedTurn(index, ctx, decision, answer, outcome, reason))
        if outcome == "stop":
            break
        counter = 0 if outcome == "human_reply" else counter + 1
        history.append({"content": answer if outcome == "human_reply" else "", "role": "assistant", "name": agent})
    return turns


def _next_answer(answers: Sequence[str] | Callable[[TurnContext], str], ctx: TurnContext, asked: int) -> str:
    if callable(answers):
        return answers(ctx)
    return answers[asked] if asked < len(answers) else ""


class _Prefix(Sequence[Mapping[str, Any]]):
    """The first ``length`` messages of a growing history, without copying it (simulate() runs hot)."""

    __slots__ = ("_items", "_length")

    def __init__(self, items: list[Mapping[str, Any]], length: int) -> None:
        self._items = items
        self._length = length

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return self._items[: self._length][index]
        if index < 0:
            index += self._length
        if not 0 <= index < self._length:
            raise IndexError("message index out of range")
        return self._items[index]


def _native_termination(message: dict[str, Any]) -> bool:
    """AutoGen's default termination check: the content, as AutoGen reads it, is exactly "TERMINATE"."""
    try:
        return bool(_compat.content_str(message.get("content")) == "TERMINATE")
    except (TypeError, ValueError, KeyError, AttributeError):  # content AutoGen itself would choke on
        return False
