"""TurnContext: what a policy, a condition or an input provider knows about one incoming message."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from itertools import islice
from typing import Any, Final, overload

__all__ = ["HistoryView", "TurnContext", "message_text"]

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
            viewed in place as a [`HistoryView`][hitl.core.context.HistoryView] of its current length, so later
            messages never show up in it, and nothing is copied).
        sender: the name of the agent that delivered ``message`` (``None`` when AutoGen gives no sender). In a
            group chat every message is delivered by the chat manager.
        speaker: the name of the agent that wrote ``message``: in a group chat, its author; in a two-agent
            chat, the sender (the default).
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
        "_history",
        "_length",
        "_termination",
        "_text",
        "auto_replies",
        "auto_reply_limit",
        "message",
        "recipient",
        "sender",
        "speaker",
    )

    _history: Sequence[Mapping[str, Any]]
    _length: int
    _termination: Any  # True or False once known; until then the check that says
    _text: str  # set on first use, for content that is not a str
    message: Mapping[str, Any]
    sender: str | None
    speaker: str | None
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
        speaker: str | None = None,
    ) -> None:
        """Build a context; a plain string message is taken as ``{"content": message}``.

        ``speaker`` defaults to ``sender`` (in a two-agent chat, who sent a message wrote it).
        """
        if isinstance(message, str):
            message = {"content": message}
        if messages is None:
            messages = (message,)
        _fill(
            self,
            message,
            messages,
            len(messages),
            sender,
            recipient,
            auto_replies,
            auto_reply_limit,
            bool(is_termination) if isinstance(is_termination, bool) else is_termination,
            sender if speaker is None else speaker,
        )

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"TurnContext is immutable; cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"TurnContext is immutable; cannot delete {name!r}")

    @property
    def messages(self) -> Sequence[Mapping[str, Any]]:
        """The conversation with this sender so far, ``message`` last.

        A snapshot: a list is viewed in place as a [`HistoryView`][hitl.core.context.HistoryView] of its length
        when the context was built, so later messages never show up in it, and nothing is copied.
        """
        history = self._history
        if isinstance(history, list):
            history = HistoryView(history, self._length)
            _SET_HISTORY(self, history)
        return history

    @property
    def text(self) -> str:
        """The message content as a string: ``""`` for ``None``, text parts joined for list content."""
        content = self.message.get("content")
        if type(content) is str:
            return content
        try:
            return self._text
        except AttributeError:
            text = message_text(content)
            _SET_TEXT(self, text)
            return text

    @property
    def is_termination(self) -> bool:
        """Whether the proxy's ``is_termination_msg`` holds for this message.

        Evaluated on first use only, as AutoGen evaluates it: an ``is_termination_msg`` that raises
        raises here, at the moment AutoGen itself would have called it, and nowhere sooner.
        """
        value = self._termination
        if value is True or value is False:
            return value
        message = self.message
        if getattr(type(value), "_hitl_takes_context", False):  # a hitl condition sees the history too
            value = bool(value(self))
        else:
            value = bool(value(message if isinstance(message, dict) else dict(message)))
        _SET_TERMINATION(self, value)
        return value

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
        return self._length

    def __repr__(self) -> str:
        term = repr(self._termination) if self._termination is True or self._termination is False else "?"
        speaker = "" if self.speaker == self.sender else f"speaker={self.speaker!r}, "
        return (
            f"TurnContext(sender={self.sender!r}, {speaker}turn={self.turn}, text={self.text[:40]!r}, "
            f"auto_replies={self.auto_replies}/{self.auto_reply_limit}, is_termination={term})"
        )


_SET_HISTORY = TurnContext.__dict__["_history"].__set__
_SET_TEXT = TurnContext.__dict__["_text"].__set__
_SET_TERMINATION = TurnContext.__dict__["_termination"].__set__
_SETTERS = tuple(
    TurnContext.__dict__[name].__set__
    for name in (
        "message",
        "_history",
        "_length",
        "sender",
        "recipient",
        "auto_replies",
        "auto_reply_limit",
        "_termination",
        "speaker",
    )
)


def history_of(ctx: TurnContext) -> tuple[Sequence[Mapping[str, Any]], int]:
    """Return the sequence a context's ``messages`` reads, and how many of its messages it holds (no view built)."""
    history = ctx._history
    if type(history) is HistoryView:
        return history._items, history._length
    return history, ctx._length


def _fill(
    context: TurnContext,
    message: Mapping[str, Any],
    history: Sequence[Mapping[str, Any]],
    length: int,
    sender: str | None,
    recipient: str,
    auto_replies: int,
    auto_reply_limit: int,
    termination: Any,
    speaker: str | None,
) -> TurnContext:
    set_message, set_history, set_length, set_sender, set_recipient, set_replies, set_limit, set_end, set_who = _SETTERS
    set_message(context, message)
    set_history(context, history)
    set_length(context, length)
    set_sender(context, sender)
    set_recipient(context, recipient)
    set_replies(context, auto_replies)
    set_limit(context, auto_reply_limit)
    set_end(context, termination)
    set_who(context, speaker)
    return context


def context_of(
    history: list[dict[str, Any]],
    sender: str | None,
    recipient: str,
    auto_replies: int,
    auto_reply_limit: int,
    is_termination: Callable[[dict[str, Any]], bool],
    speaker: str | None = None,
) -> TurnContext:
    """Build the context of the last message of a chat's ``history``, as the proxy does for every message.

    What the constructor does, less its checks and conversions (the arguments are the proxy's own), as
    this runs once a message. ``speaker`` defaults to ``sender``.
    """
    return _fill(
        _NEW(TurnContext),
        history[-1],
        history,
        len(history),
        sender,
        recipient,
        auto_replies,
        auto_reply_limit,
        is_termination,
        sender if speaker is None else speaker,
    )


_NEW = object.__new__
