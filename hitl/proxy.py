"""``hitl.proxy`` stays importable: every name it offered is offered still, as the same object.

They live in [`hitl.adapters.autogen.proxy`][hitl.adapters.autogen.proxy] and the modules imported below.
"""

from .adapters.autogen.console import ConsoleInput
from .adapters.autogen.prompts import Prompts
from .adapters.autogen.proxy import (
    PolicyUserProxy,
    a_check_termination_and_human_reply,
    auto_reply_step,
    check_termination_and_human_reply,
)
from .core.approval import Gates, code_detail, tool_detail
from .core.context import TurnContext, context_of, message_text
from .core.decisions import Decision
from .core.errors import ConfigurationError, ConfigWarning, user_stacklevel
from .core.limits import Limits
from .core.policies import Always, InputPolicy, Never, Terminate, from_mode, to_mode
from .core.records import DecisionRecord, new_record
from .core.replies import AutoReply, as_auto_reply
from .core.text import check_template, visible
from .providers.base import AsyncHumanInput, HumanInput, NoAnswer, a_ask, ask
from .stores.audit import AuditSink

__all__ = [
    "Always",
    "AsyncHumanInput",
    "AuditSink",
    "AutoReply",
    "ConfigWarning",
    "ConfigurationError",
    "ConsoleInput",
    "Decision",
    "DecisionRecord",
    "Gates",
    "HumanInput",
    "InputPolicy",
    "Limits",
    "Never",
    "NoAnswer",
    "PolicyUserProxy",
    "Prompts",
    "Terminate",
    "TurnContext",
    "a_ask",
    "a_check_termination_and_human_reply",
    "as_auto_reply",
    "ask",
    "auto_reply_step",
    "check_template",
    "check_termination_and_human_reply",
    "code_detail",
    "context_of",
    "from_mode",
    "message_text",
    "new_record",
    "to_mode",
    "tool_detail",
    "user_stacklevel",
    "visible",
]
