"""A group chat on the real console, for the pseudo-terminal test: the human picks every speaker and is asked at
every turn of theirs, and every decision goes to a JSON Lines audit. Prints a JSON summary line at the end.

python group_console_chat.py AUDIT_PATH [async]
"""

from __future__ import annotations

import asyncio
import json
import sys

from autogen import GroupChat, GroupChatManager

from hitl import Always, JsonlAudit, PolicyUserProxy, SpeakerSelection
from hitl.testing import ScriptedAssistant


def main() -> None:
    audit_path, flags = sys.argv[1], set(sys.argv[2:])
    human = PolicyUserProxy("human", policy=Always(), code_execution_config=False, audit=JsonlAudit(audit_path))
    coder = ScriptedAssistant("coder", ["Draft one.", "Draft two."], on_exhausted="stop")
    critic = ScriptedAssistant("critic", ["Needs tests.", "Fine now."], on_exhausted="stop")
    group = GroupChat(
        [human, coder, critic],
        messages=[],
        max_round=12,
        speaker_selection_method=SpeakerSelection(human, then="manual"),
    )
    manager = GroupChatManager(group, llm_config=False)
    if "async" in flags:
        asyncio.run(human.a_initiate_chat(manager, message="Write a function."))
    else:
        human.initiate_chat(manager, message="Write a function.")
    print("SUMMARY " + json.dumps([[message["name"], message["content"]] for message in group.messages]), flush=True)


if __name__ == "__main__":
    main()
