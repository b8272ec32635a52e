"""A human in a group chat: a coder, a critic, an executor that runs code only once approved, and a human.

The group's speaker selection is AutoGen's own (here a function: the executor after code, the critic after
a result, the coder after the critic), wrapped by ``SpeakerSelection``, which hands the human the next turn
whenever an agent asks a question. The executor is a ``PolicyUserProxy`` whose policy never asks about
messages but gates every code block: the human sees the code and approves it (Enter) or refuses it with a
reason. Both proxies ask the same human, and every question is a decision record.

Offline (the default) the coder and the critic are scripted. With ``HITL_EXAMPLES_ONLINE=1`` they are
real models (see ``_model.py``); the human is still scripted, so the example runs unattended.
"""

from __future__ import annotations

import pathlib
import tempfile
from typing import Any

from _model import assistant
from autogen import GroupChat, GroupChatManager
from autogen.coding import LocalCommandLineCodeExecutor

from hitl import ApproveCode, Keyword, Never, PolicyUserProxy, ScriptedInput, SpeakerSelection, Terminate, When
from hitl.core.conditions import has_code_block
from hitl.testing import code_block, quiet


def asks_a_question(ctx: Any) -> bool:
    """The last message ends with a question mark: the human answers it."""
    return ctx.text.rstrip().endswith("?")


# The human: refuses the first script, answers the critic's question, approves the second script.
human_answers = ScriptedInput(["No: do not write files here.", "Print them; no file.", ""])

with tempfile.TemporaryDirectory() as work_dir:
    human = PolicyUserProxy(
        "human",
        policy=Terminate(),
        is_termination_msg=Keyword("TERMINATE"),
        code_execution_config=False,
        human_input=human_answers,
    )
    executor = PolicyUserProxy(
        "executor",
        policy=Never() | ApproveCode(),
        is_termination_msg=Keyword("TERMINATE"),
        human_input=human_answers,
        code_execution_config={"executor": LocalCommandLineCodeExecutor(work_dir=work_dir, timeout=30)},
    )
    coder = assistant(
        "coder",
        [
            code_block("open('squares.txt', 'w').write(str([n * n for n in range(5)]))"),
            code_block("print([n * n for n in range(5)])"),
            "The squares are printed. TERMINATE",
        ],
        "You write Python in one ```python block. Say TERMINATE when the result is printed.",
    )
    critic = assistant(
        "critic",
        ["Should the squares go to a file or be printed?", "Correct: 0, 1, 4, 9, 16."],
        "You review the coder's work in one short sentence; ask the human when a requirement is unclear.",
    )

    def next_speaker(last_speaker: Any, group: GroupChat) -> Any:
        """Code goes to the executor, a result to the critic, the critic's words to the coder."""
        if last_speaker is coder and has_code_block(group.messages[-1].get("content") or ""):
            return executor
        if last_speaker in (coder, executor):
            return critic
        return coder

    selection = SpeakerSelection(human, hand_over=When(asks_a_question), then=next_speaker)
    group = GroupChat([human, coder, critic, executor], messages=[], max_round=12, speaker_selection_method=selection)
    manager = GroupChatManager(group, llm_config=False, is_termination_msg=Keyword("TERMINATE"))
    with quiet():
        human.initiate_chat(manager, message="Compute the squares of 0 to 4.")
    refused_file_written = pathlib.Path(work_dir, "squares.txt").exists()

    for message in group.messages:
        print(f"{message['name']:>9}: {str(message['content'])[:70]!r}")
    print("questions the human answered:")
    for proxy in (human, executor):
        for record in proxy.decisions:
            if record.asked:
                print(f"  {proxy.name}, about {record.speaker}'s message: {record.fired} -> {record.answer!r}")
    assert not refused_file_written, "the refused script ran"
