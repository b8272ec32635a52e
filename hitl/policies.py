"""``hitl.policies`` stays importable, with the same public names.

They live in [`hitl.core.policies`][hitl.core.policies].
"""

from .core.policies import *  # noqa: F403
