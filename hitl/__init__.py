"""Typed, composable human-in-the-loop policies for AutoGen's classic agents."""

from .approval import ApproveCode, ApproveTools
from .audit import DecisionRecord, JsonlAudit
from .conditions import Condition, Keyword, condition
from .config import Limits
from .context import TurnContext
from .errors import (
    AutoReplyError,
    ConfigurationError,
    HitlError,
    InputExhaustedError,
    PolicyError,
    ScriptExhaustedError,
)
from .inputs import (
    AsyncHumanInput,
    CallbackInput,
    ConsoleInput,
    HumanInput,
    NoAnswer,
    QueueInput,
    ScriptedInput,
    TimeoutInput,
)
from .policies import AllOf, Always, AnyOf, Decision, InputPolicy, Never, Not, Terminate, When
from .proxy import PolicyUserProxy, Prompts
from .replies import AutoReply, CallableReply, FirstMatch, StaticReply
from .workflow import Stage, StageResult, Workflow, WorkflowResult

__version__ = "0.1.0"

__all__ = [
    "AllOf",
    "Always",
    "AnyOf",
    "ApproveCode",
    "ApproveTools",
    "AsyncHumanInput",
    "AutoReply",
    "AutoReplyError",
    "CallableReply",
    "CallbackInput",
    "Condition",
    "ConfigurationError",
    "ConsoleInput",
    "Decision",
    "DecisionRecord",
    "FirstMatch",
    "HitlError",
    "HumanInput",
    "InputExhaustedError",
    "InputPolicy",
    "JsonlAudit",
    "Keyword",
    "Limits",
    "Never",
    "NoAnswer",
    "Not",
    "PolicyError",
    "PolicyUserProxy",
    "Prompts",
    "QueueInput",
    "ScriptExhaustedError",
    "ScriptedInput",
    "Stage",
    "StageResult",
    "StaticReply",
    "Terminate",
    "TimeoutInput",
    "TurnContext",
    "When",
    "Workflow",
    "WorkflowResult",
    "__version__",
    "condition",
]
