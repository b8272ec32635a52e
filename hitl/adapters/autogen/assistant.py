"""ScriptedAssistant: an AutoGen agent that replies from a script instead of an LLM."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from ...core.context import message_text
from ...core.errors import ScriptExhaustedError
from .compat import ConversableAgent

__all__ = ["ScriptedAssistant"]

Reply = str | Mapping[str, Any]


class ScriptedAssistant(ConversableAgent):  # type: ignore[misc]  # AutoGen ships no type information
    """A ``ConversableAgent`` with no LLM that replies from a list of strings or message dicts.

    It behaves like an ``AssistantAgent`` whose model is replaced by the script: its own termination
    check, auto-reply limit, tool and code execution steps run first, exactly as they would around an
    LLM, and each reply the LLM would have produced is the next item of ``replies``. A dict is sent as
    the message (so ``{"content": None, "tool_calls": [...]}`` sends a tool call).

    Args:
        name: the agent's name.
        replies: the script, in order.
        on_exhausted: what to do when asked once more than the script holds: ``"raise"`` (default)
            raises [`ScriptExhaustedError`][hitl.core.errors.ScriptExhaustedError]; ``"stop"`` sends no reply,
            which ends the chat.
        **kwargs: any ``ConversableAgent`` argument (``human_input_mode`` defaults to ``"NEVER"``).

    Examples:
        >>> from hitl import PolicyUserProxy, Never
        >>> from hitl.testing import ScriptedAssistant
        >>> assistant = ScriptedAssistant("assistant", ["Working on it.", "Done. TERMINATE"])
        >>> user = PolicyUserProxy(
        ...     "user", policy=Never(), code_execution_config=False,
        ...     is_termination_msg=lambda m: "TERMINATE" in (m.get("content") or ""),
        ... )
        >>> import contextlib, io
        >>> with contextlib.redirect_stdout(io.StringIO()):  # AutoGen prints why the chat stops
        ...     result = user.initiate_chat(assistant, message="Start.", silent=True)
        >>> [m["content"] for m in result.chat_history]
        ['Start.', 'Working on it.', '', 'Done. TERMINATE']
    """

    def __init__(
        self,
        name: str = "assistant",
        replies: Iterable[Reply] = (),
        *,
        on_exhausted: Literal["raise", "stop"] = "raise",
        **kwargs: Any,
    ) -> None:
        if on_exhausted not in ("raise", "stop"):
            raise ValueError(f"on_exhausted must be 'raise' or 'stop' (got {on_exhausted!r})")
        script: list[Reply] = []
        for reply in replies:
            if not isinstance(reply, (str, Mapping)):
                raise TypeError(f"ScriptedAssistant replies must be strings or message dicts (got {reply!r})")
            script.append(reply)
        kwargs.setdefault("llm_config", False)
        kwargs.setdefault("human_input_mode", "NEVER")
        kwargs.setdefault("code_execution_config", False)
        super().__init__(name, **kwargs)
        self._script = script
        self._position = 0
        self._on_exhausted = on_exhausted
        # Where the LLM would answer: after the termination check, tool calls and code execution.
        self.register_reply(
            [ConversableAgent, None], ScriptedAssistant._scripted_reply, position=len(self._reply_func_list)
        )

    @property
    def replies_left(self) -> int:
        """How many scripted replies have not been sent yet."""
        return len(self._script) - self._position

    @property
    def replies_sent(self) -> int:
        """How many scripted replies have been sent."""
        return self._position

    def _scripted_reply(
        self, messages: list[dict[str, Any]] | None = None, sender: Any = None, config: Any = None
    ) -> tuple[bool, Any]:
        if self._position >= len(self._script):
            if self._on_exhausted == "stop":
                return True, None
            last = message_text(messages[-1].get("content")) if messages else ""
            raise ScriptExhaustedError(
                f"ScriptedAssistant {self.name!r} has no reply left ({len(self._script)} scripted) "
                f"for the message {last[:80]!r}"
            )
        reply = self._script[self._position]
        self._position += 1
        return True, reply if isinstance(reply, str) else copy.deepcopy(dict(reply))

    def __repr__(self) -> str:
        return f"ScriptedAssistant({self.name!r}, replies_left={self.replies_left})"
