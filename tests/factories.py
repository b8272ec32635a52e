"""Factories shared by the tests."""

from __future__ import annotations

from typing import Any, TypeVar

from hypothesis import strategies as st

from hitl import TurnContext

T = TypeVar("T")


def compositions(leaves: st.SearchStrategy[T], max_leaves: int) -> st.SearchStrategy[T]:
    """Any composition of ``leaves`` with ``|``, ``&`` and ``~`` (policies or conditions alike)."""
    return st.recursive(
        leaves,
        lambda inner: st.one_of(
            st.tuples(inner, inner).map(lambda pair: pair[0] | pair[1]),
            st.tuples(inner, inner).map(lambda pair: pair[0] & pair[1]),
            inner.map(lambda operand: ~operand),
        ),
        max_leaves=max_leaves,
    )


def make_ctx(
    content: Any = "hello",
    *,
    sender: str | None = "assistant",
    auto_replies: int = 0,
    auto_reply_limit: int = 100,
    is_termination: bool = False,
    **message: Any,
) -> TurnContext:
    """A TurnContext for one message whose content is ``content`` (extra keywords go into the message)."""
    msg: dict[str, Any] = {"content": content, "role": "user", **message}
    return TurnContext(
        msg,
        sender=sender,
        recipient="user",
        auto_replies=auto_replies,
        auto_reply_limit=auto_reply_limit,
        is_termination=is_termination,
    )
