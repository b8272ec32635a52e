"""Approval gates: ask the human before the assistant's code or tool calls run.

AutoGen runs code blocks and tool calls in the proxy's reply chain, *after* the human-input step. So a
policy that asks on such a message is a gate, and AutoGen's own answer rules do the rest:

- **Enter** approves: the auto-reply happens, and with it the code execution or the tool call;
- **any text** rejects: it goes back to the assistant as feedback, nothing runs (a tool call is
  answered "USER INTERRUPTED");
- **exit** stops the chat.

The gates show what is awaiting approval above the prompt: the code's language and first lines, or the
tool's name and arguments.

``ApproveCode`` finds code as AutoGen's code execution does: with AutoGen's own code-block parser, a
block without a language tag counted in the language AutoGen infers for it, and in the messages AutoGen
scans by default (``last_n_messages="auto"``: those received since the proxy last spoke). A proxy whose
``code_execution_config`` scans a fixed number of messages more than one could run code from a message
the human already rejected, so a [`PolicyUserProxy`][hitl.proxy.PolicyUserProxy] refuses that setup with an
``ApproveCode``
in its policy.

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

from . import _compat
from .conditions import _canonical_language, _tool_calls
from .context import TurnContext
from .policies import AllOf, AnyOf, Decision, InputPolicy, Not

__all__ = ["ApproveCode", "ApproveTools"]


def _preview(code: str, lines: int) -> str:
    shown = code.splitlines()[:lines]
    more = len(code.splitlines()) - len(shown)
    text = "\n".join(f"    {line}" for line in shown)
    return text + (f"\n    ... ({more} more line{'s' if more != 1 else ''})" if more > 0 else "")


def _received_since_the_proxy_spoke(ctx: TurnContext) -> list[Mapping[str, Any]]:
    """Return the messages AutoGen's code execution scans by default, newest first (this one always)."""
    window = [ctx.message]
    history = ctx.messages
    if history and history[-1] is ctx.message:
        for message in reversed(history[:-1]):
            if message.get("role") != "user":  # the proxy's own message (or one of unknown origin)
                break
            window.append(message)
    return window


def _runnable_code(ctx: TurnContext) -> list[tuple[str, str]]:
    """Return the code blocks AutoGen's code execution would run now, each in the language it would use."""
    for message in _received_since_the_proxy_spoke(ctx):
        content = message.get("content")
        if not content:
            continue
        try:  # the text as AutoGen's code execution reads it (list parts are joined its way)
            text = _compat.content_str(content)
            blocks = _compat.extract_code(text) if "```" in text else []
        except Exception:  # content AutoGen cannot read holds no code it would run
            continue
        if not blocks:
            continue
        if len(blocks) == 1 and blocks[0][0] == _compat.UNKNOWN_LANGUAGE:
            continue  # AutoGen's answer for "no code block here"
        return [(language or _compat.infer_lang(code), code) for language, code in blocks]
    return []


def _gates_code(policy: InputPolicy) -> bool:
    """Whether an [`ApproveCode`][hitl.approval.ApproveCode] is anywhere in ``policy``."""
    if isinstance(policy, ApproveCode):
        return True
    if isinstance(policy, (AnyOf, AllOf)):
        return any(_gates_code(operand) for operand in policy.policies)
    return isinstance(policy, Not) and _gates_code(policy.policy)


@dataclass(frozen=True, slots=True, init=False)
class ApproveCode(InputPolicy):
    """Ask before the assistant's code runs (any language, or the ones given), showing the code.

    Args:
        *languages: only these languages (``"python"``, ``"sh"``...); aliases as in
            [`HasCodeBlock`][hitl.conditions.HasCodeBlock]. A block without a language tag counts in the
            language AutoGen infers for it. None given: any code block.
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
        """Ask when AutoGen's code execution would run (matching) code after this message."""
        blocks = _runnable_code(ctx)
        if self.languages and not any(_canonical_language(language) in self.languages for language, _ in blocks):
            return self._no
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
            for name, arguments in _tool_calls(message)
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
