"""The functions the proxy puts in AutoGen's reply chain: the human-reply check and the auto-reply step.

AutoGen calls a reply function with the agent first; each of these hands the call to the proxy's method.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .proxy import PolicyUserProxy

__all__ = ["a_check_termination_and_human_reply", "auto_reply_step", "check_termination_and_human_reply"]


def check_termination_and_human_reply(
    agent: PolicyUserProxy, messages: list[dict[str, Any]] | None = None, sender: Any = None, config: Any = None
) -> tuple[bool, dict[str, Any] | None]:
    """Dispatch to the proxy's method: the reply function registered in place of AutoGen's."""
    return agent.check_termination_and_human_reply(messages, sender, config)


def auto_reply_step(
    agent: PolicyUserProxy,
    messages: list[dict[str, Any]] | None = None,
    sender: Any = None,
    config: Any = None,
) -> tuple[bool, Any]:
    """Reply with the proxy's auto-reply: the last step of its reply chain, where AutoGen's default would be."""
    if agent._hitl_reply_strategy is None and not agent._hitl_overrides("auto_reply"):
        return True, agent._default_auto_reply  # AutoGen's own fallback: no context needed
    if messages is None:
        messages = agent._oai_messages[sender] if sender else []
    if not messages:
        return True, agent._default_auto_reply
    # The context the policy decided on (its counter is from before this auto-reply), if it is this message's.
    ctx = agent._hitl_decided.pop(sender, None)
    if ctx is None or ctx.message is not messages[-1]:
        ctx = agent._hitl_turn_context(messages, sender)
    return True, agent.auto_reply(ctx)


async def a_check_termination_and_human_reply(
    agent: PolicyUserProxy, messages: list[dict[str, Any]] | None = None, sender: Any = None, config: Any = None
) -> tuple[bool, dict[str, Any] | None]:
    """Dispatch to the proxy's async method: the reply function registered in place of AutoGen's."""
    return await agent.a_check_termination_and_human_reply(messages, sender, config)
