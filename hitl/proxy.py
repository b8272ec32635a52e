"""``hitl.proxy`` stays importable, with the same public names.

They live in [`hitl.adapters.autogen.proxy`][hitl.adapters.autogen.proxy] and, for `Prompts`,
[`hitl.adapters.autogen.prompts`][hitl.adapters.autogen.prompts].
"""

from .adapters.autogen.prompts import Prompts as Prompts
from .adapters.autogen.proxy import *  # noqa: F403
