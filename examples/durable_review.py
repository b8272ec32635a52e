"""A code review that outlives its process: started by one command, answered from another, finished by a third.

Run without arguments, it plays the three moments in three separate processes, as you would in three
terminals (the hour in between is simulated):

1. ``python durable_review.py start STORE WORK``: the coder proposes a script; the reviewer's policy asks
   about it before it runs, so the conversation stores the question and the process exits;
2. ``hitl pending --store STORE`` then ``hitl answer ID "" --store STORE`` (an hour later, elsewhere): the
   reviewer approves the script;
3. ``hitl worker --store STORE --import durable_review``: any process resumes it: the coder's reply is replayed
   from the journal (no second model call), the approved script runs (once), and the chat goes on to its end.

Offline (the default) the coder is scripted; with ``HITL_EXAMPLES_ONLINE=1`` it is a real model, whose replies
the journal keeps (a resume never asks the model again what it already answered).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from _model import assistant
from autogen.coding import LocalCommandLineCodeExecutor

from hitl import ApproveCode, Keyword, PolicyUserProxy, Terminate
from hitl.durable import Chat, Conversations, DurableInput, conversation
from hitl.testing import code_block, quiet

HERE = Path(__file__).resolve().parent


@conversation("code-review", version="1")
def code_review(params: dict[str, Any]) -> Chat:
    """The reviewer approves each script before it runs, and is asked again at the coder's last word."""
    reviewer = PolicyUserProxy(
        "reviewer",
        policy=Terminate() | ApproveCode(),
        is_termination_msg=Keyword("TERMINATE"),
        human_input=DurableInput(),
        code_execution_config={"executor": LocalCommandLineCodeExecutor(work_dir=params["work"], timeout=30)},
    )
    coder = assistant(
        "coder",
        [
            code_block("with open('report.txt', 'w') as f:\n    f.write('reviewed')\nprint('report written')"),
            "The report is written. TERMINATE",
        ],
        "Write report.txt containing 'reviewed' with one ```python block, then say TERMINATE.",
    )
    return Chat(reviewer, coder, message="Write the review report.", max_turns=4, silent=True)


def step(*command: str) -> str:
    """Run one moment in its own process and return what it printed."""
    done = subprocess.run(command, cwd=HERE, capture_output=True, text=True, timeout=300, check=False)
    if done.returncode != 0:  # the failing process's own last word (one line), not a traceback of this one
        lines = done.stderr.strip().splitlines()
        sys.exit(lines[-1] if lines else f"{' '.join(command)} failed with exit code {done.returncode}")
    return done.stdout


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "start":
        with quiet():
            outcome = Conversations(sys.argv[2]).start("code-review", {"work": sys.argv[3]}, id="review-1")
        print(f"review-1: {outcome.status}")
        sys.exit(0)
    with tempfile.TemporaryDirectory() as work:
        store = os.path.join(work, "hitl.db")
        hitl = [sys.executable, "-m", "hitl"]
        print("1 (first terminal) ", step(sys.executable, __file__, "start", store, work).strip())
        pending = step(*hitl, "pending", "--store", store, "--json")
        question = json.loads(pending.splitlines()[0])
        print("2 (an hour later)  ", f"the reviewer sees: {question['prompt'][:60]!r}...")
        print("                   ", step(*hitl, "answer", question["id"], "", "--store", store).strip())
        print("3 (any worker)     ", step(*hitl, "worker", "--store", store, "--import", "durable_review").strip())
        later = json.loads(step(*hitl, "pending", "--store", store, "--json").splitlines()[0])
        step(*hitl, "answer", later["id"], "", "--store", store)
        print("                   ", step(*hitl, "worker", "--store", store, "--import", "durable_review").strip())
        ran = Path(work, "report.txt").read_text(encoding="utf-8") if Path(work, "report.txt").exists() else None
        print(f"report.txt: {ran!r}")
        print(step(*hitl, "show", "review-1", "--store", store).rstrip())
