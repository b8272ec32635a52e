"""Context-aware auto-replies without subclassing (the "SmartUserProxy" pattern).

A clarifying question gets "use your best judgment"; a message that ran no code gets a nudge to proceed
or finish. FirstMatch rules are plain data, so they are easy to test and to share.
"""

from __future__ import annotations

import contextlib
import io

from _model import assistant, show

from hitl import FirstMatch, Keyword, Never, PolicyUserProxy
from hitl.core.conditions import Contains, asks_question

smart = FirstMatch(
    [
        (asks_question & ~Contains("TERMINATE"), "Please use your best judgment and continue."),
        (~Contains("exitcode:"), "Please proceed with the next step or say TERMINATE if complete."),
    ],
    default="",
)

SCRIPT = [
    "Should the report use a bar chart or a line chart?",
    "I'll use a line chart. The draft is ready.",
    "Report finished. TERMINATE",
]

user = PolicyUserProxy(
    "user_proxy",
    policy=Never(),
    auto_reply=smart,
    is_termination_msg=Keyword("TERMINATE"),
    code_execution_config=False,
)
writer = assistant("assistant", SCRIPT, "Write the report. Say TERMINATE when done.")
with contextlib.redirect_stdout(io.StringIO()):
    result = user.initiate_chat(writer, message="Write a short sales report.")

print("Smart auto-replies:")
show(result, user)
texts = [m.get("content") for m in result.chat_history]
assert "Please use your best judgment and continue." in texts
assert "Please proceed with the next step or say TERMINATE if complete." in texts
