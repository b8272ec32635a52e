"""Typed, composable human-in-the-loop policies for AutoGen's classic agents."""

from .config import Limits
from .context import TurnContext
from .errors import (
    ConfigurationError,
    HitlError,
    InputExhaustedError,
    PolicyError,
    ScriptExhaustedError,
)
from .inputs import AsyncHumanInput, ConsoleInput, HumanInput, ScriptedInput
from .policies import AllOf, Always, AnyOf, Decision, InputPolicy, Never, Not, Terminate, When
from .proxy import PolicyUserProxy, Prompts

__version__ = "0.1.0"

__all__ = [
    "AllOf",
    "Always",
    "AnyOf",
    "AsyncHumanInput",
    "ConfigurationError",
    "ConsoleInput",
    "Decision",
    "HitlError",
    "HumanInput",
    "InputExhaustedError",
    "InputPolicy",
    "Limits",
    "Never",
    "Not",
    "PolicyError",
    "PolicyUserProxy",
    "Prompts",
    "ScriptExhaustedError",
    "ScriptedInput",
    "Terminate",
    "TurnContext",
    "When",
    "__version__",
]
