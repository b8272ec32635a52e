r"""The text grammar of policies and conditions: quoting, nesting, `matches`, positions, bounds, linear time."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, reject, settings
from hypothesis import strategies as st

from hitl import Always, ConfigurationError, InputPolicy, Never, Terminate, TurnContext, When
from hitl.core.approval import ApproveCode, ApproveTools
from hitl.core.conditions import (
    AfterAutoReplies,
    Condition,
    Contains,
    EveryNth,
    FromSender,
    HasCodeBlock,
    HasToolCall,
    Keyword,
    LongerThan,
    Matches,
    asks_question,
    has_code_block,
    has_tool_call,
)
from hitl.core.policies import AnyOf
from hitl.core.spec import format_condition, format_policy, parse_condition, parse_policy
from tests.factories import compositions

# -- quoting ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('contains("a, b")', Contains("a, b")),
        ("contains('a, b')", Contains("a, b")),
        ("contains(a, b)", Contains("a, b")),  # one text, as before: commas belong to it
        ("from(a, b)", FromSender("a", "b")),
        ("from(a,b)", FromSender("a", "b")),
        ('from("a, b", c)', FromSender("a, b", "c")),
        ("from('qa team' , \"x\")", FromSender("qa team", "x")),
        ('contains(" padded ")', Contains(" padded ")),
        (r'contains("say \"hi\"")', Contains('say "hi"')),
        (r"contains('it\'s')", Contains("it's")),
        ("contains(it's)", Contains("it's")),  # a quote inside an unquoted value is a character
        ('contains(say "hi")', Contains('say "hi"')),
        (r'contains("back\\slash")', Contains("back\\slash")),
        (r'contains("a\b")', Contains("a\\b")),  # a backslash before anything else stays
        ("contains(a | b & ~c)", Contains("a | b & ~c")),
        ('tool("run_*", deploy_*)', HasToolCall("run_*", "deploy_*")),
        ("keyword('DONE!')", Keyword("DONE!")),
    ],
)
def test_quoted_values_keep_commas_quotes_and_spaces(text: str, expected: Condition) -> None:
    assert parse_condition(text) == expected
    assert parse_policy(text) == When(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("contains(f(x))", Contains("f(x)")),
        ("contains(a (b) c)", Contains("a (b) c")),
        ("from(f(a, b), c)", FromSender("f(a, b)", "c")),
        ("matches(^(yes|no)$)", Matches("^(yes|no)$")),
        ("code (python)", HasCodeBlock("python")),
        ("(contains(f(x)))", Contains("f(x)")),
    ],
)
def test_balanced_parentheses_nest_inside_a_value(text: str, expected: Condition) -> None:
    assert parse_condition(text) == expected


# -- matches ------------------------------------------------------------------------------------------------------


def test_matches_names_a_regex_condition_both_ways() -> None:
    assert parse_condition("matches(exitcode: [1-9])") == Matches("exitcode: [1-9]")
    assert parse_condition(r'matches("\d+ failed")') == Matches(r"\d+ failed")
    assert parse_policy("terminate | matches('^(yes|no)$')") == Terminate() | When(Matches("^(yes|no)$"))
    assert format_condition(Matches(r"^(yes|no)$")) == 'matches("^(yes|no)$")'
    assert format_condition(Matches(r"\d+")) == r"matches(\d+)"
    assert format_policy(When(Matches(r"exit\(1\)"))) == r'matches("exit\\(1\\)")'
    assert parse_policy(format_policy(When(Matches(r"exit\(1\)")))) == When(Matches(r"exit\(1\)"))


def test_a_case_insensitive_regex_has_no_text_form() -> None:
    with pytest.raises(ConfigurationError, match="no text form"):
        format_condition(Matches("done", case_sensitive=False))


def test_a_bad_regex_is_an_error_at_its_position() -> None:
    with pytest.raises(ConfigurationError, match=r"column 13: matches\(\"\(\"\): .*not a valid regular expression"):
        parse_policy('terminate | matches("(")')


# -- positions ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "place", "message"),
    [
        ("terminate | sometimes", "column 13", "unknown policy name 'sometimes'"),
        ("terminate |", "column 12", "ends where a name was expected"),
        ("(code", "column 1", "missing ')'"),
        ("code(python", "column 5", "missing ')'"),
        ("from(a, (b)", "column 5", "missing ')'"),
        ("matches(a(b)", "column 8", "missing ')'"),
        ("code ) ", "column 6", "unexpected ')'"),
        ("code $", "column 6", "cannot read the policy at '$'"),
        ("'code'", "column 1", "quotes go inside"),
        ("after(x)", "column 7", "takes a whole number"),
        ("after", "column 6", "needs parentheses"),
        ("every(0)", "column 1", "every(0): EveryNth() takes a whole number >= 1"),
        ("code(python,)", "column 13", "code(python,) has an empty value"),
        ("from(a,,b)", "column 8", "from(a,,b) has an empty value"),
        ("never(1)", "column 6", "never takes no argument"),
        ("question(x)", "column 9", "question takes no argument"),
        ("code question", "column 6", "expected |, & or ) before 'question'"),
        ("code ~question", "column 6", "expected |, & or ) before '~'"),
        ("()", "column 2", "expected a name before ')'"),
        ("& code", "column 1", "expected a name before '&'"),
        ("contains('a', 'b')", "column 13", "put all of it in the quotes"),
        ("contains('a' b)", "column 14", "expected ')' after the quoted value"),
        ('from("a" b)', "column 10", "expected ',' or ')' after a quoted value"),
        ('contains("never closed)', "column 10", "never ends"),
        ("keyword()", "column 9", "keyword() needs a value"),
        ("code\n| nope", "line 2, column 3", "unknown policy name 'nope'"),
    ],
)
def test_every_error_names_the_text_the_position_and_the_problem(text: str, place: str, message: str) -> None:
    with pytest.raises(ConfigurationError) as error:
        parse_policy(text)
    assert f"the policy {text!r}, {place}: " in str(error.value)
    assert message in str(error.value)


def test_an_error_building_a_named_object_keeps_its_message_and_gains_the_position() -> None:
    with pytest.raises(ConfigurationError) as error:
        parse_policy("terminate | every(0)")
    assert "column 13: every(0): EveryNth() takes a whole number >= 1 (got 0)" in str(error.value)
    assert isinstance(error.value.__cause__, ValueError)


def test_an_unknown_language_is_an_error_at_its_position() -> None:
    with pytest.raises(ConfigurationError, match=r"column 13: code\(pyhton\): .*'pyhton'"):
        parse_policy("terminate | code(pyhton)")
    with pytest.raises(ConfigurationError, match=r"column 1: approve_code\(pyhton\): .*'pyhton'"):
        parse_policy("approve_code(pyhton)")


def test_a_condition_error_says_which_names_are_policies() -> None:
    with pytest.raises(ConfigurationError, match=r"the condition 'always', column 1: .*are policies, not conditions"):
        parse_condition("always")


def test_an_error_in_a_long_text_shows_the_part_around_the_position() -> None:
    text = " | ".join(["code"] * 10_000 + ["nope"] + ["code"] * 10_000)
    with pytest.raises(ConfigurationError) as error:
        parse_policy(text)
    message = str(error.value)
    assert f"column {text.index('nope') + 1}: unknown policy name 'nope'" in message
    assert f"({len(text)} characters)" in message
    assert len(message) < 600


# -- nesting ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["(" * 1_000 + "code" + ")" * 1_000, "~" * 1_000 + "code", "~(" * 1_000 + "code" + ")" * 1_000],
    ids=["parentheses", "tildes", "both"],
)
def test_nesting_a_thousand_deep_is_an_error_at_the_101st_level(text: str) -> None:
    with pytest.raises(ConfigurationError, match="column 101: parentheses and ~ nest more than 100 deep"):
        parse_policy(text)
    with pytest.raises(ConfigurationError, match="column 101: parentheses and ~ nest more than 100 deep"):
        parse_condition(text)


def test_nesting_a_hundred_deep_reads_and_its_policy_works() -> None:
    assert parse_policy("(" * 100 + "code" + ")" * 100) == When(has_code_block)
    assert parse_policy("~" * 100 + "code") == When(has_code_block)
    assert parse_policy("~" * 99 + "code") == ~When(has_code_block)
    text = "code"
    for level in range(100):
        text = f"question {'&' if level % 2 else '|'} ({text})"
    policy = parse_policy(text)
    assert parse_policy(format_policy(policy)) == policy
    assert repr(policy).count("(") > 50
    assert policy.decide(TurnContext("Shall I?")).ask


def test_a_policy_built_deeper_than_the_grammar_reads_has_no_text_form() -> None:
    policy: InputPolicy = When(has_code_block)
    for _ in range(1_000):
        policy = (policy | When(asks_question)) & When(has_tool_call)
    with pytest.raises(ConfigurationError, match="nests more than 100 levels"):
        format_policy(policy)


def test_double_negation_still_cancels() -> None:
    assert parse_policy("~~terminate") == Terminate()
    assert parse_policy("~(~terminate)") == Terminate()
    assert parse_condition("~~question") == asks_question


# -- linear time --------------------------------------------------------------------------------------------------


def test_a_chain_of_operands_is_flattened_once(monkeypatch: pytest.MonkeyPatch) -> None:
    copied: list[int] = []
    init = AnyOf.__init__

    def counting_init(self: AnyOf, *policies: InputPolicy) -> None:
        copied.append(len(policies))
        init(self, *policies)

    monkeypatch.setattr(AnyOf, "__init__", counting_init)
    parse_policy(" | ".join(["code"] * 2_000))
    assert sum(copied) <= 2_000  # a left fold of `|` copies 1 + 2 + ... + 1999 operands


def test_two_hundred_thousand_operands_read_in_one_pass() -> None:
    # Quadratic reading took 70 s for 20,000 operands, so it would take hours for these.
    policy = parse_policy(" | ".join(["code", "question"] * 100_000))
    assert isinstance(policy, AnyOf)
    assert len(policy.policies) == 200_000
    condition = parse_condition(" & ".join(["code"] * 100_000))
    assert len(format_condition(condition)) == len(" & ".join(["code"] * 100_000))


# -- round trips (Hypothesis) ---------------------------------------------------------------------------------------


@st.composite
def made(draw: st.DrawFn, make: Callable[..., Any], arguments: st.SearchStrategy[tuple[Any, ...]]) -> Any:
    """An object ``make(*arguments)``, for arguments it accepts."""
    values = draw(arguments)
    try:
        return make(*values)
    except (TypeError, ValueError):
        reject()


#: Any text: commas, quotes, parentheses, backslashes, spaces and newlines included.
TEXTS = st.text(
    alphabet=st.one_of(st.sampled_from(",()'\"\\ |&~\n\tab"), st.characters(codec="utf-8")), min_size=1, max_size=12
)
LANGUAGES = st.sampled_from(["python", "py", "sh", "bash", "ps1", "javascript", "html"])
REGEXES = st.one_of(
    TEXTS.map(re.escape),
    st.sampled_from([r"^(yes|no)$", r"\d+", r"a{1,3}", r'say "(hi|ho)"', r"it's \(", "\\\\", ""]),
)
NUMBERS = st.integers(min_value=1, max_value=10**12)
CONDITION_LEAVES: st.SearchStrategy[Condition] = st.one_of(
    st.sampled_from([has_code_block, has_tool_call, asks_question, Keyword()]),
    made(HasCodeBlock, st.lists(LANGUAGES, min_size=1, max_size=3).map(tuple)),
    made(HasToolCall, st.lists(TEXTS, min_size=1, max_size=3).map(tuple)),
    made(FromSender, st.lists(TEXTS, min_size=1, max_size=3).map(tuple)),
    made(Contains, st.tuples(TEXTS)),
    made(Keyword, st.tuples(TEXTS)),
    made(Matches, st.tuples(REGEXES)),
    made(AfterAutoReplies, st.tuples(NUMBERS)),
    made(EveryNth, st.tuples(NUMBERS)),
    made(LongerThan, st.tuples(st.integers(min_value=0, max_value=10**12))),
)
POLICY_LEAVES: st.SearchStrategy[InputPolicy] = st.one_of(
    st.sampled_from([Never(), Terminate(), Always()]),
    CONDITION_LEAVES.map(When),
    made(ApproveCode, st.lists(LANGUAGES, max_size=2).map(tuple)),
    made(ApproveTools, st.lists(TEXTS, max_size=2).map(tuple)),
)


@settings(max_examples=400, deadline=None)
@given(compositions(POLICY_LEAVES, max_leaves=8))
def test_any_policy_reads_back_from_its_text_as_an_equal_policy(policy: InputPolicy) -> None:
    text = format_policy(policy)
    assert parse_policy(text) == policy
    assert format_policy(parse_policy(text)) == text


@settings(max_examples=400, deadline=None)
@given(compositions(CONDITION_LEAVES, max_leaves=8))
def test_any_condition_reads_back_from_its_text_as_an_equal_condition(condition: Condition) -> None:
    text = format_condition(condition)
    assert parse_condition(text) == condition
    assert format_condition(parse_condition(text)) == text


PIECES = st.sampled_from(
    [
        *"|&~(),'\" \n\\$",
        "code",
        "code(",
        "from(",
        "contains(",
        "matches(",
        "after(",
        "keyword",
        "approve_code(",
        "never",
        "python",
        "3",
        "0",
        "~(",
        '"a, b"',
        "'x'",
        "(?",
    ]
)
GARBAGE = st.one_of(st.lists(PIECES, max_size=20).map("".join), st.text(max_size=40))


@settings(max_examples=2_000, deadline=None)
@given(GARBAGE)
def test_any_text_reads_or_is_a_configuration_error_that_names_a_position(text: str) -> None:
    for parse, what in ((parse_policy, "policy"), (parse_condition, "condition")):
        try:
            parse(text)
        except ConfigurationError as error:
            message = str(error)
            assert len(message) < 1_000
            if text.strip():
                assert re.search(rf"^the {what} .*(line \d+, )?column \d+: ", message), message
