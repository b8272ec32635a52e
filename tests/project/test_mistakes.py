"""Mistakes users make: each gets an error or a warning that names the mistake and the fix."""

from __future__ import annotations

import asyncio
import warnings
from types import MappingProxyType
from typing import Any

import pytest

from hitl import ConfigurationError, InputExhaustedError, Keyword, Limits, Never, PolicyUserProxy, ScriptedInput
from hitl.config import load_config
from hitl.core.errors import ConfigWarning
from hitl.testing import ScriptedAssistant, quiet, run_chat


def test_a_misspelt_keyword_names_the_class_and_the_likely_one() -> None:
    with pytest.raises(
        TypeError, match=r"PolicyUserProxy\(\) got an unexpected keyword argument 'polcy'; did you mean 'policy'\?"
    ):
        PolicyUserProxy("user", polcy=Never())
    with pytest.raises(TypeError, match="'max_consecutive_autoreply'; did you mean 'max_consecutive_auto_reply'"):
        PolicyUserProxy("user", max_consecutive_autoreply=3)


def test_an_auto_reply_of_the_wrong_type_says_what_an_auto_reply_is() -> None:
    with pytest.raises(TypeError, match=r"an auto-reply \(or a list of \(condition, reply\) rules\) is a str"):
        PolicyUserProxy("user", auto_reply=5)  # type: ignore[arg-type]


def unbounded_chat(proxy: PolicyUserProxy, **options: Any) -> None:
    with quiet():
        proxy.initiate_chat(ScriptedAssistant("a", ["x"], on_exhausted="stop"), message="go", silent=True, **options)


def test_a_policy_that_never_asks_with_nothing_to_end_the_chat_warns_at_its_start() -> None:
    proxy = PolicyUserProxy("batch", policy=Never(), code_execution_config=False)
    with pytest.warns(ConfigWarning, match="never asks a human.*100 consecutive auto-replies") as caught:
        unbounded_chat(proxy)
    assert caught[0].filename == __file__  # it points at the user's line
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConfigWarning)
        unbounded_chat(proxy, max_turns=3)  # a bound of the caller's own
        unbounded_chat(PolicyUserProxy("b", policy=Never(), is_termination_msg=Keyword(), code_execution_config=False))
        unbounded_chat(PolicyUserProxy("b", policy=Never(), limits=Limits(max_consecutive_auto_reply=5)))
        unbounded_chat(PolicyUserProxy("b", human_input_mode="NEVER", code_execution_config=False))  # drop-in: quiet
        run_chat(Never(), ["a", "b"])  # a scripted assistant ends with its script


def test_a_scripted_human_that_runs_out_names_the_message_it_could_not_answer() -> None:
    with pytest.raises(
        InputExhaustedError, match=r"for the 2nd time, about message 4 from 'assistant' \('Second draft.'\)"
    ):
        run_chat(
            PolicyUserProxy("user", human_input=ScriptedInput([""]), code_execution_config=False),
            ["First.", "Second draft."],
        )


def test_run_chat_inside_an_event_loop_says_to_await_the_chat_instead() -> None:
    async def inside() -> None:
        with pytest.raises(ConfigurationError, match=r"await proxy\.a_initiate_chat"):
            run_chat(Never(), ["a"], use_async=True)

    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no coroutine left never awaited
        asyncio.run(inside())


def test_a_config_from_any_mapping_and_keywords_that_win_over_the_file() -> None:
    config = load_config(MappingProxyType({"name": "reviewer", "policy": "terminate"}))
    human = ScriptedInput([""])
    proxy = PolicyUserProxy.from_config(config, human_input=human, policy=Never(), is_termination_msg=Keyword())
    assert proxy.human_input is human
    assert proxy.policy == Never()


def test_file_errors_name_the_file_and_the_line(tmp_path: Any) -> None:
    broken = tmp_path / "reviewer.yaml"
    broken.write_text("name: reviewer\npolicy: [terminate\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match=r"(?s)reviewer\.yaml is not valid YAML: .*reviewer\.yaml, line 2"):
        load_config(broken)
    bad_json = tmp_path / "reviewer.json"
    bad_json.write_text('{"name": "reviewer",}', encoding="utf-8")
    with pytest.raises(ConfigurationError, match=r"reviewer.json is not valid JSON: .*line 1"):
        load_config(bad_json)


def test_terminate_as_a_termination_condition_points_to_the_keyword() -> None:
    with pytest.raises(Exception, match=r"for the word TERMINATE in a message, write keyword\(TERMINATE\)"):
        load_config({"name": "x", "termination": "TERMINATE"})


def test_a_limit_given_to_build_keeps_the_configured_max_turns() -> None:
    config = load_config({"name": "r", "policy": "terminate", "limits": {"max_turns": 10}})
    proxy = config.build(max_consecutive_auto_reply=3)
    assert proxy.limits == Limits(max_consecutive_auto_reply=3, max_turns=10)


def test_both_limit_keywords_given_to_build_are_the_constructors_error() -> None:
    config = load_config({"name": "r", "policy": "terminate"})
    with pytest.raises(ConfigurationError, match="max_consecutive_auto_reply"):
        config.build(limits=Limits(max_turns=2), max_consecutive_auto_reply=4)


@pytest.mark.parametrize("template", ["{agent:>1999999999}", "{sender.__class__}", "{0}", "{other}", "{"])
def test_a_prompt_template_may_hold_only_plain_placeholders(template: str) -> None:
    from hitl import Prompts

    with pytest.raises(ConfigurationError, match=r"Prompts\.always"):
        Prompts(always=template)


@pytest.mark.parametrize("template", ["{", "{x}", "{0}", "{answer:>999999999}"])
def test_a_checkpoint_prompt_is_checked_when_the_workflow_is_built(template: str) -> None:
    from hitl import Stage, Workflow

    with pytest.raises(ConfigurationError, match=r"Workflow\.checkpoint_prompt"):
        Workflow([Stage("s", "task")], assistant=ScriptedAssistant("a", []), checkpoint_prompt=template)
