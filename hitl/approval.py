"""``hitl.approval`` stays importable: every name it offered is offered still, as the same object.

They live in [`hitl.core.approval`][hitl.core.approval] and the modules imported below.
"""

from .core.approval import (
    Approval,
    ApproveCode,
    ApproveTools,
    Gates,
    code_approval,
    code_detail,
    may_ask,
    tool_approval,
    tool_detail,
)
from .core.calls import tool_calls
from .core.code import canonical_language, content_text, runnable_blocks
from .core.condition_library import known_language, known_patterns
from .core.context import TurnContext, history_of
from .core.decisions import Decision
from .core.errors import ConfigurationError
from .core.policies import AllOf, AnyOf, InputPolicy, Not
from .core.text import visible

__all__ = [
    "AllOf",
    "AnyOf",
    "Approval",
    "ApproveCode",
    "ApproveTools",
    "ConfigurationError",
    "Decision",
    "Gates",
    "InputPolicy",
    "Not",
    "TurnContext",
    "canonical_language",
    "code_approval",
    "code_detail",
    "content_text",
    "history_of",
    "known_language",
    "known_patterns",
    "may_ask",
    "runnable_blocks",
    "tool_approval",
    "tool_calls",
    "tool_detail",
    "visible",
]
