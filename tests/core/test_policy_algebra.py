"""The policy algebra: laws that hold for every context, and the errors users can cause."""

from __future__ import annotations

import pydantic
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hitl import (
    Always,
    ConfigurationError,
    InputPolicy,
    Limits,
    Never,
    PolicyError,
    PolicyUserProxy,
    Terminate,
    TurnContext,
    When,
)
from hitl.testing import run_chat
from tests.factories import compositions


def has_code(ctx: TurnContext) -> bool:
    return "```" in ctx.text


def from_coder(ctx: TurnContext) -> bool:
    return ctx.sender == "coder"


def long_text(ctx: TurnContext) -> bool:
    return len(ctx.text) > 20


LEAVES = st.sampled_from([Never(), Always(), Terminate(), When(has_code), When(from_coder), When(long_text)])
POLICIES: st.SearchStrategy[InputPolicy] = compositions(LEAVES, max_leaves=6)
CONTEXTS = st.builds(
    lambda text, sender, replies, limit, term: TurnContext(
        {"content": text}, sender=sender, auto_replies=replies, auto_reply_limit=limit, is_termination=term
    ),
    st.sampled_from(["hi", "```python\nx\n```", "a long message about the plan", "TERMINATE", ""]),
    st.sampled_from(["coder", "reviewer", None]),
    st.integers(0, 5),
    st.integers(0, 5),
    st.booleans(),
)


def asks(policy: InputPolicy, ctx: TurnContext) -> bool:
    return policy.decide(ctx).ask


@settings(max_examples=300)
@given(POLICIES, POLICIES, CONTEXTS)
def test_de_morgan_holds_both_ways(a: InputPolicy, b: InputPolicy, ctx: TurnContext) -> None:
    assert asks(~(a | b), ctx) == asks(~a & ~b, ctx)
    assert asks(~(a & b), ctx) == asks(~a | ~b, ctx)


@settings(max_examples=300)
@given(POLICIES, CONTEXTS)
def test_double_negation_is_the_policy_itself(p: InputPolicy, ctx: TurnContext) -> None:
    assert ~~p == p
    assert asks(~p, ctx) != asks(p, ctx)


@settings(max_examples=300)
@given(POLICIES, POLICIES, POLICIES, CONTEXTS)
def test_or_and_and_are_associative_commutative_and_flattened(
    a: InputPolicy, b: InputPolicy, c: InputPolicy, ctx: TurnContext
) -> None:
    assert (a | b) | c == a | (b | c)
    assert (a & b) & c == a & (b & c)
    assert asks(a | b, ctx) == asks(b | a, ctx) == (asks(a, ctx) or asks(b, ctx))
    assert asks(a & b, ctx) == asks(b & a, ctx) == (asks(a, ctx) and asks(b, ctx))


@settings(max_examples=300)
@given(POLICIES, CONTEXTS)
def test_identities_and_the_can_ask_summary_are_sound(p: InputPolicy, ctx: TurnContext) -> None:
    assert asks(Never() | p, ctx) == asks(p, ctx) == asks(Always() & p, ctx)
    assert not asks(Never() & p, ctx)
    assert asks(Always() | p, ctx)
    if not p.can_ask:
        assert not asks(p, ctx)
    if p.always_asks:
        assert asks(p, ctx)


@settings(max_examples=200)
@given(POLICIES)
def test_a_policy_prints_as_an_expression_never_as_an_object(p: InputPolicy) -> None:
    assert "object at 0x" not in repr(p)


def test_flattening_and_reprs_read_as_written() -> None:
    assert ((Never() | Terminate()) | Always()).policies == (Never(), Terminate(), Always())  # type: ignore[attr-defined]
    assert repr(Terminate() | When(has_code)) == "Terminate() | When(has_code)"
    assert (
        repr((Terminate() | When(has_code)) & When(from_coder)) == "(Terminate() | When(has_code)) & When(from_coder)"
    )
    assert repr(~(Always() & When(from_coder))) == "~(Always() & When(from_coder))"
    assert repr(When(lambda ctx: True)) == "When(<lambda>)"
    assert has_code | Terminate() == When(has_code) | Terminate()
    assert Terminate() & has_code == Terminate() & When(has_code)


def test_policies_are_values_hashable_and_immutable() -> None:
    assert Terminate() == Terminate()
    assert When(has_code) == When(has_code)
    assert len({Terminate(), Terminate(), When(has_code), When(has_code)}) == 2
    with pytest.raises(AttributeError):
        When(has_code).predicate = from_coder  # type: ignore[misc]


def test_policies_and_decisions_have_no_truth_value() -> None:
    with pytest.raises(TypeError, match="has no truth value"):
        bool(Terminate())
    with pytest.raises(TypeError, match=r"read decision\.ask"):
        bool(Terminate().decide(TurnContext("x")))


def test_terminate_checks_the_limit_before_evaluating_the_termination_message() -> None:
    def explode(message: dict[str, object]) -> bool:
        raise AssertionError("evaluated")

    at_limit = TurnContext("x", auto_replies=3, auto_reply_limit=3, is_termination=explode)
    assert Terminate().decide(at_limit).reason == "auto-reply limit reached"


def test_a_predicate_that_raises_or_returns_a_non_bool_fails_closed() -> None:
    def broken(ctx: TurnContext) -> bool:
        raise KeyError("missing")

    with pytest.raises(PolicyError, match=r"When\(broken\) raised KeyError") as error:
        When(broken).decide(TurnContext("x"))
    assert isinstance(error.value.__cause__, KeyError)
    with pytest.raises(PolicyError, match="returned None"):
        When(lambda ctx: None).decide(TurnContext("x"))  # type: ignore[arg-type, return-value]


def test_a_raising_predicate_stops_a_real_chat_without_an_auto_reply() -> None:
    def broken(ctx: TurnContext) -> bool:
        raise RuntimeError("boom")

    transcript = run_chat(When(broken), ["hello", "more"], raises=False)
    assert isinstance(transcript.error, PolicyError)
    assert transcript.texts == ["Start.", "hello"], "nothing was sent after the message it could not decide"


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"human_input_mode": "SOMETIMES"}, ConfigurationError, "must be one of 'NEVER', 'TERMINATE' or 'ALWAYS'"),
        ({"policy": Never(), "human_input_mode": "NEVER"}, ConfigurationError, "both policy=Never()"),
        ({"policy": "NEVER"}, TypeError, "a mode string goes in human_input_mode="),
        ({"policy": lambda ctx: True}, TypeError, "policy must be an InputPolicy"),
        (
            {"limits": Limits(), "max_consecutive_auto_reply": 3},
            ConfigurationError,
            "set max_consecutive_auto_reply inside",
        ),
        ({"limits": 5}, TypeError, "limits must be a hitl.Limits"),
        ({"human_input": object()}, TypeError, "human_input must have an ask"),
    ],
)
def test_bad_proxy_arguments_are_clear_errors(kwargs: dict[str, object], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        PolicyUserProxy("user", code_execution_config=False, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("max_turns", 0),
        ("max_turns", -1),
        ("max_turns", 1.5),
        ("max_turns", "3"),
        ("max_turns", True),
        ("max_consecutive_auto_reply", -1),
        ("max_consecutive_auto_reply", False),
        ("max_consecutive_auto_reply", 2.0),
    ],
)
def test_limits_out_of_range_name_the_field(field: str, value: object) -> None:
    with pytest.raises(pydantic.ValidationError) as error:
        Limits(**{field: value})  # type: ignore[arg-type]
    assert field in str(error.value)
    with pytest.raises(pydantic.ValidationError, match="Extra inputs"):
        Limits(max_turn=3)  # type: ignore[call-arg]


def test_limits_given_as_a_dict_are_validated_too() -> None:
    assert PolicyUserProxy("u", limits={"max_turns": 4}, code_execution_config=False).limits == Limits(max_turns=4)
    with pytest.raises(pydantic.ValidationError, match="max_turns"):
        PolicyUserProxy("u", limits={"max_turns": 0}, code_execution_config=False)
