"""Tools for testing conversation policies without an LLM or a human.

Examples:
    >>> from hitl import Terminate
    >>> from hitl.testing import run_chat
    >>> run_chat(Terminate(), ["Working.", "TERMINATE"], answers=[""]).assert_asked(1).stop_reason
    "Termination message condition on agent 'user' met and no human input provided"
"""

from ..inputs import ScriptedInput
from ._assistant import ScriptedAssistant
from ._messages import code_block, function_call, tool_call
from ._simulate import SimulatedTurn, simulate
from ._transcript import QuietIOStream, Transcript, TranscriptAssertionError, quiet, run_chat

__all__ = [
    "QuietIOStream",
    "ScriptedAssistant",
    "ScriptedInput",
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
