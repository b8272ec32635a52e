"""What the parts of [`PolicyUserProxy`][hitl.adapters.autogen.proxy.PolicyUserProxy] share: its state, declared.

``PolicyUserProxy`` is one class written in several modules: the decision steps (``_decide``), asking the
provider (``_ask``) and asking at the point of execution (``_execute``) are base classes of it, with no state
of their own. ``ProxyState`` declares, for the type checker, the attributes and methods those parts use: the
proxy's own (set in its ``__init__``) and AutoGen's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ...core.approval import Gates
    from ...core.context import TurnContext
    from ...core.limits import Limits
    from ...core.policies import Decision, InputPolicy
    from ...core.records import DecisionRecord
    from ...core.rules import Outcome
    from ...providers import AsyncHumanInput, HumanInput
    from ...stores.audit import AuditSink
    from ._decide import Handover, Turn
    from ._gate import ExecutionGate
    from .prompts import Prompts

__all__ = ["ProxyState"]


class ProxyState:
    """The attributes and methods of a ``PolicyUserProxy`` that its parts use (declarations only)."""

    if TYPE_CHECKING:
        # the proxy's own
        prompts: Prompts
        _hitl_policy: InputPolicy
        _hitl_policy_repr: str
        _hitl_mode: str
        _hitl_can_ask: bool
        _hitl_gates: Gates | None
        _hitl_gate: ExecutionGate
        _hitl_quick: Decision | None
        _hitl_has_step: bool
        _hitl_decided: dict[Any, TurnContext]
        _hitl_last_sender: Any
        _hitl_fired_names: dict[int, tuple[InputPolicy, str]]
        _hitl_records: list[DecisionRecord]
        _hitl_sinks: list[AuditSink]
        _hitl_input: HumanInput | AsyncHumanInput
        _hitl_console: bool
        _hitl_ready: bool
        _hitl_may_ask: bool
        _hitl_explicit_policy: bool
        _hitl_termination: Callable[[dict[str, Any]], Any] | None
        _hitl_limits: Limits
        _hitl_shown: tuple[str, str]
        _hitl_handed: Handover | None
        # AutoGen's
        name: str
        _oai_messages: dict[Any, list[dict[str, Any]]]
        _consecutive_auto_reply_counter: dict[Any, int]
        _max_consecutive_auto_reply_dict: dict[Any, int]
        _is_termination_msg: Callable[[dict[str, Any]], Any]
        _reply_func_list: list[dict[str, Any]]
        _code_executor: Any

        def register_reply(self, *args: Any, **kwargs: Any) -> None: ...
        def execute_code_blocks(self, code_blocks: Any) -> Any: ...
        def execute_function(self, func_call: Any, *args: Any, **kwargs: Any) -> Any: ...
        async def a_execute_function(self, func_call: Any, *args: Any, **kwargs: Any) -> Any: ...
        def _hitl_turn_context(self, messages: list[dict[str, Any]], sender: Any) -> TurnContext: ...
        def _hitl_install_gate(self) -> None: ...
        def _hitl_ask_in_turn(self, turn: Turn) -> str: ...
        async def _hitl_a_ask_in_turn(self, turn: Turn) -> str: ...
        def _hitl_stop(self, turn: Turn, reason: str, answer: str | None = None) -> tuple[bool, None]: ...
        def _hitl_record(self, turn: Turn, answer: str | None, outcome: Outcome, stop_reason: str | None) -> None: ...
        def build_prompt(self, ctx: TurnContext, decision: Decision) -> str: ...
        def check_can_ask(self, *, use_async: bool = False) -> None: ...
        def get_human_input(self, prompt: str, **kwargs: Any) -> str: ...
        async def a_get_human_input(self, prompt: str, **kwargs: Any) -> str: ...
