"""Tools for testing conversation policies without an LLM or a human."""

from ..inputs import ScriptedInput
from ._assistant import ScriptedAssistant

__all__ = ["ScriptedAssistant", "ScriptedInput"]
