"""Validated configuration as Pydantic models: a whole proxy from a dict, JSON or YAML.

[`ProxyConfig`][hitl.config.ProxyConfig] (with [`Limits`][hitl.core.limits.Limits], re-exported here) describes a whole
[`PolicyUserProxy`][hitl.adapters.autogen.proxy.PolicyUserProxy] (its policy, limits, termination condition, auto-reply,
human input and code execution) so that agent setups can live in files, as ``OAI_CONFIG_LIST`` does; it validates the
setup against these rules before anything runs:

- a policy that never asks, with no termination condition, runs every chat to its limit: a warning;
- the same with no limit set either (only AutoGen's default of 100 auto-replies): an error;
- code execution without Docker runs model-written code on this machine: a warning, unless
  ``acknowledge_local_execution: true``;
- unknown keys and wrong types are errors naming the field.

Examples:
    >>> from hitl.config import ProxyConfig
    >>> config = ProxyConfig.model_validate({
    ...     "name": "reviewer",
    ...     "policy": "terminate | code",
    ...     "limits": {"max_consecutive_auto_reply": 10, "max_turns": 20},
    ...     "termination": {"kind": "keyword", "word": "TERMINATE"},
    ... })
    >>> proxy = config.build()
    >>> proxy.policy
    Terminate() | When(has_code_block)
    >>> proxy.to_config() == config
    True
"""

from __future__ import annotations

from ..core.errors import ConfigWarning
from ..core.limits import Limits

# The names imported "as" themselves are offered as before, outside ``__all__``: the parts of termination and
# auto-reply blocks (the reference describes them through TerminationConfig and AutoReplyConfig) and their builders.
from ._auto_reply import AutoReplyConfig
from ._auto_reply import AutoReplyRule as AutoReplyRule
from ._auto_reply import RulesAutoReply as RulesAutoReply
from ._auto_reply import StaticAutoReply as StaticAutoReply
from ._auto_reply import build_auto_reply as build_auto_reply
from ._code_execution import CodeExecutionConfig
from ._files import MAX_NESTING, MAX_VALUES, build_proxy, load_config
from ._human_input import (
    ConsoleInputConfig,
    HumanInputConfig,
    QueueInputConfig,
    ScriptedInputConfig,
    TimeoutConfig,
)
from ._proxy import PolicyField as PolicyField
from ._proxy import ProxyConfig, json_schema
from ._termination import ConditionTermination as ConditionTermination
from ._termination import KeywordTermination as KeywordTermination
from ._termination import RegexTermination as RegexTermination
from ._termination import TerminationConfig
from ._termination import build_termination as build_termination

__all__ = [
    "MAX_NESTING",
    "MAX_VALUES",
    "AutoReplyConfig",
    "CodeExecutionConfig",
    "ConfigWarning",
    "ConsoleInputConfig",
    "HumanInputConfig",
    "Limits",
    "ProxyConfig",
    "QueueInputConfig",
    "ScriptedInputConfig",
    "TerminationConfig",
    "TimeoutConfig",
    "build_proxy",
    "json_schema",
    "load_config",
]
