"""``hitl.context`` stays importable: every name it offered is offered still, as the same object.

They live in [`hitl.core.context`][hitl.core.context].
"""

from .core.context import DEFAULT_AUTO_REPLY_LIMIT, HistoryView, TurnContext, context_of, history_of, message_text

__all__ = ["DEFAULT_AUTO_REPLY_LIMIT", "HistoryView", "TurnContext", "context_of", "history_of", "message_text"]
