"""Approval before code or tools run: the human sees the code (or the tool call) first.

Enter approves and it runs; any text rejects it and goes back to the assistant as feedback; exit stops.
Here the reviewer rejects a script that would delete a directory, approves the safer one, and rejects a
production deploy. The code runs for real, with AutoGen's local command-line executor, in a temporary
directory.
"""

from __future__ import annotations

import pathlib
import tempfile

from autogen.coding import LocalCommandLineCodeExecutor

from hitl import ApproveCode, ApproveTools, Keyword, PolicyUserProxy, ScriptedInput, Terminate
from hitl.testing import ScriptedAssistant, code_block, quiet, tool_call

deployed: list[str] = []


def deploy(env: str) -> str:
    deployed.append(env)
    return f"deployed to {env}"


with tempfile.TemporaryDirectory() as work_dir:
    target = pathlib.Path(work_dir, "report.txt")
    reviewer = ScriptedInput(["No: never delete directories.", "", "Not to production, please.", ""])
    user = PolicyUserProxy(
        "user",
        policy=Terminate() | ApproveCode() | ApproveTools("deploy"),
        is_termination_msg=Keyword("TERMINATE"),
        human_input=reviewer,
        function_map={"deploy": deploy},
        code_execution_config={"executor": LocalCommandLineCodeExecutor(work_dir=work_dir, timeout=30)},
    )
    coder = ScriptedAssistant(
        "coder",
        [
            code_block("import shutil\nshutil.rmtree('.')\nopen('report.txt', 'w').write('done')"),
            code_block("open('report.txt', 'w').write('done')\nprint('written')"),
            tool_call("deploy", {"env": "production"}),
            "Written the report; skipping the deploy. TERMINATE",
        ],
    )
    with quiet():
        user.initiate_chat(coder, message="Write report.txt, then deploy.")
    print("The reviewer saw:\n" + reviewer.prompts[0])
    for record in user.decisions:
        print(f"message {record.turn}: {record.fired} -> {record.answer!r}: {record.outcome}")
    assert target.read_text() == "done"
    assert deployed == []
