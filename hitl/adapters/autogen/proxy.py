"""PolicyUserProxy: a drop-in ``autogen.UserProxyAgent`` driven by a policy object.

With ``hitl.adapters.autogen._gate`` (approval at the point of execution), the only code that touches AutoGen's agent
internals. It replaces AutoGen's
termination-and-human-reply step with one decision procedure, shared by the sync and the async chat:

1. build a [`TurnContext`][hitl.core.context.TurnContext] for the incoming message, from AutoGen's own counters;
2. ask the policy whether to ask the human;
3. if it asks: ask the human-input provider, and apply AutoGen's rules to the answer (``exit`` stops,
   an empty answer stops on a termination message and otherwise lets the auto-reply happen, any other
   text is sent as the human's reply);
4. if it does not: stop when the auto-reply limit is reached or on a termination message, and
   otherwise let AutoGen's remaining reply chain (tools, code execution, LLM) and the auto-reply run.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import os
import threading
import time
import warnings
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from typing_extensions import Self

from ...core import rules as _rules
from ...core.approval import Gates, code_detail, tool_detail
from ...core.context import TurnContext, context_of, message_text
from ...core.errors import ConfigurationError, ConfigWarning, user_stacklevel
from ...core.limits import Limits
from ...core.policies import Always, Decision, InputPolicy, Never, Terminate, from_mode, to_mode
from ...core.records import DecisionRecord, new_record
from ...core.replies import AutoReply, as_auto_reply
from ...core.rules import InputEvent, Outcome
from ...core.text import check_template, visible
from ...providers import AsyncHumanInput, HumanInput, NoAnswer, a_ask, ask
from ...stores.audit import AuditSink
from . import compat as _compat
from ._gate import REFUSED, ExecutionGate, GatedExecutor, Verdict, probing
from .compat import ConversableAgent, UserProxyAgent
from .console import ConsoleInput

if TYPE_CHECKING:  # imported when used: building them costs time at `import hitl`
    from ...config import ProxyConfig

__all__ = ["PolicyUserProxy", "Prompts"]

#: The question under way in this thread or task (read by ``get_human_input``).
_NAMES_KEPT = 256  # policy parts whose names a proxy keeps at most (a policy rarely has more)
_CURRENT_STEP: ContextVar[_Turn | None] = ContextVar("hitl_current_step", default=None)


@dataclass(frozen=True, slots=True)
class Prompts:
    """The texts a proxy asks the human with. ``{agent}`` is the proxy's name, ``{sender}`` the sender's.

    The defaults are AutoGen's own, word for word. Pass ``prompts=Prompts(...)`` to a proxy, or set
    ``prompts`` on a subclass, to change them.

    Attributes:
        always: asked by ``Always()``.
        enter_stops: asked by any other policy when Enter would stop the chat (a termination message).
        enter_auto_replies: asked by any other policy when Enter would let the auto-reply happen.
        approve: asked at the point of execution, below the code or calls about to run that the human has
            not approved (see [`hitl.core.approval`][hitl.core.approval]).

    Examples:
        >>> Prompts().enter_stops.format(agent="user", sender="assistant")
        "Please give feedback to assistant. Press enter or type 'exit' to stop the conversation: "
    """

    always: str = (
        "Replying as {agent}. Provide feedback to {sender}. Press enter to skip and use auto-reply, "
        "or type 'exit' to end the conversation: "
    )
    enter_stops: str = "Please give feedback to {sender}. Press enter or type 'exit' to stop the conversation: "
    enter_auto_replies: str = (
        "Please give feedback to {sender}. Press enter to skip and use auto-reply, "
        "or type 'exit' to stop the conversation: "
    )
    approve: str = "Press enter to run it, type feedback to reject it, or type 'exit' to stop the conversation: "

    def __post_init__(self) -> None:
        for name in ("always", "enter_stops", "enter_auto_replies", "approve"):
            check_template(getattr(self, name), ("agent", "sender"), f"Prompts.{name}")


@dataclass(slots=True)
class _Turn:
    """One decision under way: the context, the policy's decision and, when asking, the question."""

    ctx: TurnContext
    decision: Decision
    sender: Any
    prompt: str | None = None
    event: InputEvent = "answered"


def check_termination_and_human_reply(
    agent: PolicyUserProxy, messages: list[dict[str, Any]] | None = None, sender: Any = None, config: Any = None
) -> tuple[bool, dict[str, Any] | None]:
    """Dispatch to the proxy's method: the reply function registered in place of AutoGen's."""
    return agent.check_termination_and_human_reply(messages, sender, config)


def auto_reply_step(
    agent: PolicyUserProxy,
    messages: list[dict[str, Any]] | None = None,
    sender: Any = None,
    config: Any = None,
) -> tuple[bool, Any]:
    """Reply with the proxy's auto-reply: the last step of its reply chain, where AutoGen's default would be."""
    if agent._hitl_reply_strategy is None and type(agent).auto_reply is PolicyUserProxy.auto_reply:
        return True, agent._default_auto_reply  # AutoGen's own fallback: no context needed
    if messages is None:
        messages = agent._oai_messages[sender] if sender else []
    if not messages:
        return True, agent._default_auto_reply
    # The context the policy decided on (its counter is from before this auto-reply), if it is this message's.
    ctx = agent._hitl_decided.pop(sender, None)
    if ctx is None or ctx.message is not messages[-1]:
        ctx = agent._hitl_turn_context(messages, sender)
    return True, agent.auto_reply(ctx)


async def a_check_termination_and_human_reply(
    agent: PolicyUserProxy, messages: list[dict[str, Any]] | None = None, sender: Any = None, config: Any = None
) -> tuple[bool, dict[str, Any] | None]:
    """Dispatch to the proxy's async method: the reply function registered in place of AutoGen's."""
    return await agent.a_check_termination_and_human_reply(messages, sender, config)


class PolicyUserProxy(UserProxyAgent):  # type: ignore[misc]  # AutoGen ships no type information
    """A drop-in ``autogen.UserProxyAgent`` that decides when to ask a human with a policy object.

    Every ``UserProxyAgent`` argument is accepted with the same default, so changing the class name
    changes nothing: ``human_input_mode="NEVER" | "TERMINATE" | "ALWAYS"`` maps to ``Never()``,
    ``Terminate()`` and ``Always()``, and ``max_consecutive_auto_reply`` to ``Limits``.

    Args:
        name: the agent's name.
        is_termination_msg: AutoGen's termination check, a callable of the message dict. Default:
            content equal to ``"TERMINATE"``, as in AutoGen.
        max_consecutive_auto_reply: shorthand for ``limits=Limits(max_consecutive_auto_reply=...)``.
        human_input_mode: shorthand for ``policy=`` with one of the three built-ins.
        function_map: as for ``UserProxyAgent``.
        code_execution_config: as for ``UserProxyAgent`` (its default, ``{}``, runs code in Docker).
        default_auto_reply: as for ``UserProxyAgent``.
        llm_config: as for ``UserProxyAgent``.
        system_message: as for ``UserProxyAgent``.
        description: as for ``UserProxyAgent``.
        policy: when to ask the human; default ``Always()``, as ``UserProxyAgent`` defaults to "ALWAYS".
        limits: a [`Limits`][hitl.core.limits.Limits] (or a dict of its fields).
        human_input: the human-input provider; default [`ConsoleInput`][hitl.inputs.ConsoleInput].
        auto_reply: what to say when no human spoke and no tool, code or LLM replied: a
            [`AutoReply`][hitl.core.replies.AutoReply], a text or message dict, a function of the TurnContext, or a
            list of ``(condition, reply)`` rules. Default: ``default_auto_reply``, as in AutoGen.
        prompts: the texts the human is asked with; default AutoGen's.
        audit: a sink (or a list of sinks) that receives every
            [`DecisionRecord`][hitl.stores.audit.DecisionRecord], such as
            [`JsonlAudit`][hitl.stores.audit.JsonlAudit]. The records are kept in ``proxy.decisions`` in any case.
        **kwargs: any other ``ConversableAgent`` argument.

    Raises:
        ConfigurationError: for ``policy`` together with ``human_input_mode``, ``limits`` together with
            ``max_consecutive_auto_reply``, or an unknown ``human_input_mode``.
        TypeError: for a ``policy`` that is not an InputPolicy, or a ``human_input`` without ``ask``/``a_ask``.
        pydantic.ValidationError: for limits out of range.

    Examples:
        >>> from hitl import PolicyUserProxy, Terminate, When, Limits
        >>> def has_code(ctx):
        ...     return "```" in ctx.text
        >>> proxy = PolicyUserProxy(
        ...     "user", policy=Terminate() | When(has_code), limits=Limits(max_turns=10),
        ...     code_execution_config=False,
        ... )
        >>> proxy.policy
        Terminate() | When(has_code)
    """

    prompts: Prompts = Prompts()
    _hitl_ready: bool = False  # set once __init__ is done
    _hitl_gates: Gates | None = None  # what the policy's approval gates hold back
    _hitl_explicit_policy: bool = False  # given policy=, not a human_input_mode string
    _hitl_policy_before_mode: InputPolicy | None = None  # the policy a human_input_mode assignment replaced

    def __init__(
        self,
        name: str,
        is_termination_msg: Callable[[dict[str, Any]], bool] | None = None,
        max_consecutive_auto_reply: int | None = None,
        human_input_mode: Literal["ALWAYS", "TERMINATE", "NEVER"] | None = None,
        function_map: dict[str, Callable[..., Any]] | None = None,
        code_execution_config: dict[str, Any] | Literal[False] | None = None,
        default_auto_reply: str | dict[str, Any] | None = "",
        llm_config: Any = False,
        system_message: str | list[str] | None = "",
        description: str | None = None,
        *,
        policy: InputPolicy | None = None,
        limits: Limits | Mapping[str, Any] | None = None,
        human_input: HumanInput | AsyncHumanInput | None = None,
        auto_reply: AutoReply | str | dict[str, Any] | Callable[[TurnContext], Any] | list[Any] | None = None,
        prompts: Prompts | None = None,
        audit: AuditSink | list[AuditSink] | None = None,
        **kwargs: Any,
    ) -> None:
        _check_keywords(kwargs)
        if auto_reply is not None and default_auto_reply != "":
            raise ConfigurationError(
                f"PolicyUserProxy got both auto_reply={auto_reply!r} and default_auto_reply={default_auto_reply!r}; "
                'give one of them (auto_reply="text" is the same as default_auto_reply="text")'
            )
        self._hitl_reply_strategy = None if auto_reply is None else as_auto_reply(auto_reply)
        self._hitl_decided: dict[Any, TurnContext] = {}  # by sender: the context of its last auto-reply decision
        self._hitl_gate = ExecutionGate(
            self,
            gates=lambda: self._hitl_gates,
            ask=self._hitl_ask_at_execution,
            a_ask=self._hitl_a_ask_at_execution,
            refusal_reply=self._hitl_gate_reply,
        )
        self._hitl_last_sender: Any = None  # the sender of the message decided last
        self._hitl_fired_names: dict[int, tuple[InputPolicy, str]] = {}  # by id: a policy part and its repr
        self._hitl_quick: Decision | None = None  # see _hitl_refresh_quick
        self._hitl_has_step = False  # whether the reply chain has auto_reply_step
        self._hitl_set_policy(_resolve_policy(policy, human_input_mode))
        self._hitl_termination = is_termination_msg
        self._hitl_config: ProxyConfig | None = None
        self._hitl_sinks: list[AuditSink] = _resolve_sinks(audit)
        self._hitl_records: list[DecisionRecord] = []
        self._hitl_prompts: dict[tuple[str, str, str], str] = {}  # by template, name and sender: a prompt
        self._hitl_shown = ("", "")  # the prompt asked last, and as shown (escaped)
        self._hitl_limits = _resolve_limits(limits, max_consecutive_auto_reply)
        self._hitl_input = _resolve_input(human_input)
        self._hitl_console = isinstance(self._hitl_input, ConsoleInput)
        if prompts is not None:
            if not isinstance(prompts, Prompts):
                raise TypeError(f"prompts must be a hitl.Prompts (got {prompts!r})")
            self.prompts = prompts
        super().__init__(
            name,
            is_termination_msg=is_termination_msg,
            max_consecutive_auto_reply=self._hitl_limits.max_consecutive_auto_reply,
            human_input_mode=to_mode(self._hitl_policy),
            function_map=function_map,
            code_execution_config={} if code_execution_config is None else code_execution_config,
            default_auto_reply=default_auto_reply,
            llm_config=llm_config,
            system_message=system_message,
            description=description,
            **kwargs,
        )
        self.replace_reply_func(ConversableAgent.check_termination_and_human_reply, check_termination_and_human_reply)
        self.replace_reply_func(
            ConversableAgent.a_check_termination_and_human_reply, a_check_termination_and_human_reply
        )
        self._hitl_ready = True
        if self._hitl_reply_strategy is not None or self._hitl_overrides("auto_reply"):
            self._hitl_add_auto_reply_step()
        if self._hitl_gates is not None:
            self._hitl_install_gate()
        self._hitl_explicit_policy = policy is not None  # a mode string is a drop-in: as quiet as AutoGen

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

    @classmethod
    def from_config(cls, source: ProxyConfig | Mapping[str, Any] | str | os.PathLike[str], **kwargs: Any) -> Self:
        """Build a proxy from a [`ProxyConfig`][hitl.config.ProxyConfig], a dict, or a JSON or YAML file.

        ``kwargs`` go to the constructor (``function_map=``, ``llm_config=``...). Called on a subclass, it
        builds that subclass.

        Examples:
            >>> proxy = PolicyUserProxy.from_config({"name": "user", "policy": "terminate | code"})
            >>> proxy.policy
            Terminate() | When(has_code_block)
        """
        from ...config import ProxyConfig, load_config

        config = source if isinstance(source, ProxyConfig) else load_config(source)
        return config.build(proxy_class=cls, **kwargs)

    def to_config(self) -> ProxyConfig:
        """Describe this proxy as a [`ProxyConfig`][hitl.config.ProxyConfig] (``from_config`` builds it back).

        Raises:
            ConfigurationError: for parts set in code that have no configuration form.
        """
        from ...config import ProxyConfig

        return ProxyConfig.of(self)

    # -- configuration ------------------------------------------------------------------------------------
    @property
    def policy(self) -> InputPolicy:
        """The policy that decides when the human is asked. Assignable."""
        return self._hitl_policy

    @policy.setter
    def policy(self, policy: InputPolicy) -> None:
        self._hitl_set_policy(_resolve_policy(policy, None))
        self._hitl_policy_before_mode = None
        self._hitl_explicit_policy = True

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

    @property
    def code_executor(self) -> Any:
        """The code executor, as for ``UserProxyAgent`` (the one you gave; the gate sits in front of it)."""
        executor = getattr(self, "_code_executor", None)
        return executor.hitl_inner if isinstance(executor, GatedExecutor) else executor

    @property
    def human_input_mode(self) -> str:
        """The native mode nearest to ``policy``; assigning a mode string sets the matching policy.

        Assigning the mode the policy already has keeps the policy (``p.human_input_mode =
        p.human_input_mode`` changes nothing), and assigning back the mode a policy had before a mode was
        assigned restores that policy, gates included: code that saves and restores the mode, as AutoGen's
        own test helpers do, leaves the policy as it was.
        """
        return self._hitl_mode

    @human_input_mode.setter
    def human_input_mode(self, mode: str) -> None:
        if not self._hitl_ready:  # ConversableAgent.__init__ assigns it too; the policy is already set then
            return
        if mode == self._hitl_mode:
            return
        saved = self._hitl_policy_before_mode
        if saved is not None and mode == to_mode(saved):
            self._hitl_policy_before_mode = None
            self._hitl_set_policy(saved)
            return
        policy = from_mode(mode)
        if saved is None:
            self._hitl_policy_before_mode = self._hitl_policy
        self._hitl_set_policy(policy)

    @property
    def limits(self) -> Limits:
        """The proxy's [`Limits`][hitl.core.limits.Limits]. Assignable (a Limits or a dict of its fields)."""
        return self._hitl_limits

    @limits.setter
    def limits(self, limits: Limits | Mapping[str, Any]) -> None:
        resolved = _resolve_limits(limits, None)
        self._hitl_limits = resolved
        limit = resolved.max_consecutive_auto_reply
        super().update_max_consecutive_auto_reply(self.MAX_CONSECUTIVE_AUTO_REPLY if limit is None else limit)

    def update_max_consecutive_auto_reply(self, value: int, sender: Any = None) -> None:
        """As in AutoGen; without a sender, [`limits`][hitl.adapters.autogen.proxy.PolicyUserProxy.limits] follows."""
        super().update_max_consecutive_auto_reply(value, sender)
        if sender is None:
            self._hitl_limits = self._hitl_limits.model_copy(update={"max_consecutive_auto_reply": value})

    @property
    def termination(self) -> Callable[[dict[str, Any]], bool] | None:
        """The ``is_termination_msg`` this proxy was given, or None for AutoGen's default. Read-only."""
        return self._hitl_termination

    @property
    def default_auto_reply(self) -> str | dict[str, Any] | None:
        """AutoGen's ``default_auto_reply`` of this proxy (what it says when nothing else replied). Read-only."""
        return self._default_auto_reply  # type: ignore[no-any-return]

    @property
    def code_execution_config(self) -> dict[str, Any] | Literal[False]:
        """AutoGen's ``code_execution_config`` of this proxy: its settings, or False when it runs no code. Read-only."""
        return self._code_execution_config  # type: ignore[no-any-return]

    @property
    def auto_reply_strategy(self) -> AutoReply | None:
        """The auto-reply strategy, or None for AutoGen's ``default_auto_reply``. Assignable (same shorthands)."""
        return self._hitl_reply_strategy

    @auto_reply_strategy.setter
    def auto_reply_strategy(self, strategy: object) -> None:
        self._hitl_reply_strategy = None if strategy is None else as_auto_reply(strategy)
        if self._hitl_reply_strategy is not None:
            self._hitl_add_auto_reply_step()

    def _hitl_add_auto_reply_step(self) -> None:
        """Put ``auto_reply`` last in the reply chain, where AutoGen falls back to ``default_auto_reply``.

        Only a proxy with a strategy, or a subclass with its own ``auto_reply``, has the step: without
        them, AutoGen's own fallback gives the same reply at no cost.
        """
        if not any(entry["reply_func"] is auto_reply_step for entry in self._reply_func_list):
            self.register_reply(_compat.AnySender, auto_reply_step, position=len(self._reply_func_list))
        self._hitl_has_step = True
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

    def auto_reply(self, ctx: TurnContext) -> str | dict[str, Any] | None:
        """Return the auto-reply to the message in ``ctx``; override it to write your own.

        Called when no human spoke and no tool call, code execution or LLM produced a reply. The default
        uses the ``auto_reply`` strategy, or else AutoGen's ``default_auto_reply``. Return a text, a
        message dict, or ``None`` to send nothing (which ends the chat). ``ctx`` is the context the policy
        decided on, so ``ctx.auto_replies`` counts the auto-replies sent before this one.

        Examples:
            >>> from hitl import PolicyUserProxy
            >>> class Nudging(PolicyUserProxy):
            ...     def auto_reply(self, ctx):
            ...         return "Any questions?" if ctx.auto_replies < 3 else "Please wrap up and say TERMINATE."
        """
        strategy = self._hitl_reply_strategy
        if strategy is None:
            return self._default_auto_reply  # type: ignore[no-any-return]
        return strategy.reply(ctx)

    @property
    def human_input(self) -> HumanInput | AsyncHumanInput:
        """The human-input provider. Assignable."""
        return self._hitl_input

    @human_input.setter
    def human_input(self, provider: HumanInput | AsyncHumanInput | None) -> None:
        self._hitl_input = _resolve_input(provider)
        self._hitl_console = isinstance(self._hitl_input, ConsoleInput)

    # -- chats ----------------------------------------------------------------------------------------------
    def initiate_chat(self, recipient: Any, *args: Any, **kwargs: Any) -> Any:
        """Start a chat as ``UserProxyAgent.initiate_chat`` does; ``max_turns`` defaults to ``limits.max_turns``.

        Raises:
            ConfigurationError: before anything is sent, if the policy can ask, the human input is the
                console, and nobody can answer it (see
                [`check_can_ask`][hitl.adapters.autogen.proxy.PolicyUserProxy.check_can_ask]).
        """
        self.check_can_ask()
        kwargs = self._with_max_turns(args, kwargs)
        if len(args) < 4:
            self._hitl_warn_if_unbounded(kwargs)
        with _compat.as_deep_as_native(frames=1):  # this method's own frame, so the recursion limit falls alike
            return super().initiate_chat(recipient, *args, **kwargs)

    async def a_initiate_chat(self, recipient: Any, *args: Any, **kwargs: Any) -> Any:
        """Start an async chat; ``max_turns`` defaults to ``limits.max_turns``. The human is asked once per message."""
        self.check_can_ask(use_async=True)
        kwargs = self._with_max_turns(args, kwargs)
        if len(args) < 4:
            self._hitl_warn_if_unbounded(kwargs)
        with _compat.as_deep_as_native(frames=1):
            return await super().a_initiate_chat(recipient, *args, **kwargs)

    def check_can_ask(self, *, use_async: bool = False) -> None:
        """Raise [`ConfigurationError`][hitl.core.errors.ConfigurationError] if this proxy could ask a dead console.

        Called at the start of every chat the proxy starts, and before every question its own
        ``get_human_input`` asks. A subclass (or an instance) that replaces ``get_human_input`` (for
        ``use_async``: ``a_get_human_input``), AutoGen's documented way to ask elsewhere, is not checked at the
        start: it does not read hitl's provider.
        """
        provider = self._hitl_input
        if not (isinstance(provider, ConsoleInput) and self._hitl_may_ask):
            return
        if use_async:
            elsewhere = self._hitl_overrides("a_get_human_input") or (
                _compat.ASYNC_INPUT_DELEGATES and self._hitl_overrides("get_human_input")
            )
        else:
            elsewhere = self._hitl_overrides("get_human_input")
        if not elsewhere:
            provider.check_interactive()

    def _hitl_overrides(self, name: str) -> bool:
        """Whether ``name`` is replaced on this instance or overridden by a subclass."""
        return name in self.__dict__ or getattr(type(self), name) is not getattr(PolicyUserProxy, name)

    def _with_max_turns(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
        # initiate_chat(recipient, clear_history, silent, cache, max_turns, ...): max_turns is the 4th extra.
        if len(args) >= 4 or kwargs.get("max_turns") is not None or self._hitl_limits.max_turns is None:
            return kwargs
        return {**kwargs, "max_turns": self._hitl_limits.max_turns}

    async def a_generate_reply(
        self, messages: list[dict[str, Any]] | None = None, sender: Any = None, **kwargs: Any
    ) -> Any:
        """As in AutoGen, but with one human-reply check per message (never the sync and the async one)."""
        kwargs = _compat.exclude_from_async_reply(
            kwargs, check_termination_and_human_reply, *self._hitl_gate.async_excluded
        )
        return await super().a_generate_reply(messages, sender, **kwargs)

    # -- the decision -----------------------------------------------------------------------------------------
    def check_termination_and_human_reply(
        self, messages: list[dict[str, Any]] | None = None, sender: Any = None, config: Any = None, **_: Any
    ) -> tuple[bool, dict[str, Any] | None]:
        """Decide for the last message: stop, send a human reply, or let the auto-reply happen."""
        step = self._hitl_begin(messages, sender)
        if not isinstance(step, _Turn):
            return step
        if getattr(self.get_human_input, "__func__", None) is _GET_HUMAN_INPUT:  # not overridden: no detour
            return self._hitl_answer(step, self._hitl_ask(step.prompt or "", step.ctx, step))
        token = _CURRENT_STEP.set(step)
        try:
            answer = self.get_human_input(step.prompt or "")
        finally:
            _CURRENT_STEP.reset(token)
        return self._hitl_answer(step, answer)

    async def a_check_termination_and_human_reply(
        self, messages: list[dict[str, Any]] | None = None, sender: Any = None, config: Any = None, **_: Any
    ) -> tuple[bool, dict[str, Any] | None]:
        """Run the same procedure as ``check_termination_and_human_reply``, awaiting the human."""
        step = self._hitl_begin(messages, sender)
        if not isinstance(step, _Turn):
            return step
        token = _CURRENT_STEP.set(step)
        try:
            answer = await self.a_get_human_input(step.prompt or "")
        finally:
            _CURRENT_STEP.reset(token)
        return self._hitl_answer(step, answer)

    def build_prompt(self, ctx: TurnContext, decision: Decision) -> str:
        """Return the text the human is asked with. Override it to word prompts from the context.

        A policy that always asks (``Always()``, ``~Never()``) asks with
        [`Prompts.always`][hitl.adapters.autogen.proxy.Prompts.always]; any other tells the human what Enter does:
        [`Prompts.enter_stops`][hitl.adapters.autogen.proxy.Prompts.enter_stops] on a termination message,
        [`Prompts.enter_auto_replies`][hitl.adapters.autogen.proxy.Prompts.enter_auto_replies] otherwise.
        A decision's ``detail`` (the code or tool call awaiting approval) goes above the prompt.
        """
        sender = "the sender" if ctx.sender is None else ctx.sender
        if decision.policy.always_asks:  # Always(), ~Never()...: asked on every message, as ALWAYS asks
            template = self.prompts.always
        elif ctx.is_termination:
            template = self.prompts.enter_stops
        else:
            template = self.prompts.enter_auto_replies
        key = (template, self.name, sender)
        prompt = self._hitl_prompts.get(key)
        if prompt is None:  # the same text for every question of a kind: filled in once
            prompt = template.format(agent=self.name, sender=sender)
            if len(self._hitl_prompts) >= _NAMES_KEPT:
                self._hitl_prompts.clear()
            self._hitl_prompts[key] = prompt
        return prompt if decision.detail is None else f"{decision.detail}\n{prompt}"

    def _hitl_turn_context(self, messages: list[dict[str, Any]], sender: Any) -> TurnContext:
        return context_of(
            messages,
            None if sender is None else sender.name,
            self.name,
            self._consecutive_auto_reply_counter[sender],
            self._max_consecutive_auto_reply_dict[sender],
            self._is_termination_msg,
        )

    def _hitl_begin(self, messages: list[dict[str, Any]] | None, sender: Any) -> _Turn | tuple[bool, None]:
        if messages is None:
            messages = self._oai_messages[sender] if sender else []
        if not messages:
            return False, None
        if self._hitl_gates is not None:
            self._hitl_gate.clear()  # approvals hold for the message they were given at, no longer
            self._hitl_last_sender = sender
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
                position = len(messages)
                self._hitl_keep(name, position, replies, limit, quick, None, None, None, "auto_reply", None, message)
                if self._hitl_can_ask:
                    _compat.emit_using_auto_reply(self._hitl_mode, sender, self)
                return False, None
        ctx = context_of(  # as _hitl_turn_context builds it, without the call: this runs on every message
            messages, None if sender is None else sender.name, self.name, replies, limit, termination
        )
        turn = _Turn(ctx, self._hitl_policy.decide(ctx), sender)
        if turn.decision.ask:
            prompt = self.build_prompt(ctx, turn.decision)
            if type(prompt) is not str:
                raise TypeError(f"{type(self).__name__}.build_prompt returned {prompt!r}, not a str")
            turn.prompt = prompt
            return turn
        outcome, reason = _rules.without_asking(ctx, self.name)
        if outcome == "stop":
            return self._hitl_stop(turn, reason or "")
        return self._hitl_auto_reply(turn)

    def _hitl_answer(self, turn: _Turn, answer: object) -> tuple[bool, dict[str, Any] | None]:
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
            return True, _human_reply(answer, turn.ctx.message)
        if turn.decision.approves:
            self._hitl_gate.grant(turn.decision.approves)  # Enter approves what the question showed
        return self._hitl_auto_reply(turn, answer, stream)

    def _hitl_stop(self, turn: _Turn, reason: str, answer: str | None = None) -> tuple[bool, None]:
        self._consecutive_auto_reply_counter[turn.sender] = 0
        self._hitl_record(turn, answer, "stop", reason)
        _compat.emit_termination(reason, self, turn.sender)
        return True, None

    def _hitl_auto_reply(self, turn: _Turn, answer: str | None = None, stream: Any = None) -> tuple[bool, None]:
        self._consecutive_auto_reply_counter[turn.sender] += 1
        if self._hitl_has_step:  # the auto-reply step reads the context the policy decided on
            self._hitl_decided[turn.sender] = turn.ctx
        self._hitl_record(turn, answer, "auto_reply", None)
        if self._hitl_can_ask:
            _compat.emit_using_auto_reply(self._hitl_mode, turn.sender, self, stream)
        return False, None

    def _hitl_record(self, turn: _Turn, answer: str | None, outcome: Outcome, stop_reason: str | None) -> None:
        ctx = turn.ctx
        prompt = turn.prompt
        self._hitl_keep(
            ctx.sender,
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
            )
        )
        self._hitl_records.append(record)
        for sink in self._hitl_sinks:
            sink.write(record)

    def _hitl_fired(self, decision: Decision) -> str:
        """Name the part of the policy that decided (each part's name worked out once, not once a message)."""
        if decision.parts:
            return _fired(decision)
        policy = decision.policy
        known = self._hitl_fired_names.get(id(policy))
        if known is not None and known[0] is policy:
            return known[1]
        name = repr(policy)
        if len(self._hitl_fired_names) >= _NAMES_KEPT:
            self._hitl_fired_names.clear()
        self._hitl_fired_names[id(policy)] = (policy, name)
        return name

    @property
    def decisions(self) -> list[DecisionRecord]:
        """Every decision this proxy has made, oldest first (see [`DecisionRecord`][hitl.stores.audit.DecisionRecord]).

        The list is the proxy's own: clear it to forget past decisions.
        """
        return self._hitl_records

    # -- human input ------------------------------------------------------------------------------------------
    def get_human_input(self, prompt: str, **kwargs: Any) -> str:
        """Ask the human-input provider, as AutoGen's ``get_human_input`` asks the console.

        Override it as you would on ``UserProxyAgent``; the answer is kept in ``ChatResult.human_input``.
        A provider that raises [`NoAnswer`][hitl.inputs.NoAnswer] (EOF, Ctrl-C, timeout) gives its fallback
        answer, and the event is recorded.
        """
        step = _CURRENT_STEP.get()
        return self._hitl_ask(prompt, step.ctx if step is not None else self._hitl_context(None), step)

    def _hitl_ask(self, prompt: str, ctx: TurnContext, step: _Turn | None) -> str:
        provider: Any = self._hitl_input
        if self._hitl_console:
            self.check_can_ask()
        shown = self._hitl_shown  # read once: another thread may ask meanwhile
        if prompt is not shown[0]:  # most questions ask with the same text: escaped once
            shown = self._hitl_shown = (prompt, visible(prompt))
        try:
            answer = ask(provider, shown[1], ctx)
        except NoAnswer as missing:
            answer = self._hitl_no_answer(step, missing)
        if type(answer) is not str:
            answer = _checked(answer, provider)
        return _compat.record_human_input(self, answer)

    async def a_get_human_input(self, prompt: str, **kwargs: Any) -> str:
        """Ask the human-input provider without blocking the event loop.

        On pyautogen 0.2, as there, a subclass that overrides only ``get_human_input`` is asked through it
        (in a worker thread).
        """
        if _compat.ASYNC_INPUT_DELEGATES and self._hitl_overrides("get_human_input"):
            return await asyncio.get_running_loop().run_in_executor(
                None, functools.partial(self.get_human_input, prompt)
            )
        step = _CURRENT_STEP.get()
        ctx = self._hitl_context(step)
        provider = self._hitl_input
        self.check_can_ask(use_async=True)
        prompt = self._hitl_visible(prompt)
        try:
            answer = await a_ask(provider, prompt, ctx)
        except NoAnswer as missing:
            answer = self._hitl_no_answer(step, missing)
        return _compat.record_human_input(self, _checked(answer, provider))

    def _hitl_visible(self, prompt: str) -> str:
        """Escape what the prompt must not hide: a preview cannot show other text than the one that runs."""
        shown = self._hitl_shown  # read once: another thread may ask meanwhile
        if prompt is not shown[0]:  # most questions ask with the same text: escaped once
            shown = self._hitl_shown = (prompt, visible(prompt))
        return shown[1]

    def _hitl_no_answer(self, step: _Turn | None, missing: NoAnswer) -> str:
        if step is not None:
            step.event = missing.reason
        return missing.fallback

    def _hitl_context(self, step: _Turn | None) -> TurnContext:
        if step is None:  # called directly, outside a decision
            return TurnContext({}, messages=(), recipient=self.name)
        return step.ctx

    # -- approval at the point of execution ----------------------------------------------------------------------
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
        return super().execute_code_blocks(code_blocks)

    def execute_function(self, func_call: Any, *args: Any, **kwargs: Any) -> Any:
        """Execute a tool or function call as ``UserProxyAgent`` does, if the policy's gates approve it."""
        if self._hitl_gates is not None and (refusal := self._hitl_gate.check_call(func_call)) is not None:
            return False, _refused_call(func_call, refusal)
        return super().execute_function(func_call, *args, **kwargs)

    async def a_execute_function(self, func_call: Any, *args: Any, **kwargs: Any) -> Any:
        """Execute a tool or function call without blocking, if the policy's gates approve it."""
        if self._hitl_gates is not None and (refusal := await self._hitl_gate.a_check_call(func_call)) is not None:
            return False, _refused_call(func_call, refusal)
        return await super().a_execute_function(func_call, *args, **kwargs)

    def _run_async_in_thread(self, coro: Any) -> Any:
        """Run ``coro`` in a thread with its own event loop, as AG2 does, but raise what it raised.

        AG2 runs an async tool of a sync chat this way and loses the tool's exception (a ``KeyError``
        follows instead); here the exception itself reaches the chat.
        """
        outcome: dict[str, Any] = {}

        def run() -> None:
            try:
                outcome["value"] = asyncio.run(coro)
            except BaseException as exc:
                outcome["error"] = exc

        worker = threading.Thread(target=run, name="hitl-async-tool")
        worker.start()
        worker.join()
        if "error" in outcome:
            raise outcome["error"]
        return outcome["value"]

    def _hitl_execution_turn(
        self, kind: str, items: list[tuple[str, str]], messages: list[dict[str, Any]] | None, sender: Any
    ) -> _Turn:
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
        return _Turn(ctx, decision, sender, prompt)

    def _hitl_ask_at_execution(
        self, kind: str, items: list[tuple[str, str]], messages: list[dict[str, Any]] | None, sender: Any
    ) -> Verdict:
        """Ask the human about gated code or calls about to run without an approval."""
        turn = self._hitl_execution_turn(kind, items, messages, sender)
        token = _CURRENT_STEP.set(turn)
        try:
            answer = self.get_human_input(turn.prompt or "")
        finally:
            _CURRENT_STEP.reset(token)
        return self._hitl_execution_verdict(turn, answer)

    async def _hitl_a_ask_at_execution(
        self, kind: str, items: list[tuple[str, str]], messages: list[dict[str, Any]] | None, sender: Any
    ) -> Verdict:
        """Like ``_hitl_ask_at_execution``, awaiting the human."""
        turn = self._hitl_execution_turn(kind, items, messages, sender)
        token = _CURRENT_STEP.set(turn)
        try:
            answer = await self.a_get_human_input(turn.prompt or "")
        finally:
            _CURRENT_STEP.reset(token)
        return self._hitl_execution_verdict(turn, answer)

    def _hitl_execution_verdict(self, turn: _Turn, answer: object) -> Verdict:
        answer = _checked(answer, self._hitl_input)
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
        return True, _human_reply(verdict.answer, messages[-1] if messages else {})


#: The proxy's own ``get_human_input``: a proxy whose method is this one is asked without the detour through it.
_GET_HUMAN_INPUT = PolicyUserProxy.get_human_input


def _gated_code_replies(original: Callable[..., Any]) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """Wrap one of AutoGen's code-execution reply functions: ask about unapproved blocks before they run."""

    def gated_code_execution(
        agent: PolicyUserProxy, messages: Any = None, sender: Any = None, config: Any = None
    ) -> tuple[bool, Any]:
        gate = agent._hitl_gate
        pending, settled = gate.code_pending(original, messages, sender, config)
        if settled is not None:
            return settled  # nothing to run: the probe's run was the reply function's own
        if pending:
            verdict = agent._hitl_ask_at_execution("code", pending, messages, sender)
            if verdict.kind != "approve":
                return agent._hitl_gate_reply(verdict, messages, sender)
            gate.grant(gate.pending_approvals("code", pending))
        gate.verdict = None
        return gate.after(original(agent, messages, sender, config), messages, sender)

    async def a_gated_code_execution(
        agent: PolicyUserProxy, messages: Any = None, sender: Any = None, config: Any = None
    ) -> tuple[bool, Any]:
        gate = agent._hitl_gate
        pending, settled = gate.code_pending(original, messages, sender, config)
        if settled is not None:
            return settled  # nothing to run: the probe's run was the reply function's own
        if pending:
            verdict = await agent._hitl_a_ask_at_execution("code", pending, messages, sender)
            if verdict.kind != "approve":
                return agent._hitl_gate_reply(verdict, messages, sender)
            gate.grant(gate.pending_approvals("code", pending))
        gate.verdict = None
        return gate.after(original(agent, messages, sender, config), messages, sender)

    return gated_code_execution, a_gated_code_execution


def _gated_call_reply(original: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap one of AutoGen's sync tool or function-call reply functions: ask about unapproved calls first."""

    def gated_calls(
        agent: PolicyUserProxy, messages: Any = None, sender: Any = None, config: Any = None
    ) -> tuple[bool, Any]:
        gate = agent._hitl_gate
        pending = gate.calls_pending(messages, sender)
        if pending:
            verdict = agent._hitl_ask_at_execution("call", pending, messages, sender)
            if verdict.kind != "approve":
                return agent._hitl_gate_reply(verdict, messages, sender)
            gate.grant(gate.pending_approvals("call", pending))
        gate.verdict = None
        return gate.after(original(agent, messages, sender, config), messages, sender)

    return gated_calls


def _a_gated_call_reply(original: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap one of AutoGen's async tool or function-call reply functions: ask about unapproved calls first."""

    async def a_gated_calls(
        agent: PolicyUserProxy, messages: Any = None, sender: Any = None, config: Any = None
    ) -> tuple[bool, Any]:
        gate = agent._hitl_gate
        pending = gate.calls_pending(messages, sender)
        if pending:
            verdict = await agent._hitl_a_ask_at_execution("call", pending, messages, sender)
            if verdict.kind != "approve":
                return agent._hitl_gate_reply(verdict, messages, sender)
            gate.grant(gate.pending_approvals("call", pending))
        gate.verdict = None
        return gate.after(await original(agent, messages, sender, config), messages, sender)

    return a_gated_calls


def _fired(decision: Decision) -> str:
    """Name the part of the policy that decided; every part that asked, joined by ``|``, when several did."""
    if decision.parts:
        return " | ".join(repr(part.policy) for part in decision.parts)
    return repr(decision.policy)


def _refused_call(func_call: Any, refusal: Verdict) -> dict[str, Any]:
    name = func_call.get("name", "") if isinstance(func_call, Mapping) else ""
    content = f"{REFUSED}: {refusal.answer}" if refusal.answer else REFUSED
    return {"name": name, "role": "function", "content": content}


def _human_reply(answer: str, message: Mapping[str, Any]) -> dict[str, Any]:
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


def _checked(answer: object, provider: object) -> str:
    if isinstance(answer, str):
        return answer
    raise TypeError(
        f"human-input provider {provider!r} returned {answer!r} ({type(answer).__name__}), not a str; "
        "an answer is text: '' to skip, 'exit' to stop, or a reply"
    )


_KNOWN_KEYWORDS: frozenset[str] | None = None


def _check_keywords(kwargs: Mapping[str, Any]) -> None:
    """Name the class and the likely intended keyword for a typo, as ConversableAgent cannot."""
    global _KNOWN_KEYWORDS
    if not kwargs:
        return
    if _KNOWN_KEYWORDS is None:
        _KNOWN_KEYWORDS = frozenset(inspect.signature(PolicyUserProxy.__init__).parameters) | frozenset(
            inspect.signature(ConversableAgent.__init__).parameters
        )
    for name in kwargs:
        if name not in _KNOWN_KEYWORDS:
            import difflib  # only for the error message

            close = difflib.get_close_matches(name, sorted(_KNOWN_KEYWORDS - {"self", "kwargs"}), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise TypeError(f"PolicyUserProxy() got an unexpected keyword argument {name!r}{hint}")


def _resolve_policy(policy: object, mode: object) -> InputPolicy:
    if policy is not None and mode is not None:
        raise ConfigurationError(
            f"PolicyUserProxy got both policy={policy!r} and human_input_mode={mode!r}; give one of them "
            "(human_input_mode is shorthand for the built-in policies)"
        )
    if policy is None:
        return Always() if mode is None else from_mode(mode)  # type: ignore[arg-type]
    if not isinstance(policy, InputPolicy):
        hint = " (a mode string goes in human_input_mode=)" if isinstance(policy, str) else ""
        raise TypeError(
            f"policy must be an InputPolicy such as hitl.Terminate() or hitl.When(predicate) (got {policy!r}){hint}"
        )
    return policy


def _resolve_limits(limits: object, max_consecutive_auto_reply: int | None) -> Limits:
    if limits is not None and max_consecutive_auto_reply is not None:
        raise ConfigurationError(
            f"PolicyUserProxy got both limits={limits!r} and max_consecutive_auto_reply="
            f"{max_consecutive_auto_reply!r}; set max_consecutive_auto_reply inside limits"
        )
    if limits is None:
        return Limits(max_consecutive_auto_reply=max_consecutive_auto_reply)
    if isinstance(limits, Limits):
        return limits
    if isinstance(limits, Mapping):
        return Limits.model_validate(dict(limits))
    raise TypeError(f"limits must be a hitl.Limits or a dict of its fields (got {limits!r})")


def _resolve_sinks(audit: object) -> list[AuditSink]:
    sinks = [] if audit is None else list(audit) if isinstance(audit, (list, tuple)) else [audit]
    for sink in sinks:
        if not callable(getattr(sink, "write", None)):
            raise TypeError(
                f"audit takes sinks with a write(record) method, such as hitl.stores.audit.JsonlAudit (got {sink!r})"
            )
    return sinks  # type: ignore[return-value]


def _resolve_input(provider: object) -> HumanInput | AsyncHumanInput:
    if provider is None:
        return ConsoleInput()
    if callable(getattr(provider, "ask", None)) or callable(getattr(provider, "a_ask", None)):
        return provider  # type: ignore[return-value]
    raise TypeError(
        f"human_input must have an ask(prompt, context) or an async a_ask(prompt, context) method (got {provider!r})"
    )
