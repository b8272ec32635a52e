"""ALWAYS: the human sees and can redirect every message; Enter lets the auto-reply happen.

Offline the human is scripted; with a real person, use ConsoleInput() (the default) in a terminal.
Never use ALWAYS without a person at the keyboard: hitl refuses to start a chat that would wait on a
stdin that is not a terminal, where plain AutoGen waits for as long as stdin stays open (or crashes
with EOFError once it is closed).
"""

from __future__ import annotations

import contextlib
import io

from _model import assistant, show

from hitl import Always, PolicyUserProxy, ScriptedInput

SCRIPT = [
    "Step 1: choose a framework. I suggest FastAPI.",
    "Step 2: define the routes: GET /items, POST /items.",
    "Step 3: add tests with pytest and httpx.",
]

human = ScriptedInput(["", "Use Flask instead, please.", "exit"])
user = PolicyUserProxy("user_proxy", policy=Always(), human_input=human, code_execution_config=False)
guide = assistant("assistant", SCRIPT, "Walk the user through building a REST API step by step.")
with contextlib.redirect_stdout(io.StringIO()):
    result = user.initiate_chat(guide, message="Walk me through building a REST API step by step.")

print("ALWAYS: asked on every message")
show(result, user)
assert len(human.prompts) == 3
