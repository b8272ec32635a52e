"""``hitl.audit`` stays importable, with the same public names.

They live in [`hitl.stores.audit`][hitl.stores.audit].
"""

from .stores.audit import *  # noqa: F403
