"""The decision procedure of [`PolicyUserProxy`][hitl.adapters.autogen.proxy.PolicyUserProxy], one message at a time.

The proxy's reply function hands each incoming message to these steps: build the
[`TurnContext`][hitl.core.context.TurnContext], let the policy decide, and either ask (the proxy's
``get_human_input``) or apply AutoGen's rules without asking; then keep the decision's record.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from ...core import rules as _rules
from ...core.approval import Gates
from ...core.context import TurnContext, context_of, message_text
from ...core.errors import ConfigWarning, PolicyError, user_stacklevel
from ...core.limits import Limits
from ...core.policies import Decision, InputPolicy, Never, Terminate, to_mode
from ...core.records import DecisionRecord, new_record
from ...core.rules import InputEvent, Outcome
from . import compat as _compat
from ._state import ProxyState

__all__ = ["CURRENT_STEP", "NAMES_KEPT", "DecisionSteps", "Handover", "Turn", "fired_name", "human_reply"]

NAMES_KEPT = 256  # policy parts whose names a proxy keeps at most (a policy rarely has more)


@dataclass(slots=True)
class Turn:
    """One decision under way: the context, the policy's decision and, when asking, the question."""

    ctx: TurnContext
    decision: Decision
    sender: Any
    prompt: str | None = None
    event: InputEvent = "answered"
    recorded: bool = True  # False when the answer is on record already (an exit at a group's speaker question)


@dataclass(frozen=True, slots=True)
class Handover:
    """The proxy's next turn, handed to its human by a group's speaker selection.

    Attributes:
        decision: why the human gets the turn (it asks, whatever the proxy's own policy would decide).
        group: the history (``GroupChat.messages``) of the group whose selection handed it over: only a
            request of its manager takes the turn (AutoGen's manager runs a copy of the ``GroupChat`` that
            shares this list).
        answer: the human's words, when they were given beforehand (an interjection); else the human is asked.
        recorded: False when the turn's decision is on record already, so the proxy keeps no record of it.
    """

    decision: Decision
    group: Any
    answer: str | None = None
    recorded: bool = True


#: The question under way in this thread or task (read by ``get_human_input``).
CURRENT_STEP: ContextVar[Turn | None] = ContextVar("hitl_current_step", default=None)


class DecisionSteps(ProxyState):
    """The steps of one decision (a part of ``PolicyUserProxy``; it holds no state of its own)."""

    def _hitl_warn_if_unbounded(self, kwargs: Mapping[str, Any]) -> None:
        """Warn when a chat can only end at AutoGen's default limit: the classic NEVER mistake."""
        if (
            not self._hitl_explicit_policy
            or self._hitl_can_ask
            or self._hitl_termination is not None
            or self._hitl_limits != Limits()
            or kwargs.get("max_turns") is not None
        ):
            return
        warnings.warn(
            f"PolicyUserProxy {self.name!r}: policy {self._hitl_policy!r} never asks a human, there is no "
            "is_termination_msg (AutoGen's default stops only on a message that is exactly 'TERMINATE'), no "
            "limits and no max_turns, so this chat may run to AutoGen's default of 100 consecutive auto-replies. "
            "Pass is_termination_msg=hitl.Keyword(), and limits=hitl.Limits(...) or max_turns=",
            ConfigWarning,
            stacklevel=user_stacklevel(),
        )

    def _hitl_set_policy(self, policy: InputPolicy) -> None:
        gates = Gates.of(policy)
        self._hitl_policy = policy
        self._hitl_gates = gates
        if gates is not None and self._hitl_ready:
            self._hitl_install_gate()
        # Worked out once per policy, not once per message.
        self._hitl_policy_repr = repr(policy)
        self._hitl_mode = to_mode(policy)
        self._hitl_can_ask = policy.can_ask
        # A gate asks where gated content runs, whatever the composition decides at the message.
        self._hitl_may_ask = policy.can_ask or gates is not None
        self._hitl_refresh_quick()

    def _hitl_refresh_quick(self) -> None:
        """Work out the decision the fast path of ``_hitl_begin`` records, or None where it does not apply.

        ``Never()`` and ``Terminate()`` (exactly: not a subclass) decide from the limit and the termination
        check alone, and under the limit on a message that is not a termination message, decide the same
        every time: that decision is taken from the policy once here. The fast path needs no context, so
        it is off when anything else reads one: an auto-reply step, approval gates.
        """
        policy = self._hitl_policy
        quick = None
        if type(policy) in (Never, Terminate) and not self._hitl_has_step and self._hitl_gates is None:
            quick = policy.decide(TurnContext("", auto_replies=0, auto_reply_limit=1, is_termination=False))
            if quick.ask:  # pragma: no cover - neither asks there
                quick = None
        self._hitl_quick = quick

    def _hitl_turn_context(self, messages: list[dict[str, Any]], sender: Any) -> TurnContext:
        return context_of(
            messages,
            None if sender is None else sender.name,
            self.name,
            self._consecutive_auto_reply_counter[sender],
            self._max_consecutive_auto_reply_dict[sender],
            self._is_termination_msg,
            _compat.author_of(sender, messages[-1]),
        )

    def _hitl_begin(self, messages: list[dict[str, Any]] | None, sender: Any) -> Turn | tuple[bool, Any]:
        if messages is None:
            messages = self._oai_messages[sender] if sender else []
        if not messages:
            return False, None
        if self._hitl_gates is not None:
            self._hitl_gate.clear()  # approvals hold for the message they were given at, no longer
            self._hitl_last_sender = sender
        handed = self._hitl_handed
        if handed is not None and getattr(getattr(sender, "groupchat", None), "messages", None) is handed.group:
            return self._hitl_handed_turn(messages, sender)
        replies = self._consecutive_auto_reply_counter[sender]
        limit = self._max_consecutive_auto_reply_dict[sender]
        termination: Any = self._is_termination_msg
        quick = self._hitl_quick
        if quick is not None and replies < limit and not getattr(type(termination), "_hitl_takes_context", False):
            # Never() or Terminate() under the limit: the termination check alone decides, and unless it
            # holds, the decision is the policy's usual one and the proxy auto-replies; no context is needed.
            message = messages[-1]
            termination = bool(termination(message if isinstance(message, dict) else dict(message)))
            if not termination:
                self._consecutive_auto_reply_counter[sender] = replies + 1
                name = None if sender is None else sender.name
                speaker = _compat.author_of(sender, message)
                position = len(messages)
                self._hitl_keep(
                    name, speaker, position, replies, limit, quick, None, None, None, "auto_reply", None, message
                )
                if self._hitl_can_ask:
                    _compat.emit_using_auto_reply(self._hitl_mode, sender, self)
                return False, None
        ctx = context_of(  # as _hitl_turn_context builds it, without the call: this runs on every message
            messages,
            None if sender is None else sender.name,
            self.name,
            replies,
            limit,
            termination,
            _compat.author_of(sender, messages[-1]),
        )
        turn = Turn(ctx, self._hitl_policy.decide(ctx), sender)
        try:
            asks = turn.decision.ask
        except AttributeError:  # a policy of your own that returned something else: said, never taken for a no
            raise PolicyError(f"{self._hitl_policy!r}.decide() returned {turn.decision!r}, not a Decision") from None
        if asks:
            prompt = self.build_prompt(ctx, turn.decision)
            if type(prompt) is not str:
                raise TypeError(f"{type(self).__name__}.build_prompt returned {prompt!r}, not a str")
            turn.prompt = prompt
            return turn
        outcome, reason = _rules.without_asking(ctx, self.name)
        if outcome == "stop":
            return self._hitl_stop(turn, reason or "")
        return self._hitl_auto_reply(turn)

    def _hitl_handed_turn(self, messages: list[dict[str, Any]], sender: Any) -> Turn | tuple[bool, Any]:
        """Begin a turn a group's speaker selection handed to the human: to ask, or answered with given words."""
        handed = self._hitl_handed
        assert handed is not None
        self._hitl_handed = None
        ctx = self._hitl_turn_context(messages, sender)
        turn = Turn(ctx, handed.decision, sender)
        if handed.answer is not None:  # nobody is asked: the record says so, with the human's words as the answer
            turn.recorded = handed.recorded
            return self._hitl_answer(turn, _compat.record_human_input(self, handed.answer))
        prompt = self.build_prompt(ctx, handed.decision)
        if type(prompt) is not str:
            raise TypeError(f"{type(self).__name__}.build_prompt returned {prompt!r}, not a str")
        turn.prompt = prompt
        return turn

    def _hitl_answer(self, turn: Turn, answer: object) -> tuple[bool, dict[str, Any] | None]:
        if not isinstance(answer, str):
            raise TypeError(
                f"the human input of {self.name!r} returned {answer!r} ({type(answer).__name__}), not a str; "
                f"an answer is text: '' to skip, 'exit' to stop, or a reply (provider: {self._hitl_input!r})"
            )
        stream = _compat.default_iostream()  # looked up once a reply, as AutoGen does
        if not answer:
            _compat.emit_no_human_input(turn.sender, self, stream)
        outcome, reason = _rules.after_answer(turn.ctx, answer, self.name, turn.decision.policy)
        if outcome == "stop":
            return self._hitl_stop(turn, reason or "", answer)
        if outcome == "human_reply":
            self._consecutive_auto_reply_counter[turn.sender] = 0
            self._hitl_record(turn, answer, "human_reply", None)
            return True, human_reply(answer, turn.ctx.message)
        if turn.decision.approves:
            self._hitl_gate.grant(turn.decision.approves)  # Enter approves what the question showed
        return self._hitl_auto_reply(turn, answer, stream)

    def _hitl_stop(self, turn: Turn, reason: str, answer: str | None = None) -> tuple[bool, None]:
        self._consecutive_auto_reply_counter[turn.sender] = 0
        self._hitl_record(turn, answer, "stop", reason)
        _compat.emit_termination(reason, self, turn.sender)
        return True, None

    def _hitl_auto_reply(self, turn: Turn, answer: str | None = None, stream: Any = None) -> tuple[bool, None]:
        self._consecutive_auto_reply_counter[turn.sender] += 1
        if self._hitl_has_step:  # the auto-reply step reads the context the policy decided on
            self._hitl_decided[turn.sender] = turn.ctx
        self._hitl_record(turn, answer, "auto_reply", None)
        if self._hitl_can_ask:
            _compat.emit_using_auto_reply(self._hitl_mode, turn.sender, self, stream)
        return False, None

    def _hitl_record(self, turn: Turn, answer: str | None, outcome: Outcome, stop_reason: str | None) -> None:
        if not turn.recorded:
            return
        ctx = turn.ctx
        prompt = turn.prompt
        self._hitl_keep(
            ctx.sender,
            ctx.speaker,
            ctx._length,
            ctx.auto_replies,
            ctx.auto_reply_limit,
            turn.decision,
            prompt,
            None if prompt is None else turn.event,
            answer,
            outcome,
            stop_reason,
            ctx.message,
        )

    def _hitl_keep(
        self,
        sender: str | None,
        speaker: str | None,
        turn: int,
        auto_replies: int,
        limit: int,
        decision: Decision,
        prompt: str | None,
        event: InputEvent | None,
        answer: str | None,
        outcome: Outcome,
        stop_reason: str | None,
        message: Mapping[str, Any],
    ) -> None:
        """Keep the record of one decision, and give it to the sinks: what it says, never the history.

        ``event`` is None when the human was not asked.
        """
        fired = self._hitl_fired(decision)
        content = message.get("content")
        record = new_record(
            (
                time.time(),
                self.name,
                sender,
                turn,
                auto_replies,
                limit,
                self._hitl_policy_repr,
                fired,
                decision.reason,
                prompt is not None,
                prompt,
                answer,
                event,
                outcome,
                stop_reason,
                (content if type(content) is str else message_text(content))[:500],
                None,
                speaker,
            )
        )
        self._hitl_records.append(record)  # as _hitl_log does, without the call: this runs on every message
        for sink in self._hitl_sinks:
            sink.write(record)

    def _hitl_log(self, record: DecisionRecord) -> None:
        """Keep ``record`` in ``decisions`` and give it to the audit sinks."""
        self._hitl_records.append(record)
        for sink in self._hitl_sinks:
            sink.write(record)

    def _hitl_fired(self, decision: Decision) -> str:
        """Name the part of the policy that decided (each part's name worked out once, not once a message)."""
        if decision.parts:
            return fired_name(decision)
        policy = decision.policy
        known = self._hitl_fired_names.get(id(policy))
        if known is not None and known[0] is policy:
            return known[1]
        name = repr(policy)
        if len(self._hitl_fired_names) >= NAMES_KEPT:
            self._hitl_fired_names.clear()
        self._hitl_fired_names[id(policy)] = (policy, name)
        return name


def fired_name(decision: Decision) -> str:
    """Name the part of the policy that decided; every part that asked, joined by ``|``, when several did."""
    if decision.parts:
        return " | ".join(repr(part.policy) for part in decision.parts)
    return repr(decision.policy)


def human_reply(answer: str, message: Mapping[str, Any]) -> dict[str, Any]:
    """Build a human reply, answering any tool or function call in ``message`` with "USER INTERRUPTED"."""
    tool_returns: list[dict[str, Any]] = []
    function_call = message.get("function_call")
    if function_call:
        tool_returns.append({"role": "function", "name": function_call.get("name", ""), "content": "USER INTERRUPTED"})
    tool_calls = message.get("tool_calls")
    if tool_calls:
        tool_returns.extend(
            {"role": "tool", "tool_call_id": call.get("id", ""), "content": "USER INTERRUPTED"} for call in tool_calls
        )
    response: dict[str, Any] = {"role": "user", "content": answer}
    if tool_returns:
        response["tool_responses"] = tool_returns
    return response
