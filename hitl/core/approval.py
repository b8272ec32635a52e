"""Approval gates: ask the human before the assistant's code or tool calls run, and run only what they approved.

A gate works at two points:

1. **At the message.** As a policy, ``ApproveCode`` asks when a message brings code and ``ApproveTools``
   when it calls a tool, showing the code's language and first lines, or the tool's name and arguments,
   above the prompt. AutoGen's own answer rules do the rest: **Enter** approves, **any text** rejects
   (it goes back to the assistant as feedback; a tool call is answered "USER INTERRUPTED"), **exit**
   stops the chat.
2. **At the point of execution.** A [`PolicyUserProxy`][hitl.adapters.autogen.proxy.PolicyUserProxy] whose policy holds
a gate
   runs gated code (on every path: AutoGen's legacy runner, any ``executor``, sync and async, in
   two-agent chats, GroupChats and nested chats) and gated tool or function calls only if the human
   approved *exactly that content*: an approval is bound to the code's text, or to the tool's name and
   arguments, and is used once. Anything else about to run (code AutoGen's scan window found in an older
   message, code the human rejected before, a call a hook changed) is shown and asked about right
   there; if nobody can be asked, it is refused. The gate does not model AutoGen's scan windows, so any
   ``last_n_messages`` is safe.

What the human sees is escaped: terminal control characters and invisible Unicode formatting in code or
tool arguments are shown as escapes (``\x1b``, ``\r``, ``\u202e``), so a preview cannot show other text
than the one that runs.

Composition decides *when the human is asked ahead*, at the message; it never lets gated content run
unapproved. ``ApproveCode() & When(from_coder)`` asks at the message only for the coder's code; code
from anyone else is still asked about at the point of execution.

Tool patterns are shell globs matched case-sensitively against the tool's name (``deploy_*`` does not
match ``Deploy_app``); language names are case-insensitive, with aliases, and an unknown one is an error.

Examples:
    >>> from hitl import Terminate
    >>> from hitl.core.approval import ApproveCode, ApproveTools
    >>> Terminate() | ApproveCode() | ApproveTools("deploy_*")
    Terminate() | ApproveCode() | ApproveTools('deploy_*')
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .calls import tool_calls
from .code import canonical_language, content_text, runnable_blocks
from .conditions import known_language, known_patterns
from .context import TurnContext, history_of
from .errors import ConfigurationError
from .policies import AllOf, AnyOf, Decision, InputPolicy, Not
from .text import visible

__all__ = ["ApproveCode", "ApproveTools", "Gates", "code_approval", "may_ask", "tool_approval"]

#: Approvals are bound to content: ("code", code) for a code block, ("call", name, arguments) for a call.
Approval = tuple[str, ...]
_CHOICES = "Press enter to run it, type feedback to reject it, or type 'exit' to stop."


def code_approval(code: str) -> Approval:
    """Return what approves one code block: its exact text (the language it runs in is not part of it)."""
    return ("code", code)


def tool_approval(name: str, arguments: str) -> Approval:
    """Return what approves one tool or function call: its exact name and arguments text."""
    return ("call", name, arguments)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' if count != 1 else ''}"


def _preview(code: str, lines: int) -> str:
    all_lines = code.split("\n")  # only newlines: a carriage return or a form feed is shown, not obeyed
    shown = all_lines[:lines]
    more = len(all_lines) - len(shown)
    text = "\n".join(f"    {visible(line)}" for line in shown)
    return text + (f"\n    ... ({_plural(more, 'more line')})" if more > 0 else "")


def code_detail(blocks: list[tuple[str, str]], preview_lines: int, *, choices: bool = True) -> str:
    """Describe code awaiting approval for the human: each block's language and first lines, escaped."""
    shown = [
        f"[{n}] {visible(language) or 'no language'}\n{_preview(code, preview_lines)}"
        for n, (language, code) in enumerate(blocks, 1)
    ]
    text = f"The assistant wants to run {_plural(len(blocks), 'code block')}:\n" + "\n".join(shown)
    return f"{text}\n{_CHOICES}" if choices else text


def tool_detail(calls: list[tuple[str, str]], *, choices: bool = True) -> str:
    """Describe tool calls awaiting approval for the human: each name and its arguments, escaped."""
    shown = "\n".join(
        f"[{n}] {visible(name)}({visible(_arguments(arguments))})" for n, (name, arguments) in enumerate(calls, 1)
    )
    text = f"The assistant wants to call {_plural(len(calls), 'tool')}:\n{shown}"
    return f"{text}\n{_CHOICES}" if choices else text


def _received_since_the_proxy_spoke(ctx: TurnContext) -> list[Mapping[str, Any]]:
    """Return the messages AutoGen's code execution scans by default, newest first (this one always)."""
    window = [ctx.message]
    history, length = history_of(ctx)
    if length and len(history) >= length and history[length - 1] is ctx.message:
        for index in range(length - 2, -1, -1):
            message = history[index]
            if message.get("role") != "user":  # the proxy's own message (or one of unknown origin)
                break
            window.append(message)
    return window


def _runnable_code(ctx: TurnContext) -> list[tuple[str, str]]:
    """Return the code blocks AutoGen's code execution would run now, each in the language it would use."""
    for message in _received_since_the_proxy_spoke(ctx):
        content = message.get("content")
        if not content or (type(content) is str and "```" not in content):
            continue  # no fence, no block: the common case
        text = content_text(content)  # as AutoGen's code execution reads it (list parts joined its way)
        if text is None:
            continue  # content AutoGen cannot read holds no code it would run
        blocks = runnable_blocks(text)
        if blocks:
            return blocks
    return []


def may_ask(policy: InputPolicy) -> bool:
    """Whether a proxy with ``policy`` may ask a human: at the message, or, for a gate, where code runs.

    ``Never() & ApproveCode()`` never asks at the message, yet its gate asks about code about to run.

    Examples:
        >>> from hitl import Never
        >>> may_ask(Never()), may_ask(Never() & ApproveCode())
        (False, True)
    """
    return policy.can_ask or bool(_gates_in(policy))


def _gates_in(policy: InputPolicy) -> list[InputPolicy]:
    if isinstance(policy, (ApproveCode, ApproveTools)):
        return [policy]
    if isinstance(policy, (AnyOf, AllOf)):
        return [gate for operand in policy.policies for gate in _gates_in(operand)]
    return _gates_in(policy.policy) if isinstance(policy, Not) else []


@dataclass(frozen=True, slots=True)
class Gates:
    """What a policy's approval gates hold back until the human approves it: the union of its gates.

    Attributes:
        code: the ``ApproveCode`` gates in the policy (none: code is not gated).
        tools: the ``ApproveTools`` gates in the policy (none: calls are not gated).

    Examples:
        >>> from hitl import Terminate
        >>> gates = Gates.of(Terminate() | ApproveCode("python") | ApproveTools("deploy_*"))
        >>> gates.gates_code("py"), gates.gates_code("sh"), gates.gates_call("deploy_app"), gates.gates_call("lint")
        (True, False, True, False)
        >>> Gates.of(Terminate()) is None
        True
    """

    code: tuple[ApproveCode, ...]
    tools: tuple[ApproveTools, ...]

    @classmethod
    def of(cls, policy: InputPolicy) -> Gates | None:
        """Return the gates anywhere in ``policy`` (under ``|``, ``&`` or ``~``), or None if it has none."""
        found = _gates_in(policy)
        if not found:
            return None
        return cls(
            tuple(gate for gate in found if isinstance(gate, ApproveCode)),
            tuple(gate for gate in found if isinstance(gate, ApproveTools)),
        )

    def gates_code(self, language: str) -> bool:
        """Whether code in ``language`` (a tag, an alias, or ``""`` for untagged code) needs approval."""
        if not self.code:
            return False
        canonical = canonical_language(language)
        return any(not gate.languages or canonical in gate.languages for gate in self.code)

    def gates_call(self, name: str) -> bool:
        """Whether a call of the tool or function ``name`` needs approval."""
        return any(gate.matches(name) for gate in self.tools)

    @property
    def preview_lines(self) -> int:
        """How many lines of each block to show when code is asked about at the point of execution."""
        return max((gate.preview_lines for gate in self.code), default=10)


@dataclass(frozen=True, slots=True, init=False)
class ApproveCode(InputPolicy):
    """Ask before the assistant's code runs (any language, or the ones given), showing the code.

    Args:
        *languages: only these languages (``"python"``, ``"sh"``...); aliases as in
            [`HasCodeBlock`][hitl.core.conditions.HasCodeBlock]. A block without a language tag counts in the
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
        object.__setattr__(self, "languages", tuple(known_language(language, "ApproveCode") for language in languages))
        if isinstance(preview_lines, bool) or not isinstance(preview_lines, int) or preview_lines < 1:
            raise ConfigurationError(f"ApproveCode.preview_lines must be an int >= 1 (got {preview_lines!r})")
        object.__setattr__(self, "preview_lines", preview_lines)
        object.__setattr__(self, "_no", Decision(False, self, "no code awaiting approval"))

    def decide(self, ctx: TurnContext) -> Decision:
        """Ask when the messages AutoGen scans by default bring (matching) code, showing it.

        An Enter on this question approves exactly the blocks shown; the proxy runs nothing else unasked.
        """
        blocks = _runnable_code(ctx)
        if self.languages and not any(canonical_language(language) in self.languages for language, _ in blocks):
            return self._no
        if not blocks:
            return self._no
        lines = sum(len(code.splitlines()) for _, code in blocks)
        languages = ", ".join(sorted({visible(language) or "no language" for language, _ in blocks}))
        return Decision(
            True,
            self,
            f"code awaiting approval ({languages}, {_plural(lines, 'line')})",
            code_detail(blocks, self.preview_lines),
            tuple(code_approval(code) for _, code in blocks),
        )

    @property
    def shows_detail(self) -> bool:
        """Always True: the gate shows the code."""
        return True

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
        object.__setattr__(self, "patterns", known_patterns(patterns, "ApproveTools"))
        object.__setattr__(self, "_no", Decision(False, self, "no tool call awaiting approval"))

    def matches(self, name: str) -> bool:
        """Whether a call of ``name`` is gated: any name without patterns, else a case-sensitive glob match."""
        return not self.patterns or any(fnmatch.fnmatchcase(name, pattern) for pattern in self.patterns)

    def decide(self, ctx: TurnContext) -> Decision:
        """Ask when the message calls a (matching) tool, showing each call.

        An Enter on this question approves exactly the calls shown (name and arguments); the proxy runs no
        other gated call unasked.
        """
        message = ctx.message
        if not message.get("tool_calls") and not message.get("function_call"):
            return self._no
        calls = [(name, arguments) for name, arguments in tool_calls(message) if self.matches(name)]
        if not calls:
            return self._no
        names = ", ".join(visible(name) for name, _ in calls)
        return Decision(
            True,
            self,
            f"tool call awaiting approval: {names}",
            tool_detail(calls),
            tuple(tool_approval(name, arguments) for name, arguments in calls),
        )

    @property
    def shows_detail(self) -> bool:
        """Always True: the gate shows the call."""
        return True

    def __repr__(self) -> str:
        return f"ApproveTools({', '.join(map(repr, self.patterns))})"
