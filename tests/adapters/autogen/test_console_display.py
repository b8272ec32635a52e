"""On a real terminal, what a message printed before a question cannot hide the question's preview."""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import pexpect

from hitl.inputs import TERMINAL_RESET

SCRIPT = Path(__file__).parents[2] / "scripts" / "hidden_preview.py"


def shown(raw: str) -> str:
    """What a terminal shows of ``raw``: text printed while concealment (SGR 8) is on shows as blanks."""
    out, hidden = [], False
    for token in re.split(r"(\x1b\[[0-9;?]*[A-Za-z]|\x1b[78(][B]?)", raw):
        if token.startswith("\x1b[") and token.endswith("m"):
            for param in token[2:-1].split(";"):
                if param in ("", "0", "28"):
                    hidden = False
                elif param == "8":
                    hidden = True
        elif not token.startswith("\x1b"):
            out.append(re.sub(r"\S", " ", token) if hidden else token)
    return "".join(out)


def test_a_message_that_leaves_hidden_text_on_cannot_hide_the_real_preview() -> None:
    child = pexpect.spawn(sys.executable, [str(SCRIPT)], encoding="utf-8", timeout=30)
    child.logfile_read = output = io.StringIO()
    child.expect("or type 'exit' to stop the conversation: ")
    child.sendline("no")
    child.expect("DONE")
    raw = output.getvalue()
    question = raw.rindex("The assistant wants to run")
    assert TERMINAL_RESET in raw[:question]
    assert "print('the real code')" in shown(raw)[question - 200 :]  # the real code, visible where it is asked
