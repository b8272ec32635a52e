"""``hitl.errors`` stays importable, with the same public names.

They live in [`hitl.core.errors`][hitl.core.errors].
"""

from .core.errors import *  # noqa: F403
