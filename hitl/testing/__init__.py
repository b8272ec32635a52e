"""Tools for testing conversation policies without an LLM or a human.

Examples:
    >>> from hitl import Terminate
    >>> from hitl.testing import run_chat
    >>> run_chat(Terminate(), ["Working.", "TERMINATE"], answers=[""]).assert_asked(1).stop_reason
    "Termination message condition on agent 'user' met and no human input provided"
"""

from typing import TYPE_CHECKING

from ..core.lazy import lazy_names

if TYPE_CHECKING:
    from ..adapters.autogen.assistant import ScriptedAssistant
    from ..inputs import ScriptedInput
    from ._fixture_types import RunChat, ScriptedAssistantFactory, Simulate
    from ._messages import code_block, function_call, tool_call
    from ._simulate import SimulatedTurn, simulate
    from ._transcript import QuietIOStream, Transcript, TranscriptAssertionError, quiet, run_chat

__all__ = [
    "QuietIOStream",
    "RunChat",
    "ScriptedAssistant",
    "ScriptedAssistantFactory",
    "ScriptedInput",
    "Simulate",
    "SimulatedTurn",
    "Transcript",
    "TranscriptAssertionError",
    "code_block",
    "function_call",
    "quiet",
    "run_chat",
    "simulate",
    "tool_call",
]

# Loaded on first use: the pytest plugin imports this package at every pytest start, in every project where hitl
# is installed, and most of the kit imports AutoGen.
_LAZY = {
    "QuietIOStream": "._transcript",
    "RunChat": "._fixture_types",
    "ScriptedAssistant": "..adapters.autogen.assistant",
    "ScriptedAssistantFactory": "._fixture_types",
    "ScriptedInput": "..inputs",
    "SimulatedTurn": "._simulate",
    "Simulate": "._fixture_types",
    "Transcript": "._transcript",
    "TranscriptAssertionError": "._transcript",
    "code_block": "._messages",
    "function_call": "._messages",
    "quiet": "._transcript",
    "run_chat": "._transcript",
    "simulate": "._simulate",
    "tool_call": "._messages",
}


__getattr__ = lazy_names(__name__, _LAZY, globals())


def __dir__() -> list[str]:
    return sorted(__all__)
