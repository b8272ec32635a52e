"""run_chat() and Transcript: run a scripted conversation and assert on what happened."""

from __future__ import annotations

import asyncio
import contextlib
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..adapters.autogen.assistant import Reply, ScriptedAssistant
from ..adapters.autogen.compat import default_iostream, iostream_set_to
from ..adapters.autogen.proxy import PolicyUserProxy
from ..core.context import message_text
from ..core.errors import ConfigurationError, ConfigWarning
from ..core.policies import InputPolicy
from ..inputs import ScriptedInput
from ..providers import in_event_loop
from ..stores.audit import DecisionRecord

__all__ = ["QuietIOStream", "Transcript", "TranscriptAssertionError", "quiet", "run_chat"]


class TranscriptAssertionError(AssertionError):
    """A transcript assertion failed; the message shows the whole transcript."""


# A failing test names the class where users import it from, not this private module.
TranscriptAssertionError.__module__ = "hitl.testing"


class QuietIOStream:
    """An AutoGen IOStream that prints nothing and keeps what AutoGen would have printed.

    ``input()`` raises: in a test, a human is a [`ScriptedInput`][hitl.inputs.ScriptedInput], never the console.

    Attributes:
        events: the events AutoGen sent (termination reasons, "USING AUTO REPLY", messages).
        printed: the text AutoGen printed.
    """

    def __init__(self) -> None:
        self.events: list[Any] = []
        self.printed: list[str] = []

    def print(self, *objects: Any, sep: str = " ", end: str = "\n", flush: bool = False) -> None:
        """Keep printed text."""
        self.printed.append(sep.join(map(str, objects)) + end)

    def send(self, message: Any) -> None:
        """Keep an event."""
        self.events.append(message)

    def input(self, prompt: str = "", *, password: bool = False) -> str:
        """Refuse: tests answer through ScriptedInput."""
        raise RuntimeError(f"the console was asked {prompt!r} in a quiet test run; give the proxy a ScriptedInput")


@contextlib.contextmanager
def quiet() -> Iterator[QuietIOStream]:
    """Silence AutoGen's console output inside the block, restoring it after; yields what was kept.

    Examples:
        >>> with quiet() as stream:
        ...     pass
        >>> stream.events
        []
    """
    stream = QuietIOStream()
    with iostream_set_to(stream):
        yield stream


@dataclass
class Transcript:
    """What happened in one scripted conversation, for assertions with readable failures.

    Attributes:
        messages: the proxy's history with the assistant (message dicts, oldest first).
        decisions: the proxy's decision records, one per message it received.
        prompts: every prompt the human was asked.
        answers: the human's answers, as AutoGen keeps them (``ChatResult.human_input``).
        error: the exception that ended the chat, if one did (it is re-raised unless ``raises=False``).
        max_turns: the turn limit the chat ran with.
    """

    messages: list[dict[str, Any]]
    decisions: list[DecisionRecord]
    prompts: list[str]
    answers: list[str]
    error: BaseException | None = None
    max_turns: int | None = None
    events: list[Any] = field(default_factory=list, repr=False)

    @property
    def asked(self) -> list[DecisionRecord]:
        """The decisions on which the human was asked."""
        return [record for record in self.decisions if record.asked]

    @property
    def texts(self) -> list[str]:
        """The text of every message, oldest first."""
        return [message_text(message.get("content")) for message in self.messages]

    @property
    def stop_reason(self) -> str:
        """Why the chat ended, in words.

        The proxy's own reason when it stopped the chat; otherwise ``"max turns reached"``, ``"error: ..."``,
        ``"the proxy sent no reply"`` (its auto-reply was ``None``), or ``"the assistant sent no reply"``
        (its script ran out, or its own termination check held).
        """
        if self.error is not None:
            return f"error: {type(self.error).__name__}: {self.error}"
        last = self.decisions[-1] if self.decisions else None
        if last is not None and last.turn == len(self.messages):
            if last.outcome == "stop":
                return last.stop_reason or "stopped"
            if last.outcome == "auto_reply":
                return "the proxy sent no reply"
        if self.max_turns is not None and sum(1 for m in self.messages if m.get("name") != self._assistant) >= (
            self.max_turns
        ):
            return "max turns reached"
        return "the assistant sent no reply"

    @property
    def _assistant(self) -> str | None:
        for record in self.decisions:
            return record.sender
        return None

    def __str__(self) -> str:
        lines = ["Transcript:"]
        by_turn = {record.turn: record for record in self.decisions}
        for turn, message in enumerate(self.messages, start=1):
            role = message.get("role")
            name = message.get("name") or role or "?"
            if role in ("tool", "function"):  # a result, named after the function, not a speaker
                name = f"({role} result{': ' + str(message['name']) if message.get('name') else ''})"
            text = message_text(message.get("content"))
            if message.get("tool_calls"):
                calls = ", ".join(str(call.get("function", {}).get("name")) for call in message["tool_calls"])
                text = f"{text} [tool calls: {calls}]".strip()
            function_call = message.get("function_call")
            if isinstance(function_call, Mapping):
                text = f"{text} [function call: {function_call.get('name')}]".strip()
            lines.append(f"  {turn:>3}. {name}: {text[:200]!r}")
            record = by_turn.get(turn)
            if record is not None:
                if record.asked:
                    lines.append(f"       asked ({record.fired}: {record.reason}) -> {record.answer!r}")
                else:
                    lines.append(f"       not asked ({record.fired}: {record.reason})")
                lines.append(f"       -> {record.outcome}{': ' + record.stop_reason if record.stop_reason else ''}")
        lines.append(f"  stop: {self.stop_reason}")
        return "\n".join(lines)

    # -- assertions ------------------------------------------------------------------------------------------
    # Each sets __tracebackhide__, so pytest reports a failure at the line of the test that asserted.
    def _fail(self, what: str) -> TranscriptAssertionError:
        return TranscriptAssertionError(f"{what}\n{self}")

    def assert_asked(self, times: int | None = None, *, at_turns: Sequence[int] | None = None) -> Transcript:
        """Assert the human was asked (``times`` times, or exactly at these 1-based turns)."""
        __tracebackhide__ = True
        turns = [record.turn for record in self.asked]
        if times is None and at_turns is None and not turns:
            raise self._fail("expected the human to be asked, but they never were")
        if times is not None and len(turns) != times:
            raise self._fail(f"expected the human to be asked {times} time(s), but they were asked {len(turns)}")
        if at_turns is not None and list(at_turns) != turns:
            raise self._fail(f"expected the human to be asked at turns {list(at_turns)}, but it was at {turns}")
        return self

    def assert_not_asked(self) -> Transcript:
        """Assert the human was never asked."""
        __tracebackhide__ = True
        return self.assert_asked(0)

    def assert_stopped(self, reason: str | None = None) -> Transcript:
        """Assert the chat ended, with a stop reason containing ``reason`` if given."""
        __tracebackhide__ = True
        if self.error is not None:
            raise self._fail(f"expected the chat to stop, but it raised {self.error!r}")
        if reason is not None and reason.lower() not in self.stop_reason.lower():
            raise self._fail(f"expected a stop because of {reason!r}, but: {self.stop_reason}")
        return self

    def assert_said(self, text: str, *, by: str | None = None) -> Transcript:
        """Assert some message (by the named agent, if given) contains ``text``."""
        __tracebackhide__ = True
        for message in self.messages:
            if (by is None or message.get("name") == by) and text in message_text(message.get("content")):
                return self
        raise self._fail(f"expected a message{' by ' + by if by else ''} containing {text!r}")

    def assert_messages(self, count: int) -> Transcript:
        """Assert the history holds ``count`` messages."""
        __tracebackhide__ = True
        if len(self.messages) != count:
            raise self._fail(f"expected {count} messages, but the history holds {len(self.messages)}")
        return self


def run_chat(
    proxy_or_policy: PolicyUserProxy | InputPolicy,
    replies: ScriptedAssistant | Iterable[Reply],
    *,
    answers: Iterable[str] | None = None,
    message: str | Mapping[str, Any] = "Start.",
    max_turns: int | None = None,
    raises: bool = True,
    use_async: bool = False,
    proxy_factory: Callable[..., PolicyUserProxy] = PolicyUserProxy,
    **proxy_kwargs: Any,
) -> Transcript:
    """Run one scripted conversation, quietly, and return its [`Transcript`][hitl.testing.Transcript].

    Args:
        proxy_or_policy: a ready proxy, or a policy to build one with (named ``"user"``, code execution
            off, the human scripted by ``answers``, ``proxy_kwargs`` passed on).
        replies: the assistant: a [`ScriptedAssistant`][hitl.testing.ScriptedAssistant], or its script (it
            then stops the chat quietly when the script runs out).
        answers: the scripted human's answers (only with a policy).
        message: the opening message.
        max_turns: passed to ``initiate_chat``.
        raises: re-raise an exception that ends the chat (default); with False it is kept in
            ``transcript.error``.
        use_async: run through ``a_initiate_chat``.
        proxy_factory: the proxy class (or factory) to build with a policy: a subclass of yours.
        **proxy_kwargs: more ``PolicyUserProxy`` arguments, with a policy (``limits=``, ``auto_reply=``...).

    Examples:
        >>> from hitl import Terminate
        >>> t = run_chat(Terminate(), ["Working.", "TERMINATE"], answers=[""])
        >>> t.assert_asked(at_turns=[4]).assert_stopped("no human input").texts
        ['Start.', 'Working.', '', 'TERMINATE']
    """
    if isinstance(proxy_or_policy, InputPolicy):
        proxy_kwargs.setdefault("code_execution_config", False)
        proxy_kwargs.setdefault("human_input", ScriptedInput(answers or ()))
        proxy = proxy_factory("user", policy=proxy_or_policy, **proxy_kwargs)
    else:
        if answers is not None or proxy_kwargs:
            raise TypeError("run_chat() takes answers= and proxy options only with a policy, not a ready proxy")
        proxy = proxy_or_policy
    assistant = (
        replies
        if isinstance(replies, ScriptedAssistant)
        else ScriptedAssistant("assistant", replies, on_exhausted="stop")
    )
    if use_async and in_event_loop():
        raise ConfigurationError(
            "run_chat(use_async=True) runs its own event loop, so it cannot run inside one (an async test): "
            "there, await proxy.a_initiate_chat(...) directly"
        )
    provider = proxy.human_input
    # A ready proxy may have chatted before: this transcript holds this chat's decisions and prompts only.
    first_decision = len(proxy.decisions)
    first_prompt = len(provider.prompts) if isinstance(provider, ScriptedInput) else 0
    error: BaseException | None = None
    with quiet() as stream, warnings.catch_warnings():
        # A scripted assistant ends the chat with its script: "it may run to the limit" does not apply.
        warnings.filterwarnings("ignore", "PolicyUserProxy .* never asks a human", ConfigWarning)
        try:
            if use_async:
                asyncio.run(proxy.a_initiate_chat(assistant, message=message, max_turns=max_turns, silent=True))
            else:
                proxy.initiate_chat(assistant, message=message, max_turns=max_turns, silent=True)
        except Exception as exc:
            error = exc
    decisions = proxy.decisions[first_decision:]
    transcript = Transcript(
        messages=list(proxy.chat_messages.get(assistant, [])),
        decisions=decisions,
        prompts=provider.prompts[first_prompt:]
        if isinstance(provider, ScriptedInput)
        else [r.prompt or "" for r in decisions if r.asked],
        answers=list(proxy._human_input),
        error=error,
        max_turns=max_turns if max_turns is not None else proxy.limits.max_turns,
        events=stream.events,
    )
    if error is not None and raises:
        raise error
    assert default_iostream() is not stream
    return transcript
