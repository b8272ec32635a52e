"""explain() composes reasons: a composed policy names each part that decided, and a composed condition the
parts that held."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from hitl import Always, ApproveCode, ApproveTools, InputPolicy, Never, Terminate, TurnContext, When
from hitl.core.conditions import Contains, FromSender, asks_question, has_code_block

CODE = "```python\nprint(1)\n```"


def test_a_composed_condition_names_the_part_that_held() -> None:
    policy = When(has_code_block | Contains("error"))
    assert (
        policy.explain(TurnContext("an error"))
        == "ask: When(has_code_block | Contains('error')): Contains('error') holds"
    )
    assert policy.explain(TurnContext("fine")) == (
        "do not ask: When(has_code_block | Contains('error')): has_code_block does not hold "
        "and Contains('error') does not hold"
    )
    both = When(Contains("deploy") & asks_question)
    assert both.explain(TurnContext("deploy now.")).endswith(": asks_question does not hold")


def test_a_composed_policy_names_every_part_that_asked() -> None:
    policy = Terminate() | ApproveCode()
    assert policy.explain(TurnContext(CODE, is_termination=True)) == (
        "ask: Terminate(): termination message; ApproveCode(): code awaiting approval (python, 1 line)"
    )
    nested = Terminate() | When(asks_question) & ~When(FromSender("tester"))
    assert nested.explain(TurnContext("Shall I go on?", sender="bot")) == (
        "ask: When(asks_question): asks_question holds; "
        "~When(FromSender('tester')): not (When(FromSender('tester')): FromSender('tester') does not hold)"
    )


def test_a_declining_composition_names_each_part_not_only_the_last() -> None:
    policy = Terminate() | When(has_code_block) | ApproveTools("deploy")
    assert policy.explain(TurnContext("hello")) == (
        "do not ask: Terminate(): no termination message and under the auto-reply limit; "
        "When(has_code_block): has_code_block does not hold; ApproveTools('deploy'): no tool call awaiting approval"
    )
    vetoed = When(asks_question) & When(FromSender("tester"))
    assert vetoed.explain(TurnContext("Ready?", sender="bot")) == (
        "do not ask: When(FromSender('tester')): FromSender('tester') does not hold"
    )


ATOMS: list[InputPolicy] = [
    Never(),
    Always(),
    Terminate(),
    When(has_code_block),
    When(asks_question | Contains("error")),
    When(lambda ctx: len(ctx.text) > 10),
    ApproveCode(),
]


def compositions() -> st.SearchStrategy[InputPolicy]:
    return st.recursive(
        st.sampled_from(ATOMS),
        lambda inner: st.one_of(
            st.tuples(inner, inner).map(lambda p: p[0] | p[1]),
            st.tuples(inner, inner).map(lambda p: p[0] & p[1]),
            inner.map(lambda p: ~p),
        ),
        max_leaves=6,
    )


@settings(max_examples=300, deadline=None)
@given(
    compositions(),
    st.sampled_from(["hello", "Shall I?", "an error here", CODE, "x" * 20]),
    st.booleans(),
)
def test_explain_agrees_with_decide_and_gives_a_reason_for_each_part(
    policy: InputPolicy, text: str, termination: bool
) -> None:
    ctx = TurnContext(text, is_termination=termination)
    explanation = policy.explain(ctx)
    assert explanation.startswith("ask: " if policy.decide(ctx).ask else "do not ask: ")
    reasons = policy.reasons(ctx)
    assert reasons
    assert all(": " in reason for reason in reasons)


def test_a_policy_that_always_asks_is_asked_and_stops_as_always_does(enter: Any) -> None:
    """~Never() reports mode ALWAYS, so it asks with the ALWAYS prompt and stops with its wording."""
    from hitl import PolicyUserProxy
    from hitl.testing import ScriptedAssistant, quiet

    stops = []
    for policy in (Always(), ~Never()):
        proxy = PolicyUserProxy("user", policy=policy, human_input=enter, code_execution_config=False)
        assert proxy.human_input_mode == "ALWAYS"
        with quiet():
            proxy.initiate_chat(ScriptedAssistant("assistant", ["working", "TERMINATE"]), message="go", max_turns=3)
        stops.append([(record.outcome, record.stop_reason) for record in proxy.decisions])
    assert len(set(enter.prompts)) == 1, enter.prompts
    assert enter.prompts[0].startswith("Replying as user. Provide feedback to assistant.")
    assert stops[0] == stops[1]
