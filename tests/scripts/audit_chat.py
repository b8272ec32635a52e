"""A long chat that streams its decisions to a JSON Lines file, with a human who answers slowly."""

from __future__ import annotations

import sys
import time

from hitl import Always, CallbackInput, JsonlAudit, PolicyUserProxy
from hitl.testing import ScriptedAssistant


def slow_human(prompt: str, ctx: object) -> str:
    time.sleep(0.05)
    return ""


def main() -> None:
    proxy = PolicyUserProxy(
        "user",
        policy=Always(),
        human_input=CallbackInput(slow_human),
        audit=JsonlAudit(sys.argv[1]),
        code_execution_config=False,
    )
    proxy.initiate_chat(
        ScriptedAssistant("assistant", ["working"] * 10_000), message="go", silent=True, max_turns=10_000
    )


if __name__ == "__main__":
    main()
