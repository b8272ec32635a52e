"""Typed, composable human-in-the-loop policies for AutoGen's classic agents."""

from typing import TYPE_CHECKING, Any, TypeVar

from .adapters.configuration import install_configuration_layer
from .core.context import TurnContext
from .core.errors import (
    AutoReplyError,
    ConfigurationError,
    HitlError,
    InputExhaustedError,
    PolicyError,
    ScriptExhaustedError,
)
from .core.lazy import lazy_names
from .core.limits import Limits
from .core.policies import AllOf, Always, AnyOf, Decision, InputPolicy, Never, Not, Terminate, When
from .core.replies import AutoReply, CallableReply, FirstMatch, StaticReply

if TYPE_CHECKING:
    from .adapters.autogen.group import Interjection, SpeakerSelection
    from .adapters.autogen.prompts import Prompts
    from .adapters.autogen.proxy import PolicyUserProxy
    from .adapters.autogen.workflow import Stage, StageResult, Workflow, WorkflowResult
    from .core.approval import ApproveCode, ApproveTools
    from .core.conditions import Condition, Keyword, condition
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
    from .stores.audit import DecisionRecord, JsonlAudit, LoggingAudit

__version__ = "0.1.0"

_T = TypeVar("_T")

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
    "Interjection",
    "JsonlAudit",
    "Keyword",
    "Limits",
    "LoggingAudit",
    "Never",
    "NoAnswer",
    "Not",
    "PolicyError",
    "PolicyUserProxy",
    "Prompts",
    "QueueInput",
    "ScriptExhaustedError",
    "ScriptedInput",
    "SpeakerSelection",
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

# Loaded on first use, so that `import hitl` stays cheap (conditions, workflows and the audit models
# cost more to build than the rest of the package together) and imports AutoGen only when a name needs it
# (the pytest plugin imports hitl at every pytest start, wherever hitl is installed).
_LAZY = {
    "AsyncHumanInput": "inputs",
    "CallbackInput": "inputs",
    "ConsoleInput": "inputs",
    "HumanInput": "inputs",
    "NoAnswer": "inputs",
    "QueueInput": "inputs",
    "ScriptedInput": "inputs",
    "TimeoutInput": "inputs",
    "PolicyUserProxy": "adapters.autogen.proxy",
    "Prompts": "adapters.autogen.prompts",
    "ApproveCode": "core.approval",
    "ApproveTools": "core.approval",
    "DecisionRecord": "stores.audit",
    "JsonlAudit": "stores.audit",
    "LoggingAudit": "stores.audit",
    "Condition": "core.conditions",
    "Keyword": "core.conditions",
    "condition": "core.conditions",
    "Stage": "adapters.autogen.workflow",
    "StageResult": "adapters.autogen.workflow",
    "Workflow": "adapters.autogen.workflow",
    "SpeakerSelection": "adapters.autogen.group",
    "Interjection": "adapters.autogen.group",
    "WorkflowResult": "adapters.autogen.workflow",
}


__getattr__ = lazy_names(__name__, {name: f".{module}" for name, module in _LAZY.items()}, globals())


def __dir__() -> list[str]:
    return sorted(__all__)


class LazyConfiguration:
    """The configuration layer adapters use for ``from_config``/``to_config``: ``hitl.config``, loaded on first use."""

    def build(self, proxy_class: type[_T], source: Any, options: dict[str, Any]) -> _T:
        """Build ``proxy_class`` from a ``ProxyConfig``, a dict or a file (see ``hitl.config.build_proxy``)."""
        from .config import build_proxy

        return build_proxy(proxy_class, source, options)  # type: ignore[arg-type]

    def describe(self, proxy: Any) -> Any:
        """Describe ``proxy`` as a ``ProxyConfig``."""
        from .config import ProxyConfig

        return ProxyConfig.of(proxy)


install_configuration_layer(LazyConfiguration())
