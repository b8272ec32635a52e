"""A chat on the console, for the pseudo-terminal tests: prints a JSON summary line at the end."""

from __future__ import annotations

import json
import sys

from hitl import ConsoleInput, Keyword, PolicyUserProxy, TimeoutInput
from hitl.policies import from_mode
from hitl.testing import ScriptedAssistant


def main() -> None:
    mode, timeout = sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 0.0
    human = TimeoutInput(ConsoleInput(), seconds=timeout, default="exit") if timeout else ConsoleInput()
    proxy = PolicyUserProxy(
        "user", policy=from_mode(mode), human_input=human, is_termination_msg=Keyword(), code_execution_config=False
    )
    result = proxy.initiate_chat(
        ScriptedAssistant("assistant", ["Draft one.", "Draft two. TERMINATE"], on_exhausted="stop"),
        message="Write.",
        silent=True,
    )
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
