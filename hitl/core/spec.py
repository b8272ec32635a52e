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

from typing import Any

from ._spec_names import CONDITION, MAX_DEPTH, POLICY, Grammar
from ._spec_names import Takes as Takes  # what a name takes, as the grammar's earlier module offered it
from ._spec_reader import Reader
from .conditions import AllConditions, AnyCondition, Condition
from .errors import ConfigurationError
from .policies import AllOf, AnyOf, InputPolicy, When

__all__ = [
    "MAX_DEPTH",
    "POLICY_NAMES",
    "format_condition",
    "format_policy",
    "parse_condition",
    "parse_policy",
]

# What each name reads and builds, and which objects it writes back, is one table (``_spec_names.NAMES``):
# the reader (``_spec_reader``) and the writer below both go through it.

#: Every name the policy grammar knows.
POLICY_NAMES: tuple[str, ...] = tuple(POLICY.reads)


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
    return Reader(text, POLICY).read()  # type: ignore[no-any-return]


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
    return Reader(text, CONDITION).read()  # type: ignore[no-any-return]


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
    return _text(policy, POLICY, 0)


def format_condition(condition: Condition) -> str:
    """Write a condition as text that [`parse_condition`][hitl.core.spec.parse_condition] reads back as equal.

    Examples:
        >>> from hitl.core.conditions import HasCodeBlock, Matches, asks_question
        >>> format_condition(HasCodeBlock("python") & ~asks_question)
        'code(python) & ~question'
        >>> format_condition(Matches(r"^(yes|no)$"))
        'matches("^(yes|no)$")'
    """
    return _text(condition, CONDITION, 0)


def _text(item: Any, grammar: Grammar, depth: int) -> str:
    """Write a policy or a condition of ``grammar``; ``depth`` counts the parentheses and ``~`` around it."""
    if grammar is POLICY and isinstance(item, When):
        if not isinstance(item.predicate, Condition):
            raise ConfigurationError(f"{item!r} wraps a function of your own, which has no text form")
        return _text(item.predicate, CONDITION, depth)
    if isinstance(item, (grammar.any_of, grammar.all_of)):
        operands = grammar.operands(item)
        if not operands:
            raise ConfigurationError(f"{item!r} has no operands, so it has no text form")
        if isinstance(item, grammar.any_of):
            return " | ".join([_text(operand, grammar, depth) for operand in operands])
        parts = []
        for operand in operands:
            if _written_as(operand) == "|":
                parts.append(f"({_text(operand, grammar, _deeper(depth, grammar))})")
            else:
                parts.append(_text(operand, grammar, depth))
        return " & ".join(parts)
    if isinstance(item, grammar.not_):
        depth = _deeper(depth, grammar)
        operand = grammar.negated(item)
        if _written_as(operand):
            return f"~({_text(operand, grammar, _deeper(depth, grammar))})"
        return "~" + _text(operand, grammar, depth)
    text = grammar.name_text(item)
    if text is None:
        raise ConfigurationError(grammar.unwritable.format(item))
    return text


def _deeper(depth: int, grammar: Grammar) -> int:
    """One more level of parentheses or ``~``; more than the grammar reads is an error."""
    if depth >= MAX_DEPTH:
        raise ConfigurationError(
            f"the {grammar.what} nests more than {MAX_DEPTH} levels of parentheses and ~, which has no text form; "
            "keep it in code or make it flatter"
        )
    return depth + 1


def _written_as(item: object) -> str:
    """Return the operator at the top of a text form ("" for a name): it decides the parentheses."""
    operand = item.predicate if isinstance(item, When) else item
    if isinstance(operand, (AnyOf, AnyCondition)):
        return "|"
    if isinstance(operand, (AllOf, AllConditions)):
        return "&"
    return ""
