"""Conditions: one algebra for When(...) and for termination; none of them ever raises on a message."""

from __future__ import annotations

from typing import Any

import autogen
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hitl import ConfigurationError, InputPolicy, Never, PolicyError, PolicyUserProxy, Terminate, TurnContext, When
from hitl.core.code import code_blocks
from hitl.core.conditions import (
    AfterAutoReplies,
    AnyCondition,
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
    condition,
    has_code_block,
    has_tool_call,
)
from hitl.testing import ScriptedAssistant, quiet, run_chat, tool_call
from tests.factories import compositions

BUILT_INS: list[Condition] = [
    has_code_block,
    HasCodeBlock("python"),
    HasCodeBlock("sh"),
    has_tool_call,
    HasToolCall("run_*"),
    Contains("error"),
    Contains("err", whole_word=True, case_sensitive=True),
    Matches(r"exitcode: [1-9]"),
    asks_question,
    EveryNth(2),
    AfterAutoReplies(2),
    FromSender("coder"),
    LongerThan(10),
    Keyword(),
    Keyword(at_end=True),
    Keyword("DONE", whole_word=True, case_sensitive=False),
]
MESSAGE_ONLY = [c for c in BUILT_INS if not isinstance(c, (EveryNth, AfterAutoReplies))]

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=10,
)
MESSAGES = st.one_of(
    st.dictionaries(
        st.sampled_from(["content", "tool_calls", "function_call", "name", "role", "tool_responses", "x"]),
        JSON,
        max_size=5,
    ),
    st.builds(lambda text: {"content": text}, st.text(alphabet="TERMINATE?`\n pyhonsh.!", max_size=60)),
    st.builds(lambda parts: {"content": parts}, st.lists(st.dictionaries(st.sampled_from(["type", "text"]), JSON))),
    JSON,
)
TREES = compositions(st.sampled_from(BUILT_INS), max_leaves=6)


@settings(max_examples=500)
@given(TREES, MESSAGES)
def test_no_condition_raises_on_any_message_and_each_returns_a_bool(cond: Condition, message: Any) -> None:
    assert cond(message) in (True, False)


@settings(max_examples=300)
@given(TREES, TREES, MESSAGES)
def test_de_morgan_double_negation_and_flattening(a: Condition, b: Condition, message: Any) -> None:
    assert (~(a | b))(message) == (~a & ~b)(message)
    assert (~(a & b))(message) == (~a | ~b)(message)
    assert ~~a == a

    def operands(c: Condition) -> tuple[Condition, ...]:
        return c.operands if isinstance(c, AnyCondition) else (c,)

    combined = (a | b) | a
    assert isinstance(combined, AnyCondition)
    assert combined.operands == (*operands(a), *operands(b), *operands(a))


@settings(max_examples=300)
@given(st.sampled_from(MESSAGE_ONLY), MESSAGES)
def test_a_condition_decides_the_same_in_when_and_as_is_termination_msg(cond: Condition, message: Any) -> None:
    if not isinstance(message, dict):
        return
    ctx = TurnContext(message, sender=message.get("name") if isinstance(message.get("name"), str) else None)
    assert When(cond).decide(ctx).ask == cond(message)


@pytest.mark.parametrize(
    ("cond", "message", "expected"),
    [
        (Keyword(), {"content": "done. TERMINATE"}, True),
        (Keyword(), {"content": None, "tool_calls": []}, False),
        (Keyword(), {}, False),
        (Keyword(whole_word=True), {"content": "TERMINATED"}, False),
        (Keyword(at_end=True), {"content": "All done. TERMINATE."}, True),
        (Keyword(at_end=True), {"content": "Say TERMINATE when done."}, False),
        (Keyword("done", case_sensitive=False), {"content": "DONE"}, True),
        (Keyword(), {"content": [{"type": "text", "text": "ok TERMINATE"}, {"type": "image_url"}]}, True),
        (has_code_block, {"content": "```\nls\n```"}, True),
        (HasCodeBlock("python"), {"content": "```\nls\n```"}, False),
        (HasCodeBlock("sh"), {"content": "```bash\nls\n```"}, True),
        (HasCodeBlock("python"), {"content": "```py\nx = 1\n```"}, True),
        (asks_question, {"content": "```python\nx = a ? b : c\n```"}, False),
        (asks_question, {"content": "Shall I go on?"}, True),
        (asks_question, {"content": "Done. No questions."}, False),
        (HasToolCall("run_*"), tool_call("run_sql"), True),
        (HasToolCall("run_*"), tool_call("send_mail"), False),
        (has_tool_call, {"content": None, "function_call": {"name": "f"}}, True),
        (has_tool_call, {"content": None, "tool_calls": [{"id": "1"}]}, True),
        (Contains("error"), {"content": "An ERROR"}, True),
        (Contains("err", whole_word=True), {"content": "an error"}, False),
        (Matches(r"exitcode: [1-9]"), {"content": "exitcode: 0"}, False),
        (FromSender("coder"), {"content": "x", "name": "coder"}, True),
        (LongerThan(3), {"content": "four"}, True),
    ],
)
def test_built_in_conditions_on_representative_messages(
    cond: Condition, message: dict[str, Any], expected: bool
) -> None:
    assert cond(message) is expected


def test_code_blocks_are_found_with_their_language() -> None:
    assert code_blocks("a\n```python\nprint(1)\n```\nb\n```\nls\n```") == [("python", "print(1)"), ("", "ls")]


def test_conditions_print_as_written_and_compose_with_policies() -> None:
    assert repr(Terminate() | When(has_code_block)) == "Terminate() | When(has_code_block)"
    assert has_code_block | Terminate() == When(has_code_block) | Terminate()
    assert repr(has_code_block | asks_question & ~Keyword()) == "has_code_block | asks_question & ~Keyword('TERMINATE')"
    assert (
        repr((has_code_block | asks_question) & FromSender("a")) == "(has_code_block | asks_question) & FromSender('a')"
    )
    assert isinstance(has_code_block & asks_question, Condition)
    assert Contains("x") == Contains("x")
    assert len({Contains("x"), Contains("x"), Keyword()}) == 2
    with pytest.raises(TypeError, match="no truth value"):
        bool(has_code_block)


@pytest.mark.parametrize("cond", [has_code_block, HasToolCall("run_*"), ~Keyword(), has_code_block & asks_question])
def test_combining_gives_what_the_operators_are_typed_to_give(cond: Condition) -> None:
    """tests/typing pins the types; this, that Python builds the same at run time."""

    def from_coder(ctx: TurnContext) -> bool:
        return ctx.sender == "coder"

    for combined in (cond | asks_question, cond & asks_question, ~cond, from_coder | cond, cond & from_coder):
        assert isinstance(combined, Condition)
    for policy in (Terminate(), When(from_coder)):
        for mixed in (cond | policy, policy | cond, cond & policy, policy & cond):
            assert isinstance(mixed, InputPolicy)
    for bad in ("TERMINATE", 1, None):
        with pytest.raises(TypeError, match="unsupported operand"):
            cond | bad  # type: ignore[operator]
        with pytest.raises(TypeError, match="unsupported operand"):
            bad & cond  # type: ignore[operator]


def test_a_wrapped_function_fails_closed() -> None:
    broken = condition(lambda ctx: ctx.message["missing"], name="broken")
    with pytest.raises(PolicyError, match="broken raised KeyError") as error:
        broken({"content": "x"})
    assert isinstance(error.value.__cause__, KeyError)
    with pytest.raises(PolicyError, match="not a bool"):
        condition(lambda ctx: "yes")({"content": "x"})  # type: ignore[arg-type, return-value]


SCRIPT: list[Any] = ["working", tool_call("lookup", call_id="c1"), "step 3 TERMINATE", "never"]


@pytest.mark.parametrize("cond", [Keyword(), Keyword(at_end=True), Contains("step 3"), has_tool_call])
def test_a_condition_stops_a_proxy_and_a_plain_autogen_agent_at_the_same_message(cond: Condition) -> None:
    expected = next(
        n for n, message in enumerate(SCRIPT) if cond(message if isinstance(message, dict) else {"content": message})
    )
    ours = run_chat(Never(), SCRIPT, is_termination_msg=cond, limits={"max_consecutive_auto_reply": 10})
    native = autogen.UserProxyAgent(
        "user", human_input_mode="NEVER", is_termination_msg=cond, code_execution_config=False
    )
    with quiet():
        result = native.initiate_chat(
            ScriptedAssistant("assistant", SCRIPT, on_exhausted="stop"), message="Start.", silent=True
        )
    assert ours.messages == result.chat_history
    assert len(ours.messages) == 2 * expected + 2


def test_history_conditions_terminate_inside_the_proxy_with_the_whole_context() -> None:
    transcript = run_chat(Never(), ["a", "b", "c", "d", "e"], is_termination_msg=EveryNth(3) | AfterAutoReplies(10))
    assert transcript.texts[-1] == "c"
    transcript = run_chat(Terminate(), ["a", "b", "c", "d"], answers=[""], is_termination_msg=AfterAutoReplies(2))
    assert transcript.texts[-1] == "c"
    assert transcript.stop_reason.startswith("Termination message condition")


def test_conditions_reject_bad_arguments() -> None:
    with pytest.raises(ValueError, match="not a valid regular expression"):
        Matches("(")
    with pytest.raises(ValueError, match=">= 1"):
        EveryNth(0)
    with pytest.raises(TypeError, match="agent names"):
        FromSender()
    with pytest.raises(TypeError, match="non-empty string"):
        Keyword("")
    with pytest.raises(ConfigurationError, match="empty language name"):
        HasCodeBlock("")
    with pytest.raises(TypeError, match="language names"):
        HasCodeBlock(3)  # type: ignore[arg-type]


def test_policy_user_proxy_accepts_a_condition_as_its_termination_check() -> None:
    proxy = PolicyUserProxy("u", policy=Never(), is_termination_msg=Keyword(), code_execution_config=False)
    assert proxy._is_termination_msg == Keyword()


def test_a_regex_nested_deeper_than_python_compiles_is_a_clear_error() -> None:
    from hitl.core.spec import parse_policy

    deep = "(" * 600 + ")" * 600
    with pytest.raises(ValueError, match="nests its groups deeper"):
        Matches(deep)
    with pytest.raises(ConfigurationError, match="nests its groups deeper"):
        parse_policy(f'matches("{deep}")')
