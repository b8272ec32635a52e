"""Humans in AutoGen's ``GroupChat``: give the human the next turn, let them interject, ask who speaks next.

A [`PolicyUserProxy`][hitl.adapters.autogen.proxy.PolicyUserProxy] in a group decides as it does in a two-agent
chat, each time the group's speaker selection gives it the turn; ``ctx.speaker`` names the author of the
message (``ctx.sender`` is the chat manager that delivered it).
[`SpeakerSelection`][hitl.adapters.autogen.group.SpeakerSelection] is a ``speaker_selection_method`` that
wraps any of AutoGen's and adds the human:

- ``hand_over``: a policy of the group's last message; when it asks, the human's proxy gets the next turn
  and its human is asked, whatever the proxy's own policy would decide (before code runs, when an agent
  asks a question...);
- [`interject`][hitl.adapters.autogen.group.SpeakerSelection.interject]: words the human sends between rounds,
  from any thread, without waiting to be selected;
- ``then="manual"``: AutoGen's manual selection asks on its console, outside any proxy; here the human's
  provider is asked instead (console, queue, timeout...), and each question is recorded.

Examples:
    >>> from autogen import GroupChat, GroupChatManager
    >>> from hitl import PolicyUserProxy, Terminate, When, ScriptedInput
    >>> from hitl.core.conditions import has_code_block
    >>> from hitl.testing import ScriptedAssistant, quiet
    >>> human = PolicyUserProxy("human", policy=Terminate(), code_execution_config=False,
    ...                         human_input=ScriptedInput(["Use a list comprehension."]))
    >>> coder = ScriptedAssistant("coder", ["```python\\nprint(1)\\n```", "Done. TERMINATE"])
    >>> critic = ScriptedAssistant("critic", ["Looks fine."])
    >>> selection = SpeakerSelection(human, hand_over=When(has_code_block), then="round_robin")
    >>> group = GroupChat([human, coder, critic], messages=[], max_round=4, speaker_selection_method=selection)
    >>> with quiet():
    ...     _ = human.initiate_chat(GroupChatManager(group, llm_config=False), message="Write it.")
    >>> [(message["name"], message["content"]) for message in group.messages][1:3]
    [('coder', '```python\\nprint(1)\\n```'), ('human', 'Use a list comprehension.')]
"""

from __future__ import annotations

import collections
import functools
import threading
from collections.abc import Callable
from typing import Any

from ...core.approval import Gates
from ...core.context import TurnContext, context_of
from ...core.decisions import Decision
from ...core.errors import ConfigurationError, PolicyError
from ...core.policies import InputPolicy, When
from ...core.records import DecisionRecord
from ...core.rules import EXIT, InputEvent, SelectionOutcome
from ...core.text import visible
from ...providers import HumanInput, NoAnswer, ask, in_event_loop
from . import compat as _compat
from ._ask import checked_answer
from ._decide import Handover
from .console import ConsoleInput
from .proxy import PolicyUserProxy

__all__ = ["Interjection", "SpeakerSelection"]

#: AutoGen's own speaker selection methods, by name.
METHODS = ("auto", "manual", "random", "round_robin")
#: The ``policy`` and ``fired`` of a speaker-selection record.
SPEAKER_SELECTION = "speaker_selection"
#: Why the chat stopped when the human answered ``exit`` to a speaker question.
ENDED = "the human ended the chat at speaker selection"


class Interjection(InputPolicy):
    """Why the human got a turn they asked for: they interjected (see ``SpeakerSelection.interject``)."""

    __slots__ = ()

    def decide(self, ctx: TurnContext) -> Decision:
        """Ask: the human's words are already given."""
        return Decision(True, self, "the human interjected between rounds")

    def __eq__(self, other: object) -> bool:
        return type(other) is Interjection

    def __hash__(self) -> int:
        return hash(Interjection)

    def __repr__(self) -> str:
        return "Interjection()"


class SpeakerSelection:
    """A ``speaker_selection_method`` for ``GroupChat`` that wraps one of AutoGen's and gives the human turns.

    At each selection, in this order: words the human interjected give the human's proxy the turn, with
    those words as its reply (nobody is asked); else, if ``hand_over`` asks about the group's last message
    (not the human's own), the proxy gets the turn and its human is asked, whatever its own policy says;
    else ``then`` selects, as AutoGen would with it (``"manual"`` asks the proxy's human, see below).

    Args:
        human: the proxy of the human, one of the group's agents.
        hand_over: a policy (or a condition of the context) of the group's last message; ``ctx.speaker``
            is its author, ``ctx.messages`` the group's history. ``None``: never hand over.
        then: AutoGen's method (``"auto"``, ``"round_robin"``, ``"random"``, ``"manual"``) or your own
            function ``(last_speaker, groupchat) -> Agent | str | None``, as ``speaker_selection_method``
            takes it.
        fallback: with ``then="manual"``: the method that selects when the human gives no valid choice
            (Enter, ``q``, or ``tries`` invalid answers). AutoGen's own manual selection falls back to the
            next agent in order, so the default is ``"round_robin"``.
        tries: with ``then="manual"``: how many answers the human is asked for before ``fallback`` selects.

    With ``then="manual"`` (or a function of yours that returns ``"manual"``) AutoGen's manual selection runs,
    with its rules (speaker transitions, ``allow_repeat_speaker``, the agents that can run a pending call;
    when they leave one agent, nobody is asked), but the human's provider is asked instead of AutoGen's
    console (a console, a queue, a timeout: each question is a
    [`DecisionRecord`][hitl.stores.audit.DecisionRecord] with ``policy="speaker_selection"``), listing the
    agents by number; the answer is a name or a number, Enter or ``q`` leaves it to ``fallback``, and
    ``exit`` ends the chat. AutoGen calls a selection method synchronously even in ``a_initiate_chat``, so in
    an async chat the question is asked synchronously as well: answer it from another thread (a console,
    a web server's thread), not from a task of the chat's own event loop.

    Raises:
        TypeError: for a ``human`` that is not a ``PolicyUserProxy``, or a ``hand_over`` or ``then`` of
            the wrong kind.
        ConfigurationError: for an unknown method name, ``tries`` below 1, or a ``hand_over`` with approval
            gates (they belong in the policy of the proxy that executes: a hand-over is a turn to speak).
    """

    def __init__(
        self,
        human: PolicyUserProxy,
        *,
        hand_over: InputPolicy | Callable[[TurnContext], bool] | None = None,
        then: str | Callable[[Any, Any], Any] = "auto",
        fallback: str = "round_robin",
        tries: int = 3,
    ) -> None:
        if not isinstance(human, PolicyUserProxy):
            raise TypeError(f"SpeakerSelection needs the human's PolicyUserProxy (got {human!r})")
        if hand_over is not None and not isinstance(hand_over, InputPolicy):
            if not callable(hand_over):
                raise TypeError(f"hand_over is a policy or a condition of the context (got {hand_over!r})")
            hand_over = When(hand_over)
        if hand_over is not None and Gates.of(hand_over) is not None:
            raise ConfigurationError(
                f"hand_over={hand_over!r} holds approval gates, but a hand-over gives the human's proxy a turn to "
                "speak, not the execution of another agent's code or calls: put ApproveCode()/ApproveTools() in "
                "the policy of the proxy that executes (for example policy=Never() | ApproveCode())"
            )
        for name, method in (("then", then), ("fallback", fallback)):
            if isinstance(method, str):
                if method not in METHODS or (name == "fallback" and method == "manual"):
                    allowed = METHODS if name == "then" else tuple(m for m in METHODS if m != "manual")
                    raise ConfigurationError(f"{name}={method!r} is not one of {', '.join(map(repr, allowed))}")
            elif name == "fallback" or not callable(method):
                raise TypeError(f"{name} is the name of AutoGen's selection method or a function (got {method!r})")
        if type(tries) is not int or tries < 1:
            raise ConfigurationError(f"tries is a whole number of at least 1 (got {tries!r})")
        self.human = human
        self.hand_over: InputPolicy | None = hand_over
        self.then = then
        self.fallback = fallback
        self.tries = tries
        self._interjections: collections.deque[str] = collections.deque()
        self._lock = threading.Lock()

    def interject(self, text: str) -> None:
        """Give the human the next turn, with ``text`` as their reply: safe from any thread.

        Interjections are taken one a selection, oldest first; ``exit`` ends the chat, as it would as an
        answer. The text is the human's reply as written (an empty text lets the proxy auto-reply). One
        still waiting when a chat ends is taken by the next chat of this selection (see
        [`discard_interjections`][hitl.adapters.autogen.group.SpeakerSelection.discard_interjections]).

        Raises:
            TypeError: for text that is not a str.
        """
        if not isinstance(text, str):
            raise TypeError(f"an interjection is text (got {text!r})")
        with self._lock:
            self._interjections.append(text)

    def discard_interjections(self) -> list[str]:
        """Drop the interjections not yet taken, and return them (oldest first).

        An interjection waits for the next selection of a chat this selection runs: one still waiting when a
        chat ends is taken by the next chat, unless you drop it.
        """
        with self._lock:
            dropped = list(self._interjections)
            self._interjections.clear()
        return dropped

    @property
    def interjections(self) -> list[str]:
        """The interjections not yet taken, oldest first."""
        with self._lock:
            return list(self._interjections)

    def __call__(self, last_speaker: Any, groupchat: Any) -> Any:
        """Select the next speaker: called by AutoGen's ``GroupChat`` with the last speaker and itself."""
        human = self.human
        if human not in groupchat.agents:
            raise ConfigurationError(
                f"SpeakerSelection: the human's proxy {human.name!r} is not one of the group's agents "
                f"({', '.join(agent.name for agent in groupchat.agents)})"
            )
        with self._lock:
            interjected = self._interjections.popleft() if self._interjections else None
        if interjected is not None:
            ctx = self._context(last_speaker, groupchat)
            human._hitl_handed = Handover(Interjection().decide(ctx), groupchat.messages, interjected)
            return human
        if self.hand_over is not None and last_speaker is not human and groupchat.messages:
            decision = self.hand_over.decide(self._context(last_speaker, groupchat))
            if not isinstance(decision, Decision):
                raise PolicyError(
                    f"SpeakerSelection: hand_over {self.hand_over!r}.decide() returned {decision!r}, not a Decision"
                )
            if decision.ask:
                human._hitl_handed = Handover(decision, groupchat.messages)
                return human
        method = self.then
        chosen = method if isinstance(method, str) else method(last_speaker, groupchat)
        if isinstance(chosen, str) and chosen.lower() == "manual":
            # AutoGen's manual selection (with its speaker-transition rules and filters), asking the human's
            # provider instead of AutoGen's console: also when your function returns "manual".
            _compat.ask_for_manual_selection(groupchat, functools.partial(self._ask_who, last_speaker, groupchat))
        return chosen

    def _context(self, last_speaker: Any, groupchat: Any) -> TurnContext:
        """Build the context of the group's last message, as the human's proxy sees it from the manager.

        Its history is the proxy's own with the manager (the human's messages are the proxy's, as in every
        chat), or the group's when the manager is not known yet.
        """
        human = self.human
        manager = self._manager(groupchat)
        messages = groupchat.messages
        if manager is not None and human.chat_messages.get(manager):
            messages = human.chat_messages[manager]
        sender = None if manager is None else manager.name
        if not messages:
            return TurnContext({}, messages=(), sender=sender, recipient=human.name)
        speaker = _compat.author_in_group(messages[-1], last_speaker)
        limit = human.limits.max_consecutive_auto_reply
        return context_of(
            messages,
            sender,
            human.name,
            0 if manager is None else human._consecutive_auto_reply_counter[manager],
            human.MAX_CONSECUTIVE_AUTO_REPLY if limit is None else limit,
            human._is_termination_msg,
            speaker,
        )

    def _manager(self, groupchat: Any) -> Any:
        """Find the manager running ``groupchat``: the human's latest chat partner whose group shares its history."""
        messages = groupchat.messages
        for partner in reversed(list(self.human.chat_messages)):
            if getattr(getattr(partner, "groupchat", None), "messages", None) is messages:
                return partner
        return None

    @property
    def may_ask(self) -> bool:
        """Whether this selection itself can ask the human (a hand-over that can ask, or ``then="manual"``)."""
        return self.then == "manual" or (self.hand_over is not None and self.hand_over.can_ask)

    # -- manual selection, through the human's provider ---------------------------------------------------------
    def _ask_who(self, last_speaker: Any, groupchat: Any, agents: list[Any] | None = None) -> Any:
        """AutoGen's ``manual_select_speaker``, through the human's provider: ``agents`` are those AutoGen allows."""
        agents = list(groupchat.agents if agents is None else agents)
        listing = "\n".join(f"{number}: {agent.name}" for number, agent in enumerate(agents, 1))
        question = (
            f"Please select the next speaker from the following list:\n{listing}\n"
            "Enter the number or the name of the next speaker "
            f"(Enter or 'q': {self.fallback}; 'exit' ends the chat): "
        )
        ctx = self._context(last_speaker, groupchat)
        prompt = question
        for attempt in range(1, self.tries + 1):
            answer, event = self._ask(prompt, ctx)
            choice = answer.strip()
            if choice in ("", "q"):
                self._record(ctx, prompt, answer, event, "fallback", f"no choice: {self.fallback} selects")
                return self._fall_back(last_speaker, groupchat, agents)
            if choice == EXIT:
                self._record(ctx, prompt, answer, event, "stop", ENDED)
                # The proxy ends the chat with the human's "exit", as at any question: returning no speaker
                # would leave the choice to AutoGen's "auto" method instead.
                stop = Decision(True, Interjection(), ENDED)
                self.human._hitl_handed = Handover(stop, groupchat.messages, EXIT, recorded=False)
                return self.human
            chosen = _chosen(choice, agents)
            if chosen is not None:
                self._record(ctx, prompt, answer, event, "selected", f"the human selected {chosen.name!r}")
                return chosen
            if attempt == self.tries:
                note = f"not a speaker: {choice!r}; {self.fallback} selects"
                self._record(ctx, prompt, answer, event, "fallback", note)
                break
            self._record(ctx, prompt, answer, event, "invalid", f"not a speaker: {choice!r}; asked again")
            prompt = f"Invalid input: {choice!r}. Enter a number between 1 and {len(agents)} or a name.\n{question}"
        return self._fall_back(last_speaker, groupchat, agents)

    def _fall_back(self, last_speaker: Any, groupchat: Any, agents: list[Any]) -> Any:
        """Select among ``agents`` with ``fallback``; ``None`` leaves it to AutoGen's "auto" method."""
        if self.fallback == "round_robin":
            return groupchat.next_agent(last_speaker, agents)
        if self.fallback == "random":
            return groupchat.random_select_speaker(agents)  # AutoGen's own draw (a durable chat journals it)
        return None

    def _ask(self, prompt: str, ctx: TurnContext) -> tuple[str, InputEvent]:
        human = self.human
        provider = human.human_input
        if isinstance(provider, ConsoleInput):
            provider.check_interactive()  # a console nobody can answer is an error, not answers read from a pipe
        if not isinstance(provider, HumanInput) and in_event_loop():
            raise ConfigurationError(
                f"SpeakerSelection asks {human.name!r}'s human who speaks next synchronously (AutoGen calls a "
                f"selection method synchronously, even in a_initiate_chat), and its human input {provider!r} "
                "can only be awaited; give it a provider with a synchronous ask (QueueInput, ScriptedInput, "
                "ConsoleInput, TimeoutInput)"
            )
        try:
            answer = ask(provider, visible(prompt), ctx)
        except NoAnswer as missing:
            return missing.fallback, missing.reason
        return checked_answer(answer, provider), "answered"

    def _record(
        self,
        ctx: TurnContext,
        prompt: str,
        answer: str,
        event: InputEvent,
        outcome: SelectionOutcome,
        note: str,
    ) -> None:
        human = self.human
        record = DecisionRecord(
            agent=human.name,
            sender=ctx.sender,
            speaker=ctx.speaker,
            turn=ctx.turn,
            auto_replies=ctx.auto_replies,
            auto_reply_limit=ctx.auto_reply_limit,
            policy=SPEAKER_SELECTION,
            fired=SPEAKER_SELECTION,
            reason=note,
            asked=True,
            prompt=visible(prompt),
            answer=answer,
            input_event=event,
            outcome=outcome,
            stop_reason=ENDED if outcome == "stop" else None,
            message=ctx.text[:500],
        )
        human._hitl_log(record)

    def __repr__(self) -> str:
        then = self.then if isinstance(self.then, str) else getattr(self.then, "__name__", repr(self.then))
        return f"SpeakerSelection(human={self.human.name!r}, hand_over={self.hand_over!r}, then={then!r})"


def _chosen(choice: str, agents: list[Any]) -> Any:
    for agent in agents:  # a name first: an agent may be called "2"
        if agent.name == choice:
            return agent
    if choice.isdecimal() and choice.isascii():
        number = int(choice)
        return agents[number - 1] if 1 <= number <= len(agents) else None
    return None
