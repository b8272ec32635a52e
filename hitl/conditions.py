"""``hitl.conditions`` stays importable: every name it offered is offered still, as the same object.

They live in [`hitl.core.conditions`][hitl.core.conditions] and the modules imported below.
"""

from .core.algebra import callable_name, flatten, join, truth
from .core.calls import tool_calls
from .core.code import KNOWN_LANGUAGES, LANGUAGE_ALIASES, canonical_language, code_blocks
from .core.condition_library import (
    AfterAutoReplies,
    AsksQuestion,
    Contains,
    EveryNth,
    FromSender,
    HasCodeBlock,
    HasToolCall,
    Keyword,
    LongerThan,
    Matches,
    asks_question,
    has_code_block,
    has_tool_call,
)
from .core.conditions import (
    AllConditions,
    AnyCondition,
    Condition,
    FunctionCondition,
    NotCondition,
    condition,
    known_language,
    known_patterns,
)
from .core.context import TurnContext
from .core.errors import PolicyError

__all__ = [
    "KNOWN_LANGUAGES",
    "LANGUAGE_ALIASES",
    "AfterAutoReplies",
    "AllConditions",
    "AnyCondition",
    "AsksQuestion",
    "Condition",
    "Contains",
    "EveryNth",
    "FromSender",
    "FunctionCondition",
    "HasCodeBlock",
    "HasToolCall",
    "Keyword",
    "LongerThan",
    "Matches",
    "NotCondition",
    "PolicyError",
    "TurnContext",
    "asks_question",
    "callable_name",
    "canonical_language",
    "code_blocks",
    "condition",
    "flatten",
    "has_code_block",
    "has_tool_call",
    "join",
    "known_language",
    "known_patterns",
    "tool_calls",
    "truth",
]
