"""Quickstart: the three AutoGen modes as policy objects, and a composed policy.

Runs offline: the assistant is scripted and so is the human. Each run prints the conversation and,
for every message, whether the human was asked and why.

    python examples/quickstart.py
"""

from __future__ import annotations

import contextlib
import io

from hitl import Always, InputPolicy, Limits, Never, PolicyUserProxy, ScriptedInput, Terminate, TurnContext, When
from hitl.testing import ScriptedAssistant

SCRIPT = [
    "Here is a plan: write is_palindrome(), then test it.",
    "```python\nprint('racecar' == 'racecar'[::-1])\n```",
    "The function works. TERMINATE",
]


def is_done(message: dict[str, object]) -> bool:
    """AutoGen-style termination check that is safe on tool calls (content None)."""
    return "TERMINATE" in str(message.get("content") or "")


def has_code_block(ctx: TurnContext) -> bool:
    """True when the assistant's message contains a fenced code block."""
    return "```" in ctx.text


def run(title: str, policy: InputPolicy, answers: list[str]) -> None:
    human = ScriptedInput(answers)
    decisions: list[str] = []

    def watch(ctx: TurnContext) -> bool:  # records each decision without changing it
        decisions.append(f"  turn {ctx.turn}: {policy.explain(ctx)}")
        return False

    proxy = PolicyUserProxy(
        "user",
        policy=When(watch) | policy,  # watch runs first and never asks
        limits=Limits(max_consecutive_auto_reply=5),
        is_termination_msg=is_done,
        human_input=human,
        code_execution_config=False,
        default_auto_reply="Please continue.",
    )
    assistant = ScriptedAssistant("assistant", SCRIPT, on_exhausted="stop")
    with contextlib.redirect_stdout(io.StringIO()):  # AutoGen's own console output
        result = proxy.initiate_chat(assistant, message="Write and test a palindrome check.", silent=True)

    print(f"== {title}: policy {policy!r}")
    for message in result.chat_history:
        print(f"  {message.get('name', '?'):>9}: {str(message.get('content'))[:60]!r}")
    print("  decisions:")
    print("\n".join(decisions))
    print(f"  human was asked {len(human.prompts)} time(s); answers used: {result.human_input}\n")


def main() -> None:
    run("NEVER", Never(), [])
    run("TERMINATE", Terminate(), [""])
    run("ALWAYS", Always(), ["", "", ""])
    run("TERMINATE, and review every code block", Terminate() | When(has_code_block), ["", ""])


if __name__ == "__main__":
    main()
