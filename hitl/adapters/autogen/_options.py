"""The checks and conversions of [`PolicyUserProxy`][hitl.adapters.autogen.proxy.PolicyUserProxy]'s arguments."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from typing import Any

from ...core.errors import ConfigurationError
from ...core.limits import Limits
from ...core.policies import Always, InputPolicy, from_mode
from ...providers import AsyncHumanInput, HumanInput
from ...stores.audit import AuditSink
from .compat import ConversableAgent
from .console import ConsoleInput

__all__ = ["check_keywords", "resolve_input", "resolve_limits", "resolve_policy", "resolve_sinks"]


def check_keywords(kwargs: Mapping[str, Any], own: Callable[..., Any]) -> None:
    """Name the class and the likely intended keyword for a typo, as ConversableAgent cannot.

    ``own`` is the proxy's ``__init__``: its parameters and ``ConversableAgent``'s are the known keywords.
    """
    if not kwargs:
        return
    known = _known_keywords(own)
    for name in kwargs:
        if name not in known:
            import difflib  # only for the error message

            close = difflib.get_close_matches(name, sorted(known - {"self", "kwargs"}), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise TypeError(f"PolicyUserProxy() got an unexpected keyword argument {name!r}{hint}")


@functools.cache
def _known_keywords(own: Callable[..., Any]) -> frozenset[str]:
    return frozenset(inspect.signature(own).parameters) | frozenset(
        inspect.signature(ConversableAgent.__init__).parameters
    )


def resolve_policy(policy: object, mode: object) -> InputPolicy:
    """Return the policy from ``policy=`` or ``human_input_mode=`` (one of them; ``Always()`` for neither)."""
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


def resolve_limits(limits: object, max_consecutive_auto_reply: int | None) -> Limits:
    """Return the limits from ``limits=`` (a Limits or a dict) or ``max_consecutive_auto_reply=``."""
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


def resolve_sinks(audit: object) -> list[AuditSink]:
    """Return the audit sinks from ``audit=``: one sink, a list of them, or None."""
    sinks = [] if audit is None else list(audit) if isinstance(audit, (list, tuple)) else [audit]
    for sink in sinks:
        if not callable(getattr(sink, "write", None)):
            raise TypeError(
                f"audit takes sinks with a write(record) method, such as hitl.stores.audit.JsonlAudit (got {sink!r})"
            )
    return sinks  # type: ignore[return-value]


def resolve_input(provider: object) -> HumanInput | AsyncHumanInput:
    """Return the human-input provider from ``human_input=`` (the console for None)."""
    if provider is None:
        return ConsoleInput()
    if callable(getattr(provider, "ask", None)) or callable(getattr(provider, "a_ask", None)):
        return provider  # type: ignore[return-value]
    raise TypeError(
        f"human_input must have an ask(prompt, context) or an async a_ask(prompt, context) method (got {provider!r})"
    )
