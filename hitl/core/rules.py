"""AutoGen's rules for what follows a decision, as pure functions: one source for the proxy and simulate()."""

from __future__ import annotations

from typing import Final, Literal

from .context import TurnContext
from .policies import InputPolicy, Terminate

#: What came of a decision about a message.
Outcome = Literal["human_reply", "auto_reply", "stop"]
#: What came of a workflow checkpoint: the stage approved, sent back with an instruction, or the workflow stopped.
CheckpointOutcome = Literal["approved", "redirected", "aborted"]
#: What came of a question about a group chat's next speaker: the human chose one (``selected``), left it
#: to the fallback method (``fallback``), answered with no speaker and is asked again (``invalid``), or
#: ended the chat (``stop``).
SelectionOutcome = Literal["selected", "fallback", "invalid", "stop"]
#: How the human's answer came about, when they were asked: typed (``answered``), or the provider's fallback
#: answer after a deadline (``timeout``), a closed input (``eof``) or Ctrl-C (``interrupt``).
InputEvent = Literal["answered", "timeout", "eof", "interrupt"]

EXIT: Final = "exit"
REASON_LIMIT: Final = "Maximum number of consecutive auto-replies reached"
REASON_USER_EXIT: Final = "User requested to end the conversation"


def reason_termination(agent: str) -> str:
    """Why the chat stops on a termination message nobody was asked about."""
    return f"Termination message condition on agent '{agent}' met"


def reason_termination_no_input(agent: str) -> str:
    """Why the chat stops when the human was asked about a termination message and pressed Enter."""
    return f"Termination message condition on agent '{agent}' met and no human input provided"


def without_asking(ctx: TurnContext, agent: str) -> tuple[Outcome, str | None]:
    """Decide what follows when the policy does not ask: the limit stops, then a termination message stops."""
    if ctx.auto_replies >= ctx.auto_reply_limit:
        return "stop", REASON_LIMIT
    if ctx.is_termination:
        return "stop", reason_termination(agent)
    return "auto_reply", None


def after_answer(
    ctx: TurnContext, answer: str, agent: str, asked_by: InputPolicy | None = None
) -> tuple[Outcome, str | None]:
    """Decide what the answer means: ``exit`` stops; Enter stops on termination, else auto-replies; text replies.

    A limit of 0 turns Enter into an empty human reply, as in AutoGen. ``asked_by`` (the policy that
    asked) picks AutoGen's wording of the stop reason, which differs between its ALWAYS branch (a policy
    that always asks: ``Always()``, ``~Never()``) and its TERMINATE branch (``Terminate()``).
    """
    if answer == EXIT:
        if isinstance(asked_by, Terminate) and ctx.is_termination and ctx.auto_replies < ctx.auto_reply_limit:
            return "stop", reason_termination_no_input(agent)  # AutoGen's TERMINATE branch says so for exit too
        return "stop", REASON_USER_EXIT
    if not answer and ctx.is_termination:
        if asked_by is not None and asked_by.always_asks:  # AutoGen's ALWAYS branch: Always(), ~Never()...
            return "stop", reason_termination(agent)
        return "stop", reason_termination_no_input(agent)
    if answer or ctx.auto_reply_limit == 0:
        return "human_reply", None
    return "auto_reply", None
