"""``hitl.approval`` stays importable, with the same public names.

They live in [`hitl.core.approval`][hitl.core.approval].
"""

from .core.approval import *  # noqa: F403
