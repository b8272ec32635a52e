"""Policies written as text: ``"terminate | code"``, for command lines and configuration files.

The grammar is the policy algebra itself: ``|`` (either asks), ``&`` (both ask), ``~`` (not), and
parentheses, over these names (case-insensitive):

==========================  ======================================================
name                        policy
==========================  ======================================================
``never``                   ``Never()``
``terminate``               ``Terminate()``
``always``                  ``Always()``
``code`` / ``code(python)`` ``When(has_code_block)`` / ``When(HasCodeBlock('python'))``
``tools`` / ``tool(run_*)`` ``When(has_tool_call)`` / ``When(HasToolCall('run_*'))``
``question``                ``When(asks_question)``
``after(N)``                ``When(AfterAutoReplies(N))``
``every(N)``                ``When(EveryNth(N))``
``from(name)``              ``When(FromSender('name'))``
``contains(text)``          ``When(Contains('text'))``
``longer(N)``               ``When(LongerThan(N))``
==========================  ======================================================

Example:
    >>> from hitl.spec import parse_policy
    >>> parse_policy("terminate | code(python) & ~from(tester)")
    Terminate() | When(HasCodeBlock('python')) & ~When(FromSender('tester'))
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .conditions import (
    AfterAutoReplies,
    Condition,
    Contains,
    EveryNth,
    FromSender,
    HasCodeBlock,
    HasToolCall,
    LongerThan,
    asks_question,
    has_code_block,
    has_tool_call,
)
from .errors import ConfigurationError
from .policies import Always, InputPolicy, Never, Terminate, When

__all__ = ["POLICY_NAMES", "parse_policy"]

_TOKEN = re.compile(r"\s*(?:(?P<op>[|&~()])|(?P<name>[A-Za-z_]+)(?:\((?P<arg>[^()]*)\))?)")


def _number(name: str, arg: str | None) -> int:
    if arg is None or not arg.strip().isdigit():
        raise ConfigurationError(f"policy name {name}(N) takes a whole number, like {name}(3) (got {arg!r})")
    return int(arg)


def _text(name: str, arg: str | None) -> str:
    if arg is None or not arg.strip():
        raise ConfigurationError(f"policy name {name}(...) takes a value, like {name}(x)")
    return arg.strip()


_CONDITIONS: dict[str, Callable[[str, str | None], Condition]] = {
    "code": lambda name, arg: has_code_block if arg is None else HasCodeBlock(*map(str.strip, arg.split(","))),
    "tools": lambda name, arg: has_tool_call if arg is None else HasToolCall(*map(str.strip, arg.split(","))),
    "tool": lambda name, arg: HasToolCall(*map(str.strip, _text(name, arg).split(","))),
    "question": lambda name, arg: asks_question,
    "after": lambda name, arg: AfterAutoReplies(_number(name, arg)),
    "every": lambda name, arg: EveryNth(_number(name, arg)),
    "from": lambda name, arg: FromSender(*map(str.strip, _text(name, arg).split(","))),
    "contains": lambda name, arg: Contains(_text(name, arg)),
    "longer": lambda name, arg: LongerThan(_number(name, arg)),
}
_BUILT_INS: dict[str, InputPolicy] = {"never": Never(), "terminate": Terminate(), "always": Always()}

#: Every name the grammar knows.
POLICY_NAMES: tuple[str, ...] = (*_BUILT_INS, *_CONDITIONS)


def parse_policy(text: str) -> InputPolicy:
    """Build a policy from its text form; the inverse of reading its ``repr`` aloud.

    Raises:
        ConfigurationError: for an unknown name, a missing argument or a malformed expression, with
            the position and the names it knows.

    Example:
        >>> parse_policy("always & ~question")
        Always() & ~When(asks_question)
    """
    if not isinstance(text, str) or not text.strip():
        raise ConfigurationError(f"a policy is text such as 'terminate | code' (got {text!r})")
    tokens: list[tuple[str, str, str | None, int]] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None:
            raise ConfigurationError(f"cannot read the policy {text!r} at position {position}: {text[position:]!r}")
        if match.group("op"):
            tokens.append(("op", match.group("op"), None, match.start("op")))
        else:
            tokens.append(("name", match.group("name").lower(), match.group("arg"), match.start("name")))
        position = match.end()
    parser = _Parser(text, tokens)
    policy = parser.expression()
    if parser.index != len(tokens):
        raise ConfigurationError(f"unexpected {tokens[parser.index][1]!r} in the policy {text!r}")
    return policy


class _Parser:
    def __init__(self, text: str, tokens: list[tuple[str, str, str | None, int]]) -> None:
        self.text = text
        self.tokens = tokens
        self.index = 0

    def _peek(self) -> str | None:
        return self.tokens[self.index][1] if self.index < len(self.tokens) else None

    def expression(self) -> InputPolicy:
        policy = self.term()
        while self._peek() == "|":
            self.index += 1
            policy = policy | self.term()
        return policy

    def term(self) -> InputPolicy:
        policy = self.factor()
        while self._peek() == "&":
            self.index += 1
            policy = policy & self.factor()
        return policy

    def factor(self) -> InputPolicy:
        if self.index >= len(self.tokens):
            raise ConfigurationError(f"the policy {self.text!r} ends where a name was expected")
        kind, value, arg, _ = self.tokens[self.index]
        self.index += 1
        if value == "~":
            return ~self.factor()
        if value == "(":
            policy = self.expression()
            if self._peek() != ")":
                raise ConfigurationError(f"missing ')' in the policy {self.text!r}")
            self.index += 1
            return policy
        if kind != "name":
            raise ConfigurationError(f"unexpected {value!r} in the policy {self.text!r}")
        if value in _BUILT_INS:
            if arg is not None:
                raise ConfigurationError(f"{value} takes no argument (in {self.text!r})")
            return _BUILT_INS[value]
        make = _CONDITIONS.get(value)
        if make is None:
            raise ConfigurationError(
                f"unknown policy name {value!r} in {self.text!r}; known: {', '.join(POLICY_NAMES)}"
            )
        return When(make(value, arg))
