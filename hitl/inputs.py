"""Human-input providers: how the human is asked, and what happens when they do not answer.

A provider is anything with ``ask(prompt, context) -> str`` ([`HumanInput`][hitl.inputs.HumanInput]); one that can wait
without blocking an event loop also has ``async a_ask(prompt, context) -> str``
([`AsyncHumanInput`][hitl.inputs.AsyncHumanInput]); one with a deadline of its own has ``ask_within``
([`TimedHumanInput`][hitl.inputs.TimedHumanInput]) or ``a_ask_within``
([`AsyncTimedHumanInput`][hitl.inputs.AsyncTimedHumanInput]).
The proxy calls ``ask`` in ``initiate_chat`` and ``a_ask`` in ``a_initiate_chat``.

Answers mean what they mean in AutoGen: ``"exit"`` stops the chat, ``""`` (Enter) lets the auto-reply
happen (or stops the chat on a termination message), and any other text is sent as the human's reply.

A provider that gets no answer raises [`NoAnswer`][hitl.inputs.NoAnswer] with the answer to use instead (its
``fallback``) and why (``"eof"``, ``"interrupt"`` or ``"timeout"``); the proxy uses the fallback and
records the event in the audit trail. So a closed stdin, a Ctrl-C or a human who never answers is a
defined outcome, never a traceback, a hang or a silent approval.

| provider | for |
|---|---|
| [`ConsoleInput`][hitl.inputs.ConsoleInput] | a person at a terminal (AutoGen's IOStream), the default |
| [`ScriptedInput`][hitl.inputs.ScriptedInput] | tests: answers from a list, prompts recorded |
| [`CallbackInput`][hitl.inputs.CallbackInput] | your own function (sync or async) of the prompt and the TurnContext |
| [`QueueInput`][hitl.inputs.QueueInput] | servers and web apps: questions out, answers in, from any thread or task |
| [`TimeoutInput`][hitl.inputs.TimeoutInput] | any of these with a deadline and a default answer |

The providers live in the package ``hitl.providers``, one module each, except the console, which reads
through AutoGen's IOStream and so lives in the AutoGen adapter (``hitl.adapters.autogen.console``); this
module offers all their names (the same objects), as it always has.
"""

from __future__ import annotations

from .adapters.autogen.console import ALLOW_NON_INTERACTIVE_ENV, TERMINAL_RESET, ConsoleInput, allowed_by_environment
from .providers import (
    MAX_TIMEOUT_SECONDS,
    AsyncHumanInput,
    AsyncTimedHumanInput,
    CallbackInput,
    HumanInput,
    NoAnswer,
    Question,
    QueueInput,
    ScriptedInput,
    TimedHumanInput,
    TimeoutInput,
)
from .providers.base import NoAnswerReason

__all__ = [
    "ALLOW_NON_INTERACTIVE_ENV",
    "MAX_TIMEOUT_SECONDS",
    "TERMINAL_RESET",
    "AsyncHumanInput",
    "AsyncTimedHumanInput",
    "CallbackInput",
    "ConsoleInput",
    "HumanInput",
    "NoAnswer",
    "NoAnswerReason",
    "Question",
    "QueueInput",
    "ScriptedInput",
    "TimedHumanInput",
    "TimeoutInput",
    "allowed_by_environment",
]
