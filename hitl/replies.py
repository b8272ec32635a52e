"""``hitl.replies`` stays importable: every name it offered is offered still, as the same object.

They live in [`hitl.core.replies`][hitl.core.replies] and the modules imported below.
"""

from .core.algebra import callable_name, truth
from .core.context import TurnContext
from .core.errors import AutoReplyError
from .core.replies import AutoReply, CallableReply, FirstMatch, Reply, StaticReply, as_auto_reply

__all__ = [
    "AutoReply",
    "AutoReplyError",
    "CallableReply",
    "FirstMatch",
    "Reply",
    "StaticReply",
    "TurnContext",
    "as_auto_reply",
    "callable_name",
    "truth",
]
