"""``hitl.spec`` stays importable, with the same public names.

They live in [`hitl.core.spec`][hitl.core.spec].
"""

from .core.spec import *  # noqa: F403
