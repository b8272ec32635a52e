"""What a proxy was given that AutoGen keeps to itself, read back through public means."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from .proxy import PolicyUserProxy

__all__ = ["ProxySettings", "settings_of"]


@dataclass(frozen=True)
class ProxySettings:
    """What a proxy was given that AutoGen keeps to itself, read back: configuration describes a proxy from it.

    Attributes:
        termination: the ``is_termination_msg`` the proxy was given, or None for AutoGen's default.
        default_auto_reply: AutoGen's ``default_auto_reply`` (what the proxy says when nothing else replied).
        code_execution_config: AutoGen's ``code_execution_config``: its settings, or False for no code.
    """

    termination: Callable[[dict[str, Any]], Any] | None
    default_auto_reply: str | dict[str, Any] | None
    code_execution_config: dict[str, Any] | Literal[False]


def settings_of(proxy: PolicyUserProxy) -> ProxySettings:
    """Read back what ``proxy`` was given (a function, so that no name is added to a class users subclass).

    Examples:
        >>> from hitl import PolicyUserProxy
        >>> settings_of(PolicyUserProxy("user", code_execution_config=False, default_auto_reply="ok"))
        ProxySettings(termination=None, default_auto_reply='ok', code_execution_config=False)
    """
    return ProxySettings(proxy._hitl_termination, proxy._default_auto_reply, proxy._code_execution_config)
