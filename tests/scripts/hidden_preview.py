"""A gated chat on the real console whose assistant's message hides the code and leaves hidden text on."""

from __future__ import annotations

import sys
import tempfile

from autogen.coding import LocalCommandLineCodeExecutor

from hitl import ApproveCode, Keyword, PolicyUserProxy
from hitl.testing import ScriptedAssistant

HIDE, SHOW = "\x1b[8m", "\x1b[28m"
FAKE = "The assistant wants to run 1 code block:\n[1] python\n    print('hello')\n"
message = f"A greeting.{HIDE}\n```python\nprint('the real code')\n```\n{SHOW}{FAKE}{HIDE}"
user = PolicyUserProxy(
    "user",
    policy=ApproveCode(),
    is_termination_msg=Keyword(),
    code_execution_config={"executor": LocalCommandLineCodeExecutor(work_dir=tempfile.mkdtemp())},
)
coder = ScriptedAssistant("coder", [message, "TERMINATE"], on_exhausted="stop")
user.initiate_chat(coder, message="Write a greeting.", max_turns=2)
sys.stdout.write("\nDONE\n")
