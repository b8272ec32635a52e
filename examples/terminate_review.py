"""TERMINATE: automation until the end, then a human reviews the final answer.

The first time, the reviewer redirects ("use the Q2 data"); the second time, they press Enter to accept.
"""

from __future__ import annotations

import contextlib
import io

from _model import assistant, show

from hitl import Keyword, PolicyUserProxy, ScriptedInput, Terminate

SCRIPT = [
    "Here is my analysis of Q1 sales: revenue fell 4%. Recommendations: ... TERMINATE",
    "I'll redo the analysis with the Q2 data.",
    "Updated analysis (Q2): revenue rose 6%. Recommendations: ... TERMINATE",
]

reviewer = ScriptedInput(["This is wrong. Use the Q2 data instead.", ""])
user = PolicyUserProxy(
    "user_proxy",
    policy=Terminate(),
    is_termination_msg=Keyword("TERMINATE"),
    human_input=reviewer,  # ConsoleInput() to review at the keyboard
    code_execution_config=False,
)
analyst = assistant("analyst", SCRIPT, "Analyse the data and recommend three actions. Say TERMINATE when done.")
with contextlib.redirect_stdout(io.StringIO()):
    result = user.initiate_chat(analyst, message="Analyse the sales data and recommend three actions.")

print("TERMINATE: the human reviewed the end of the work twice")
show(result, user)
print("  prompts:", reviewer.prompts)
assert len(reviewer.prompts) == 2
