"""Shared by the examples: a scripted assistant offline, a real model when one is configured.

Offline (the default) the assistant replies from a script, so every example runs anywhere. With
``OAI_CONFIG_LIST`` or ``OPENAI_API_KEY`` set (and ``HITL_EXAMPLES_ONLINE=1``), it is a real
``autogen.AssistantAgent``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from hitl.testing import ScriptedAssistant


def online() -> bool:
    """Whether to use a real model."""
    has_key = bool(os.environ.get("OAI_CONFIG_LIST") or os.environ.get("OPENAI_API_KEY"))
    return has_key and os.environ.get("HITL_EXAMPLES_ONLINE") == "1"


def assistant(name: str, script: Sequence[Any], system_message: str) -> Any:
    """The assistant of an example: scripted offline, an LLM online."""
    if not online():
        return ScriptedAssistant(name, script, on_exhausted="stop")
    import autogen

    if os.environ.get("OAI_CONFIG_LIST"):
        config_list = autogen.config_list_from_json("OAI_CONFIG_LIST")
    else:
        config_list = [{"model": "gpt-4o-mini", "api_key": os.environ["OPENAI_API_KEY"]}]
    return autogen.AssistantAgent(
        name, llm_config={"config_list": config_list, "temperature": 0}, system_message=system_message
    )


def show(result: Any, proxy: Any) -> None:
    """Print the conversation and the proxy's decisions."""
    for message in result.chat_history:
        text = str(message.get("content"))
        print(f"  {message.get('name', message.get('role', '?')):>10}: {text[:70]!r}")
    for record in proxy.decisions:
        how = f"asked -> {record.answer!r}" if record.asked else "not asked"
        print(f"  decision on message {record.turn}: {how}; {record.outcome} ({record.fired}: {record.reason})")
