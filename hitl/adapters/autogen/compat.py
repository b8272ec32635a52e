"""Every difference between the classic AutoGen lines hitl supports, in one place.

Supported: ``pyautogen`` 0.2.35 (Microsoft's last classic release), ``pyautogen`` 0.3 to 0.9 (AG2 under
the old name) and the ``autogen`` distribution 0.10+ (AG2 classic, 0.14 tested). ``pyautogen`` 0.10 and
later install no ``autogen`` module at all (they are a shim for AgentChat); importing hitl there fails
with a message that names the package to install instead.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from importlib import metadata
from typing import Any

from ...core.algebra import is_coroutine_callable
from ...core.errors import HitlError

__all__ = [
    "ASYNC_INPUT_DELEGATES",
    "AUTOGEN_DISTRIBUTION",
    "AUTOGEN_VERSION",
    "UNKNOWN_LANGUAGE",
    "Agent",
    "AnySender",
    "AssistantAgent",
    "CodeResult",
    "ConversableAgent",
    "GroupChat",
    "GroupChatManager",
    "UserProxyAgent",
    "ask_for_manual_selection",
    "author_in_group",
    "author_of",
    "content_str",
    "default_iostream",
    "emit_no_human_input",
    "emit_termination",
    "emit_using_auto_reply",
    "exclude_from_async_reply",
    "extract_code",
    "infer_lang",
    "iostream_set_to",
    "is_coroutine_callable",
    "record_human_input",
    "runs_by_language",
    "selects_manually",
    "silent_iostream",
]


def _installed_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


_INSTALL_HINT = (
    "hitl needs AutoGen's classic API (the `autogen` module): install it with "
    "`pip install 'pyautogen>=0.2.35,<0.10'` (or the `autogen` distribution, AG2 classic)"
)


def missing_autogen_message(pyautogen_version: str | None) -> str:
    """Say why ``import autogen`` failed and what to install instead, given the installed pyautogen."""
    if pyautogen_version is None:
        found = "no `autogen` module"
    else:
        parts = pyautogen_version.split(".")
        agentchat = parts[0] != "0" or (len(parts) > 1 and parts[1].isdigit() and int(parts[1]) >= 10)
        found = (
            f"pyautogen {pyautogen_version}, which is AgentChat and has no `autogen` module"
            if agentchat
            else f"pyautogen {pyautogen_version}, but its `autogen` module did not import"
        )
    return f"{_INSTALL_HINT}; found {found}"


try:
    import autogen
    from autogen import Agent, AssistantAgent, ConversableAgent, GroupChat, GroupChatManager, UserProxyAgent
    from autogen.code_utils import UNKNOWN as UNKNOWN_LANGUAGE  # how AutoGen finds the code it runs
    from autogen.code_utils import content_str, extract_code, infer_lang
    from autogen.coding.base import CodeResult
    from autogen.io.base import IOStream
except ImportError as exc:  # pragma: no cover - exercised in the compatibility job
    raise ImportError(missing_autogen_message(_installed_version("pyautogen"))) from exc

#: Which distribution provides ``autogen``: "pyautogen" or "autogen".
AUTOGEN_DISTRIBUTION: str = "pyautogen" if _installed_version("pyautogen") is not None else "autogen"
#: The installed AutoGen version string.
AUTOGEN_VERSION: str = str(getattr(autogen, "__version__", None) or _installed_version(AUTOGEN_DISTRIBUTION))


def runs_by_language(executor: Any) -> bool:
    """Whether ``executor`` runs each code block by its language tag (AutoGen's command-line executors).

    Others (the Jupyter executors, which send every block to one kernel, or your own) may run a block
    tagged ``sh`` as Python, so a gate for some languages treats all their blocks as gated.
    """
    trusted = {"LocalCommandLineCodeExecutor", "DockerCommandLineCodeExecutor"}
    return any(
        cls.__name__ in trusted and cls.__module__.startswith("autogen.coding") for cls in type(executor).__mro__
    )


#: pyautogen 0.2's ``a_get_human_input`` asks through ``get_human_input`` (in a worker thread), so an
#: async chat of a subclass that overrides only ``get_human_input`` asks that override; later lines read the
#: IOStream directly.
ASYNC_INPUT_DELEGATES: bool = AUTOGEN_DISTRIBUTION == "pyautogen" and AUTOGEN_VERSION.startswith("0.2.")

if not hasattr(ConversableAgent, "check_termination_and_human_reply"):  # pragma: no cover
    raise ImportError(f"{_INSTALL_HINT}; the installed `autogen` ({AUTOGEN_VERSION}) is not the classic API")


def author_of(sender: Any, message: Mapping[str, Any]) -> str | None:
    """Return the name of the agent that wrote ``message``, which ``sender`` delivered.

    In a group chat the chat manager delivers every message, and AutoGen's group history names its author
    in the message's ``name`` (set by ``GroupChat.append``); a result of the deprecated ``function_call``
    API keeps its function's name there instead, so its author is the manager's last speaker. Otherwise
    the sender wrote it.
    """
    if sender is None:
        return None
    if isinstance(sender, GroupChatManager):
        return author_in_group(message, sender.last_speaker)
    return str(sender.name)


def author_in_group(message: Mapping[str, Any], last_speaker: Any) -> str | None:
    """Return the author of a group chat's ``message``: its ``name``, or for a function result ``last_speaker``'s."""
    name = message.get("name")
    if isinstance(name, str) and message.get("role") != "function":
        return name
    return None if last_speaker is None else str(last_speaker.name)


def ask_for_manual_selection(groupchat: Any, chooser: Callable[[list[Any] | None], Any]) -> None:
    """Make ``groupchat``'s manual speaker selection call ``chooser`` instead of reading AutoGen's console.

    AutoGen's ``"manual"`` method first narrows the agents (speaker transitions, repeat rules, the agents
    that can run a pending call) and then calls ``GroupChat.manual_select_speaker(agents)``, on every
    supported line; ``chooser`` takes its place on this instance (the manager's copy of the group).
    """
    groupchat.manual_select_speaker = chooser


def selects_manually(recipient: Any) -> bool:
    """Whether ``recipient`` is a group chat manager whose group selects speakers with AutoGen's ``"manual"``."""
    if not isinstance(recipient, GroupChatManager):
        return False
    method = getattr(recipient.groupchat, "speaker_selection_method", None)
    return isinstance(method, str) and method.lower() == "manual"


class _MatchesEverything(type):
    def __instancecheck__(cls, instance: object) -> bool:
        return True


class AnySender(metaclass=_MatchesEverything):
    """A reply-function trigger that matches every sender, None included, in one fast ``isinstance``.

    AutoGen checks a trigger list like ``[Agent, None]`` with ``isinstance(trigger, Agent)`` first, and
    ``Agent`` is a runtime Protocol: that check costs microseconds on every message. A class trigger
    is matched with a plain ``isinstance(sender, trigger)`` instead.
    """


_depth_lock = threading.Lock()
_deep_chats = 0
_base_recursion_limit = 0


@contextlib.contextmanager
def as_deep_as_native(frames: int) -> Iterator[None]:
    """Raise the recursion limit by the ``frames`` a wrapper adds around AutoGen's own method.

    Without ``max_turns`` a two-agent chat recurses, and dies with RecursionError after a few hundred
    rounds; with this, it dies at exactly the message where the native agent does.
    """
    global _deep_chats, _base_recursion_limit
    with _depth_lock:  # chats in several threads or tasks at once: raise once, restore after the last
        if _deep_chats == 0:
            _base_recursion_limit = sys.getrecursionlimit()
            sys.setrecursionlimit(_base_recursion_limit + frames)
        _deep_chats += 1
    try:
        yield
    finally:
        with _depth_lock:
            _deep_chats -= 1
            if _deep_chats == 0:
                sys.setrecursionlimit(_base_recursion_limit)


def default_iostream() -> Any:
    """AutoGen's current IOStream (the console unless the application set another)."""
    return IOStream.get_default()


def iostream_set_to(stream: Any) -> contextlib.AbstractContextManager[Any]:
    """Make ``stream`` AutoGen's IOStream inside a ``with`` block (``IOStream.set_default``)."""
    return IOStream.set_default(stream)  # type: ignore[no-any-return]


class _SilentIOStream:
    """An IOStream that shows nothing and cannot be asked anything."""

    def print(self, *objects: Any, sep: str = " ", end: str = "\n", flush: bool = False) -> None:
        """Show nothing."""

    def send(self, message: Any) -> None:
        """Show nothing."""

    def input(self, prompt: str = "", *, password: bool = False) -> str:
        """Refuse: nothing may be asked while silenced."""
        raise HitlError(f"nothing may be asked while hitl works out silently which code would run (asked {prompt!r})")


@contextlib.contextmanager
def silent_iostream() -> Iterator[None]:
    """Silence AutoGen's output inside the block (for work that must leave no trace, such as a probe)."""
    token = silence()
    try:
        yield
    finally:
        unsilence(token)


_SILENT = _SilentIOStream()


def silence() -> Any:
    """Silence AutoGen's output in this thread or task until ``unsilence(token)``; return the token.

    What ``silent_iostream`` does, without a context manager's cost, for work done on every message.
    """
    return IOStream._default_io_stream.set(_SILENT)


def unsilence(token: Any) -> None:
    """Undo ``silence()``."""
    IOStream._default_io_stream.reset(token)


# -- events: what native AutoGen prints at the same points -------------------------------------------------

try:  # AG2: typed events sent through the IOStream
    from autogen.events.agent_events import (
        TerminationAndHumanReplyNoInputEvent as _NoInputEvent,
    )
    from autogen.events.agent_events import (
        TerminationEvent as _TerminationEvent,
    )
    from autogen.events.agent_events import (
        UsingAutoReplyEvent as _UsingAutoReplyEvent,
    )

    _HAS_EVENTS = True
    try:  # AG2 0.10+ names the agents in a termination event; 0.9 takes the reason alone
        _TerminationEvent(termination_reason="", sender="a", recipient="b")
        _TERMINATION_TAKES_AGENTS = True
    except Exception:
        _TERMINATION_TAKES_AGENTS = False
except ImportError:  # pragma: no cover - pyautogen 0.2.x prints coloured text
    _HAS_EVENTS = False
    _TERMINATION_TAKES_AGENTS = False


def _colored(text: str) -> str:
    from autogen.formatting_utils import colored

    return str(colored(text, "red"))


def emit_no_human_input(sender: Any, recipient: Any, stream: Any = None) -> None:
    """Tell the IOStream (by default the current one) that the human gave no input (``NO HUMAN INPUT RECEIVED.``)."""
    if stream is None:
        stream = default_iostream()
    if _HAS_EVENTS:
        stream.send(_NoInputEvent(no_human_input_msg="NO HUMAN INPUT RECEIVED.", sender=sender, recipient=recipient))
    else:  # pragma: no cover
        stream.print(_colored("\n>>>>>>>> NO HUMAN INPUT RECEIVED."), flush=True)


def emit_using_auto_reply(mode: str, sender: Any, recipient: Any, stream: Any = None) -> None:
    """Tell the IOStream (by default the current one) that the proxy auto-replies (``USING AUTO REPLY...``)."""
    if stream is None:
        stream = default_iostream()
    if _HAS_EVENTS:
        stream.send(_UsingAutoReplyEvent(human_input_mode=mode, sender=sender, recipient=recipient))
    else:  # pragma: no cover
        stream.print(_colored("\n>>>>>>>> USING AUTO REPLY..."), flush=True)


def emit_termination(reason: str, agent: Any, sender: Any) -> None:
    """Tell the IOStream why the chat stops (AG2 prints it; pyautogen 0.2 printed nothing)."""
    if not _HAS_EVENTS:  # pragma: no cover
        return
    stream = default_iostream()
    if _TERMINATION_TAKES_AGENTS:
        stream.send(_TerminationEvent(termination_reason=reason, sender=agent, recipient=sender))
    else:
        stream.send(_TerminationEvent(termination_reason=reason))


# -- agent internals ---------------------------------------------------------------------------------------


#: AG2 0.10+ passes human answers through hooks (safeguards) before keeping them.
_HAS_HUMAN_INPUT_HOOKS = hasattr(ConversableAgent, "_process_human_input")


def record_human_input(agent: Any, answer: str) -> str:
    """Run AutoGen's own processing of a human answer (hooks, where the version has them) and keep it.

    Returns the answer as processed; the agent's ``_human_input`` list (``ChatResult.human_input``)
    receives it, as native ``get_human_input`` does.
    """
    if _HAS_HUMAN_INPUT_HOOKS:
        processed = agent._process_human_input(answer)
        if processed is None:
            raise HitlError(f"a human-input hook of {agent.name!r} returned None for {answer!r}")
        answer = processed
    agent._human_input.append(answer)
    return answer


def exclude_from_async_reply(kwargs: dict[str, Any], *funcs: Callable[..., Any]) -> dict[str, Any]:
    """Return ``a_generate_reply`` keyword arguments that also exclude ``funcs``.

    Some AutoGen versions run both the sync and the async human-reply check in ``a_generate_reply``,
    asking the human twice; excluding the sync one leaves exactly one check per message.
    """
    excluded = kwargs.get("exclude") or ()
    return {**kwargs, "exclude": [*excluded, *funcs]}
