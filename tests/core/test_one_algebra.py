"""One algebra for policies and conditions: the same operators, flattening, reprs, negation and errors."""

from __future__ import annotations

import copy
import pickle
import re
import subprocess
import sys
import textwrap
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hitl import AllOf, Always, AnyOf, InputPolicy, Never, Not, PolicyError, Terminate, TurnContext, When
from hitl.core import algebra, condition_library, conditions, decisions, policies
from hitl.core.conditions import (
    AllConditions,
    AnyCondition,
    Condition,
    FromSender,
    Keyword,
    NotCondition,
    asks_question,
    has_code_block,
)
from tests.factories import make_ctx

LEAVES: list[Condition] = [has_code_block, asks_question, Keyword(), FromSender("coder")]
#: An expression over the leaves: a leaf's index, ("~", e), or ("|" or "&", e, e).
Tree = int | tuple[Any, ...]
TREES: st.SearchStrategy[Tree] = st.recursive(
    st.integers(0, len(LEAVES) - 1),
    lambda inner: st.tuples(st.just("~"), inner) | st.tuples(st.sampled_from("|&"), inner, inner),
    max_leaves=8,
)
CONTEXTS = st.builds(
    make_ctx,
    st.sampled_from(["hi", "Shall I?", "```python\nx\n```", "done TERMINATE", "what? TERMINATE"]),
    sender=st.sampled_from(["coder", "reviewer"]),
)


def build(tree: Tree, leaf: Any) -> Any:
    """Build ``tree`` with the operators, each leaf made by ``leaf``."""
    if isinstance(tree, int):
        return leaf(LEAVES[tree])
    if tree[0] == "~":
        return ~build(tree[1], leaf)
    left, right = build(tree[1], leaf), build(tree[2], leaf)
    return left | right if tree[0] == "|" else left & right


def as_policy_repr(condition_repr: str) -> str:
    """What the same expression prints as when each leaf is a ``When(leaf)`` policy."""
    names = "|".join(re.escape(repr(leaf)) for leaf in LEAVES)
    return re.sub(names, lambda match: f"When({match.group(0)})", condition_repr)


@settings(max_examples=300)
@given(TREES, CONTEXTS)
def test_the_same_expression_over_conditions_and_over_policies_reads_and_decides_alike(
    tree: Tree, ctx: TurnContext
) -> None:
    cond: Condition = build(tree, lambda leaf: leaf)
    policy: InputPolicy = build(tree, When)
    assert repr(policy) == as_policy_repr(repr(cond))
    assert policy.decide(ctx).ask is cond(ctx)
    assert When(cond).decide(ctx).ask is cond(ctx)
    assert ~~policy == policy
    assert ~~cond == cond
    for composite, parts in ((cond, "operands"), (policy, "policies")):
        if isinstance(composite, (AnyCondition, AnyOf)):
            assert not any(isinstance(part, type(composite)) for part in getattr(composite, parts)), "flattened"


def test_both_kinds_share_one_implementation_of_the_algebra() -> None:
    for composite, machinery in [
        (AnyOf, algebra.Either),
        (AnyCondition, algebra.Either),
        (AllOf, algebra.Both),
        (AllConditions, algebra.Both),
        (Not, algebra.Negation),
        (NotCondition, algebra.Negation),
    ]:
        assert issubclass(composite, machinery)
    assert issubclass(InputPolicy, algebra.Operand)
    assert issubclass(Condition, algebra.Operand)
    for operator in ("__or__", "__ror__", "__and__", "__rand__", "__invert__", "__bool__"):
        assert getattr(InputPolicy, operator) is getattr(Condition, operator) is getattr(algebra.Operand, operator)
    for name in ("__repr__", "__init__"):
        assert getattr(AllOf, name) is getattr(AnyCondition, name) is getattr(algebra.Junction, name)
    for name in ("__repr__", "__invert__", "__post_init__"):
        assert getattr(Not, name) is getattr(NotCondition, name) is getattr(algebra.Negation, name)


def test_the_composites_are_instances_of_their_kind_and_values() -> None:
    policy = (Terminate() | When(has_code_block)) & ~Always()
    cond = (has_code_block | asks_question) & ~Keyword()
    assert isinstance(policy, InputPolicy)
    assert isinstance(cond, Condition)
    assert isinstance(~Never(), InputPolicy)
    assert isinstance(~has_code_block, Condition)
    for value in (policy, cond, AnyOf(), AllConditions(), ~policy, ~cond):
        assert pickle.loads(pickle.dumps(value)) == value
        assert copy.deepcopy(value) == value
        assert hash(copy.copy(value)) == hash(value)
        assert not hasattr(value, "__dict__")
    empty: list[object] = [AnyOf(), AllOf(), AnyCondition(), AllConditions()]
    assert len(set(empty)) == 4, "a composite equals only its own class"
    assert AnyCondition(has_code_block) == has_code_block | AnyCondition()


def test_empty_composites_print_their_class_and_hold_their_identity() -> None:
    ctx = TurnContext("x")
    assert [repr(c) for c in (AnyOf(), AllOf(), AnyCondition(), AllConditions())] == [
        "AnyOf()",
        "AllOf()",
        "AnyCondition()",
        "AllConditions()",
    ]
    assert repr(~AnyOf()) == "~(AnyOf())"
    assert repr(~AllConditions()) == "~(AllConditions())"
    assert (AnyOf().decide(ctx).ask, AllOf().decide(ctx).ask) == (False, True)
    assert (AnyCondition()(ctx), AllConditions()(ctx)) == (False, True)
    assert AnyCondition().explain(ctx) == "AnyCondition() does not hold"
    assert AllConditions().explain(ctx) == "AllConditions() holds"


def test_composites_take_only_their_own_kind() -> None:
    with pytest.raises(TypeError, match=re.escape("AnyOf() takes InputPolicy operands (got has_code_block)")):
        AnyOf(Terminate(), has_code_block)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=re.escape("AllConditions() takes Condition operands (got Terminate())")):
        AllConditions(Terminate())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=re.escape("Not() takes an InputPolicy (got has_code_block)")):
        Not(has_code_block)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=re.escape("NotCondition() takes a Condition (got Terminate())")):
        NotCondition(Terminate())  # type: ignore[arg-type]


def test_neither_kind_has_a_truth_value_and_each_says_how_to_combine_it() -> None:
    with pytest.raises(TypeError, match=r"^Terminate\(\) \| Never\(\) has no truth value: combine policies with \|"):
        bool(Terminate() | Never())
    with pytest.raises(TypeError, match=r"combine conditions with .*, and call it with a message to test it$"):
        bool(has_code_block & asks_question)


def test_a_wrapped_predicate_fails_closed_naming_its_wrapper() -> None:
    ctx = TurnContext("x")
    with pytest.raises(PolicyError, match=r"^When\(<lambda>\) raised ZeroDivisionError while deciding on TurnCont"):
        When(lambda ctx: 1 // 0 == 0).decide(ctx)
    with pytest.raises(PolicyError, match=r"^<lambda> raised ZeroDivisionError on TurnContext\("):
        conditions.condition(lambda ctx: 1 // 0 == 0)(ctx)

    def one(ctx: TurnContext) -> bool:
        return 1  # type: ignore[return-value]

    with pytest.raises(PolicyError, match=r"^When\(one\) returned 1 \(int\), not a bool"):
        When(one).decide(ctx)


def test_the_library_offered_by_the_conditions_module_is_the_library_itself() -> None:
    for name in condition_library.__all__:
        assert getattr(conditions, name) is getattr(condition_library, name), name
        assert name in conditions.__all__
        assert name in dir(conditions)
    assert conditions.known_language is condition_library.known_language
    assert policies.Decision is decisions.Decision
    assert policies.merge is decisions.merge
    with pytest.raises(AttributeError, match="has no attribute 'HasCode'"):
        getattr(conditions, "HasCode")  # noqa: B009 - a name it does not offer


@pytest.mark.parametrize("first", ["hitl.core.condition_library", "hitl.core.conditions", "hitl.core.decisions"])
def test_each_module_can_be_imported_first(first: str) -> None:
    script = textwrap.dedent(
        f"""
        import {first}
        from hitl.core.conditions import Keyword, has_code_block
        from hitl.core.policies import Terminate
        print(repr((Keyword() | has_code_block) & ~has_code_block | Terminate()))
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "When((Keyword('TERMINATE') | has_code_block) & ~has_code_block) | Terminate()"
