"""In a Jupyter notebook the console asks the notebook: a real IPython kernel, answered from its client.

In a kernel ``sys.stdin`` is not a terminal, yet ``input()`` reaches the notebook's frontend, as native AutoGen
relies on. The client below is the frontend: it runs cells with ``allow_stdin=True`` (a notebook) or
``False`` (``nbconvert --execute``), and answers each ``input_request``.
"""

from __future__ import annotations

import os
import queue
import sys
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

pytest.importorskip("ipykernel", reason="the Jupyter tests need ipykernel (pip install ipykernel jupyter_client)")
manager = pytest.importorskip("jupyter_client.manager", reason="the Jupyter tests need jupyter_client")

CHAT_PROMPT = (
    "Replying as user. Provide feedback to assistant. Press enter to skip and use auto-reply, "
    "or type 'exit' to end the conversation: "
)
CHAT_CELL = """
from hitl import Always, Keyword, PolicyUserProxy
from hitl.testing import ScriptedAssistant

proxy = PolicyUserProxy("user", policy=Always(), is_termination_msg=Keyword(), code_execution_config=False)
writer = ScriptedAssistant("assistant", ["Draft one.", "Draft two. TERMINATE"], on_exhausted="stop")
result = {call}(writer, message="Write.", silent=True)
print("HISTORY", [m["content"] for m in result.chat_history])
print("DECISIONS", [(d.input_event, d.outcome, d.answer) for d in proxy.decisions])
"""


@dataclass
class Cell:
    """What a cell did: the prompts the kernel asked, its printed output, and its error, if any."""

    prompts: list[str] = field(default_factory=list)
    output: str = ""
    error: str | None = None

    def printed(self, label: str) -> Any:
        line = next(line for line in self.output.splitlines() if line.startswith(label + " "))
        return eval(line.removeprefix(label + " "))  # a repr of lists of strings and tuples


class Notebook:
    def __init__(self) -> None:
        self.km, self.kc = manager.start_new_kernel(kernel_name="python3", startup_timeout=30)

    def run(self, code: str, answers: list[str], *, allow_stdin: bool = True, interrupt_at: int | None = None) -> Cell:
        cell, answers = Cell(), list(answers)
        msg_id = self.kc.execute(textwrap.dedent(code), allow_stdin=allow_stdin)
        deadline = time.monotonic() + 20
        while True:
            assert time.monotonic() < deadline, f"the cell did not finish: {cell}"
            try:
                request = self.kc.get_stdin_msg(timeout=0.02)
            except queue.Empty:
                pass
            else:
                cell.prompts.append(request["content"]["prompt"])
                if interrupt_at == len(cell.prompts):
                    self.km.interrupt_kernel()
                else:
                    self.kc.input(answers.pop(0))
            try:
                reply = self.kc.get_shell_msg(timeout=0.02)
            except queue.Empty:
                continue
            if reply["parent_header"].get("msg_id") == msg_id:
                if reply["content"]["status"] == "error":
                    cell.error = f"{reply['content']['ename']}: {reply['content']['evalue']}"
                break
        while True:  # the output that came before the reply
            try:
                message = self.kc.get_iopub_msg(timeout=0.2)
            except queue.Empty:
                break
            if message["parent_header"].get("msg_id") == msg_id and message["msg_type"] == "stream":
                cell.output += message["content"]["text"]
        return cell

    def close(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)


@pytest.fixture(scope="module")
def notebook() -> Iterator[Notebook]:
    book = Notebook()
    try:
        cell = book.run("import sys, hitl; print('WHERE', (sys.executable, hitl.__file__))", [])
        executable, hitl_file = cell.printed("WHERE")
        assert os.path.realpath(executable) == os.path.realpath(sys.executable), "the kernel runs another Python"
        import hitl

        assert os.path.realpath(hitl_file) == os.path.realpath(hitl.__file__), "the kernel imports another hitl"
        yield book
    finally:
        book.close()


@pytest.mark.parametrize("call", ["proxy.initiate_chat", "await proxy.a_initiate_chat"], ids=["sync", "async"])
def test_a_chat_in_a_notebook_asks_the_notebook_like_native_autogen(notebook: Notebook, call: str) -> None:
    cell = notebook.run(CHAT_CELL.format(call=call), ["Fix it.", ""])
    assert cell.error is None, cell
    assert cell.prompts == [CHAT_PROMPT, CHAT_PROMPT]
    assert cell.printed("HISTORY") == ["Write.", "Draft one.", "Fix it.", "Draft two. TERMINATE"]
    assert cell.printed("DECISIONS") == [("answered", "human_reply", "Fix it."), ("answered", "stop", "")]


@pytest.mark.parametrize("call", ["workflow.run", "await workflow.a_run"], ids=["sync", "async"])
def test_a_workflow_checkpoint_in_a_notebook_asks_the_notebook(notebook: Notebook, call: str) -> None:
    code = f"""
    from hitl import Stage, Workflow
    from hitl.testing import ScriptedAssistant

    writer = ScriptedAssistant("assistant", ["Draft one. TERMINATE", "Draft two. TERMINATE"])
    workflow = Workflow([Stage("draft", "Write.")], assistant=writer)
    result = {call}(silent=True)
    stage = result["draft"]
    print("STAGE", (stage.status, stage.checkpoint_answers, stage.checkpoint_events, stage.answer))
    """
    cell = notebook.run(code, ["Fix it.", ""])
    assert cell.error is None, cell
    assert [prompt.split("\n")[:2] for prompt in cell.prompts] == [
        ["Stage 'draft' is done. Its answer:", "Draft one."],
        ["Stage 'draft' is done. Its answer:", "Draft two."],
    ]
    assert cell.printed("STAGE") == ("approved", ["Fix it.", ""], ["answered", "answered"], "Draft two.")


def test_a_frontend_that_takes_no_input_is_refused_before_anything_is_sent(notebook: Notebook) -> None:
    cell = notebook.run(CHAT_CELL.format(call="proxy.initiate_chat"), [], allow_stdin=False)
    assert cell.prompts == []
    assert cell.error is not None
    assert cell.error.startswith("ConfigurationError: ")
    assert "Jupyter kernel's frontend does not take input" in cell.error


def test_interrupting_the_kernel_at_a_question_is_a_recorded_stop(notebook: Notebook) -> None:
    cell = notebook.run(CHAT_CELL.format(call="proxy.initiate_chat"), [], interrupt_at=1)
    assert cell.error is None, cell
    assert cell.printed("DECISIONS") == [("interrupt", "stop", "exit")]
