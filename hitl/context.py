"""TurnContext: what a policy, a condition or an input provider knows about one incoming message."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from itertools import islice
from typing import Any, Final, overload

__all__ = ["HistoryView", "TurnContext", "message_text"]

_UNSET: Final[Any] = object()

#: What ``max_consecutive_auto_reply=None`` means in AutoGen (``ConversableAgent.MAX_CONSECUTIVE_AUTO_REPLY``).
DEFAULT_AUTO_REPLY_LIMIT: Final = 100


def message_text(content: object) -> str:
    """Return a message's content as plain text, whatever its shape.

    ``None`` becomes ``""``; a string is returned as it is; a list of OpenAI content parts gives its
    text parts joined by newlines (images and other parts are left out); anything else is ``str()``-ed.
    It never raises.

    Examples:
        >>> message_text(None)
        ''
        >>> message_text([{"type": "text", "text": "look"}, {"type": "image_url", "image_url": {"url": "x"}}])
        'look'
    """
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts: list[str] = []
        for part in content:
            if isinstance(part, str):
                parts.append(part)
            elif isinstance(part, Mapping) and part.get("type") == "text":
                text = part.get("text")
                if isinstance(text, str):
                    parts.append(text)
        return "\n".join(parts)
    try:
        return str(content)
    except Exception:  # a __str__ that raises must not break a decision
        return ""


class HistoryView(Sequence[Mapping[str, Any]]):
    """The first ``length`` messages of a history list, read in place: a snapshot that copies nothing.

    AutoGen only appends to a chat's history, so the messages a context saw stay where they were; a
    view reads them there, at no cost per message however long the chat grows. If the history is
    cleared (AutoGen's ``clear_history``), reading the view raises ``LookupError``.

    Examples:
        >>> history = [{"content": "one"}, {"content": "two"}]
        >>> view = HistoryView(history, 2)
        >>> history.append({"content": "three"})
        >>> len(view), view[-1]["content"], [m["content"] for m in view]
        (2, 'two', ['one', 'two'])
    """

    __slots__ = ("_items", "_length")

    def __init__(self, items: list[Mapping[str, Any]], length: int | None = None) -> None:
        self._items = items
        self._length = len(items) if length is None else length

    def _check(self) -> None:
        if len(self._items) < self._length:
            raise LookupError(
                f"the chat history this context viewed was cleared (it held {self._length} messages, "
                f"now {len(self._items)}); read a context while its chat's history is kept"
            )

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, index: int) -> Mapping[str, Any]: ...
    @overload
    def __getitem__(self, index: slice) -> list[Mapping[str, Any]]: ...
    def __getitem__(self, index: int | slice) -> Mapping[str, Any] | list[Mapping[str, Any]]:
        self._check()
        if isinstance(index, slice):
            return self._items[: self._length][index]
        length = self._length
        if index < 0:
            index += length
        if not 0 <= index < length:
            raise IndexError("history index out of range")
        return self._items[index]

    def __iter__(self) -> Iterator[Mapping[str, Any]]:
        self._check()
        return islice(self._items, self._length)

    def __reversed__(self) -> Iterator[Mapping[str, Any]]:
        self._check()
        items = self._items
        for index in range(self._length - 1, -1, -1):
            yield items[index]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (HistoryView, list, tuple)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"HistoryView({self._length} messages)"


class TurnContext:
    """An immutable snapshot of one incoming message, as a policy sees it.

    The proxy builds one for every message it receives; policies, conditions, auto-reply strategies and
    human-input providers read it. You build them yourself to test a policy without any agent.

    Attributes:
        message: the incoming message (a dict, as AutoGen stores it).
        messages: the conversation with this sender so far, ``message`` last (a snapshot: a list is
            viewed in place as a [`HistoryView`][hitl.context.HistoryView] of its current length, so later
            messages never show up in it, and nothing is copied).
        sender: the name of the agent that sent ``message`` (``None`` when AutoGen gives no sender).
        recipient: the name of the proxy that received it.
        auto_replies: how many consecutive auto-replies the proxy has sent to this sender so far
            (AutoGen's own counter: it resets whenever a human replies).
        auto_reply_limit: the proxy's ``max_consecutive_auto_reply`` for this sender.

    ``is_termination`` is computed on first use, from the proxy's ``is_termination_msg``, and then kept.

    Examples:
        >>> ctx = TurnContext({"content": "All done. TERMINATE"}, sender="assistant", is_termination=True)
        >>> ctx.text, ctx.sender, ctx.is_termination, ctx.limit_reached
        ('All done. TERMINATE', 'assistant', True, False)
    """

    __slots__ = (
        "_is_termination",
        "_termination_check",
        "_text",
        "auto_replies",
        "auto_reply_limit",
        "message",
        "messages",
        "recipient",
        "sender",
    )

    _text: str | None
    _is_termination: Any
    _termination_check: Callable[[dict[str, Any]], bool] | None
    message: Mapping[str, Any]
    messages: Sequence[Mapping[str, Any]]
    sender: str | None
    recipient: str
    auto_replies: int
    auto_reply_limit: int

    def __init__(
        self,
        message: Mapping[str, Any] | str,
        *,
        messages: Sequence[Mapping[str, Any]] | None = None,
        sender: str | None = None,
        recipient: str = "",
        auto_replies: int = 0,
        auto_reply_limit: int = DEFAULT_AUTO_REPLY_LIMIT,
        is_termination: bool | Callable[[dict[str, Any]], bool] = False,
    ) -> None:
        """Build a context; a plain string message is taken as ``{"content": message}``."""
        if isinstance(message, str):
            message = {"content": message}
        setattr_ = object.__setattr__
        setattr_(self, "message", message)
        if messages is None:
            messages = (message,)
        elif isinstance(messages, list):  # AutoGen's history grows after the decision: see it as it was
            messages = HistoryView(messages)
        setattr_(self, "messages", messages)
        setattr_(self, "sender", sender)
        setattr_(self, "recipient", recipient)
        setattr_(self, "auto_replies", auto_replies)
        setattr_(self, "auto_reply_limit", auto_reply_limit)
        setattr_(self, "_text", None)
        if isinstance(is_termination, bool):
            setattr_(self, "_is_termination", is_termination)
            setattr_(self, "_termination_check", None)
        else:
            setattr_(self, "_is_termination", _UNSET)
            setattr_(self, "_termination_check", is_termination)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"TurnContext is immutable; cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"TurnContext is immutable; cannot delete {name!r}")

    @property
    def text(self) -> str:
        """The message content as a string: ``""`` for ``None``, text parts joined for list content."""
        text = self._text
        if text is None:
            text = message_text(self.message.get("content"))
            object.__setattr__(self, "_text", text)
        return text

    @property
    def is_termination(self) -> bool:
        """Whether the proxy's ``is_termination_msg`` holds for this message.

        Evaluated on first use only, as AutoGen evaluates it: an ``is_termination_msg`` that raises
        raises here, at the moment AutoGen itself would have called it, and nowhere sooner.
        """
        value = self._is_termination
        if value is _UNSET:
            check = self._termination_check
            assert check is not None
            message = self.message
            if getattr(type(check), "_hitl_takes_context", False):  # a hitl condition sees the history too
                value = bool(check(self))  # type: ignore[arg-type]
            else:
                value = bool(check(message if isinstance(message, dict) else dict(message)))
            object.__setattr__(self, "_is_termination", value)
        return bool(value)

    @property
    def limit_reached(self) -> bool:
        """Whether the consecutive auto-replies have reached ``auto_reply_limit``."""
        return self.auto_replies >= self.auto_reply_limit

    @property
    def received(self) -> int:
        """How many messages in ``messages`` the recipient received (not sent), this one included.

        Tool and function results are not counted: in a chat they are the proxy's own replies.
        """
        me = self.recipient
        count = 0
        for message in self.messages:
            if message.get("name") != me and message.get("role") not in ("tool", "function"):
                count += 1
        return count

    @property
    def turn(self) -> int:
        """The 1-based position of ``message`` in ``messages``."""
        return len(self.messages)

    def __repr__(self) -> str:
        term = "?" if self._is_termination is _UNSET else repr(self._is_termination)
        return (
            f"TurnContext(sender={self.sender!r}, turn={self.turn}, text={self.text[:40]!r}, "
            f"auto_replies={self.auto_replies}/{self.auto_reply_limit}, is_termination={term})"
        )
