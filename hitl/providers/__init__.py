"""Human-input providers: how a question reaches a person, and what happens when nobody answers.

One module per provider ([`scripted`][hitl.providers.scripted],
[`callback`][hitl.providers.callback], [`queue`][hitl.providers.queue], [`timeout`][hitl.providers.timeout]) and
[`base`][hitl.providers.base]: the protocols a provider implements, the
[`NoAnswer`][hitl.providers.base.NoAnswer] it raises, and the asking adapter
([`ask`][hitl.providers.base.ask], [`a_ask`][hitl.providers.base.a_ask]) through which the proxy, the workflow's
checkpoints and [`TimeoutInput`][hitl.providers.timeout.TimeoutInput] ask any provider. ``hitl.inputs`` offers
the same names, as the same objects.

Examples:
    >>> from hitl import TurnContext
    >>> from hitl.providers import ScriptedInput, ask
    >>> ask(ScriptedInput(["looks good"]), "Your feedback? ", TurnContext("draft"))
    'looks good'
"""

from __future__ import annotations

from .base import (
    AsyncHumanInput,
    AsyncTimedHumanInput,
    HumanInput,
    NoAnswer,
    NoAnswerReason,
    TimedHumanInput,
    a_ask,
    ask,
)
from .callback import CallbackInput
from .queue import Question, QueueInput
from .scripted import ScriptedInput
from .stdin import ALLOW_NON_INTERACTIVE_ENV, TERMINAL_RESET, allowed_by_environment
from .threads import in_event_loop, run_to_completion, start_daemon
from .timeout import MAX_TIMEOUT_SECONDS, TimeoutInput

__all__ = [
    "ALLOW_NON_INTERACTIVE_ENV",
    "MAX_TIMEOUT_SECONDS",
    "TERMINAL_RESET",
    "AsyncHumanInput",
    "AsyncTimedHumanInput",
    "CallbackInput",
    "HumanInput",
    "NoAnswer",
    "NoAnswerReason",
    "Question",
    "QueueInput",
    "ScriptedInput",
    "TimedHumanInput",
    "TimeoutInput",
    "a_ask",
    "allowed_by_environment",
    "ask",
    "in_event_loop",
    "run_to_completion",
    "start_daemon",
]
