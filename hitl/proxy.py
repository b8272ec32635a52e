"""``hitl.proxy`` stays importable, with the same public names.

They live in [`hitl.adapters.autogen.proxy`][hitl.adapters.autogen.proxy].
"""

from .adapters.autogen.proxy import *  # noqa: F403
