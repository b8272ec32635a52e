"""The ``hitl`` command: ``hitl demo`` runs a conversation in the terminal with the policy you choose."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence
from typing import Any

from . import __version__
from .audit import DecisionRecord
from .conditions import Keyword
from .context import TurnContext
from .errors import ConfigurationError, HitlError
from .inputs import ConsoleInput, HumanInput, ScriptedInput
from .limits import Limits
from .policies import Decision, InputPolicy
from .proxy import PolicyUserProxy
from .spec import POLICY_NAMES, parse_policy

__all__ = ["main"]

#: The offline assistant: a palindrome task, with a code block, a question and a tool call.
DEMO_SCRIPT: list[str | dict[str, Any]] = [
    "Plan: write is_palindrome(text) that ignores case and non-letters, then test it.",
    "```python\n"
    "def is_palindrome(text):\n"
    "    letters = [c.lower() for c in text if c.isalnum()]\n"
    "    return letters == letters[::-1]\n"
    "\n"
    "for sample in ['racecar', 'A man, a plan, a canal: Panama', 'autogen']:\n"
    "    print(repr(sample), is_palindrome(sample))\n"
    "```",
    "The tests pass. Should it also treat accented letters as plain ones (é as e)?",
    {
        "content": None,
        "tool_calls": [
            {
                "id": "call_save",
                "type": "function",
                "function": {"name": "save_file", "arguments": '{"path": "palindrome.py"}'},
            }
        ],
    },
    "Done: is_palindrome is written, tested and saved. TERMINATE",
]


class _Narrator:
    """An audit sink that says, for every message, whether the human was asked and why."""

    def write(self, record: DecisionRecord) -> None:
        where = f"[hitl] message {record.turn} from {record.sender}"
        if record.asked:
            answered = {"timeout": " (timed out)", "eof": " (input closed)", "interrupt": " (interrupted)"}.get(
                record.input_event or "", ""
            )
            print(f"{where}: you answered {record.answer!r}{answered} -> {_outcome(record)}", flush=True)
        else:
            print(f"{where}: not asked ({record.fired}: {record.reason}) -> {_outcome(record)}", flush=True)


def _outcome(record: DecisionRecord) -> str:
    if record.outcome == "stop":
        return f"stop ({record.stop_reason})"
    return record.outcome.replace("_", "-")


class DemoProxy(PolicyUserProxy):
    """A proxy that tells the human why they are asked, before the prompt."""

    def build_prompt(self, ctx: TurnContext, decision: Decision) -> str:
        """Prefix AutoGen's prompt with the reason for asking."""
        why = f"\n[hitl] asking you about message {ctx.turn} because {decision.policy!r}: {decision.reason}\n"
        return why + super().build_prompt(ctx, decision)


def _assistant(online: bool) -> Any:
    from .testing import ScriptedAssistant

    if not online:
        return ScriptedAssistant("assistant", DEMO_SCRIPT, on_exhausted="stop")
    import autogen

    if os.environ.get("OAI_CONFIG_LIST"):
        config_list = autogen.config_list_from_json("OAI_CONFIG_LIST")
    elif os.environ.get("OPENAI_API_KEY"):
        config_list = [{"model": "gpt-4o-mini", "api_key": os.environ["OPENAI_API_KEY"]}]
    else:
        raise ConfigurationError("--online needs OAI_CONFIG_LIST or OPENAI_API_KEY in the environment")
    return autogen.AssistantAgent(
        "assistant",
        llm_config={"config_list": config_list, "temperature": 0},
        system_message="You are a Python code writer. Complete the task, test your code, reply TERMINATE when done.",
    )


def demo(args: argparse.Namespace) -> int:
    """Run the demo conversation."""
    policy: InputPolicy = args.policy
    if args.online:  # a real model's code runs on this machine (no Docker): never without the human's approval
        from .approval import ApproveCode

        policy = policy | ApproveCode()
    human: HumanInput = ScriptedInput(args.answers) if args.answers is not None else ConsoleInput()
    saved: list[str] = []

    def save_file(path: str) -> str:
        saved.append(path)
        return f"saved {path}"

    with tempfile.TemporaryDirectory(prefix="hitl-demo-") as work_dir:
        proxy = DemoProxy(
            "user",
            policy=policy,
            limits=Limits(max_consecutive_auto_reply=args.limit, max_turns=args.max_turns),
            is_termination_msg=Keyword("TERMINATE"),
            human_input=human,
            function_map={"save_file": save_file},
            code_execution_config={"work_dir": work_dir, "use_docker": False, "timeout": 30},
            audit=_Narrator(),
        )
        print(f"[hitl] policy: {policy!r}   limits: {proxy.limits!r}")
        print(
            "[hitl] answers: Enter = let the auto-reply happen (or stop at the end), 'exit' = stop, "
            "anything else = your reply\n",
            flush=True,
        )
        proxy.initiate_chat(
            _assistant(args.online), message="Write a function to check if a string is a palindrome. Test it."
        )
    asked = sum(1 for record in proxy.decisions if record.asked)
    print(f"\n[hitl] done: {len(proxy.decisions)} decisions, you were asked {asked} time(s).")
    return 0


def _policy(text: str) -> InputPolicy:
    """Read ``--policy``: a bad one is argparse's usage error (exit code 2), its message naming the column."""
    try:
        return parse_policy(text)
    except ConfigurationError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hitl", description="Human-in-the-loop policies for AutoGen.")
    parser.add_argument("--version", action="version", version=f"autogen-hitl {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser(
        "demo",
        help="a conversation in the terminal with the policy you choose (offline by default)",
        description="Chat with a scripted assistant (or a real model with --online) and see when and why "
        "the policy asks you.",
    )
    run.add_argument(
        "--policy",
        type=_policy,
        default="terminate",
        help="never | terminate | always, or a composition such as 'terminate | code' or 'always & ~question' "
        f"(names: {', '.join(POLICY_NAMES)}); default: terminate",
    )
    run.add_argument("--limit", type=int, default=10, help="max consecutive auto-replies (default 10)")
    run.add_argument("--max-turns", type=int, default=None, help="max turns of the chat (default: none)")
    run.add_argument("--answers", nargs="*", default=None, help="answer from this list instead of the keyboard")
    run.add_argument(
        "--online",
        action="store_true",
        help="use a real model (OAI_CONFIG_LIST or OPENAI_API_KEY); the policy is combined with approve_code, "
        "so the model's code runs on this machine only after you approve it",
    )
    commands.add_parser(
        "schema",
        help="print the JSON Schema of proxy configuration files",
        description="Print the JSON Schema of hitl.config.ProxyConfig, for editors to complete and check files.",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``hitl`` command line; return the exit code."""
    args = _parser().parse_args(argv)
    if args.command == "schema":
        import json

        from .config import json_schema

        print(json.dumps(json_schema(), indent=2))
        return 0
    try:
        return demo(args)
    except (HitlError, ValueError) as exc:
        print(f"hitl: {exc}", file=sys.stderr)
        return 2
