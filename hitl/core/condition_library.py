r"""The library of conditions: what a message holds, where the conversation is, and termination keywords.

Each is a [`Condition`][hitl.core.conditions.Condition], so it composes with ``|``, ``&`` and ``~``, works in
``When(...)`` and as ``is_termination_msg=``. They are offered by [`hitl.core.conditions`][hitl.core.conditions],
the place to import them from.

Examples:
    >>> from hitl.core.conditions import FromSender, HasToolCall, Keyword
    >>> stop = Keyword("DONE", at_end=True) | HasToolCall("deploy_*") & ~FromSender("ops")
    >>> stop
    Keyword('DONE', at_end=True) | HasToolCall('deploy_*') & ~FromSender('ops')
    >>> stop({"content": "All good. DONE."})
    True
"""

from __future__ import annotations

import fnmatch
import re
import reprlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from .calls import tool_calls
from .code import FENCED_BLOCK, KNOWN_LANGUAGES, LANGUAGE_ALIASES, canonical_language, code_blocks
from .conditions import Condition
from .context import TurnContext

__all__ = [
    "AfterAutoReplies",
    "AsksQuestion",
    "Contains",
    "EveryNth",
    "FromSender",
    "HasCodeBlock",
    "HasToolCall",
    "Keyword",
    "LongerThan",
    "Matches",
    "asks_question",
    "has_code_block",
    "has_tool_call",
]


def known_language(language: object, owner: str) -> str:
    """Return the canonical name of a language a gate or condition is given, or raise for a name it is not.

    Raises:
        TypeError: ``language`` is not a str.
        ConfigurationError: an empty or unknown name (a typo, a lookalike letter from another alphabet),
            naming the likely intended language.
    """
    from .errors import ConfigurationError

    if not isinstance(language, str):
        raise TypeError(f"{owner}() takes language names (got {language!r})")
    canonical = canonical_language(language)
    if canonical in KNOWN_LANGUAGES:
        return canonical
    names = sorted(KNOWN_LANGUAGES | LANGUAGE_ALIASES.keys())
    if not canonical:
        raise ConfigurationError(f"{owner}() got an empty language name; give one of {', '.join(names)}")
    import difflib  # only for the error message
    import unicodedata

    hint = ""
    foreign = [char for char in language if not char.isascii()]
    if foreign:
        char = foreign[0]
        described = f"{unicodedata.name(char, 'a character')} U+{ord(char):04X}"
        hint = f" (it contains {char!r}, {described}, not an ASCII letter)"
    close = difflib.get_close_matches(canonical, names, n=1, cutoff=0.6)
    suggestion = f"; did you mean {close[0]!r}?" if close else f"; give one of {', '.join(names)}"
    raise ConfigurationError(
        f"{owner}() does not know the language {language!r}{hint}, so it would gate nothing{suggestion}"
    )


def known_patterns(patterns: tuple[object, ...], owner: str) -> tuple[str, ...]:
    """Check tool-name glob patterns: each a non-empty str without surrounding white space."""
    from .errors import ConfigurationError

    for pattern in patterns:
        if not isinstance(pattern, str):
            raise TypeError(f"{owner}() takes tool-name patterns (got {pattern!r})")
        if not pattern.strip():
            raise ConfigurationError(
                f"{owner}() got an empty tool-name pattern {pattern!r}, which matches no tool; "
                f"give a name or a glob such as 'deploy_*', or no pattern for every tool"
            )
        if pattern != pattern.strip():
            raise ConfigurationError(
                f"{owner}() got the tool-name pattern {pattern!r} with white space around it, which no tool name "
                f"has; did you mean {pattern.strip()!r}?"
            )
    return tuple(patterns)  # type: ignore[arg-type]


# -- message content ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, init=False)
class HasCodeBlock(Condition):
    r"""The message holds a fenced code block, in any language or in the ones given.

    Languages compare case-insensitively, with common aliases (``py`` is ``python``, ``bash`` and
    ``shell`` are ``sh``). A block without a language matches only when no language is asked for.
    ``has_code_block`` is ``HasCodeBlock()``.

    Examples:
        >>> HasCodeBlock("python")({"content": "```py\nprint(1)\n```"})
        True
        >>> HasCodeBlock("sh")({"content": "```python\nprint(1)\n```"})
        False
    """

    languages: tuple[str, ...] = ()

    def __init__(self, *languages: str) -> None:
        object.__setattr__(self, "languages", tuple(known_language(language, "HasCodeBlock") for language in languages))

    def test(self, ctx: TurnContext) -> bool:
        """True when a (matching) code block is present."""
        text = ctx.text
        if "```" not in text:
            return False
        for language, _code in code_blocks(text):
            if not self.languages or canonical_language(language) in self.languages:
                return True
        return False

    def __repr__(self) -> str:
        if not self.languages:
            return "has_code_block"
        return f"HasCodeBlock({', '.join(map(repr, self.languages))})"


def _tool_names(message: Mapping[str, Any]) -> list[str]:
    return [name for name, _ in tool_calls(message)]


@dataclass(frozen=True, slots=True, init=False)
class HasToolCall(Condition):
    """The message calls a tool (or a legacy function): any tool, or one whose name matches a pattern.

    Patterns are shell globs (``"run_*"``); ``has_tool_call`` is ``HasToolCall()``.

    Examples:
        >>> call = {"content": None, "tool_calls": [{"id": "1", "function": {"name": "run_sql", "arguments": "{}"}}]}
        >>> HasToolCall("run_*")(call), HasToolCall("send_email")(call)
        (True, False)
    """

    patterns: tuple[str, ...] = ()

    def __init__(self, *patterns: str) -> None:
        object.__setattr__(self, "patterns", known_patterns(patterns, "HasToolCall"))

    def test(self, ctx: TurnContext) -> bool:
        """True when a (matching) tool or function call is present."""
        names = _tool_names(ctx.message)
        if not self.patterns:
            return bool(names)
        for name in names:
            for pattern in self.patterns:
                if fnmatch.fnmatchcase(name, pattern):
                    return True
        return False

    def __repr__(self) -> str:
        if not self.patterns:
            return "has_tool_call"
        return f"HasToolCall({', '.join(map(repr, self.patterns))})"


def _word_pattern(text: str, *, whole_word: bool, at_end: bool, case_sensitive: bool) -> re.Pattern[str]:
    body = re.escape(text)
    if whole_word:
        body = rf"(?<!\w){body}(?!\w)"
    if at_end:
        body = rf"{body}[\s.!\"'`*_)\]]*\Z"
    return re.compile(body, 0 if case_sensitive else re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Contains(Condition):
    """The message text contains ``text`` (case-insensitive unless asked; optionally as a whole word).

    Examples:
        >>> Contains("error")({"content": "An Error occurred"})
        True
        >>> Contains("err", whole_word=True)({"content": "An error occurred"})
        False
    """

    text: str
    case_sensitive: bool = False
    whole_word: bool = False
    _pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.text, str) or not self.text:
            raise TypeError(f"Contains() takes a non-empty string (got {self.text!r})")
        pattern = _word_pattern(self.text, whole_word=self.whole_word, at_end=False, case_sensitive=self.case_sensitive)
        object.__setattr__(self, "_pattern", pattern)

    def test(self, ctx: TurnContext) -> bool:
        """True when the text is found."""
        return self._pattern.search(ctx.text) is not None

    def __repr__(self) -> str:
        options = "".join(f", {name}=True" for name in ("case_sensitive", "whole_word") if getattr(self, name))
        return f"Contains({self.text!r}{options})"


@dataclass(frozen=True, slots=True)
class Matches(Condition):
    """The message text matches a regular expression (``re.search``), case-sensitive unless asked.

    Examples:
        >>> Matches(r"exitcode: [1-9]")({"content": "exitcode: 1 (execution failed)"})
        True
    """

    pattern: str
    case_sensitive: bool = True
    _compiled: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.pattern, str):
            raise TypeError(f"Matches() takes a regular expression string (got {self.pattern!r})")
        try:
            compiled = re.compile(self.pattern, 0 if self.case_sensitive else re.IGNORECASE)
        except re.error as exc:
            raise ValueError(f"Matches({self.pattern!r}) is not a valid regular expression: {exc}") from exc
        except (RecursionError, OverflowError):
            shown = reprlib.repr(self.pattern)
            raise ValueError(
                f"Matches({shown}) nests its groups deeper than Python's regular expressions can compile"
            ) from None
        object.__setattr__(self, "_compiled", compiled)

    def test(self, ctx: TurnContext) -> bool:
        """True when the pattern is found."""
        return self._compiled.search(ctx.text) is not None

    def __repr__(self) -> str:
        return f"Matches({self.pattern!r}{'' if self.case_sensitive else ', case_sensitive=False'})"


_QUESTION = re.compile(r"\?(?=[\s\"')\]]*(?:$|\s))", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class AsksQuestion(Condition):
    """The message asks a question: a sentence outside code blocks ends with ``?``.

    ``asks_question`` is ``AsksQuestion()``.

    Examples:
        >>> asks_question({"content": "Which file should I edit? The config or the code."})
        True
        >>> asks_question({"content": "```python\\nx = a ? b : c\\n```"})
        False
    """

    def test(self, ctx: TurnContext) -> bool:
        """True when a question mark ends a sentence outside code blocks."""
        text = ctx.text
        if "?" not in text:
            return False
        if "```" in text:
            text = FENCED_BLOCK.sub("", text)
        return _QUESTION.search(text) is not None

    def __repr__(self) -> str:
        return "asks_question"


@dataclass(frozen=True, slots=True)
class LongerThan(Condition):
    """The message text is longer than ``characters``.

    Examples:
        >>> LongerThan(5)({"content": "a long message"})
        True
    """

    characters: int

    def __post_init__(self) -> None:
        if isinstance(self.characters, bool) or not isinstance(self.characters, int) or self.characters < 0:
            raise ValueError(f"LongerThan() takes a number of characters >= 0 (got {self.characters!r})")

    def test(self, ctx: TurnContext) -> bool:
        """True when the text is longer."""
        return len(ctx.text) > self.characters

    def __repr__(self) -> str:
        return f"LongerThan({self.characters!r})"


# -- the conversation --------------------------------------------------------------------------------------


def _positive(value: object, owner: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{owner}() takes a whole number >= 1 (got {value!r})")


@dataclass(frozen=True, slots=True)
class EveryNth(Condition):
    """Every ``n``-th message received from the sender: the n-th, 2n-th, ... (counted in the history).

    Examples:
        >>> from hitl import TurnContext
        >>> history = [{"content": "go", "name": "user"}, {"content": "1", "name": "bot"},
        ...            {"content": "ok", "name": "user"}, {"content": "2", "name": "bot"}]
        >>> EveryNth(2)(TurnContext(history[-1], messages=history, sender="bot", recipient="user"))
        True
    """

    n: int

    def __post_init__(self) -> None:
        _positive(self.n, "EveryNth")

    def test(self, ctx: TurnContext) -> bool:
        """True on every n-th received message."""
        return ctx.received % self.n == 0

    def __repr__(self) -> str:
        return f"EveryNth({self.n!r})"


@dataclass(frozen=True, slots=True)
class AfterAutoReplies(Condition):
    """The proxy has sent at least ``n`` consecutive auto-replies to this sender.

    Examples:
        >>> from hitl import TurnContext
        >>> AfterAutoReplies(3)(TurnContext("more", auto_replies=3))
        True
    """

    n: int

    def __post_init__(self) -> None:
        _positive(self.n, "AfterAutoReplies")

    def test(self, ctx: TurnContext) -> bool:
        """True once the consecutive auto-replies reach ``n``."""
        return ctx.auto_replies >= self.n

    def __repr__(self) -> str:
        return f"AfterAutoReplies({self.n!r})"


@dataclass(frozen=True, slots=True, init=False)
class FromSender(Condition):
    """The message was written by one of the named agents (``ctx.speaker``).

    In a group chat that is the message's author, not the chat manager that delivered it; in a two-agent
    chat, the sender.

    Examples:
        >>> from hitl import TurnContext
        >>> FromSender("coder", "reviewer")(TurnContext("done", sender="coder"))
        True
        >>> FromSender("critic")(TurnContext("looks wrong", sender="chat_manager", speaker="critic"))
        True
    """

    names: tuple[str, ...]

    def __init__(self, *names: str) -> None:
        if not names or not all(isinstance(name, str) and name for name in names):
            raise TypeError(f"FromSender() takes one or more agent names (got {names!r})")
        object.__setattr__(self, "names", names)

    def test(self, ctx: TurnContext) -> bool:
        """True when the message's author (``ctx.speaker``) is one of the names."""
        return ctx.speaker in self.names

    def __repr__(self) -> str:
        return f"FromSender({', '.join(map(repr, self.names))})"


# -- termination ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Keyword(Condition):
    """A termination keyword in the message: ``"TERMINATE"`` unless told otherwise.

    By default the keyword counts wherever it appears, as AutoGen users write
    ``lambda m: "TERMINATE" in m["content"]``, but safely: content None, list content and missing keys
    are fine. ``at_end=True`` counts it only as the last word (trailing punctuation and spaces allowed);
    ``whole_word=True`` does not count it inside a longer word (``TERMINATED``). Case-sensitive unless
    ``case_sensitive=False``.

    Examples:
        >>> Keyword()({"content": "Done. TERMINATE"}), Keyword()({"content": None})
        (True, False)
        >>> Keyword(at_end=True)({"content": "Say TERMINATE when done."})
        False
    """

    word: str = "TERMINATE"
    at_end: bool = False
    whole_word: bool = False
    case_sensitive: bool = True
    _pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.word, str) or not self.word:
            raise TypeError(f"Keyword() takes a non-empty string (got {self.word!r})")
        pattern = _word_pattern(
            self.word, whole_word=self.whole_word, at_end=self.at_end, case_sensitive=self.case_sensitive
        )
        object.__setattr__(self, "_pattern", pattern)

    def test(self, ctx: TurnContext) -> bool:
        """True when the keyword is found where asked."""
        text = ctx.text
        if self.case_sensitive and not self.at_end and not self.whole_word:
            return self.word in text
        return self._pattern.search(text) is not None

    def __repr__(self) -> str:
        options = [
            f"{name}={getattr(self, name)!r}"
            for name, default in (("at_end", False), ("whole_word", False), ("case_sensitive", True))
            if getattr(self, name) != default
        ]
        return f"Keyword({', '.join([repr(self.word), *options])})"


#: Any fenced code block: ``HasCodeBlock()``.
has_code_block: Final = HasCodeBlock()
#: Any tool or function call: ``HasToolCall()``.
has_tool_call: Final = HasToolCall()
#: A question outside code blocks: ``AsksQuestion()``.
asks_question: Final = AsksQuestion()
