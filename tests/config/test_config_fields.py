"""ProxyConfig refuses at validation, naming the field, every value that would fail (or mislead) when built."""

from __future__ import annotations

import re
import warnings
from typing import Any

import pydantic
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hitl.config import ConfigWarning, ProxyConfig


def validate(data: dict[str, Any]) -> ProxyConfig:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConfigWarning)
        return ProxyConfig.model_validate(data)


@pytest.mark.parametrize(
    ("data", "location", "message"),
    [
        ({"name": "a", "version": True}, "version", "the whole number 1 (got True)"),
        ({"name": "a", "version": 1.0}, "version", "the whole number 1 (got 1.0)"),
        ({"name": "a", "version": "1"}, "version", "the whole number 1 (got '1')"),
        ({"name": b"x"}, "name", "valid string"),
        ({"name": ""}, "name", "name is the agent's name, which cannot be empty"),
        ({"name": "  "}, "name", "cannot be empty or only white space (got '  ')"),
        ({"name": "a", "system_message": b"x"}, "system_message", "valid string"),
        ({"name": "a", "policy": b"never"}, "policy", "policy is a text"),
        ({"name": "a", "auto_reply": {"kind": "static", "message": b"go"}}, "auto_reply.static.message", "string"),
        (
            {"name": "a", "human_input": {"kind": "scripted", "answers": [b""]}},
            "human_input.scripted.answers.0",
            "string",
        ),
        (
            {"name": "a", "termination": {"kind": "regex", "pattern": "(unclosed"}},
            "termination.regex.pattern",
            "termination.pattern '(unclosed' is not a valid regular expression: missing )",
        ),
        (
            {"name": "a", "termination": {"kind": "regex", "pattern": ""}},
            "termination.regex.pattern",
            "termination.pattern is empty, which matches every message",
        ),
        (
            {"name": "a", "termination": {"kind": "keyword", "word": ""}},
            "termination.keyword.word",
            "termination.word is the keyword that ends the chat, so it cannot be empty",
        ),
        (
            {"name": "a", "termination": {"kind": "keyword", "word": " "}},
            "termination.keyword.word",
            "cannot be empty or only white space (got ' ')",
        ),
        (
            {"name": "a", "termination": 'matches("(")'},
            "termination.condition.expression",
            "the condition 'matches(\"(\")', column 1: matches(\"(\"): Matches('(') is not a valid regular expression",
        ),
        (
            {"name": "a", "termination": "keyword('')"},
            "termination.condition.expression",
            "the condition \"keyword('')\", column 1: keyword(''): Keyword() takes a non-empty string",
        ),
        (
            {"name": "a", "auto_reply": {"kind": "rules", "rules": [{"when": "from(a,)", "reply": "x"}]}},
            "auto_reply.rules.rules.0.when",
            "the condition 'from(a,)', column 8: from(a,) has an empty value",
        ),
        ({"name": "a", "policy": "terminate | code("}, "policy", "the policy 'terminate | code(', column 17"),
        ({"name": "a", "policy": "(" * 1_000 + "code" + ")" * 1_000}, "policy", "column 101: parentheses and ~ nest"),
        (
            {"name": "a", "human_input": {"timeout": {"seconds": float("inf")}}},
            "human_input.console.timeout.seconds",
            "finite",
        ),
    ],
)
def test_a_value_that_would_fail_or_mislead_is_refused_at_validation_naming_the_field(
    data: dict[str, Any], location: str, message: str
) -> None:
    with pytest.raises(pydantic.ValidationError) as error:
        validate(data)
    text = str(error.value)
    assert re.search(rf"^{re.escape(location)}$", text, flags=re.MULTILINE), text
    assert message in text


@pytest.mark.filterwarnings("ignore:Possible nested set:FutureWarning")  # re's warning about patterns like "[["
@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.builds(lambda word: {"kind": "keyword", "word": word}, st.text(max_size=5)),
        st.builds(
            lambda pattern: {"kind": "regex", "pattern": pattern}, st.text(alphabet="()[]{}*+?\\|^$a", max_size=6)
        ),
        st.text(alphabet="()~|&'\", abkeywordmatches", max_size=20),
    )
)
def test_a_termination_that_validates_builds(termination: Any) -> None:
    try:
        config = validate({"name": "a", "policy": "terminate", "termination": termination})
    except pydantic.ValidationError:
        return
    config.build()
