"""``hitl.workflow`` stays importable: every name it offered is offered still, as the same object.

They live in [`hitl.adapters.autogen.workflow`][hitl.adapters.autogen.workflow] and the modules imported below.
"""

from .adapters.autogen.console import ConsoleInput
from .adapters.autogen.proxy import PolicyUserProxy
from .adapters.autogen.workflow import Stage, StageResult, StageStatus, Task, Workflow, WorkflowResult
from .core.approval import may_ask
from .core.condition_library import Keyword
from .core.context import TurnContext, message_text
from .core.errors import ConfigurationError
from .core.limits import Limits
from .core.policies import InputPolicy, Never
from .core.records import DecisionRecord
from .core.text import check_template, visible
from .providers.base import AsyncHumanInput, HumanInput, NoAnswer, a_ask, ask
from .stores.audit import AuditSink

__all__ = [
    "AsyncHumanInput",
    "AuditSink",
    "ConfigurationError",
    "ConsoleInput",
    "DecisionRecord",
    "HumanInput",
    "InputPolicy",
    "Keyword",
    "Limits",
    "Never",
    "NoAnswer",
    "PolicyUserProxy",
    "Stage",
    "StageResult",
    "StageStatus",
    "Task",
    "TurnContext",
    "Workflow",
    "WorkflowResult",
    "a_ask",
    "ask",
    "check_template",
    "may_ask",
    "message_text",
    "visible",
]
