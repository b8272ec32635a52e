"""A chat on the console, for the pseudo-terminal tests: prints a JSON summary line at the end.

python console_chat.py MODE [TIMEOUT] [async] [piped]
"""

from __future__ import annotations

import asyncio
import json
import sys

from hitl import ConsoleInput, Keyword, PolicyUserProxy, TimeoutInput
from hitl.core.policies import from_mode
from hitl.testing import ScriptedAssistant


def main() -> None:
    mode, timeout = sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 0.0
    flags = set(sys.argv[3:])
    console = ConsoleInput(allow_non_interactive="piped" in flags)
    human = TimeoutInput(console, seconds=timeout, default="exit") if timeout else console
    proxy = PolicyUserProxy(
        "user", policy=from_mode(mode), human_input=human, is_termination_msg=Keyword(), code_execution_config=False
    )
    assistant = ScriptedAssistant("assistant", ["Draft one.", "Draft two. TERMINATE"], on_exhausted="stop")
    if "async" in flags:
        result = asyncio.run(proxy.a_initiate_chat(assistant, message="Write.", silent=True))
    else:
        result = proxy.initiate_chat(assistant, message="Write.", silent=True)
    print(
        "SUMMARY "
        + json.dumps(
            {
                "history": [m.get("content") for m in result.chat_history],
                "decisions": [[d.input_event, d.outcome, d.answer] for d in proxy.decisions],
            }
        )
    )


if __name__ == "__main__":
    main()
