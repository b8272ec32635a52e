"""Shared by the examples: a scripted assistant offline, a real model when asked for one.

Offline (the default) the assistant replies from a script, so every example runs anywhere. With
``HITL_EXAMPLES_ONLINE=1`` it is a real ``autogen.AssistantAgent``, configured as ``hitl demo --online``
is: ``OAI_CONFIG_LIST`` (a JSON list, or the path of a file holding one; ``HITL_EXAMPLES_MODEL`` picks
one model of it) or ``OPENAI_API_KEY``. That needs the ``openai`` package: ``pip install
"autogen-hitl[openai]"``. What is missing is said in one line, not a traceback.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

from hitl import ConfigurationError
from hitl._cli import llm_config
from hitl.testing import ScriptedAssistant


def online() -> bool:
    """Whether to use a real model."""
    return os.environ.get("HITL_EXAMPLES_ONLINE") == "1"


def assistant(name: str, script: Sequence[Any], system_message: str) -> Any:
    """The assistant of an example: scripted offline, an LLM online."""
    if not online():
        return ScriptedAssistant(name, script, on_exhausted="stop")
    try:
        config = llm_config(os.environ.get("HITL_EXAMPLES_MODEL") or None)
    except ConfigurationError as exc:
        sys.exit(f"{os.path.basename(sys.argv[0])}: HITL_EXAMPLES_ONLINE=1: {exc}")
    import autogen

    return autogen.AssistantAgent(name, llm_config=config, system_message=system_message)


def show(result: Any, proxy: Any) -> None:
    """Print the conversation and the proxy's decisions."""
    for message in result.chat_history:
        text = str(message.get("content"))
        print(f"  {message.get('name', message.get('role', '?')):>10}: {text[:70]!r}")
    for record in proxy.decisions:
        how = f"asked -> {record.answer!r}" if record.asked else "not asked"
        print(f"  decision on message {record.turn}: {how}; {record.outcome} ({record.fired}: {record.reason})")
