"""Policies written as text: ``"terminate | code"``, for command lines and configuration files.

The grammar is the policy algebra itself: ``|`` (either asks), ``&`` (both ask), ``~`` (not), and
parentheses, over these names (case-insensitive):

- ``never``, ``terminate``, ``always``: ``Never()``, ``Terminate()``, ``Always()``;
- ``code`` or ``code(python, sh)``: ``When(has_code_block)`` or ``When(HasCodeBlock('python', 'sh'))``;
- ``tools`` or ``tool(run_*)``: ``When(has_tool_call)`` or ``When(HasToolCall('run_*'))``;
- ``question``: ``When(asks_question)``;
- ``after(N)``, ``every(N)``, ``longer(N)``: ``When(AfterAutoReplies(N))``, ``When(EveryNth(N))``,
  ``When(LongerThan(N))``;
- ``from(name)``, ``contains(text)``, ``keyword(WORD)``: ``When(FromSender('name'))``,
  ``When(Contains('text'))``, ``When(Keyword('WORD'))``.

Conditions (for termination and auto-reply rules) use the same grammar without the three policies.
:func:`format_policy` and :func:`format_condition` write objects back as text.

Examples:
    >>> from hitl.spec import parse_policy
    >>> parse_policy("terminate | code(python) & ~from(tester)")
    Terminate() | When(HasCodeBlock('python')) & ~When(FromSender('tester'))
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .conditions import (
    AfterAutoReplies,
    AllConditions,
    AnyCondition,
    AsksQuestion,
    Condition,
    Contains,
    EveryNth,
    FromSender,
    HasCodeBlock,
    HasToolCall,
    Keyword,
    LongerThan,
    NotCondition,
    asks_question,
    has_code_block,
    has_tool_call,
)
from .errors import ConfigurationError
from .policies import AllOf, Always, AnyOf, InputPolicy, Never, Not, Terminate, When

__all__ = ["CONDITION_NAMES", "POLICY_NAMES", "format_condition", "format_policy", "parse_condition", "parse_policy"]

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
    "keyword": lambda name, arg: Keyword() if arg is None else Keyword(_text(name, arg)),
}
_BUILT_INS: dict[str, InputPolicy] = {"never": Never(), "terminate": Terminate(), "always": Always()}

#: Every name the policy grammar knows.
POLICY_NAMES: tuple[str, ...] = (*_BUILT_INS, *_CONDITIONS)
#: Every name the condition grammar knows.
CONDITION_NAMES: tuple[str, ...] = tuple(_CONDITIONS)


def _leaf_policy(name: str, arg: str | None, text: str) -> InputPolicy:
    if name in _BUILT_INS:
        if arg is not None:
            raise ConfigurationError(f"{name} takes no argument (in {text!r})")
        return _BUILT_INS[name]
    make = _CONDITIONS.get(name)
    if make is None:
        raise ConfigurationError(f"unknown policy name {name!r} in {text!r}; known: {', '.join(POLICY_NAMES)}")
    return When(make(name, arg))


def _leaf_condition(name: str, arg: str | None, text: str) -> Condition:
    make = _CONDITIONS.get(name)
    if make is None:
        hint = " (never, terminate and always are policies, not conditions)" if name in _BUILT_INS else ""
        raise ConfigurationError(
            f"unknown condition name {name!r} in {text!r}{hint}; known: {', '.join(CONDITION_NAMES)}"
        )
    return make(name, arg)


def parse_policy(text: str) -> InputPolicy:
    """Build a policy from its text form; the inverse of :func:`format_policy`.

    Raises:
        ConfigurationError: for an unknown name, a missing argument or a malformed expression, with
            the position and the names it knows.

    Examples:
        >>> parse_policy("always & ~question")
        Always() & ~When(asks_question)
    """
    return _parse(text, "policy", _leaf_policy)  # type: ignore[no-any-return]


def parse_condition(text: str) -> Condition:
    """Build a condition from its text form (the policy grammar without never/terminate/always).

    Examples:
        >>> parse_condition("keyword(TERMINATE) | after(5)")
        Keyword('TERMINATE') | AfterAutoReplies(5)
    """
    return _parse(text, "condition", _leaf_condition)  # type: ignore[no-any-return]


def _parse(text: str, what: str, leaf: Callable[[str, str | None, str], Any]) -> Any:
    if not isinstance(text, str) or not text.strip():
        raise ConfigurationError(f"a {what} is text such as 'terminate | code' (got {text!r})")
    tokens: list[tuple[str, str, str | None, int]] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None:
            raise ConfigurationError(f"cannot read the {what} {text!r} at position {position}: {text[position:]!r}")
        if match.group("op"):
            tokens.append(("op", match.group("op"), None, match.start("op")))
        else:
            tokens.append(("name", match.group("name").lower(), match.group("arg"), match.start("name")))
        position = match.end()
    parser = _Parser(text, what, tokens, leaf)
    result = parser.expression()
    if parser.index != len(tokens):
        raise ConfigurationError(f"unexpected {tokens[parser.index][1]!r} in the {what} {text!r}")
    return result


class _Parser:
    def __init__(
        self,
        text: str,
        what: str,
        tokens: list[tuple[str, str, str | None, int]],
        leaf: Callable[[str, str | None, str], Any],
    ) -> None:
        self.text = text
        self.what = what
        self.tokens = tokens
        self.leaf = leaf
        self.index = 0

    def _peek(self) -> str | None:
        return self.tokens[self.index][1] if self.index < len(self.tokens) else None

    def expression(self) -> Any:
        result = self.term()
        while self._peek() == "|":
            self.index += 1
            result = result | self.term()
        return result

    def term(self) -> Any:
        result = self.factor()
        while self._peek() == "&":
            self.index += 1
            result = result & self.factor()
        return result

    def factor(self) -> Any:
        if self.index >= len(self.tokens):
            raise ConfigurationError(f"the {self.what} {self.text!r} ends where a name was expected")
        kind, value, arg, _ = self.tokens[self.index]
        self.index += 1
        if value == "~":
            return ~self.factor()
        if value == "(":
            result = self.expression()
            if self._peek() != ")":
                raise ConfigurationError(f"missing ')' in the {self.what} {self.text!r}")
            self.index += 1
            return result
        if kind != "name":
            raise ConfigurationError(f"unexpected {value!r} in the {self.what} {self.text!r}")
        return self.leaf(value, arg, self.text)


# -- back to text ---------------------------------------------------------------------------------------------


def format_policy(policy: InputPolicy) -> str:
    """Write a policy as text that :func:`parse_policy` reads back to an equal policy.

    Raises:
        ConfigurationError: for a policy that has no text form (a ``When`` of your own function, or a
            policy class of your own): such policies live in code, not in configuration files.

    Examples:
        >>> from hitl import Terminate, When
        >>> from hitl.conditions import has_code_block
        >>> format_policy(Terminate() | When(has_code_block))
        'terminate | code'
    """
    if isinstance(policy, (Never, Terminate, Always)):
        return type(policy).__name__.lower()
    if isinstance(policy, When):
        if not isinstance(policy.predicate, Condition):
            raise ConfigurationError(f"{policy!r} wraps a function of your own, which has no text form")
        return format_condition(policy.predicate)
    if isinstance(policy, AnyOf):
        return " | ".join(format_policy(operand) for operand in policy.policies)
    if isinstance(policy, AllOf):
        return " & ".join(_group(format_policy(operand), isinstance(operand, AnyOf)) for operand in policy.policies)
    if isinstance(policy, Not):
        return "~" + _group(format_policy(policy.policy), isinstance(policy.policy, (AnyOf, AllOf)))
    raise ConfigurationError(f"{policy!r} is a policy class of your own, which has no text form")


def _group(text: str, needed: bool) -> str:
    return f"({text})" if needed else text


def _argument(value: str, owner: Condition) -> str:
    if not value or value != value.strip() or any(char in value for char in "(),"):
        raise ConfigurationError(f"{owner!r} has no text form: {value!r} cannot be written inside name(...)")
    return value


def format_condition(condition: Condition) -> str:
    """Write a condition as text that :func:`parse_condition` reads back to an equal condition.

    Examples:
        >>> from hitl.conditions import HasCodeBlock, asks_question
        >>> format_condition(HasCodeBlock("python") & ~asks_question)
        'code(python) & ~question'
    """
    c = condition
    if isinstance(c, HasCodeBlock):
        return "code" if not c.languages else f"code({', '.join(_argument(x, c) for x in c.languages)})"
    if isinstance(c, HasToolCall):
        return "tools" if not c.patterns else f"tool({', '.join(_argument(x, c) for x in c.patterns)})"
    if isinstance(c, AsksQuestion):
        return "question"
    if isinstance(c, (AfterAutoReplies, EveryNth)):
        return f"{'after' if isinstance(c, AfterAutoReplies) else 'every'}({c.n})"
    if isinstance(c, LongerThan):
        return f"longer({c.characters})"
    if isinstance(c, FromSender):
        return f"from({', '.join(_argument(x, c) for x in c.names)})"
    if isinstance(c, Contains) and not c.case_sensitive and not c.whole_word:
        return f"contains({_argument(c.text, c)})"
    if isinstance(c, Keyword) and not c.at_end and not c.whole_word and c.case_sensitive:
        return f"keyword({_argument(c.word, c)})"
    if isinstance(c, AnyCondition):
        return " | ".join(format_condition(operand) for operand in c.operands)
    if isinstance(c, AllConditions):
        return " & ".join(_group(format_condition(x), isinstance(x, AnyCondition)) for x in c.operands)
    if isinstance(c, NotCondition):
        return "~" + _group(format_condition(c.operand), isinstance(c.operand, (AnyCondition, AllConditions)))
    raise ConfigurationError(f"{condition!r} has no text form; give it in code, not in configuration")
