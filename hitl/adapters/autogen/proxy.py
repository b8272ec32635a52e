"""PolicyUserProxy: a drop-in ``autogen.UserProxyAgent`` driven by a policy object.

It replaces AutoGen's termination-and-human-reply step with one decision procedure, shared by the sync
and the async chat:

1. build a [`TurnContext`][hitl.core.context.TurnContext] for the incoming message, from AutoGen's own counters;
2. ask the policy whether to ask the human;
3. if it asks: ask the human-input provider, and apply AutoGen's rules to the answer (``exit`` stops,
   an empty answer stops on a termination message and otherwise lets the auto-reply happen, any other
   text is sent as the human's reply);
4. if it does not: stop when the auto-reply limit is reached or on a termination message, and
   otherwise let AutoGen's remaining reply chain (tools, code execution, LLM) and the auto-reply run.

The class is written in parts: this module holds its public face; the decision steps (``_decide``), asking
the provider (``_ask``), approval at the point of execution (``_execute``, with ``_gate``) and the checks
of its arguments (``_options``) are modules of their own.
"""

from __future__ import annotations

import asyncio
import functools
import os
import warnings
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal

from typing_extensions import Self

from ...core.approval import Gates
from ...core.context import TurnContext
from ...core.errors import ConfigurationError, ConfigWarning
from ...core.limits import Limits
from ...core.policies import Decision, InputPolicy, from_mode, to_mode
from ...core.records import DecisionRecord
from ...core.replies import AutoReply, as_auto_reply
from ...providers import AsyncHumanInput, HumanInput, NoAnswer, a_ask
from ...stores.audit import AuditSink
from ..configuration import configuration_layer
from . import compat as _compat
from ._ask import AskingSteps, checked_answer
from ._chain import a_check_termination_and_human_reply as a_check_termination_and_human_reply
from ._chain import auto_reply_step as auto_reply_step
from ._chain import check_termination_and_human_reply as check_termination_and_human_reply
from ._decide import CURRENT_STEP, NAMES_KEPT, DecisionSteps, Handover, Turn
from ._execute import ExecutionSteps
from ._gate import ExecutionGate, GatedExecutor
from ._options import check_keywords, resolve_input, resolve_limits, resolve_policy, resolve_sinks
from .compat import ConversableAgent, UserProxyAgent
from .console import ConsoleInput
from .prompts import Prompts
from .settings import ProxySettings, settings_of

if TYPE_CHECKING:  # named in signatures only: configuration builds proxies, never the other way round
    from ...config import ProxyConfig

__all__ = ["PolicyUserProxy", "ProxySettings", "settings_of"]


class PolicyUserProxy(DecisionSteps, AskingSteps, ExecutionSteps, UserProxyAgent):  # type: ignore[misc]  # AutoGen ships no type information
    """A drop-in ``autogen.UserProxyAgent`` that decides when to ask a human with a policy object.

    Every ``UserProxyAgent`` argument is accepted with the same default, so changing the class name
    changes nothing: ``human_input_mode="NEVER" | "TERMINATE" | "ALWAYS"`` maps to ``Never()``,
    ``Terminate()`` and ``Always()``, and ``max_consecutive_auto_reply`` to ``Limits``.

    Subclass it as you would ``UserProxyAgent``, and override ``build_prompt``, ``get_human_input``,
    ``auto_reply`` or any AutoGen method. Attribute and method names that start with ``_hitl`` are the
    proxy's own: a subclass must not define them.

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
        check_keywords(kwargs, PolicyUserProxy.__init__)
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
        self._hitl_set_policy(resolve_policy(policy, human_input_mode))
        self._hitl_termination = is_termination_msg
        self._hitl_sinks: list[AuditSink] = resolve_sinks(audit)
        self._hitl_records: list[DecisionRecord] = []
        self._hitl_prompts: dict[tuple[str, str, str], str] = {}  # by template, name and sender: a prompt
        self._hitl_shown = ("", "")  # the prompt asked last, and as shown (escaped)
        self._hitl_handed: Handover | None = None  # the next turn, handed to the human by a group's selection
        self._hitl_limits = resolve_limits(limits, max_consecutive_auto_reply)
        self._hitl_input = resolve_input(human_input)
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
        return configuration_layer().build(cls, source, kwargs)

    def to_config(self) -> ProxyConfig:
        """Describe this proxy as a [`ProxyConfig`][hitl.config.ProxyConfig] (``from_config`` builds it back).

        Raises:
            ConfigurationError: for parts set in code that have no configuration form.
        """
        return configuration_layer().describe(self)  # type: ignore[no-any-return]

    # -- configuration ------------------------------------------------------------------------------------
    @property
    def policy(self) -> InputPolicy:
        """The policy that decides when the human is asked. Assignable."""
        return self._hitl_policy

    @policy.setter
    def policy(self, policy: InputPolicy) -> None:
        self._hitl_set_policy(resolve_policy(policy, None))
        self._hitl_policy_before_mode = None
        self._hitl_explicit_policy = True

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
        resolved = resolve_limits(limits, None)
        self._hitl_limits = resolved
        limit = resolved.max_consecutive_auto_reply
        super().update_max_consecutive_auto_reply(self.MAX_CONSECUTIVE_AUTO_REPLY if limit is None else limit)

    def update_max_consecutive_auto_reply(self, value: int, sender: Any = None) -> None:
        """As in AutoGen; without a sender, [`limits`][hitl.adapters.autogen.proxy.PolicyUserProxy.limits] follows."""
        super().update_max_consecutive_auto_reply(value, sender)
        if sender is None:
            self._hitl_limits = self._hitl_limits.model_copy(update={"max_consecutive_auto_reply": value})

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
        self._hitl_input = resolve_input(provider)
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
        self._hitl_check_chat(recipient, args, kwargs)
        with _compat.as_deep_as_native(frames=1):  # this method's own frame, so the recursion limit falls alike
            return super().initiate_chat(recipient, *args, **kwargs)

    async def a_initiate_chat(self, recipient: Any, *args: Any, **kwargs: Any) -> Any:
        """Start an async chat; ``max_turns`` defaults to ``limits.max_turns``. The human is asked once per message."""
        self.check_can_ask(use_async=True)
        kwargs = self._with_max_turns(args, kwargs)
        self._hitl_check_chat(recipient, args, kwargs)
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

    def _hitl_check_chat(self, recipient: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        # A hitl.SpeakerSelection in the recipient's group that can ask this proxy's human is asking too.
        selection = getattr(getattr(recipient, "groupchat", None), "speaker_selection_method", None)
        provider = self._hitl_input
        asked_by_group = getattr(selection, "human", None) is self and getattr(selection, "may_ask", False)
        if isinstance(provider, ConsoleInput) and asked_by_group:
            provider.check_interactive()
        if len(args) < 4 and not isinstance(recipient, _compat.GroupChatManager):  # max_round bounds a group
            self._hitl_warn_if_unbounded(kwargs)
        if _compat.selects_manually(recipient):
            warnings.warn(
                f"the group of {recipient.name!r} selects speakers with AutoGen's 'manual' method, which asks on "
                f"AutoGen's console directly, not through {self.name!r}'s human input, its audit or its checks; use "
                f"speaker_selection_method=hitl.SpeakerSelection({self.name}, then='manual')",
                ConfigWarning,
                stacklevel=3,
            )

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
        if not isinstance(step, Turn):
            return step
        method = self.get_human_input  # the proxy's own, bound to this proxy: asked without the detour
        if getattr(method, "__func__", None) is _GET_HUMAN_INPUT and id(getattr(method, "__self__", None)) == id(self):
            return self._hitl_answer(step, self._hitl_ask(step.prompt or "", step.ctx, step))
        return self._hitl_answer(step, self._hitl_ask_in_turn(step))

    async def a_check_termination_and_human_reply(
        self, messages: list[dict[str, Any]] | None = None, sender: Any = None, config: Any = None, **_: Any
    ) -> tuple[bool, dict[str, Any] | None]:
        """Run the same procedure as ``check_termination_and_human_reply``, awaiting the human."""
        step = self._hitl_begin(messages, sender)
        if not isinstance(step, Turn):
            return step
        return self._hitl_answer(step, await self._hitl_a_ask_in_turn(step))

    def build_prompt(self, ctx: TurnContext, decision: Decision) -> str:
        """Return the text the human is asked with. Override it to word prompts from the context.

        A policy that always asks (``Always()``, ``~Never()``) asks with
        [`Prompts.always`][hitl.adapters.autogen.prompts.Prompts.always]; any other tells the human what Enter does:
        [`Prompts.enter_stops`][hitl.adapters.autogen.prompts.Prompts.enter_stops] on a termination message,
        [`Prompts.enter_auto_replies`][hitl.adapters.autogen.prompts.Prompts.enter_auto_replies] otherwise.
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
            if len(self._hitl_prompts) >= NAMES_KEPT:
                self._hitl_prompts.clear()
            self._hitl_prompts[key] = prompt
        return prompt if decision.detail is None else f"{decision.detail}\n{prompt}"

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
        step = CURRENT_STEP.get()
        return self._hitl_ask(prompt, step.ctx if step is not None else self._hitl_context(None), step)

    async def a_get_human_input(self, prompt: str, **kwargs: Any) -> str:
        """Ask the human-input provider without blocking the event loop.

        On pyautogen 0.2, as there, a subclass that overrides only ``get_human_input`` is asked through it
        (in a worker thread).
        """
        if _compat.ASYNC_INPUT_DELEGATES and self._hitl_overrides("get_human_input"):
            return await asyncio.get_running_loop().run_in_executor(
                None, functools.partial(self.get_human_input, prompt)
            )
        step = CURRENT_STEP.get()
        ctx = self._hitl_context(step)
        provider = self._hitl_input
        if isinstance(provider, ConsoleInput):
            provider.check_interactive()  # asked: also when a group's selection handed a never-asking proxy the turn
        prompt = self._hitl_visible(prompt)
        try:
            answer = await a_ask(provider, prompt, ctx)
        except NoAnswer as missing:
            answer = self._hitl_no_answer(step, missing)
        return _compat.record_human_input(self, checked_answer(answer, provider))


#: The proxy's own ``get_human_input``: a proxy whose method is this one is asked without the detour through it.
_GET_HUMAN_INPUT = PolicyUserProxy.get_human_input
