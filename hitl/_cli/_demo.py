"""``hitl demo``: a conversation in the terminal that says, for every message, whether the human was asked and why."""

from __future__ import annotations

import argparse
import sys
import tempfile

from ..adapters.autogen.proxy import PolicyUserProxy
from ..core.conditions import Keyword
from ..core.context import TurnContext
from ..core.errors import HitlError
from ..core.limits import Limits
from ..core.policies import Decision, InputPolicy
from ..inputs import ConsoleInput, HumanInput, ScriptedInput
from ..stores.audit import DecisionRecord
from ._model import is_openai_error, model_assistant
from ._offline import DemoAssistant

__all__ = ["DemoProxy", "demo", "run_demo"]

# -- what the demo prints ----------------------------------------------------------------------------------------


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


# -- the conversation --------------------------------------------------------------------------------------------


def demo(args: argparse.Namespace) -> int:
    """Run the demo conversation."""
    policy: InputPolicy = args.policy
    if args.online:  # a real model's code runs on this machine (no Docker): never without the human's approval
        from ..core.approval import ApproveCode

        policy = policy | ApproveCode()
        assistant = model_assistant(args.model)  # before anything is shown: a missing package or key is one line
    else:
        assistant = DemoAssistant()
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
        proxy.initiate_chat(assistant, message="Write a function to check if a string is a palindrome. Test it.")
    asked = sum(1 for record in proxy.decisions if record.asked)
    print(f"\n[hitl] done: {len(proxy.decisions)} decisions, you were asked {asked} time(s).")
    return 0


def run_demo(args: argparse.Namespace) -> int:
    """Run the demo; an error is one line on stderr, with exit code 2 (hitl's or a bad value) or 1 (the model's)."""
    try:
        return demo(args)
    except (HitlError, ValueError) as exc:
        print(f"hitl: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        if not is_openai_error(exc):
            raise
        text = " ".join(str(exc).split()) or "no message"
        print(
            f"hitl: the model request failed ({type(exc).__name__}: {text}); "
            "check the model, api_key and base_url in OAI_CONFIG_LIST (or OPENAI_API_KEY)",
            file=sys.stderr,
        )
        return 1
