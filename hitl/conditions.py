"""``hitl.conditions`` stays importable, with the same public names.

They live in [`hitl.core.conditions`][hitl.core.conditions].
"""

from .core.conditions import *  # noqa: F403
