"""Reading a policy or condition text: one pass, left to right, without recursion.

The names and what they build come from the table of ``hitl.core._spec_names``; ``hitl.core.spec`` offers
the reading as ``parse_policy`` and ``parse_condition``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ._spec_names import MAX_DEPTH, POLICY, QUOTED, Grammar, Name
from .errors import ConfigurationError

_SPACE = re.compile(r"\s*")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(r"\(\s*([0-9]+)\s*\)")
_BARE_RUN = re.compile(r"[^(),]*")
_ESCAPE = re.compile(r"\\([\\'\"])")


@dataclass(slots=True)
class _Group:
    """An open parenthesis (or the whole text): the terms read so far, and the factors of the current term."""

    start: int  # where the '(' is; -1 for the whole text
    nots: int  # how many '~' stand before the '('
    terms: list[Any] = field(default_factory=list)
    factors: list[Any] = field(default_factory=list)


class Reader:
    """Reads one text left to right in a single pass, without recursion: time linear in its length."""

    def __init__(self, text: str, grammar: Grammar) -> None:
        what = grammar.what
        if not isinstance(text, str) or not text.strip():
            import reprlib  # only for the error message

            raise ConfigurationError(f"a {what} is text such as 'terminate | code' (got {reprlib.repr(text)})")
        self.text = text
        self.what = what
        self.grammar = grammar

    # -- errors

    def error(self, index: int, problem: str) -> ConfigurationError:
        """Make the error for ``index``: the text (or the part around ``index``), the place, the problem."""
        return ConfigurationError(
            f"the {self.what} {_excerpt(self.text, index)}, {_place(self.text, index)}: {problem}"
        )

    def _unknown(self, name: str, index: int) -> ConfigurationError:
        import difflib  # only for the error message

        close = difflib.get_close_matches(name, self.grammar.reads, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        if self.what == "condition" and name in POLICY.reads:
            hint = (
                " (never, terminate, always and the approve_ gates are policies, not conditions; "
                "for the word TERMINATE in a message, write keyword(TERMINATE))"
            )
        known = ", ".join(self.grammar.reads)
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
        return factors[0] if len(factors) == 1 else self.grammar.all_of(*factors)

    def _close(self, group: _Group) -> Any:
        terms = [*group.terms, self._all(group.factors)]
        return terms[0] if len(terms) == 1 else self.grammar.any_of(*terms)

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
        spec = self.grammar.reads.get(name)
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

    def _arguments(self, name: str, spec: Name, start: int, opening: int) -> tuple[Any, int]:
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
            if index < len(text) and text[index] in QUOTED:
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
            if index < len(text) and text[index] in QUOTED:
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
        match = QUOTED[quote].match(self.text, index)
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
