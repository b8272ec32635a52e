"""Tool and function calls in a message, read the one way every part of hitl reads them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["call_of", "tool_calls"]


def call_of(function: object) -> tuple[str, str]:
    """Return ``(name, arguments)`` of one call's ``function`` part; ``""`` for what is missing or not text.

    Examples:
        >>> call_of({"name": "deploy", "arguments": '{"env": "prod"}'})
        ('deploy', '{"env": "prod"}')
        >>> call_of(None)
        ('', '')
    """
    if not isinstance(function, Mapping):
        return ("", "")
    name = function.get("name")
    return (name if isinstance(name, str) else "", str(function.get("arguments", "")))


def tool_calls(message: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Return ``(name, arguments)`` for each tool call and legacy function call in a message; never raises.

    Examples:
        >>> tool_calls({"tool_calls": [{"id": "1", "function": {"name": "ls", "arguments": "{}"}}]})
        [('ls', '{}')]
        >>> tool_calls({"content": "no calls"})
        []
    """
    found: list[tuple[str, str]] = []
    calls = message.get("tool_calls")
    if isinstance(calls, Iterable) and not isinstance(calls, (str, bytes, Mapping)):
        for call in calls:
            found.append(call_of(call.get("function") if isinstance(call, Mapping) else None))
    function_call = message.get("function_call")
    if isinstance(function_call, Mapping):
        found.append(call_of(function_call))
    return found
