"""``hitl.limits`` stays importable, with the same public names.

They live in [`hitl.core.limits`][hitl.core.limits].
"""

from .core.limits import *  # noqa: F403
