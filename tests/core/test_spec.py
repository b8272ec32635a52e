"""Policies written as text parse into the policy objects they name."""

from __future__ import annotations

import pytest

from hitl import Always, ConfigurationError, Never, Terminate, When
from hitl.core.conditions import AfterAutoReplies, HasCodeBlock, HasToolCall, asks_question, has_code_block
from hitl.core.spec import POLICY_NAMES, parse_policy


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("never", Never()),
        ("TERMINATE", Terminate()),
        ("always", Always()),
        ("terminate | code", Terminate() | When(has_code_block)),
        ("always & ~question", Always() & ~When(asks_question)),
        (
            "(terminate | code(python)) & after(2)",
            (Terminate() | When(HasCodeBlock("python"))) & When(AfterAutoReplies(2)),
        ),
        ("tool(run_*, send_*)", When(HasToolCall("run_*", "send_*"))),
    ],
)
def test_text_parses_to_the_policy_it_names(text: str, expected: object) -> None:
    assert parse_policy(text) == expected


def test_repr_of_a_parsed_policy_reads_like_the_text() -> None:
    assert repr(parse_policy("terminate | code")) == "Terminate() | When(has_code_block)"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("sometimes", "unknown policy name 'sometimes'"),
        ("terminate |", "ends where a name was expected"),
        ("(code", "missing ')'"),
        ("after(x)", "takes a whole number"),
        ("after(²)", "takes a whole number"),
        ("every(0)", "every(0): EveryNth() takes a whole number >= 1"),
        ("code()", "code() has an empty value"),
        ("code(python,)", "code(python,) has an empty value"),
        ("from(a,)", "from(a,) has an empty value"),
        ("tool(x,)", "tool(x,) has an empty value"),
        ("never(1)", "takes no argument"),
        ("code ) ", "unexpected ')'"),
        ("", "a policy is text"),
        ("code $", "cannot read the policy"),
    ],
)
def test_bad_text_is_a_configuration_error_that_says_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_policy(text)


def test_the_error_for_an_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(ConfigurationError) as error:
        parse_policy("nope")
    assert all(name in str(error.value) for name in POLICY_NAMES)


def test_the_approval_gates_have_names_too() -> None:
    from hitl.core.approval import ApproveCode, ApproveTools

    assert parse_policy("terminate | approve_code") == Terminate() | ApproveCode()
    assert parse_policy("approve_code(python, sh) | approve_tools(deploy_*)") == ApproveCode("python", "sh") | (
        ApproveTools("deploy_*")
    )


def test_a_when_of_a_composed_condition_keeps_its_meaning_as_text() -> None:
    from hitl import TurnContext
    from hitl.core.spec import format_policy

    question = TurnContext("Shall I go on?")
    both = TurnContext("Shall I run this?\n```python\nprint(1)\n```")
    cases = [
        (Terminate() & When(has_code_block | asks_question), "terminate & (code | question)"),
        (~When(has_code_block & asks_question), "~(code & question)"),
        (~When(has_code_block | asks_question), "~(code | question)"),
        (Always() & When(~asks_question), "always & ~question"),
    ]
    for policy, text in cases:
        assert format_policy(policy) == text
        again = parse_policy(text)
        for ctx in (question, both, TurnContext("plain")):
            assert again.decide(ctx).ask == policy.decide(ctx).ask, (policy, ctx.text)


def test_single_value_names_keep_commas_both_ways() -> None:
    from hitl.core.conditions import Contains
    from hitl.core.spec import format_policy

    policy = When(Contains("hello, world"))
    assert parse_policy("contains(hello, world)") == policy
    assert parse_policy(format_policy(policy)) == policy


# -- one table of names ---------------------------------------------------------------------------------------------


def test_one_table_holds_every_name_the_reader_knows_and_the_writer_writes() -> None:
    from hitl.core._spec_names import CONDITION, NAMES, POLICY
    from hitl.core.spec import format_condition, format_policy, parse_condition

    assert POLICY_NAMES == tuple(POLICY.reads) == tuple(name.name for name in NAMES)
    assert tuple(CONDITION.reads) == tuple(name.name for name in NAMES if not name.policy)
    for name in NAMES:
        for text in {name.example or name.name, name.name if name.optional else name.example or name.name}:
            policy = parse_policy(text)
            written = format_policy(policy)
            assert parse_policy(written) == policy
            assert written.split("(")[0] in POLICY_NAMES
            if not name.policy:
                assert format_condition(parse_condition(text)) == written


def test_a_new_name_is_one_entry_that_both_reads_and_writes() -> None:
    import dataclasses

    from hitl.core import _spec_names
    from hitl.core._spec_names import NO_FORM
    from hitl.core._spec_reader import Reader
    from hitl.core.conditions import LongerThan
    from hitl.core.spec import _text

    long = _spec_names.Name(
        "long", "nothing", lambda v: LongerThan(1000), LongerThan, lambda c: None if c.characters == 1000 else NO_FORM
    )
    grammar = dataclasses.replace(
        _spec_names.CONDITION,
        reads={**_spec_names.CONDITION.reads, "long": long},
        writes=(long, *_spec_names.CONDITION.writes),
    )
    condition = Reader("long & ~question", grammar).read()
    assert condition == LongerThan(1000) & ~asks_question
    assert _text(condition, grammar, 0) == "long & ~question"
    assert _text(LongerThan(5), grammar, 0) == "longer(5)"  # the entries after it write the rest
