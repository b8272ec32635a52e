"""``hitl.policies`` stays importable: every name it offered is offered still, as the same object.

They live in [`hitl.core.policies`][hitl.core.policies] and the modules imported below.
"""

from .core.algebra import callable_name, flatten, join, truth
from .core.context import TurnContext
from .core.decisions import Decision
from .core.errors import PolicyError
from .core.policies import (
    AllOf,
    Always,
    AnyOf,
    HumanInputMode,
    InputPolicy,
    Never,
    Not,
    Predicate,
    Terminate,
    When,
    from_mode,
    merge,
    to_mode,
)

__all__ = [
    "AllOf",
    "Always",
    "AnyOf",
    "Decision",
    "HumanInputMode",
    "InputPolicy",
    "Never",
    "Not",
    "PolicyError",
    "Predicate",
    "Terminate",
    "TurnContext",
    "When",
    "callable_name",
    "flatten",
    "from_mode",
    "join",
    "merge",
    "to_mode",
    "truth",
]
