"""The texts [`PolicyUserProxy`][hitl.adapters.autogen.proxy.PolicyUserProxy] asks the human with: AutoGen's own."""

from __future__ import annotations

from dataclasses import dataclass

from ...core.text import check_template

__all__ = ["Prompts"]


@dataclass(frozen=True, slots=True)
class Prompts:
    """The texts a proxy asks the human with. ``{agent}`` is the proxy's name, ``{sender}`` the sender's.

    The defaults are AutoGen's own, word for word. Pass ``prompts=Prompts(...)`` to a proxy, or set
    ``prompts`` on a subclass, to change them.

    Attributes:
        always: asked by ``Always()``.
        enter_stops: asked by any other policy when Enter would stop the chat (a termination message).
        enter_auto_replies: asked by any other policy when Enter would let the auto-reply happen.
        approve: asked at the point of execution, below the code or calls about to run that the human has
            not approved (see [`hitl.core.approval`][hitl.core.approval]).

    Examples:
        >>> Prompts().enter_stops.format(agent="user", sender="assistant")
        "Please give feedback to assistant. Press enter or type 'exit' to stop the conversation: "
    """

    always: str = (
        "Replying as {agent}. Provide feedback to {sender}. Press enter to skip and use auto-reply, "
        "or type 'exit' to end the conversation: "
    )
    enter_stops: str = "Please give feedback to {sender}. Press enter or type 'exit' to stop the conversation: "
    enter_auto_replies: str = (
        "Please give feedback to {sender}. Press enter to skip and use auto-reply, "
        "or type 'exit' to stop the conversation: "
    )
    approve: str = "Press enter to run it, type feedback to reject it, or type 'exit' to stop the conversation: "

    def __post_init__(self) -> None:
        for name in ("always", "enter_stops", "enter_auto_replies", "approve"):
            check_template(getattr(self, name), ("agent", "sender"), f"Prompts.{name}")
