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
  ``When(Contains('text'))``, ``When(Keyword('WORD'))``;
- ``approve_code`` or ``approve_code(python, sh)``, ``approve_tools`` or ``approve_tools(deploy_*)``:
  the approval gates ``ApproveCode(...)`` and ``ApproveTools(...)`` (policies only).

Conditions (for termination and auto-reply rules) use the same grammar without the policies (never,
terminate, always, approve_code, approve_tools).
[`format_policy`][hitl.spec.format_policy] and [`format_condition`][hitl.spec.format_condition] write
objects back as text.

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
    if arg is None or re.fullmatch(r"\s*[0-9]+\s*", arg) is None:
        raise ConfigurationError(f"policy name {name}(N) takes a whole number, like {name}(3) (got {arg!r})")
    return int(arg)


def _text(name: str, arg: str | None) -> str:
    if arg is None or not arg.strip():
        raise ConfigurationError(f"policy name {name}(...) takes a value, like {name}(x)")
    return arg.strip()


def _values(name: str, arg: str) -> list[str]:
    values = [value.strip() for value in arg.split(",")]
    if not all(values):
        raise ConfigurationError(f"{name}({arg}) has an empty value; write {name}(a) or {name}(a, b)")
    return values


_CONDITIONS: dict[str, Callable[[str, str | None], Condition]] = {
    "code": lambda name, arg: has_code_block if arg is None else HasCodeBlock(*_values(name, arg)),
    "tools": lambda name, arg: has_tool_call if arg is None else HasToolCall(*_values(name, arg)),
    "tool": lambda name, arg: HasToolCall(*_values(name, _text(name, arg))),
    "question": lambda name, arg: asks_question,
    "after": lambda name, arg: AfterAutoReplies(_number(name, arg)),
    "every": lambda name, arg: EveryNth(_number(name, arg)),
    "from": lambda name, arg: FromSender(*_values(name, _text(name, arg))),
    "contains": lambda name, arg: Contains(_text(name, arg)),
    "longer": lambda name, arg: LongerThan(_number(name, arg)),
    "keyword": lambda name, arg: Keyword() if arg is None else Keyword(_text(name, arg)),
}
_BUILT_INS: dict[str, InputPolicy] = {"never": Never(), "terminate": Terminate(), "always": Always()}
_GATES = ("approve_code", "approve_tools")

#: Every name the policy grammar knows.
POLICY_NAMES: tuple[str, ...] = (*_BUILT_INS, *_CONDITIONS, *_GATES)
#: Every name the condition grammar knows.
CONDITION_NAMES: tuple[str, ...] = tuple(_CONDITIONS)


def _leaf_policy(name: str, arg: str | None, text: str) -> InputPolicy:
    if name in _BUILT_INS:
        if arg is not None:
            raise ConfigurationError(f"{name} takes no argument (in {text!r})")
        return _BUILT_INS[name]
    if name in _GATES:
        from .approval import ApproveCode, ApproveTools

        gate = ApproveCode if name == "approve_code" else ApproveTools
        return gate() if arg is None else gate(*_values(name, arg))
    make = _CONDITIONS.get(name)
    if make is None:
        raise ConfigurationError(f"unknown policy name {name!r} in {text!r}; known: {', '.join(POLICY_NAMES)}")
    return When(_made(make, name, arg))


def _leaf_condition(name: str, arg: str | None, text: str) -> Condition:
    make = _CONDITIONS.get(name)
    if make is None:
        hint = (
            " (never, terminate and always are policies, not conditions; for the word TERMINATE in a message, "
            "write keyword(TERMINATE))"
            if name in _BUILT_INS
            else ""
        )
        raise ConfigurationError(
            f"unknown condition name {name!r} in {text!r}{hint}; known: {', '.join(CONDITION_NAMES)}"
        )
    return _made(make, name, arg)


def _made(make: Callable[[str, str | None], Condition], name: str, arg: str | None) -> Condition:
    try:
        return make(name, arg)
    except ConfigurationError:
        raise
    except (TypeError, ValueError) as exc:  # the condition's own check of its arguments
        written = name if arg is None else f"{name}({arg})"
        raise ConfigurationError(f"{written}: {exc}") from None


def parse_policy(text: str) -> InputPolicy:
    """Build a policy from its text form; the inverse of [`format_policy`][hitl.spec.format_policy].

    Raises:
        ConfigurationError: for an unknown name, a missing argument or a malformed expression, with
            the position and the names it knows.

    Examples:
        >>> parse_policy("always & ~question")
        Always() & ~When(asks_question)
        >>> parse_policy("terminate | approve_code(python)")
        Terminate() | ApproveCode('python')
    """
    return _parse(text, "policy", _leaf_policy)  # type: ignore[no-any-return]


def parse_condition(text: str) -> Condition:
    """Build a condition from its text form (the policy grammar without its policies, such as ``terminate``).

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
    """Write a policy as text that [`parse_policy`][hitl.spec.parse_policy] reads back to an equal policy.

    Raises:
        ConfigurationError: for a policy that has no text form (a ``When`` of your own function, or a
            policy class of your own): such policies live in code, not in configuration files.

    Examples:
        >>> from hitl import Terminate, When
        >>> from hitl.conditions import has_code_block
        >>> format_policy(Terminate() | When(has_code_block))
        'terminate | code'
    """
    from .approval import ApproveCode, ApproveTools

    if isinstance(policy, (Never, Terminate, Always)):
        return type(policy).__name__.lower()
    if isinstance(policy, (ApproveCode, ApproveTools)):
        if isinstance(policy, ApproveCode):
            name, values = "approve_code", policy.languages
        else:
            name, values = "approve_tools", policy.patterns
        if isinstance(policy, ApproveCode) and policy.preview_lines != 10:
            raise ConfigurationError(f"{policy!r} with preview_lines={policy.preview_lines} has no text form")
        return name if not values else f"{name}({', '.join(_argument(value, policy) for value in values)})"
    if isinstance(policy, When):
        if not isinstance(policy.predicate, Condition):
            raise ConfigurationError(f"{policy!r} wraps a function of your own, which has no text form")
        return format_condition(policy.predicate)
    if isinstance(policy, AnyOf):
        return " | ".join(format_policy(operand) for operand in policy.policies)
    if isinstance(policy, AllOf):
        return " & ".join(_group(format_policy(operand), _written_as(operand) == "|") for operand in policy.policies)
    if isinstance(policy, Not):
        return "~" + _group(format_policy(policy.policy), _written_as(policy.policy) in ("|", "&"))
    raise ConfigurationError(f"{policy!r} is a policy class of your own, which has no text form")


def _written_as(policy: InputPolicy) -> str:
    """Return the operator at the top of a policy's text form ("" for a name): it decides the parentheses."""
    operand: object = policy.predicate if isinstance(policy, When) else policy
    if isinstance(operand, (AnyOf, AnyCondition)):
        return "|"
    if isinstance(operand, (AllOf, AllConditions)):
        return "&"
    return ""


def _group(text: str, needed: bool) -> str:
    return f"({text})" if needed else text


def _argument(value: str, owner: object, forbidden: str = "(),") -> str:
    if not value or value != value.strip() or any(char in value for char in forbidden):
        raise ConfigurationError(f"{owner!r} has no text form: {value!r} cannot be written inside name(...)")
    return value


def format_condition(condition: Condition) -> str:
    """Write a condition as text that [`parse_condition`][hitl.spec.parse_condition] reads back to an equal condition.

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
        return f"contains({_argument(c.text, c, '()')})"
    if isinstance(c, Keyword) and not c.at_end and not c.whole_word and c.case_sensitive:
        return f"keyword({_argument(c.word, c, '()')})"
    if isinstance(c, AnyCondition):
        return " | ".join(format_condition(operand) for operand in c.operands)
    if isinstance(c, AllConditions):
        return " & ".join(_group(format_condition(x), isinstance(x, AnyCondition)) for x in c.operands)
    if isinstance(c, NotCondition):
        return "~" + _group(format_condition(c.operand), isinstance(c.operand, (AnyCondition, AllConditions)))
    raise ConfigurationError(f"{condition!r} has no text form; give it in code, not in configuration")
