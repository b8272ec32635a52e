"""``hitl.limits`` stays importable: every name it offered is offered still, as the same object.

They live in [`hitl.core.limits`][hitl.core.limits].
"""

from .core.limits import MAX_LIMIT, Limits

__all__ = ["MAX_LIMIT", "Limits"]
