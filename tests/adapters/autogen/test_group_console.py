"""A group chat on a real terminal: every question the human sees, who speaks next included, has its record;
and a group that would ask the human on a console that is not a terminal is refused.

A child process (``tests/scripts/group_console_chat.py``) runs a group with a ``PolicyUserProxy`` on the default
console (``ConsoleInput``), ``SpeakerSelection(human, then="manual")`` and a ``JsonlAudit``; the test types the
answers into its pseudo-terminal and then reads the audit file back.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pexpect
import pytest
from autogen import GroupChat, GroupChatManager
from autogen.io.base import IOStream
from autogen.io.console import IOConsole

from hitl import Always, ConfigurationError, Never, PolicyUserProxy, SpeakerSelection, When
from hitl.core.conditions import has_code_block
from hitl.inputs import ALLOW_NON_INTERACTIVE_ENV
from hitl.stores.audit import read_jsonl
from hitl.testing import ScriptedAssistant, code_block

SCRIPT = Path(__file__).parents[2] / "scripts" / "group_console_chat.py"
WHO_NEXT = "(Enter or 'q': round_robin; 'exit' ends the chat): "
REPLY = "or type 'exit' to end the conversation: "

#: What the terminal asks, in order, and what the human types.
SESSION = [
    ("who", "2"),  # the coder: "Draft one."
    ("who", "human"),  # the human, asked for a reply
    ("reply", "Add tests."),
    ("who", "bogus"),  # no such speaker: asked again
    ("who", "3"),  # the critic: "Needs tests."
    ("who", ""),  # Enter: round_robin after the critic is the human, asked for a reply
    ("reply", ""),  # Enter: the proxy auto-replies
    ("who", "q"),  # round_robin after the human: the coder, "Draft two."
    ("who", "exit"),
]
OUTCOMES = ["selected", "selected", "human_reply", "invalid", "selected", "fallback", "auto_reply", "fallback", "stop"]


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
def test_a_group_run_on_the_console_records_every_prompt_including_speaker_selection(
    tmp_path: Path, use_async: bool
) -> None:
    audit = tmp_path / "decisions.jsonl"
    args = [str(SCRIPT), str(audit)] + (["async"] if use_async else [])
    child = pexpect.spawn(sys.executable, args, encoding="utf-8", timeout=10, dimensions=(50, 200))
    child.logfile_read = output = io.StringIO()
    shown: list[str] = []  # what the terminal showed before each answer
    try:
        for kind, answer in SESSION:
            index = child.expect_exact([WHO_NEXT, REPLY])
            assert ("who", "reply")[index] == kind, (
                f"expected a {kind!r} question, the terminal showed {child.before!r}"
            )
            shown.append(output.getvalue())
            child.sendline(answer)
        child.expect(r"SUMMARY (.*)\r\n")
        history = json.loads(child.match.group(1))
        child.expect(pexpect.EOF, timeout=10)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0, output.getvalue()[-2000:]
    assert history == [
        ["human", "Write a function."],
        ["coder", "Draft one."],
        ["human", "Add tests."],
        ["critic", "Needs tests."],
        ["human", ""],
        ["coder", "Draft two."],
    ]

    records = read_jsonl(audit)
    assert records.torn_tail is None
    assert all(record.asked for record in records)  # Always(): every decision is a question
    assert len(records) == len(SESSION)  # one record a prompt on the terminal, no more, no fewer
    assert [("who" if r.policy == "speaker_selection" else "reply") for r in records] == [k for k, _ in SESSION]
    assert [(r.answer, r.outcome, r.input_event) for r in records] == [
        (answer, outcome, "answered") for (_, answer), outcome in zip(SESSION, OUTCOMES, strict=True)
    ]
    for record, before in zip(records, shown, strict=True):
        screen = before.replace("\r\n", "\n")
        assert record.prompt is not None
        last_line = record.prompt.rstrip("\n").rsplit("\n", 1)[-1]
        assert screen.endswith(last_line), (record.prompt, screen[-300:])  # the question on screen is the one recorded
        for line in record.prompt.splitlines():
            assert line in screen
    who = [r for r in records if r.policy == "speaker_selection"]
    assert all("1: human\n2: coder\n3: critic" in r.prompt for r in who if r.prompt)
    assert who[3].prompt is not None
    assert who[3].prompt.startswith("Invalid input: 'bogus'.")


# -- a console that is not a terminal -------------------------------------------------------------------------


@pytest.mark.parametrize("asks", ["policy", "hand_over", "manual"])
def test_a_group_that_would_ask_the_human_on_a_console_that_is_not_a_terminal_is_refused(
    asks: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whether the proxy's own policy asks (``Always()``) or the group's SpeakerSelection asks for it (a hand-over,
    manual selection, with a policy that never asks): a pipe is never read as the human's answers."""
    monkeypatch.delenv(ALLOW_NON_INTERACTIVE_ENV, raising=False)
    piped = io.StringIO("2\nan answer from a pipe\n3\n")  # not a terminal: a server, CI, a container
    monkeypatch.setattr(sys, "stdin", piped)
    policy = Always() if asks == "policy" else Never()
    human = PolicyUserProxy("human", policy=policy, code_execution_config=False)  # the default ConsoleInput
    coder = ScriptedAssistant("coder", [code_block("print(1)"), "Thanks."], on_exhausted="stop")
    critic = ScriptedAssistant("critic", ["Fine."], on_exhausted="stop")
    selection = SpeakerSelection(
        human,
        hand_over=When(has_code_block) if asks == "hand_over" else None,
        then="manual" if asks == "manual" else "round_robin",
    )
    group = GroupChat([human, coder, critic], messages=[], max_round=5, speaker_selection_method=selection)
    with IOStream.set_default(IOConsole()), pytest.raises(ConfigurationError, match="stdin is not a terminal"):
        human.initiate_chat(GroupChatManager(group, llm_config=False), message="Start.", silent=True)
    assert piped.tell() == 0  # nothing was read from the pipe as the human's answer
    assert [record for record in human.decisions if record.asked] == []
