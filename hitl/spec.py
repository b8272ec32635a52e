"""``hitl.spec`` stays importable: every name it offered is offered still, as the same object.

They live in [`hitl.core.spec`][hitl.core.spec] and the modules imported below.
"""

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
from .core.conditions import AllConditions, AnyCondition, Condition, NotCondition
from .core.errors import ConfigurationError
from .core.policies import AllOf, Always, AnyOf, InputPolicy, Never, Not, Terminate, When
from .core.spec import MAX_DEPTH, POLICY_NAMES, Takes, format_condition, format_policy, parse_condition, parse_policy

__all__ = [
    "MAX_DEPTH",
    "POLICY_NAMES",
    "AfterAutoReplies",
    "AllConditions",
    "AllOf",
    "Always",
    "AnyCondition",
    "AnyOf",
    "AsksQuestion",
    "Condition",
    "ConfigurationError",
    "Contains",
    "EveryNth",
    "FromSender",
    "HasCodeBlock",
    "HasToolCall",
    "InputPolicy",
    "Keyword",
    "LongerThan",
    "Matches",
    "Never",
    "Not",
    "NotCondition",
    "Takes",
    "Terminate",
    "When",
    "asks_question",
    "format_condition",
    "format_policy",
    "has_code_block",
    "has_tool_call",
    "parse_condition",
    "parse_policy",
]
