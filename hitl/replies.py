"""``hitl.replies`` stays importable, with the same public names.

They live in [`hitl.core.replies`][hitl.core.replies].
"""

from .core.replies import *  # noqa: F403
