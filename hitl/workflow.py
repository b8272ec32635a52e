"""``hitl.workflow`` stays importable, with the same public names.

They live in [`hitl.adapters.autogen.workflow`][hitl.adapters.autogen.workflow].
"""

from .adapters.autogen.workflow import *  # noqa: F403
