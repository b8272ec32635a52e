"""The ``hitl`` command: ``demo``, ``check``, ``schema``, and the durable commands.

``hitl demo`` runs a conversation in the terminal with the policy you choose, ``hitl check FILE`` validates a
configuration file and shows what it builds, ``hitl schema`` prints the JSON Schema of configuration files;
``hitl pending``, ``answer``, ``resume``, ``worker`` and ``show`` work on durable conversations.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

from .. import __version__
from ..core.errors import ConfigurationError
from ..core.policies import InputPolicy
from ..core.spec import POLICY_NAMES, parse_policy
from ._check import check
from ._demo import run_demo
from ._durable import COMMANDS as DURABLE_COMMANDS
from ._durable import add_commands, run_command
from ._model import DEFAULT_MODEL, llm_config
from ._offline import Draft
from ._schema import SCHEMA_ID, schema

__all__ = ["SCHEMA_ID", "llm_config", "main"]

_Draft = Draft  # the offline assistant's drafts, as the tests read them


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
        "the policy asks you. Type feedback instead of pressing Enter, and the assistant acts on it.",
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
        help="use a real model (OAI_CONFIG_LIST or OPENAI_API_KEY; needs the openai extra); the policy is "
        "combined with approve_code, so the model's code runs on this machine only after you approve it",
    )
    run.add_argument(
        "--model",
        default=None,
        help="with --online: the model (keeps the OAI_CONFIG_LIST entries of that model; with OPENAI_API_KEY, "
        f"default {DEFAULT_MODEL})",
    )
    checking = commands.add_parser(
        "check",
        help="validate configuration files and show the proxy each one builds",
        description="Validate .json, .yaml or .yml proxy configuration files. For a valid file, print the policy, "
        "limits, termination, auto-reply, human input and code execution it builds (exit code 0); otherwise each "
        "error with its file, line and column (exit code 1).",
    )
    checking.add_argument("files", nargs="+", metavar="FILE", help="a configuration file")
    commands.add_parser(
        "schema",
        help="print the JSON Schema of proxy configuration files",
        description="Print the JSON Schema (draft 2020-12) of hitl.config.ProxyConfig, for editors to complete and "
        "check files.",
    )
    add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``hitl`` command line; return the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "schema":
            print(json.dumps(schema(), indent=2))
            return 0
        if args.command == "check":
            return check(args.files)
        if args.command in DURABLE_COMMANDS:
            return run_command(args)
        if args.model is not None and not args.online:
            parser.error("--model goes with --online (the offline demo's assistant is scripted)")
        return run_demo(args)
    except BrokenPipeError:  # what reads the output stopped early (`hitl schema | head`): no traceback
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # Python flushes stdout at exit
        return 1
