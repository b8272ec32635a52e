"""Ask on the console in every way hitl can, one after another, whatever stdin this process has.

python stdin_run.py [RUNNER[:SECONDS]...]   (default: chat a_chat workflow a_workflow)

Each runner (a chat with Always(), or a one-stage workflow's checkpoint; ``a_`` for async) asks two questions
on ConsoleInput(), or with ``:SECONDS`` on TimeoutInput(ConsoleInput(), SECONDS), and prints one line
``RESULT {json}``: what was answered and how (``events``), or ``refused`` (the ConfigurationError's message)
when it failed fast, with how many replies the assistant had sent by then. Used by tests/providers/test_stdin_kinds.py
and tests/adapters/autogen/test_console_interrupt.py.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from hitl import (
    Always,
    ConfigurationError,
    ConsoleInput,
    HumanInput,
    Keyword,
    PolicyUserProxy,
    Stage,
    TimeoutInput,
    Workflow,
)
from hitl.testing import ScriptedAssistant

RUNNERS = ("chat", "a_chat", "workflow", "a_workflow")


def chat(use_async: bool, human: HumanInput) -> dict[str, Any]:
    # Two questions: a reply to the first draft ("Fix it."), then Enter at the termination message.
    writer = ScriptedAssistant("assistant", ["Draft one.", "Draft two. TERMINATE"], on_exhausted="stop")
    proxy = PolicyUserProxy(
        "user", policy=Always(), human_input=human, is_termination_msg=Keyword(), code_execution_config=False
    )
    try:
        if use_async:
            asyncio.run(proxy.a_initiate_chat(writer, message="Write.", silent=True))
        else:
            proxy.initiate_chat(writer, message="Write.", silent=True)
    except ConfigurationError as refused:
        return {"refused": str(refused), "replies_sent": writer.replies_sent}
    return {
        "events": [d.input_event for d in proxy.decisions],
        "answers": [d.answer for d in proxy.decisions],
        "replies_sent": writer.replies_sent,
    }


def workflow(use_async: bool, human: HumanInput) -> dict[str, Any]:
    # Two checkpoint questions: a redirect ("Fix it.") of the first draft, then Enter to approve the second.
    writer = ScriptedAssistant("assistant", ["Draft one. TERMINATE", "Draft two. TERMINATE"], on_exhausted="stop")
    flow = Workflow([Stage("draft", "Write.")], assistant=writer, human_input=human)
    try:
        result = asyncio.run(flow.a_run(silent=True)) if use_async else flow.run(silent=True)
    except ConfigurationError as refused:
        return {"refused": str(refused), "replies_sent": writer.replies_sent}
    stage = result["draft"]
    return {
        "events": stage.checkpoint_events,
        "answers": stage.checkpoint_answers,
        "status": stage.status,
        "replies_sent": writer.replies_sent,
    }


def main() -> None:
    for runner in sys.argv[1:] or RUNNERS:
        name, _, seconds = runner.partition(":")
        human: HumanInput = TimeoutInput(ConsoleInput(), float(seconds)) if seconds else ConsoleInput()
        outcome = (chat if name.endswith("chat") else workflow)(name.startswith("a_"), human)
        print("\nRESULT " + json.dumps({"runner": runner, **outcome}), flush=True)


if __name__ == "__main__":
    main()
