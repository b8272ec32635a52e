"""Conditions combine into conditions, and with a policy into a policy; plain predicates work on either side."""

from __future__ import annotations

from typing_extensions import assert_type

from hitl import InputPolicy, Terminate, TurnContext, When
from hitl.core.conditions import (
    Condition,
    HasToolCall,
    Keyword,
    asks_question,
    condition,
    has_code_block,
    has_tool_call,
)


def from_coder(ctx: TurnContext) -> bool:
    return ctx.sender == "coder"


def conditions_combine_into_conditions() -> None:
    assert_type(has_code_block | HasToolCall("x"), Condition)
    assert_type(has_code_block & asks_question, Condition)
    assert_type(~Keyword(), Condition)
    assert_type(~~Keyword(), Condition)
    assert_type(has_code_block | asks_question & ~Keyword("DONE"), Condition)
    assert_type(condition(from_coder, name="from_coder"), Condition)


def a_policy_on_either_side_makes_a_policy() -> None:
    assert_type(Terminate() | has_code_block, InputPolicy)
    assert_type(has_code_block | Terminate(), InputPolicy)
    assert_type(Terminate() & ~has_tool_call, InputPolicy)
    assert_type(has_code_block & When(from_coder), InputPolicy)
    assert_type(~(Terminate() | has_code_block), InputPolicy)


def a_predicate_on_either_side_makes_a_condition() -> None:
    assert_type(from_coder | has_code_block, Condition)
    assert_type(has_code_block | from_coder, Condition)
    assert_type(from_coder & has_code_block, Condition)
    assert_type(has_code_block & (lambda ctx: ctx.turn > 3), Condition)


def a_users_helper_declared_as_a_condition() -> Condition:
    return has_code_block | HasToolCall("deploy_*") & ~Keyword()


def a_condition_is_a_predicate_and_a_termination_check() -> None:
    assert_type(has_code_block(TurnContext("x")), bool)
    assert_type(Keyword()({"content": "TERMINATE"}), bool)
    When(has_code_block)
