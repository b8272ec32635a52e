"""``hitl.context`` stays importable, with the same public names.

They live in [`hitl.core.context`][hitl.core.context].
"""

from .core.context import *  # noqa: F403
