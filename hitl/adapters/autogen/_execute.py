"""Approval at the point of execution: [`PolicyUserProxy`][hitl.adapters.autogen.proxy.PolicyUserProxy]'s side.

The proxy's gate ([`_gate`][hitl.adapters.autogen]) finds what is about to run without an approval; these
steps ask the human about it, and wrap AutoGen's code-execution and tool-call reply functions so that every
execution path goes through the gate.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ...core import rules as _rules
from ...core.approval import code_detail, tool_detail
from ...core.context import TurnContext
from ...core.policies import Decision, InputPolicy
from ...core.text import visible
from ...providers.threads import run_in_own_loop
from ._ask import checked_answer
from ._decide import Turn, human_reply
from ._gate import REFUSED, GatedExecutor, Verdict, probing
from ._state import ProxyState
from .compat import ConversableAgent

__all__ = ["ExecutionSteps", "refused_call"]


class ExecutionSteps(ProxyState):
    """Asking at the point of execution (a part of ``PolicyUserProxy``; it holds no state of its own)."""

    # -- AutoGen's execution methods, gated ----------------------------------------------------------------------
    def execute_code_blocks(self, code_blocks: Any) -> Any:
        """Run code blocks as ``UserProxyAgent`` does, if the policy's gates approve each of them.

        A gated block without an approval is shown to the human right here; a refused one runs nothing
        (see [`hitl.core.approval`][hitl.core.approval]).
        """
        if self._hitl_gates is not None:
            blocks = [(language, code, True) for language, code in code_blocks]
            if probing(blocks):
                return 0, ""
            if not self._hitl_gate.check_blocks(blocks):
                return 1, REFUSED
        return super().execute_code_blocks(code_blocks)  # AutoGen's (next in the proxy's MRO)

    def execute_function(self, func_call: Any, *args: Any, **kwargs: Any) -> Any:
        """Execute a tool or function call as ``UserProxyAgent`` does, if the policy's gates approve it."""
        if self._hitl_gates is not None and (refusal := self._hitl_gate.check_call(func_call)) is not None:
            return False, refused_call(func_call, refusal)
        return super().execute_function(func_call, *args, **kwargs)

    async def a_execute_function(self, func_call: Any, *args: Any, **kwargs: Any) -> Any:
        """Execute a tool or function call without blocking, if the policy's gates approve it."""
        if self._hitl_gates is not None and (refusal := await self._hitl_gate.a_check_call(func_call)) is not None:
            return False, refused_call(func_call, refusal)
        return await super().a_execute_function(func_call, *args, **kwargs)

    def _hitl_install_gate(self) -> None:
        """Route every execution path of this proxy through its gate, once (see [`approval`][hitl.core.approval])."""
        gate = self._hitl_gate
        if gate.installed:
            return
        gate.installed = True
        code_replies = (
            ConversableAgent.generate_code_execution_reply,
            ConversableAgent._generate_code_execution_reply_using_executor,
        )
        sync_calls = (ConversableAgent.generate_tool_calls_reply, ConversableAgent.generate_function_call_reply)
        async_calls = (ConversableAgent.a_generate_tool_calls_reply, ConversableAgent.a_generate_function_call_reply)
        for entry in list(self._reply_func_list):
            func = entry["reply_func"]
            if func in code_replies:
                sync_reply, async_reply = _gated_code_replies(func)
                entry["reply_func"] = sync_reply
                self.register_reply(
                    entry["trigger"],
                    async_reply,
                    position=self._reply_func_list.index(entry),
                    config=entry["config"],
                    reset_config=entry["reset_config"],
                    ignore_async_in_sync_chat=True,
                )
                gate.async_excluded.append(sync_reply)
            elif func in sync_calls:
                entry["reply_func"] = _gated_call_reply(func)
            elif func in async_calls:
                entry["reply_func"] = _a_gated_call_reply(func)
        executor = getattr(self, "_code_executor", None)
        if executor is not None and not isinstance(executor, GatedExecutor):
            self._code_executor = GatedExecutor(executor, gate)

    def _run_async_in_thread(self, coro: Any) -> Any:
        """Run ``coro`` in a thread with its own event loop, as AG2 does, but raise what it raised.

        AG2 runs an async tool of a sync chat this way and loses the tool's exception (a ``KeyError``
        follows instead); here the exception itself reaches the chat.
        """
        return run_in_own_loop(coro, name="hitl-async-tool")

    def _hitl_execution_turn(
        self, kind: str, items: list[tuple[str, str]], messages: list[dict[str, Any]] | None, sender: Any
    ) -> Turn:
        if messages is None:
            sender = self._hitl_last_sender if sender is None else sender
            messages = self._oai_messages[sender] if sender is not None else []
        ctx = self._hitl_turn_context(messages, sender) if messages else TurnContext({}, recipient=self.name)
        gates = self._hitl_gates
        assert gates is not None  # only gated proxies ask at the point of execution
        if kind == "code":
            detail = code_detail(items, gates.preview_lines, choices=False)
            lines = sum(len(code.splitlines()) for _, code in items)
            reason = f"code about to run without approval ({lines} line{'s' if lines != 1 else ''})"
            gate: InputPolicy = gates.code[0]
        else:
            detail = tool_detail(items, choices=False)
            reason = "tool call about to run without approval: " + ", ".join(visible(name) for name, _ in items)
            gate = gates.tools[0]
        approves = tuple(self._hitl_gate.pending_approvals(kind, items))
        decision = Decision(True, gate, reason, detail, approves)
        sender_name = "the sender" if ctx.sender is None else ctx.sender
        prompt = f"{detail}\n{self.prompts.approve.format(agent=self.name, sender=sender_name)}"
        return Turn(ctx, decision, sender, prompt)

    def _hitl_ask_at_execution(
        self, kind: str, items: list[tuple[str, str]], messages: list[dict[str, Any]] | None, sender: Any
    ) -> Verdict:
        """Ask the human about gated code or calls about to run without an approval."""
        turn = self._hitl_execution_turn(kind, items, messages, sender)
        return self._hitl_execution_verdict(turn, self._hitl_ask_in_turn(turn))

    async def _hitl_a_ask_at_execution(
        self, kind: str, items: list[tuple[str, str]], messages: list[dict[str, Any]] | None, sender: Any
    ) -> Verdict:
        """Like ``_hitl_ask_at_execution``, awaiting the human."""
        turn = self._hitl_execution_turn(kind, items, messages, sender)
        return self._hitl_execution_verdict(turn, await self._hitl_a_ask_in_turn(turn))

    def _hitl_execution_verdict(self, turn: Turn, answer: object) -> Verdict:
        answer = checked_answer(answer, self._hitl_input)
        if answer == _rules.EXIT:
            self._hitl_stop(turn, _rules.REASON_USER_EXIT, answer)
            return Verdict("stop")
        if not answer:
            self._hitl_record(turn, answer, "auto_reply", None)
            return Verdict("approve")
        self._consecutive_auto_reply_counter[turn.sender] = 0
        self._hitl_record(turn, answer, "human_reply", None)
        return Verdict("reject", answer)

    def _hitl_gate_reply(
        self, verdict: Verdict, messages: list[dict[str, Any]] | None, sender: Any
    ) -> tuple[bool, dict[str, Any] | None]:
        """Return the reply that a refusal (the human's feedback) or a stop at the point of execution gives."""
        if verdict.kind == "stop":
            return True, None
        if messages is None:
            messages = self._oai_messages[sender] if sender is not None else []
        return True, human_reply(verdict.answer, messages[-1] if messages else {})


def _refusal(
    agent: ExecutionSteps, kind: str, pending: list[tuple[str, str]], verdict: Verdict, messages: Any, sender: Any
) -> tuple[bool, Any] | None:
    """Return the reply a refusal (or a stop) gives; None once the human approved ``pending`` (granted)."""
    if verdict.kind != "approve":
        return agent._hitl_gate_reply(verdict, messages, sender)
    agent._hitl_gate.grant(agent._hitl_gate.pending_approvals(kind, pending))
    return None


def _gated_code_replies(original: Callable[..., Any]) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """Wrap one of AutoGen's code-execution reply functions: ask about unapproved blocks before they run.

    The probe of ``original`` (see ``ExecutionGate.code_pending``) finds the blocks; when there are none, its
    own run is the reply.
    """

    def run(agent: ExecutionSteps, messages: Any, sender: Any, config: Any) -> tuple[bool, Any]:
        agent._hitl_gate.verdict = None
        return agent._hitl_gate.after(original(agent, messages, sender, config), messages, sender)

    def gated_code_execution(
        agent: ExecutionSteps, messages: Any = None, sender: Any = None, config: Any = None
    ) -> tuple[bool, Any]:
        pending, settled = agent._hitl_gate.code_pending(original, messages, sender, config)
        if settled is not None or not pending:
            return settled or run(agent, messages, sender, config)
        verdict = agent._hitl_ask_at_execution("code", pending, messages, sender)
        return _refusal(agent, "code", pending, verdict, messages, sender) or run(agent, messages, sender, config)

    async def a_gated_code_execution(
        agent: ExecutionSteps, messages: Any = None, sender: Any = None, config: Any = None
    ) -> tuple[bool, Any]:
        pending, settled = agent._hitl_gate.code_pending(original, messages, sender, config)
        if settled is not None or not pending:
            return settled or run(agent, messages, sender, config)
        verdict = await agent._hitl_a_ask_at_execution("code", pending, messages, sender)
        return _refusal(agent, "code", pending, verdict, messages, sender) or run(agent, messages, sender, config)

    return gated_code_execution, a_gated_code_execution


def _gated_call_reply(original: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap one of AutoGen's sync tool or function-call reply functions: ask about unapproved calls first."""

    def gated_calls(
        agent: ExecutionSteps, messages: Any = None, sender: Any = None, config: Any = None
    ) -> tuple[bool, Any]:
        gate = agent._hitl_gate
        pending = gate.calls_pending(messages, sender)
        if pending:
            verdict = agent._hitl_ask_at_execution("call", pending, messages, sender)
            if (refused := _refusal(agent, "call", pending, verdict, messages, sender)) is not None:
                return refused
        gate.verdict = None
        return gate.after(original(agent, messages, sender, config), messages, sender)

    return gated_calls


def _a_gated_call_reply(original: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap one of AutoGen's async tool or function-call reply functions: ask about unapproved calls first."""

    async def a_gated_calls(
        agent: ExecutionSteps, messages: Any = None, sender: Any = None, config: Any = None
    ) -> tuple[bool, Any]:
        gate = agent._hitl_gate
        pending = gate.calls_pending(messages, sender)
        if pending:
            verdict = await agent._hitl_a_ask_at_execution("call", pending, messages, sender)
            if (refused := _refusal(agent, "call", pending, verdict, messages, sender)) is not None:
                return refused
        gate.verdict = None
        return gate.after(await original(agent, messages, sender, config), messages, sender)

    return a_gated_calls


def refused_call(func_call: Any, refusal: Verdict) -> dict[str, Any]:
    name = func_call.get("name", "") if isinstance(func_call, Mapping) else ""
    content = f"{REFUSED}: {refusal.answer}" if refusal.answer else REFUSED
    return {"name": name, "role": "function", "content": content}
