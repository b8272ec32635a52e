"""NEVER: fully automated. The assistant writes a palindrome check and the proxy runs it for real.

Never() never asks; the chat ends on the termination keyword, with the auto-reply limit as a backstop.
The code runs on this machine in a temporary directory (use_docker=False), as in a CI job.
"""

from __future__ import annotations

import contextlib
import io
import tempfile

from _model import assistant, show

from hitl import Keyword, Limits, Never, PolicyUserProxy

SCRIPT = [
    "```python\n"
    "def is_palindrome(text):\n"
    "    letters = [c.lower() for c in text if c.isalnum()]\n"
    "    return letters == letters[::-1]\n"
    "\n"
    "assert is_palindrome('A man, a plan, a canal: Panama')\n"
    "assert not is_palindrome('autogen')\n"
    "print('all tests passed')\n"
    "```",
    "The tests pass. TERMINATE",
]

with tempfile.TemporaryDirectory() as work_dir:
    user = PolicyUserProxy(
        "user_proxy",
        policy=Never(),
        limits=Limits(max_consecutive_auto_reply=10),
        is_termination_msg=Keyword("TERMINATE"),  # safe on tool calls, unlike msg.get("content", "")
        code_execution_config={"work_dir": work_dir, "use_docker": False, "timeout": 30},
    )
    coder = assistant("assistant", SCRIPT, "You are a Python code writer. Test your code; reply TERMINATE when done.")
    with contextlib.redirect_stdout(io.StringIO()):
        result = user.initiate_chat(coder, message="Write a function to check if a string is a palindrome. Test it.")

print("NEVER: the code ran, nobody was asked")
show(result, user)
assert any("all tests passed" in str(m.get("content")) for m in result.chat_history)
