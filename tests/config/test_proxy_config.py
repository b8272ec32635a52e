"""One validated configuration for a whole proxy: build, dump, round trip, files, schema, and the lesson's rules."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import pydantic
import pytest

from hitl import (
    Always,
    ConfigurationError,
    FirstMatch,
    Keyword,
    Limits,
    Never,
    PolicyUserProxy,
    QueueInput,
    ScriptedInput,
    Terminate,
    TimeoutInput,
    TurnContext,
    When,
)
from hitl.adapters.autogen.proxy import settings_of
from hitl.config import ConfigWarning, ProxyConfig, json_schema, load_config
from hitl.core.conditions import AfterAutoReplies, HasCodeBlock, asks_question, has_code_block

FULL: dict[str, Any] = {
    "version": 1,
    "name": "reviewer",
    "system_message": "",
    "description": "Reviews code.",
    "policy": "terminate | code(python) & ~question",
    "limits": {"max_consecutive_auto_reply": 5, "max_turns": 12},
    "termination": {"kind": "keyword", "word": "DONE", "at_end": True, "whole_word": False, "case_sensitive": True},
    "auto_reply": {
        "kind": "rules",
        "rules": [{"when": "question", "reply": "Use your best judgment."}, {"when": "after(3)", "reply": None}],
        "default": "Go on.",
    },
    "human_input": {"kind": "queue", "conversation": "c1", "timeout": {"seconds": 30, "default": ""}},
    "code_execution": {"work_dir": "out", "timeout": 10, "use_docker": False, "acknowledge_local_execution": True},
}


def validate(data: dict[str, Any]) -> ProxyConfig:
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConfigWarning)
        return ProxyConfig.model_validate(data)


def test_a_config_builds_the_proxy_it_describes() -> None:
    proxy = validate(FULL).build()
    assert proxy.name == "reviewer"
    assert proxy.policy == Terminate() | When(HasCodeBlock("python")) & ~When(asks_question)
    assert proxy.limits == Limits(max_consecutive_auto_reply=5, max_turns=12)
    assert settings_of(proxy).termination == Keyword("DONE", at_end=True)
    assert isinstance(proxy.auto_reply_strategy, FirstMatch)
    assert isinstance(proxy.human_input, TimeoutInput)
    assert isinstance(proxy.human_input.inner, QueueInput)
    execution = settings_of(proxy).code_execution_config
    assert execution is not False
    assert execution["work_dir"] == "out"
    assert proxy.description == "Reviews code."


@pytest.mark.parametrize(
    "data",
    [
        FULL,
        {"name": "a"},
        {"name": "a", "policy": "never", "termination": "keyword | after(8)", "auto_reply": "Please continue."},
        {"name": "a", "policy": "always", "human_input": {"kind": "scripted", "answers": ["", "exit"]}},
        {"name": "a", "policy": "never", "termination": {"kind": "regex", "pattern": "(?i)all done"}},
        {"name": "a", "human_input": {"on_eof": "", "allow_non_interactive": True, "timeout": {"seconds": 1.5}}},
    ],
    ids=["full", "minimal", "shorthands", "scripted", "regex", "console-options"],
)
def test_round_trip_keeps_every_field(data: dict[str, Any]) -> None:
    config = validate(data)
    assert ProxyConfig.of(config.build()) == config
    assert validate(json.loads(config.model_dump_json())) == config


def test_a_running_proxy_dumps_to_a_config_that_builds_an_equal_proxy() -> None:
    proxy = PolicyUserProxy(
        "user",
        policy=Terminate() | When(has_code_block),
        limits=Limits(max_turns=3),
        is_termination_msg=Keyword() | AfterAutoReplies(4),
        human_input=ScriptedInput(["", "exit"]),
        default_auto_reply="Continue.",
        code_execution_config=False,
    )
    config = proxy.to_config()
    assert config.model_dump()["policy"] == "terminate | code"
    assert config.policy == Terminate() | When(has_code_block)
    assert config.termination is not None
    assert config.model_dump()["termination"] == {"kind": "condition", "expression": "keyword(TERMINATE) | after(4)"}
    rebuilt = PolicyUserProxy.from_config(config)
    assert rebuilt.policy == proxy.policy
    assert rebuilt.to_config() == config


def test_parts_set_in_code_have_no_config_form_and_say_so() -> None:
    with pytest.raises(ConfigurationError, match="function of your own"):
        PolicyUserProxy("u", policy=When(lambda ctx: True), code_execution_config=False).to_config()
    with pytest.raises(ConfigurationError, match=r"is_termination_msg=.*no configuration form"):
        PolicyUserProxy("u", is_termination_msg=lambda m: True, code_execution_config=False).to_config()
    executor = {"executor": "commandline-local", "commandline-local": {"timeout": 5}}
    with pytest.raises(ConfigurationError, match=r"\['commandline-local', 'executor'\], which have no configuration"):
        PolicyUserProxy("u", policy=Never(), code_execution_config=executor).to_config()
    with pytest.raises(ConfigurationError, match="code_execution_config of 'u' has no configuration form"):
        PolicyUserProxy("u", policy=Never(), code_execution_config={"timeout": -1, "use_docker": False}).to_config()


@pytest.mark.parametrize(
    "native",
    [
        {"use_docker": False},  # AutoGen's own work_dir and timeout
        {"work_dir": "", "timeout": 5, "use_docker": False},  # "" is the current directory to AutoGen
        {"work_dir": "out", "use_docker": False, "last_n_messages": 2},
    ],
)
def test_code_execution_set_in_code_round_trips_unchanged(native: dict[str, Any]) -> None:
    proxy = PolicyUserProxy("u", policy=Terminate(), code_execution_config=dict(native))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConfigWarning)
        rebuilt = PolicyUserProxy.from_config(proxy.to_config())
    expected = {"work_dir": None, "timeout": None, "last_n_messages": "auto", **native}
    execution = settings_of(rebuilt).code_execution_config
    assert execution is not False
    assert {key: execution.get(key) for key in expected} == expected


def test_json_and_yaml_files_load(tmp_path: Path) -> None:
    json_file = tmp_path / "proxy.json"
    json_file.write_text(json.dumps(FULL), encoding="utf-8")
    yaml_file = tmp_path / "proxy.yaml"
    yaml_file.write_text(
        "name: reviewer\npolicy: terminate | code\nlimits:\n  max_consecutive_auto_reply: 3\n"
        "termination: keyword(TERMINATE)\n",
        encoding="utf-8",
    )
    assert load_config(json_file) == validate(FULL)
    config = load_config(yaml_file)
    assert config.model_dump()["policy"] == "terminate | code"
    assert config.policy == Terminate() | When(has_code_block)
    assert PolicyUserProxy.from_config(yaml_file).limits.max_consecutive_auto_reply == 3
    with pytest.raises(ConfigurationError, match=r"\.json, \.yaml or \.yml"):
        load_config(tmp_path / "proxy.toml")


def test_yaml_is_read_safely(tmp_path: Path) -> None:
    unsafe = tmp_path / "unsafe.yaml"
    unsafe.write_text("name: !!python/object/apply:os.system ['echo pwned']\n", encoding="utf-8")
    with pytest.raises(Exception, match="python/object/apply"):
        load_config(unsafe)


def test_the_json_schema_describes_every_field_and_forbids_others() -> None:
    schema = json_schema()
    assert schema["title"] == "ProxyConfig"
    assert set(schema["properties"]) == set(ProxyConfig.model_fields)
    assert schema["additionalProperties"] is False
    assert "name" in schema["required"]


# -- the lesson's rules --------------------------------------------------------------------------------------------


def test_never_without_termination_warns_that_it_runs_to_the_limit() -> None:
    with pytest.warns(ConfigWarning) as caught:
        ProxyConfig.model_validate({"name": "batch", "policy": "never", "limits": {"max_consecutive_auto_reply": 10}})
    message = str(caught[0].message)
    assert "never asks a human and there is no termination condition" in message
    assert "runs until its limit (10)" in message
    assert "Set termination" in message
    assert caught[0].filename == __file__, "the warning points at the user's line"


def test_never_without_termination_or_limit_is_an_unbounded_error() -> None:
    with pytest.raises(pydantic.ValidationError) as error:
        ProxyConfig.model_validate({"name": "batch", "policy": "never"})
    assert "nothing you chose bounds the chat" in str(error.value)
    assert "limits.max_consecutive_auto_reply or limits.max_turns" in str(error.value)


def test_a_policy_that_can_ask_or_a_termination_condition_needs_no_warning() -> None:
    validate({"name": "a", "policy": "terminate"})
    validate({"name": "a", "policy": "never", "termination": "keyword"})
    validate({"name": "a", "policy": "~always", "termination": "keyword"})
    with pytest.warns(ConfigWarning):
        ProxyConfig.model_validate({"name": "a", "policy": "~always", "limits": {"max_turns": 4}})


def test_local_code_execution_warns_about_the_risk_unless_acknowledged() -> None:
    with pytest.warns(ConfigWarning, match="runs on this machine with your permissions") as caught:
        ProxyConfig.model_validate({"name": "a", "code_execution": {"use_docker": False}})
    assert "acknowledge_local_execution" in str(caught[0].message)
    assert caught[0].filename == __file__
    validate({"name": "a", "code_execution": {"use_docker": False, "acknowledge_local_execution": True}})


@pytest.mark.parametrize(
    ("data", "location", "message"),
    [
        ({"name": "a", "polcy": "never"}, "polcy", "Extra inputs are not permitted"),
        ({"name": "a", "limits": {"max_turn": 3}}, "limits.max_turn", "Extra inputs are not permitted"),
        ({"name": "a", "limits": {"max_turns": "3"}}, "limits.max_turns", "must be an int >= 1"),
        ({"name": "a", "limits": {"max_turns": 0}}, "limits.max_turns", "use None for no limit"),
        ({"name": "a", "policy": "terminate | sometimes"}, "policy", "unknown policy name 'sometimes'"),
        ({"name": "a", "termination": "always"}, "termination.condition.expression", "are policies, not conditions"),
        ({"name": "a", "termination": {"kind": "words"}}, "termination", "does not match any of the expected tags"),
        ({"name": "a", "code_execution": {"timeout": 0}}, "code_execution.timeout", "greater than 0"),
        ({"name": "a", "code_execution": {"timeout": 1.5}}, "code_execution.timeout", "valid integer"),
        ({"name": "a", "code_execution": {"use_docker": ""}}, "code_execution.use_docker", "an image name"),
        ({"name": "a", "code_execution": {"use_docker": []}}, "code_execution.use_docker", "an image name"),
        ({"name": "a", "code_execution": {"timeout": 5, "work_dr": "x"}}, "code_execution.work_dr", "Extra inputs"),
        ({"name": "a", "policy": "code()"}, "policy", "code() has an empty value"),
        ({"name": "a", "termination": "every(0)"}, "termination.condition.expression", "every(0): EveryNth()"),
        ({"name": "a", "human_input": {"kind": "scripted"}}, "human_input.answers", "kind 'scripted' needs answers"),
        (
            {"name": "a", "human_input": {"kind": "queue", "on_eof": ""}},
            "human_input.on_eof",
            "goes with kind 'console', not with kind 'queue': set kind: console, or leave it out",
        ),
        (
            {"name": "a", "human_input": {"timeout": {"seconds": 0}}},
            "human_input.console.timeout.seconds",
            "greater than 0",
        ),
        ({"name": "a", "auto_reply": {"kind": "rules", "rules": [{"when": "x", "reply": "y"}]}}, "when", "unknown"),
        ({"name": "a", "version": 2}, "version", "Input should be 1"),
        ({"policy": "never"}, "name", "Field required"),
    ],
)
def test_every_invalid_config_names_the_field_and_the_fix(data: dict[str, Any], location: str, message: str) -> None:
    with pytest.raises(pydantic.ValidationError) as error:
        validate(data)
    text = str(error.value)
    assert location in text
    assert message in text


# -- which limit binds first ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("max_turns", "auto_replies", "replies"), [(3, 15, 3), (20, 2, 3), (4, 3, 4), (5, 3, 4)])
def test_the_smaller_limit_binds_first(max_turns: int, auto_replies: int, replies: int) -> None:
    from hitl.testing import run_chat

    transcript = run_chat(
        Never(),
        ["fact"] * 30,
        limits=Limits(max_turns=max_turns, max_consecutive_auto_reply=auto_replies),
    )
    sent = sum(1 for message in transcript.messages if message.get("name") == "assistant")
    assert sent == replies == min(max_turns, auto_replies + 1)


def test_always_ignores_the_auto_reply_limit_but_not_max_turns() -> None:
    from hitl.testing import run_chat

    transcript = run_chat(
        Always(), ["x"] * 10, answers=[""] * 10, limits=Limits(max_consecutive_auto_reply=1, max_turns=4)
    )
    assert transcript.stop_reason == "max turns reached"


# -- text forms round-trip for any composition ------------------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from hitl.core.approval import ApproveCode, ApproveTools  # noqa: E402
from hitl.core.conditions import Contains, EveryNth, FromSender, HasToolCall, LongerThan  # noqa: E402
from hitl.core.policies import InputPolicy  # noqa: E402
from hitl.core.spec import format_policy, parse_policy  # noqa: E402
from tests.factories import compositions  # noqa: E402

LEAVES: list[InputPolicy] = [
    Never(),
    Terminate(),
    Always(),
    When(has_code_block),
    When(HasCodeBlock("python", "sh")),
    When(HasToolCall("run_*")),
    When(asks_question),
    When(AfterAutoReplies(3)),
    When(EveryNth(2)),
    When(FromSender("coder")),
    When(Contains("error")),
    When(LongerThan(100)),
    When(Keyword("DONE")),
    ApproveCode("python"),
    ApproveTools("deploy_*"),
]
POLICY_TREES = compositions(st.sampled_from(LEAVES), max_leaves=8)


@settings(max_examples=200, deadline=None)
@given(POLICY_TREES)
def test_any_policy_of_built_ins_round_trips_through_text(policy: InputPolicy) -> None:
    assert parse_policy(format_policy(policy)) == policy


@settings(max_examples=50, deadline=None)
@given(POLICY_TREES)
def test_any_such_policy_round_trips_through_a_proxy_config(policy: InputPolicy) -> None:
    proxy = PolicyUserProxy("u", policy=policy, is_termination_msg=Keyword(), code_execution_config=False)
    config = proxy.to_config()
    assert PolicyUserProxy.from_config(config).policy == policy
    assert PolicyUserProxy.from_config(config).to_config() == config


CONDITION_TREES = compositions(
    st.sampled_from([has_code_block, asks_question, FromSender("coder"), LongerThan(20), Contains("error")]),
    max_leaves=4,
)
MIXED_TREES = compositions(st.one_of(st.sampled_from(LEAVES), CONDITION_TREES.map(When)), max_leaves=6)
PROBES = [
    TurnContext(text, sender=sender, auto_replies=replies, auto_reply_limit=5, is_termination=done)
    for text in ("Shall I?", "an error occurred in the code", "```python\nprint(1)\n```\nRun it?", "ok")
    for sender in ("coder", "other")
    for replies, done in ((0, False), (5, True))
]


@settings(max_examples=200, deadline=None)
@given(MIXED_TREES)
def test_a_policy_written_as_text_decides_as_the_policy_did(policy: InputPolicy) -> None:
    # When(a | b) reads back as When(a) | When(b): another object, the same decisions.
    again = parse_policy(format_policy(policy))
    assert [again.decide(ctx).ask for ctx in PROBES] == [policy.decide(ctx).ask for ctx in PROBES]


def test_from_config_on_a_subclass_builds_the_subclass() -> None:
    class Reviewer(PolicyUserProxy):
        pass

    proxy = Reviewer.from_config({"name": "user", "policy": "terminate | code"})
    assert type(proxy) is Reviewer
    assert repr(proxy.policy) == "Terminate() | When(has_code_block)"
