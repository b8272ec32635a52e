"""``hitl.errors`` stays importable: every name it offered is offered still, as the same object.

They live in [`hitl.core.errors`][hitl.core.errors].
"""

from .core.errors import (
    AutoReplyError,
    ConfigurationError,
    ConfigWarning,
    HitlError,
    InputExhaustedError,
    PolicyError,
    ScriptExhaustedError,
    user_stacklevel,
)

__all__ = [
    "AutoReplyError",
    "ConfigWarning",
    "ConfigurationError",
    "HitlError",
    "InputExhaustedError",
    "PolicyError",
    "ScriptExhaustedError",
    "user_stacklevel",
]
