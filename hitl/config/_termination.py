"""The termination condition in a configuration: a keyword, a regular expression, or a condition expression."""

from __future__ import annotations

import re
import reprlib
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field, StrictStr, field_validator

from ..core.errors import ConfigurationError
from ._model import Model, canonical_condition

if TYPE_CHECKING:
    from ..core.conditions import Condition


class KeywordTermination(Model):
    """Stop on a keyword (see [`Keyword`][hitl.core.conditions.Keyword])."""

    kind: Literal["keyword"] = "keyword"
    word: StrictStr = "TERMINATE"
    at_end: bool = False
    whole_word: bool = False
    case_sensitive: bool = True

    @field_validator("word")
    @classmethod
    def _a_word(cls, value: str) -> str:
        if not value.strip():
            raise ValueError(
                f"termination.word is the keyword that ends the chat, so it cannot be empty or only white space "
                f"(got {value!r}); leave it out for 'TERMINATE'"
            )
        return value


class RegexTermination(Model):
    """Stop when the text matches a regular expression (see [`Matches`][hitl.core.conditions.Matches])."""

    kind: Literal["regex"] = "regex"
    pattern: StrictStr
    case_sensitive: bool = True

    @field_validator("pattern")
    @classmethod
    def _a_regex(cls, value: str) -> str:
        if not value:
            raise ValueError("termination.pattern is empty, which matches every message; give a regular expression")
        try:
            re.compile(value)
        except re.error as exc:
            shown = reprlib.repr(value)
            raise ValueError(f"termination.pattern {shown} is not a valid regular expression: {exc}") from None
        except (RecursionError, OverflowError):
            shown = reprlib.repr(value)
            raise ValueError(
                f"termination.pattern {shown} nests its groups deeper than Python's regular expressions can compile"
            ) from None
        return value


class ConditionTermination(Model):
    """Stop when a condition holds, written in the grammar of [`hitl.core.spec`][hitl.core.spec].

    For example ``"keyword | after(8)"``.
    """

    kind: Literal["condition"] = "condition"
    expression: StrictStr

    @field_validator("expression")
    @classmethod
    def _parses(cls, value: str) -> str:
        return canonical_condition(value)


#: A termination condition: a keyword, a regex, or a condition expression (a plain string is an expression).
TerminationConfig = Annotated[KeywordTermination | RegexTermination | ConditionTermination, Field(discriminator="kind")]


def build_termination(config: KeywordTermination | RegexTermination | ConditionTermination) -> Condition:
    """Make the condition a termination configuration describes."""
    from ..core.conditions import Keyword, Matches
    from ..core.spec import parse_condition

    if isinstance(config, KeywordTermination):
        return Keyword(config.word, config.at_end, config.whole_word, config.case_sensitive)
    if isinstance(config, RegexTermination):
        try:
            return Matches(config.pattern, config.case_sensitive)
        except ValueError as exc:
            raise ConfigurationError(f"termination.pattern: {exc}") from None
    return parse_condition(config.expression)


def describe_termination(check: object) -> KeywordTermination | RegexTermination | ConditionTermination:
    """Describe a proxy's ``is_termination_msg``; raises ConfigurationError for a function of your own."""
    from ..core.conditions import Condition, Keyword, Matches
    from ..core.spec import format_condition

    if isinstance(check, Keyword):
        return KeywordTermination(
            word=check.word, at_end=check.at_end, whole_word=check.whole_word, case_sensitive=check.case_sensitive
        )
    if isinstance(check, Matches):
        return RegexTermination(pattern=check.pattern, case_sensitive=check.case_sensitive)
    if isinstance(check, Condition):
        return ConditionTermination(expression=format_condition(check))
    raise ConfigurationError(
        f"is_termination_msg={check!r} is a function of your own, which has no configuration form; "
        "use a hitl.core.conditions condition such as Keyword('TERMINATE')"
    )
