"""Approval gates: ask the human before the assistant's code or tool calls run.

AutoGen runs code blocks and tool calls in the proxy's reply chain, *after* the human-input step. So a
policy that asks on such a message is a gate, and AutoGen's own answer rules do the rest:

- **Enter** approves: the auto-reply happens, and with it the code execution or the tool call;
- **any text** rejects: it goes back to the assistant as feedback, nothing runs (a tool call is
  answered "USER INTERRUPTED");
- **exit** stops the chat.

The gates show what is awaiting approval above the prompt: the code's language and first lines, or the
tool's name and arguments.

Examples:
    >>> from hitl import Terminate
    >>> from hitl.approval import ApproveCode, ApproveTools
    >>> Terminate() | ApproveCode() | ApproveTools("deploy_*")
    Terminate() | ApproveCode() | ApproveTools('deploy_*')
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .conditions import _canonical_language, code_blocks
from .context import TurnContext
from .policies import Decision, InputPolicy

__all__ = ["ApproveCode", "ApproveTools"]


def _preview(code: str, lines: int) -> str:
    shown = code.splitlines()[:lines]
    more = len(code.splitlines()) - len(shown)
    text = "\n".join(f"    {line}" for line in shown)
    return text + (f"\n    ... ({more} more line{'s' if more != 1 else ''})" if more > 0 else "")


@dataclass(frozen=True, slots=True, init=False)
class ApproveCode(InputPolicy):
    """Ask before a code block in the message runs (any language, or the ones given), showing the code.

    Args:
        *languages: only these languages (``"python"``, ``"sh"``...); aliases as in
            :class:`~hitl.conditions.HasCodeBlock`. None given: any block, with or without a language.
        preview_lines: how many lines of each block to show.

    Examples:
        >>> from hitl import TurnContext
        >>> decision = ApproveCode().decide(TurnContext("```python\\nimport shutil\\nshutil.rmtree('/tmp/x')\\n```"))
        >>> decision.ask, decision.reason
        (True, 'code awaiting approval (python, 2 lines)')
        >>> print(decision.detail)
        The assistant wants to run 1 code block:
        [1] python
            import shutil
            shutil.rmtree('/tmp/x')
        Press enter to run it, type feedback to reject it, or type 'exit' to stop.
    """

    languages: tuple[str, ...]
    preview_lines: int = 10
    _no: Decision = field(init=False, repr=False, compare=False)

    def __init__(self, *languages: str, preview_lines: int = 10) -> None:
        object.__setattr__(self, "languages", tuple(_canonical_language(language) for language in languages))
        object.__setattr__(self, "preview_lines", preview_lines)
        object.__setattr__(self, "_no", Decision(False, self, "no code awaiting approval"))

    def decide(self, ctx: TurnContext) -> Decision:
        """Ask when the message holds a (matching) code block."""
        text = ctx.text
        if "```" not in text:
            return self._no
        blocks = [
            (language, code)
            for language, code in code_blocks(text)
            if not self.languages or _canonical_language(language) in self.languages
        ]
        if not blocks:
            return self._no
        shown = [
            f"[{n}] {language or 'no language'}\n{_preview(code, self.preview_lines)}"
            for n, (language, code) in enumerate(blocks, 1)
        ]
        count = f"{len(blocks)} code block{'s' if len(blocks) != 1 else ''}"
        detail = (
            f"The assistant wants to run {count}:\n" + "\n".join(shown) + "\n"
            "Press enter to run it, type feedback to reject it, or type 'exit' to stop."
        )
        lines = sum(len(code.splitlines()) for _, code in blocks)
        languages = ", ".join(sorted({language or "no language" for language, _ in blocks}))
        return Decision(
            True, self, f"code awaiting approval ({languages}, {lines} line{'s' if lines != 1 else ''})", detail
        )

    def __repr__(self) -> str:
        return f"ApproveCode({', '.join(map(repr, self.languages))})"


def _calls(message: Mapping[str, Any]) -> list[tuple[str, str]]:
    calls: list[tuple[str, str]] = []
    for call in message.get("tool_calls") or ():
        function = call.get("function") if isinstance(call, Mapping) else None
        if isinstance(function, Mapping):
            calls.append((str(function.get("name", "")), str(function.get("arguments", ""))))
    function_call = message.get("function_call")
    if isinstance(function_call, Mapping):
        calls.append((str(function_call.get("name", "")), str(function_call.get("arguments", ""))))
    return calls


def _arguments(raw: str) -> str:
    try:
        return json.dumps(json.loads(raw), indent=2, ensure_ascii=False)
    except (ValueError, TypeError):
        return raw


@dataclass(frozen=True, slots=True, init=False)
class ApproveTools(InputPolicy):
    """Ask before a tool call runs (any tool, or those whose name matches a glob), showing its arguments.

    Examples:
        >>> from hitl import TurnContext
        >>> call = {"content": None, "tool_calls": [
        ...     {"id": "c1", "type": "function", "function": {"name": "deploy_app", "arguments": '{"env": "prod"}'}}]}
        >>> decision = ApproveTools("deploy_*").decide(TurnContext(call))
        >>> decision.ask, decision.reason
        (True, 'tool call awaiting approval: deploy_app')
        >>> ApproveTools("send_*").decide(TurnContext(call)).ask
        False
    """

    patterns: tuple[str, ...]
    _no: Decision = field(init=False, repr=False, compare=False)

    def __init__(self, *patterns: str) -> None:
        object.__setattr__(self, "patterns", tuple(patterns))
        object.__setattr__(self, "_no", Decision(False, self, "no tool call awaiting approval"))

    def decide(self, ctx: TurnContext) -> Decision:
        """Ask when the message calls a (matching) tool."""
        message = ctx.message
        if not message.get("tool_calls") and not message.get("function_call"):
            return self._no
        calls = [
            (name, arguments)
            for name, arguments in _calls(message)
            if not self.patterns or any(fnmatch.fnmatchcase(name, pattern) for pattern in self.patterns)
        ]
        if not calls:
            return self._no
        shown = "\n".join(f"[{n}] {name}({_arguments(arguments)})" for n, (name, arguments) in enumerate(calls, 1))
        detail = (
            f"The assistant wants to call {len(calls)} tool{'s' if len(calls) != 1 else ''}:\n{shown}\n"
            "Press enter to run it, type feedback to reject it, or type 'exit' to stop."
        )
        names = ", ".join(name for name, _ in calls)
        return Decision(True, self, f"tool call awaiting approval: {names}", detail)

    def __repr__(self) -> str:
        return f"ApproveTools({', '.join(map(repr, self.patterns))})"
