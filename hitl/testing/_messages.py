"""Builders for the messages a scripted assistant sends: code blocks and tool calls."""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping
from typing import Any

__all__ = ["code_block", "function_call", "tool_call"]

_call_ids = itertools.count(1)


def code_block(code: str, language: str = "python", *, before: str = "", after: str = "") -> str:
    r"""Return a message text holding one fenced code block, as an LLM would write it.

    Examples:
        >>> code_block("print('hi')", before="Run this:")
        "Run this:\n```python\nprint('hi')\n```"
    """
    block = f"```{language}\n{code.strip(chr(10))}\n```"
    return "\n".join(part for part in (before, block, after) if part)


def tool_call(
    name: str, arguments: Mapping[str, Any] | None = None, *, call_id: str | None = None, content: str | None = None
) -> dict[str, Any]:
    """Return an assistant message that calls one tool, as the OpenAI API shapes it (content None by default).

    Examples:
        >>> tool_call("lookup", {"city": "Paris"}, call_id="call_1")["tool_calls"][0]["function"]
        {'name': 'lookup', 'arguments': '{"city": "Paris"}'}
    """
    return {
        "content": content,
        "role": "assistant",
        "tool_calls": [
            {
                "id": call_id or f"call_{next(_call_ids)}",
                "type": "function",
                "function": {"name": name, "arguments": json.dumps(dict(arguments or {}))},
            }
        ],
    }


def function_call(name: str, arguments: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Return an assistant message with a legacy ``function_call``.

    Examples:
        >>> function_call("lookup")["function_call"]
        {'name': 'lookup', 'arguments': '{}'}
    """
    return {
        "content": None,
        "role": "assistant",
        "function_call": {"name": name, "arguments": json.dumps(dict(arguments or {}))},
    }
