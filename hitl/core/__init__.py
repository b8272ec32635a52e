"""hitl's core: what a human-in-the-loop policy is, with no agent framework in it.

The core holds the turn context, the policies and conditions, the decisions and their records, the
auto-reply strategies, the limits, and code-block recognition (`hitl.core.code`). It imports no agent
framework (an import rule checked in CI), so it can be used, and tested, on its own; adapters (the
classic-AutoGen `PolicyUserProxy`) and human-input providers build on it.

Examples:
    >>> from hitl.core import Terminate, TurnContext, When, has_code_block
    >>> policy = Terminate() | When(has_code_block)
    >>> policy.decide(TurnContext("```python\\nprint(1)\\n```")).ask
    True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .lazy import lazy_names

if TYPE_CHECKING:
    from .approval import ApproveCode, ApproveTools
    from .conditions import Condition, has_code_block
    from .context import HistoryView, TurnContext, message_text
    from .errors import AutoReplyError, ConfigurationError, HitlError, PolicyError
    from .limits import Limits
    from .policies import AllOf, Always, AnyOf, Decision, InputPolicy, Never, Not, Terminate, When
    from .question import Answers, Question, Subject
    from .records import DecisionRecord
    from .replies import AutoReply, CallableReply, FirstMatch, StaticReply

#: Where each name lives (imported on first use: the modules of the core import ``hitl.core.code``).
_HOMES = {
    "hitl.core.approval": ("ApproveCode", "ApproveTools"),
    "hitl.core.records": ("DecisionRecord",),
    "hitl.core.conditions": ("Condition", "has_code_block"),
    "hitl.core.context": ("HistoryView", "TurnContext", "message_text"),
    "hitl.core.errors": ("AutoReplyError", "ConfigurationError", "HitlError", "PolicyError"),
    "hitl.core.limits": ("Limits",),
    "hitl.core.policies": ("AllOf", "Always", "AnyOf", "Decision", "InputPolicy", "Never", "Not", "Terminate", "When"),
    "hitl.core.replies": ("AutoReply", "CallableReply", "FirstMatch", "StaticReply"),
    "hitl.core.question": ("Answers", "Question", "Subject"),
}
_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}

__all__ = [
    "AllOf",
    "Always",
    "Answers",
    "AnyOf",
    "ApproveCode",
    "ApproveTools",
    "AutoReply",
    "AutoReplyError",
    "CallableReply",
    "Condition",
    "ConfigurationError",
    "Decision",
    "DecisionRecord",
    "FirstMatch",
    "HistoryView",
    "HitlError",
    "InputPolicy",
    "Limits",
    "Never",
    "Not",
    "PolicyError",
    "Question",
    "StaticReply",
    "Subject",
    "Terminate",
    "TurnContext",
    "When",
    "has_code_block",
    "message_text",
]


__getattr__ = lazy_names(__name__, _HOME_OF, globals())


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
