r"""Policies written as text: ``"terminate | code"``, for command lines and configuration files.

The grammar is the policy algebra itself: ``|`` (either asks), ``&`` (both ask; binds tighter than
``|``), ``~`` (not; ``~~p`` is ``p``) and parentheses, over these names (case-insensitive):

- ``never``, ``terminate``, ``always``: ``Never()``, ``Terminate()``, ``Always()``;
- ``code`` or ``code(python, sh)``: ``When(has_code_block)`` or ``When(HasCodeBlock('python', 'sh'))``;
- ``tools`` or ``tool(run_*)``: ``When(has_tool_call)`` or ``When(HasToolCall('run_*'))``;
- ``question``: ``When(asks_question)``;
- ``after(N)``, ``every(N)``, ``longer(N)``: ``When(AfterAutoReplies(N))``, ``When(EveryNth(N))``,
  ``When(LongerThan(N))``;
- ``from(a, b)``: ``When(FromSender('a', 'b'))``;
- ``contains(text)``, ``keyword`` or ``keyword(WORD)``, ``matches(REGEX)``: ``When(Contains('text'))``,
  ``When(Keyword('WORD'))``, ``When(Matches('REGEX'))``;
- ``approve_code`` or ``approve_code(python, sh)``, ``approve_tools`` or ``approve_tools(deploy_*)``:
  the approval gates ``ApproveCode(...)`` and ``ApproveTools(...)`` (policies only).

Arguments of names:

- a name that takes a list (``code``, ``tool``, ``tools``, ``from``, ``approve_code``, ``approve_tools``)
  separates its values with commas; a name that takes one text (``contains``, ``keyword``, ``matches``)
  reads everything up to its closing parenthesis, commas included: ``contains(hello, world)`` is one text;
- a value is quoted (``'...'`` or ``"..."``) to keep commas, parentheses or surrounding spaces:
  ``from("a, b", c)`` names two agents, ``matches("^(yes|no)$")``; in quotes, ``\\``, ``\"`` and ``\'``
  stand for the character after the backslash, and any other backslash is kept, so
  ``matches("\d+")`` is the regex ``\d+``;
- an unquoted value is the text between the separators with its surrounding spaces removed; it may
  hold balanced parentheses and quotes after its first character (``contains(it's)``);
- a number (``after``, ``every``, ``longer``) is written in digits.

Nesting (parentheses and ``~``) goes at most 100 levels deep. Every error is a
[`ConfigurationError`][hitl.core.errors.ConfigurationError] that names the text, the column (and line) where
reading stopped, and what to write instead. Reading takes time linear in the length of the text.

Conditions (for termination and auto-reply rules) use the same grammar without the policies (never,
terminate, always, approve_code, approve_tools).
[`format_policy`][hitl.core.spec.format_policy] and [`format_condition`][hitl.core.spec.format_condition] write
objects back as text that reads back to an equal object, quoting the values that need it.

Examples:
    >>> from hitl.core.spec import parse_policy
    >>> parse_policy("terminate | code(python) & ~from(tester)")
    Terminate() | When(HasCodeBlock('python')) & ~When(FromSender('tester'))
    >>> parse_policy("terminate | matches('exit code: [1-9]')")
    Terminate() | When(Matches('exit code: [1-9]'))
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

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
    Matches,
    NotCondition,
    asks_question,
    has_code_block,
    has_tool_call,
)
from .errors import ConfigurationError
from .policies import AllOf, Always, AnyOf, InputPolicy, Never, Not, Terminate, When

__all__ = [
    "MAX_DEPTH",
    "POLICY_NAMES",
    "format_condition",
    "format_policy",
    "parse_condition",
    "parse_policy",
]

MAX_DEPTH = 100
"""How deep parentheses and ``~`` may nest in a text: far beyond any policy a person writes, far below Python's
recursion limit for the objects built (their repr, equality and decisions recurse)."""

_SPACE = re.compile(r"\s*")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(r"\(\s*([0-9]+)\s*\)")
_BARE_RUN = re.compile(r"[^(),]*")
_QUOTED = {
    '"': re.compile(r'"([^"\\]*(?:\\.[^"\\]*)*)"', re.DOTALL),
    "'": re.compile(r"'([^'\\]*(?:\\.[^'\\]*)*)'", re.DOTALL),
}
_ESCAPE = re.compile(r"\\([\\'\"])")

Takes = Literal["nothing", "number", "text", "values"]


@dataclass(frozen=True, slots=True)
class _Name:
    """A name of the grammar: what its parentheses hold, and how it builds its object."""

    takes: Takes
    make: Callable[[Any], Any]  # gets None (no parentheses), an int, a str or a tuple of str
    optional: bool = False  # the parentheses may be left out: ``code`` as well as ``code(python)``
    example: str = ""


def _approval() -> Any:
    from . import approval  # it imports this package's policies: imported when first needed

    return approval


_CONDITIONS: dict[str, _Name] = {
    "code": _Name("values", lambda v: has_code_block if v is None else HasCodeBlock(*v), True, "code(python, sh)"),
    "tools": _Name("values", lambda v: has_tool_call if v is None else HasToolCall(*v), True, "tools(run_*)"),
    "tool": _Name("values", lambda v: HasToolCall(*v), example="tool(run_*)"),
    "question": _Name("nothing", lambda v: asks_question),
    "after": _Name("number", AfterAutoReplies, example="after(3)"),
    "every": _Name("number", EveryNth, example="every(3)"),
    "from": _Name("values", lambda v: FromSender(*v), example="from(coder)"),
    "contains": _Name("text", Contains, example="contains(error)"),
    "longer": _Name("number", LongerThan, example="longer(2000)"),
    "keyword": _Name("text", lambda v: Keyword() if v is None else Keyword(v), True, "keyword(TERMINATE)"),
    "matches": _Name("text", Matches, example="matches('exit code: [1-9]')"),
}
_BUILT_INS: dict[str, _Name] = {
    "never": _Name("nothing", lambda v: Never()),
    "terminate": _Name("nothing", lambda v: Terminate()),
    "always": _Name("nothing", lambda v: Always()),
}
_GATES: dict[str, _Name] = {
    "approve_code": _Name("values", lambda v: _approval().ApproveCode(*(v or ())), True, "approve_code(python)"),
    "approve_tools": _Name("values", lambda v: _approval().ApproveTools(*(v or ())), True, "approve_tools(deploy_*)"),
}


def _as_policy(name: _Name) -> _Name:
    make = name.make
    return _Name(name.takes, lambda v: When(make(v)), name.optional, name.example)


_POLICY_GRAMMAR: dict[str, _Name] = {
    **_BUILT_INS,
    **{key: _as_policy(name) for key, name in _CONDITIONS.items()},
    **_GATES,
}

#: Every name the policy grammar knows.
POLICY_NAMES: tuple[str, ...] = tuple(_POLICY_GRAMMAR)


def parse_policy(text: str) -> InputPolicy:
    """Build a policy from its text form; the inverse of [`format_policy`][hitl.core.spec.format_policy].

    Raises:
        ConfigurationError: for an unknown name, a bad argument or a malformed expression, naming
            the column (and line) where reading stopped and what to write instead.

    Examples:
        >>> parse_policy("always & ~question")
        Always() & ~When(asks_question)
        >>> parse_policy("terminate | approve_code(python)")
        Terminate() | ApproveCode('python')
        >>> parse_policy("terminate | qestion")
        Traceback (most recent call last):
        ...
        hitl.core.errors.ConfigurationError: the policy 'terminate | qestion', column 13: unknown policy name 'qestion';
        ...
    """
    return _Reader(text, "policy", _POLICY_GRAMMAR, AnyOf, AllOf).read()  # type: ignore[no-any-return]


def parse_condition(text: str) -> Condition:
    """Build a condition from its text form (the policy grammar without its policies, such as ``terminate``).

    Raises:
        ConfigurationError: as [`parse_policy`][hitl.core.spec.parse_policy] does.

    Examples:
        >>> parse_condition("keyword(TERMINATE) | after(5)")
        Keyword('TERMINATE') | AfterAutoReplies(5)
        >>> parse_condition('from("qa, team", coder) & contains(ready, steady)')
        FromSender('qa, team', 'coder') & Contains('ready, steady')
    """
    return _Reader(text, "condition", _CONDITIONS, AnyCondition, AllConditions).read()  # type: ignore[no-any-return]


# -- reading ---------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Group:
    """An open parenthesis (or the whole text): the terms read so far, and the factors of the current term."""

    start: int  # where the '(' is; -1 for the whole text
    nots: int  # how many '~' stand before the '('
    terms: list[Any] = field(default_factory=list)
    factors: list[Any] = field(default_factory=list)


class _Reader:
    """Reads one text left to right in a single pass, without recursion: time linear in its length."""

    def __init__(
        self,
        text: str,
        what: Literal["policy", "condition"],
        grammar: Mapping[str, _Name],
        any_of: Callable[..., Any],
        all_of: Callable[..., Any],
    ) -> None:
        if not isinstance(text, str) or not text.strip():
            import reprlib  # only for the error message

            raise ConfigurationError(f"a {what} is text such as 'terminate | code' (got {reprlib.repr(text)})")
        self.text = text
        self.what = what
        self.grammar = grammar
        self.any_of = any_of
        self.all_of = all_of

    # -- errors

    def error(self, index: int, problem: str) -> ConfigurationError:
        """Make the error for ``index``: the text (or the part around ``index``), the place, the problem."""
        return ConfigurationError(
            f"the {self.what} {_excerpt(self.text, index)}, {_place(self.text, index)}: {problem}"
        )

    def _unknown(self, name: str, index: int) -> ConfigurationError:
        import difflib  # only for the error message

        close = difflib.get_close_matches(name, self.grammar, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        if self.what == "condition" and name in _POLICY_GRAMMAR:
            hint = (
                " (never, terminate, always and the approve_ gates are policies, not conditions; "
                "for the word TERMINATE in a message, write keyword(TERMINATE))"
            )
        known = ", ".join(self.grammar)
        return self.error(index, f"unknown {self.what} name {_shorten(name)!r}{hint}; known: {known}")

    # -- the expression

    def read(self) -> Any:
        text, end = self.text, len(self.text)
        groups = [_Group(-1, 0)]
        nots = 0  # '~' read before the next operand
        depth = 0  # open '(' and '~', the pending ones included
        operand = True  # an operand comes next (else an operator, a ')' or the end)
        index = _skip(text, 0)
        while index < end:
            char = text[index]
            if operand:
                if char in "~(":
                    depth += 1
                    if depth > MAX_DEPTH:
                        raise self.error(
                            index, f"parentheses and ~ nest more than {MAX_DEPTH} deep here; write it flatter"
                        )
                    if char == "~":
                        nots += 1
                    else:
                        groups.append(_Group(index, nots))
                        nots = 0
                    index += 1
                else:
                    value, index = self._leaf(index)
                    for _ in range(nots):
                        value = ~value
                    depth -= nots
                    nots = 0
                    groups[-1].factors.append(value)
                    operand = False
            elif char in "|&":
                if char == "|":
                    group = groups[-1]
                    group.terms.append(self._all(group.factors))
                    group.factors = []
                operand = True
                index += 1
            elif char == ")":
                if len(groups) == 1:
                    raise self.error(index, "unexpected ')', which closes no '('; remove it or add the '(' it closes")
                group = groups.pop()
                value = self._close(group)
                for _ in range(group.nots):
                    value = ~value
                depth -= 1 + group.nots
                groups[-1].factors.append(value)
                index += 1
            else:
                raise self._no_operator(index)
            index = _skip(text, index)
        if operand:
            raise self.error(end, "the text ends where a name was expected; end it with a name such as 'code'")
        if len(groups) > 1:
            opened = groups[-1].start
            raise self.error(opened, "missing ')' for the '(' here; close it after the part it opens")
        return self._close(groups[0])

    def _all(self, factors: list[Any]) -> Any:
        return factors[0] if len(factors) == 1 else self.all_of(*factors)

    def _close(self, group: _Group) -> Any:
        terms = [*group.terms, self._all(group.factors)]
        return terms[0] if len(terms) == 1 else self.any_of(*terms)

    def _no_operator(self, index: int) -> ConfigurationError:
        char = self.text[index]
        name = _NAME.match(self.text, index)
        if name is not None or char in "~(":
            seen = repr(_shorten(name.group())) if name is not None else repr(char)
            return self.error(
                index,
                f"expected |, & or ) before {seen}; join two parts with | (either) or & (both), "
                "as in 'code & ~question'",
            )
        return self._unreadable(index)

    def _unreadable(self, index: int) -> ConfigurationError:
        char = self.text[index]
        hint = " (quotes go inside a name's parentheses: contains('a, b'))" if char in "'\"" else ""
        return self.error(
            index,
            f"cannot read the {self.what} at {char!r}{hint}; write names such as 'code' or 'after(3)' "
            "joined with |, & and ~",
        )

    # -- names and their arguments

    def _leaf(self, start: int) -> tuple[Any, int]:
        text = self.text
        match = _NAME.match(text, start)
        if match is None:
            char = text[start]
            if char in "|&)":
                raise self.error(start, f"expected a name before {char!r}, such as 'code'")
            raise self._unreadable(start)
        name = match.group().lower()
        spec = self.grammar.get(name)
        if spec is None:
            raise self._unknown(name, start)
        index = _skip(text, match.end())
        argument: Any = None
        if index < len(text) and text[index] == "(":
            argument, end = self._arguments(name, spec, start, index)
        elif not spec.optional and spec.takes != "nothing":
            raise self.error(match.end(), f"{name} needs parentheses with a value, like {spec.example}")
        else:
            end = match.end()
        try:
            return spec.make(argument), end
        except (TypeError, ValueError) as exc:  # the object's own check of its arguments (ConfigurationError too)
            raise self.error(start, f"{_shorten(text[start:end])}: {_shorten(str(exc), 400)}") from exc

    def _arguments(self, name: str, spec: _Name, start: int, opening: int) -> tuple[Any, int]:
        """Read ``(...)`` at ``opening``; return the argument and the index after the ``)``."""
        text = self.text
        if spec.takes == "nothing":
            raise self.error(opening, f"{name} takes no argument; write {name}")
        if spec.takes == "number":
            number = _NUMBER.match(text, opening)
            if number is None:
                closing = self._bare_end(opening + 1, opening, commas=False)
                got = _shorten(text[opening + 1 : closing].strip())
                raise self.error(opening + 1, f"{name}(N) takes a whole number, like {spec.example} (got {got!r})")
            try:
                return int(number.group(1)), number.end()
            except ValueError:  # more digits than Python converts
                raise self.error(
                    number.start(1), f"{name}(N) got a number of {len(number.group(1))} digits, too many to read"
                ) from None
        index = _skip(text, opening + 1)
        if spec.takes == "text":
            if index < len(text) and text[index] in _QUOTED:
                value, index = self._quoted(index)
                index = _skip(text, index)
                if text[index : index + 1] == ",":
                    raise self.error(index, f'{name} takes one value; put all of it in the quotes: {name}("a, b")')
                if text[index : index + 1] != ")":
                    raise self.error(index, f"expected ')' after the quoted value of {name}")
                return value, index + 1
            closing = self._bare_end(index, opening, commas=False)
            value = text[index:closing].strip()
            if not value:
                raise self.error(index, f"{name}() needs a value, like {spec.example}")
            return value, closing + 1
        values: list[str] = []
        empty = -1  # where the first empty value is
        while True:
            if index < len(text) and text[index] in _QUOTED:
                value, index = self._quoted(index)
                index = _skip(text, index)
                if index >= len(text) or text[index] not in ",)":
                    raise self.error(index, f"expected ',' or ')' after a quoted value of {name}")
            else:
                separator = self._bare_end(index, opening, commas=True)
                value = text[index:separator].strip()
                if not value and empty < 0:
                    empty = index
                index = separator
            values.append(value)
            if text[index] == ")":
                break
            index = _skip(text, index + 1)
        if empty >= 0:
            written = _shorten(text[start : index + 1])
            raise self.error(empty, f"{written} has an empty value; write {name}(a) or {name}(a, b)")
        return tuple(values), index + 1

    def _bare_end(self, index: int, opening: int, *, commas: bool) -> int:
        """Return where an unquoted value from ``index`` ends: its ``)`` (or ``,``), past balanced parentheses."""
        text = self.text
        inner: list[int] = []  # the '(' inside the value not closed yet
        while True:
            index = _skip(text, index, _BARE_RUN)
            if index >= len(text):
                unclosed = inner[-1] if inner else opening
                raise self.error(unclosed, "missing ')' for this '('; close it with ')' (or quote the value)")
            char = text[index]
            if char == "(":
                inner.append(index)
            elif char == ")":
                if not inner:
                    return index
                inner.pop()
            elif commas and not inner:
                return index
            index += 1

    def _quoted(self, index: int) -> tuple[str, int]:
        quote = self.text[index]
        match = _QUOTED[quote].match(self.text, index)
        if match is None:
            raise self.error(index, f"the quoted value that starts here never ends; close it with {quote}")
        return _ESCAPE.sub(r"\1", match.group(1)), match.end()


def _skip(text: str, index: int, run: re.Pattern[str] = _SPACE) -> int:
    """Return the index after the ``run`` (white space unless told) that starts at ``index``."""
    match = run.match(text, index)
    return index if match is None else match.end()


def _place(text: str, index: int) -> str:
    """``column 5``, or ``line 2, column 3`` in a text of several lines (both 1-based)."""
    line_start = text.rfind("\n", 0, index) + 1
    column = index - line_start + 1
    if "\n" not in text:
        return f"column {column}"
    return f"line {text.count(chr(10), 0, index) + 1}, column {column}"


def _excerpt(text: str, index: int, width: int = 60) -> str:
    """Show the text, or for a long one the part around ``index``, so an error stays short whatever the text."""
    if len(text) <= width:
        return repr(text)
    start = max(0, min(index - width // 2, len(text) - width))
    part = text[start : start + width]
    return f"{'...' if start else ''}{part!r}{'...' if start + width < len(text) else ''} ({len(text)} characters)"


def _shorten(text: str, width: int = 60) -> str:
    return text if len(text) <= width else f"{text[: width - 3]}..."


# -- back to text ---------------------------------------------------------------------------------------------


def format_policy(policy: InputPolicy) -> str:
    """Write a policy as text that [`parse_policy`][hitl.core.spec.parse_policy] reads back to an equal policy.

    Values are quoted when they need it (a comma, a parenthesis, a quote first, spaces around them).

    Raises:
        ConfigurationError: for a policy that has no text form (a ``When`` of your own function, or a
            policy class of your own): such policies live in code, not in configuration files.

    Examples:
        >>> from hitl import Terminate, When
        >>> from hitl.core.conditions import FromSender, has_code_block
        >>> format_policy(Terminate() | When(has_code_block))
        'terminate | code'
        >>> format_policy(When(FromSender("qa, team", "coder")))
        'from("qa, team", coder)'
    """
    return _policy_text(policy, 0)


def format_condition(condition: Condition) -> str:
    """Write a condition as text that [`parse_condition`][hitl.core.spec.parse_condition] reads back as equal.

    Examples:
        >>> from hitl.core.conditions import HasCodeBlock, Matches, asks_question
        >>> format_condition(HasCodeBlock("python") & ~asks_question)
        'code(python) & ~question'
        >>> format_condition(Matches(r"^(yes|no)$"))
        'matches("^(yes|no)$")'
    """
    return _condition_text(condition, 0)


def _deeper(depth: int, owner: str) -> int:
    """One more level of parentheses or ``~``; more than the grammar reads is an error."""
    if depth >= MAX_DEPTH:
        raise ConfigurationError(
            f"{owner} nests more than {MAX_DEPTH} levels of parentheses and ~, which has no text form; "
            "keep it in code or make it flatter"
        )
    return depth + 1


def _policy_text(policy: InputPolicy, depth: int) -> str:
    approval = _approval()
    if isinstance(policy, (Never, Terminate, Always)):
        return type(policy).__name__.lower()
    if isinstance(policy, approval.ApproveCode):
        if policy.preview_lines != 10:
            raise ConfigurationError(f"{policy!r} with preview_lines={policy.preview_lines} has no text form")
        return _call("approve_code", policy.languages)
    if isinstance(policy, approval.ApproveTools):
        return _call("approve_tools", policy.patterns)
    if isinstance(policy, When):
        if not isinstance(policy.predicate, Condition):
            raise ConfigurationError(f"{policy!r} wraps a function of your own, which has no text form")
        return _condition_text(policy.predicate, depth)
    if isinstance(policy, (AnyOf, AllOf)) and not policy.policies:
        raise ConfigurationError(f"{policy!r} has no operands, so it has no text form")
    if isinstance(policy, AnyOf):
        return " | ".join([_policy_text(operand, depth) for operand in policy.policies])
    if isinstance(policy, AllOf):
        parts = []
        for operand in policy.policies:
            if _written_as(operand) == "|":
                parts.append(f"({_policy_text(operand, _deeper(depth, 'the policy'))})")
            else:
                parts.append(_policy_text(operand, depth))
        return " & ".join(parts)
    if isinstance(policy, Not):
        depth = _deeper(depth, "the policy")
        if _written_as(policy.policy) in ("|", "&"):
            return f"~({_policy_text(policy.policy, _deeper(depth, 'the policy'))})"
        return "~" + _policy_text(policy.policy, depth)
    raise ConfigurationError(f"{policy!r} is a policy class of your own, which has no text form")


def _written_as(policy: InputPolicy | Condition) -> str:
    """Return the operator at the top of a text form ("" for a name): it decides the parentheses."""
    operand: object = policy.predicate if isinstance(policy, When) else policy
    if isinstance(operand, (AnyOf, AnyCondition)):
        return "|"
    if isinstance(operand, (AllOf, AllConditions)):
        return "&"
    return ""


def _condition_text(condition: Condition, depth: int) -> str:
    c = condition
    if isinstance(c, HasCodeBlock):
        return _call("code", c.languages)
    if isinstance(c, HasToolCall):
        return "tools" if not c.patterns else _call("tool", c.patterns)
    if isinstance(c, AsksQuestion):
        return "question"
    if isinstance(c, (AfterAutoReplies, EveryNth)):
        return f"{'after' if isinstance(c, AfterAutoReplies) else 'every'}({c.n})"
    if isinstance(c, LongerThan):
        return f"longer({c.characters})"
    if isinstance(c, FromSender):
        return _call("from", c.names)
    if isinstance(c, Contains) and not c.case_sensitive and not c.whole_word:
        return f"contains({_value(c.text, commas=True)})"
    if isinstance(c, Keyword) and not c.at_end and not c.whole_word and c.case_sensitive:
        return f"keyword({_value(c.word, commas=True)})"
    if isinstance(c, Matches) and c.case_sensitive:
        return f"matches({_value(c.pattern, commas=True)})"
    if isinstance(c, (AnyCondition, AllConditions)) and not c.operands:
        raise ConfigurationError(f"{c!r} has no operands, so it has no text form")
    if isinstance(c, AnyCondition):
        return " | ".join([_condition_text(operand, depth) for operand in c.operands])
    if isinstance(c, AllConditions):
        parts = []
        for operand in c.operands:
            if isinstance(operand, AnyCondition):
                parts.append(f"({_condition_text(operand, _deeper(depth, 'the condition'))})")
            else:
                parts.append(_condition_text(operand, depth))
        return " & ".join(parts)
    if isinstance(c, NotCondition):
        depth = _deeper(depth, "the condition")
        if isinstance(c.operand, (AnyCondition, AllConditions)):
            return f"~({_condition_text(c.operand, _deeper(depth, 'the condition'))})"
        return "~" + _condition_text(c.operand, depth)
    raise ConfigurationError(f"{condition!r} has no text form; give it in code, not in configuration")


def _call(name: str, values: tuple[str, ...]) -> str:
    return name if not values else f"{name}({', '.join([_value(value, commas=False) for value in values])})"


def _value(value: str, *, commas: bool) -> str:
    """Write a value bare when it reads back as itself, else quoted (``commas``: the name reads one text)."""
    bare = (
        value
        and value == value.strip()
        and value[0] not in _QUOTED
        and "(" not in value
        and ")" not in value
        and (commas or "," not in value)
    )
    if bare:
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
