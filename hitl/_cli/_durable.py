"""``hitl pending | answer | resume | worker | show | cancel | prune``: durable conversations from the shell.

Every command works on one store (``--store``, default ``hitl.db`` in the working directory); only ``worker``
creates it when it is missing (another command given a mistyped path says so). The commands that run
conversations (``resume``, ``worker``) rebuild them with their factories: ``--import MODULE`` imports the
module that registers them (as many times as needed).
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from typing import Any

from ..core.errors import HitlError
from ..stores.durable import ENDED_STATUSES
from ..stores.sqlite import DEFAULT_PATH, SqliteStore

__all__ = ["add_commands", "run_command"]

COMMANDS = ("pending", "answer", "resume", "worker", "show", "cancel", "prune")
#: Units of ``hitl prune --older-than``.
_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def add_commands(commands: Any) -> None:
    """Add the durable commands to the ``hitl`` parser's subcommands."""

    def command(name: str, help: str) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = commands.add_parser(name, help=help, description=help)
        parser.add_argument("--store", default=DEFAULT_PATH, help=f"the conversation store (default {DEFAULT_PATH})")
        return parser

    pending = command("pending", "list the questions durable conversations wait at, oldest first")
    pending.add_argument("--json", action="store_true", help="one JSON object a line")
    answer = command("answer", "answer a waiting question (the first answer wins); its conversation is ready")
    answer.add_argument("question", help="the question's id (from hitl pending)")
    answer.add_argument("text", help="the answer: '' to press Enter, 'exit' to stop, or a reply")
    answer.add_argument("--by", default=None, help="who answers (kept with the answer)")
    for name, text in (
        ("resume", "resume one ready conversation in this process, to its next question or its end"),
        ("worker", "resume every ready conversation, then (with --wait) keep resuming as answers come"),
    ):
        runner = command(name, text)
        runner.add_argument(
            "--import",
            dest="imports",
            action="append",
            default=[],
            metavar="MODULE",
            help="import MODULE first (it registers the conversation factories); repeatable",
        )
        runner.add_argument(
            "--lease",
            type=_seconds,
            default=60.0,
            help="seconds a lease lasts unless renewed (renewed every third while running); a conversation "
            "whose worker died is taken over once it runs out (default 60)",
        )
        if name == "resume":
            runner.add_argument("conversation", help="the conversation's id")
        else:
            runner.add_argument("--wait", type=_wait, default=None, help="keep working for this many seconds")
    show = command("show", "show a conversation: its status, questions, history, decisions and result")
    show.add_argument("conversation", help="the conversation's id")
    show.add_argument("--json", action="store_true", help="as one JSON object")
    cancel = command("cancel", "end a conversation as cancelled: its open questions are withdrawn")
    cancel.add_argument("conversation", help="the conversation's id")
    prune = command("prune", "delete ended conversations (done, failed, cancelled) with their journals")
    prune.add_argument(
        "--older-than",
        required=True,
        type=_duration,
        metavar="AGE",
        help="only those unchanged for this long: a number with a unit, s, m, h or d (e.g. 30d)",
    )
    prune.add_argument(
        "--status",
        action="append",
        choices=ENDED_STATUSES,
        help="only conversations with this status (repeatable; default all three)",
    )


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r}: a number of seconds, more than 0")
    return value


def _wait(text: str) -> float:
    return 0.0 if text.strip() in ("0", "0.0") else _seconds(text)


def _duration(text: str) -> float:
    unit = _UNITS.get(text[-1:].lower())
    try:
        value = float(text[:-1] if unit else text) * (unit or 1.0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an age such as 90s, 15m, 12h or 30d") from None
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"{text!r}: an age is 0 or more")
    return value


def run_command(args: argparse.Namespace) -> int:
    """Run a durable command; return the exit code (1 with a one-line message for what a user got wrong).

    Only ``resume`` and ``worker`` load AutoGen (they run conversations); the others read the store alone.
    """
    try:
        if args.command in ("resume", "worker"):
            from ..durable import Conversations

            for module in args.imports:
                sys.path.insert(0, ".")
                importlib.import_module(module)
            store = SqliteStore(args.store, create=args.command == "worker")
            chats = Conversations(store, lease=args.lease)
            try:
                return _run(chats, args)
            finally:
                chats.close()
        store = SqliteStore(args.store, create=False)
        try:
            return _read(store, args)
        finally:
            store.close()
    except (HitlError, ImportError) as error:
        print(f"hitl {args.command}: {error}", file=sys.stderr)
        return 1


def _read(store: SqliteStore, args: argparse.Namespace) -> int:
    if args.command == "pending":
        for stored in store.questions():
            question = stored.question
            if args.json:
                print(json.dumps({**question.to_dict(), "seq": stored.seq}, ensure_ascii=False))
            else:
                print(f"{question.id}  {stored.conversation}  {question.kind}  {question.agent}: {question.prompt}")
        return 0
    if args.command == "answer":
        answered = store.answer(args.question, args.text, by=args.by)
        print(f"answered {answered.question.id} of {answered.conversation}: {answered.answer!r}")
        return 0
    if args.command == "cancel":
        store.cancel(args.conversation)
        print(f"{args.conversation}: {store.get(args.conversation).status}")
        return 0
    if args.command == "prune":
        statuses = tuple(args.status or ENDED_STATUSES)
        print(f"pruned {store.prune(time.time() - args.older_than, statuses)} conversations")
        return 0
    return _show(store, args)


def _run(chats: Any, args: argparse.Namespace) -> int:
    if args.command == "resume":
        _report(chats.resume(args.conversation))
        return 0
    deadline = None if args.wait is None else time.monotonic() + args.wait  # hitl worker
    while True:
        for outcome in chats.work():
            _report(outcome)
        if deadline is None or time.monotonic() >= deadline:
            return 0
        time.sleep(min(0.5, max(0.0, deadline - time.monotonic())))


def _report(outcome: Any) -> None:
    if outcome.status == "waiting":
        print(f"{outcome.conversation}: waiting at {outcome.question.id}: {outcome.question.prompt}")
    elif outcome.status == "done":
        print(f"{outcome.conversation}: done: {outcome.result.get('summary')!r}")
    else:
        print(f"{outcome.conversation}: {outcome.status}: {outcome.error}")


def _show(store: SqliteStore, args: argparse.Namespace) -> int:
    found = store.get(args.conversation)
    shown = found.snapshot or {}
    questions = store.questions(found.id, status=None)
    history = list(shown.get("history", []))
    if args.json:
        data = {
            "conversation": found.id,
            "status": found.status,
            "factory": found.factory,
            "version": found.version,
            "questions": [
                {**stored.question.to_dict(), "status": stored.status, "answer": stored.answer} for stored in questions
            ],
            "history": history,
            "decisions": list(shown.get("decisions", [])),
            "result": found.result,
            "error": found.error,
        }
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    print(f"{found.id}: {found.status} ({found.factory} version {found.version})")
    for stored in questions:
        print(f"  question {stored.question.id} ({stored.status}): {stored.question.prompt!r} -> {stored.answer!r}")
    for message in history:
        print(f"  {message.get('name', message.get('role', '?')):>10}: {str(message.get('content'))[:100]!r}")
    if found.error:
        print(f"  error: {found.error}")
    return 0
