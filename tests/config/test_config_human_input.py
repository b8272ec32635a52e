"""The human_input block: one model per kind of provider, told apart by ``kind``, in the same file format as ever."""

from __future__ import annotations

import gc
import json
import warnings
import weakref
from typing import Any

import pydantic
import pytest

from hitl import ConsoleInput, PolicyUserProxy, QueueInput, ScriptedInput, TimeoutInput
from hitl.config import (
    ConfigWarning,
    ConsoleInputConfig,
    HumanInputConfig,
    ProxyConfig,
    QueueInputConfig,
    ScriptedInputConfig,
    TimeoutConfig,
    json_schema,
)


def validate(data: dict[str, Any]) -> ProxyConfig:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConfigWarning)
        return ProxyConfig.model_validate(data)


@pytest.mark.parametrize(
    ("block", "model", "dumped"),
    [
        (
            {},
            ConsoleInputConfig,
            {"kind": "console", "on_eof": "exit", "on_interrupt": "exit", "allow_non_interactive": False},
        ),
        (
            {"on_eof": "", "timeout": {"seconds": 2}},
            ConsoleInputConfig,
            {"kind": "console", "on_eof": "", "on_interrupt": "exit", "allow_non_interactive": False},
        ),
        (
            {"kind": "scripted", "answers": ["", "exit"]},
            ScriptedInputConfig,
            {"kind": "scripted", "answers": ["", "exit"]},
        ),
        ({"kind": "queue", "conversation": "c1"}, QueueInputConfig, {"kind": "queue", "conversation": "c1"}),
        ({"kind": "queue"}, QueueInputConfig, {"kind": "queue", "conversation": None}),
    ],
)
def test_each_kind_is_a_model_of_its_own_and_dumps_only_its_own_keys(
    block: dict[str, Any], model: type[HumanInputConfig], dumped: dict[str, Any]
) -> None:
    config = validate({"name": "a", "human_input": block})
    assert type(config.human_input) is model
    data = config.model_dump(mode="json")["human_input"]
    assert data == {**dumped, "timeout": data["timeout"]}
    keys = list(data)
    assert (keys[0], keys[-1]) == ("kind", "timeout")  # the order of the fields is the order files have always had
    assert validate(json.loads(config.model_dump_json())) == config


@pytest.mark.parametrize(
    ("block", "provider"),
    [
        ({"kind": "console", "on_interrupt": "raise"}, ConsoleInput),
        ({"kind": "scripted", "answers": ["ok"]}, ScriptedInput),
        ({"kind": "queue", "conversation": "c1"}, QueueInput),
    ],
)
def test_each_kind_builds_its_provider_and_describes_it_back(block: dict[str, Any], provider: type[Any]) -> None:
    config = validate({"name": "a", "human_input": {**block, "timeout": {"seconds": 5, "default": ""}}})
    built = config.human_input.build()
    assert isinstance(built, TimeoutInput)
    assert isinstance(built.inner, provider)
    assert (built.seconds, built.default) == (5, "")
    assert HumanInputConfig.of(built) == config.human_input
    assert HumanInputConfig.of(built.inner) == config.human_input.model_copy(update={"timeout": None})


def test_a_human_input_block_dumped_when_one_model_held_every_kind_still_loads() -> None:
    old = {
        "kind": "scripted",
        "answers": ["", "exit"],
        "conversation": None,
        "on_eof": "exit",
        "on_interrupt": "exit",
        "allow_non_interactive": False,
        "timeout": None,
    }
    config = validate({"name": "a", "human_input": old})
    assert config.human_input == ScriptedInputConfig(answers=["", "exit"])
    old_console = {**old, "kind": "console", "answers": None}
    assert validate({"name": "a", "human_input": old_console}).human_input == ConsoleInputConfig()


@pytest.mark.parametrize(
    ("block", "errors"),
    [
        (
            {"kind": "queue", "on_eof": "", "answers": ["x"]},
            [
                ("human_input.on_eof", "goes with kind 'console', not with kind 'queue': set kind: console, or leave"),
                ("human_input.answers", "goes with kind 'scripted', not with kind 'queue': set kind: scripted, or"),
            ],
        ),
        (
            {"conversation": "c1"},
            [("human_input.conversation", "goes with kind 'queue', not with kind 'console' (the kind when none is")],
        ),
        (
            {"kind": "scripted", "answers": [], "allow_non_interactive": True},
            [("human_input.allow_non_interactive", "")],
        ),
        (
            {"kind": "scripted"},
            [("human_input.answers", "kind 'scripted' needs answers: the human's answers, in order")],
        ),
        (
            {"kind": "stdin"},
            [("human_input.kind", "kind must be one of 'console', 'scripted', 'queue' (got 'stdin')")],
        ),
        (
            {"kind": "Queue"},
            [("human_input.kind", "(got 'Queue') (kinds are lower case: 'queue')")],
        ),
        ({"kind": "queue", "conversaton": "c1"}, [("human_input.queue.conversaton", "Extra inputs are not permitted")]),
        ({"kind": "console", "timeout": {"seconds": 0}}, [("human_input.console.timeout.seconds", "greater than 0")]),
    ],
)
def test_a_bad_block_is_an_error_at_the_key_that_says_which_kind_it_goes_with(
    block: dict[str, Any], errors: list[tuple[str, str]]
) -> None:
    with pytest.raises(pydantic.ValidationError) as error:
        validate({"name": "a", "human_input": block})
    found = [(".".join(map(str, each["loc"])), each["msg"]) for each in error.value.errors()]
    for (where, message), (location, text) in zip(found, errors, strict=True):
        assert where == location
        assert text in message


def test_the_schema_describes_the_block_as_a_union_told_apart_by_kind() -> None:
    schema = json_schema()
    block = schema["properties"]["human_input"]
    assert block["discriminator"]["propertyName"] == "kind"
    assert set(block["discriminator"]["mapping"]) == {"console", "scripted", "queue"}
    assert {kind["$ref"] for kind in block["oneOf"]} == set(block["discriminator"]["mapping"].values())
    definitions = schema["$defs"]
    assert "kind" not in definitions["ConsoleInputConfig"].get("required", [])  # the default kind
    assert definitions["ScriptedInputConfig"]["required"] == ["kind", "answers"]
    assert definitions["QueueInputConfig"]["required"] == ["kind"]  # so {} is a console block, and only that
    for name in ("ConsoleInputConfig", "ScriptedInputConfig", "QueueInputConfig"):
        assert definitions[name]["additionalProperties"] is False


def test_the_base_is_not_a_kind() -> None:
    with pytest.raises(TypeError, match="abstract"):
        HumanInputConfig()  # type: ignore[abstract, call-arg]
    with pytest.raises(pydantic.ValidationError):
        TimeoutConfig(seconds=True)


def test_a_proxy_is_remembered_by_what_it_was_built_from_without_being_kept_alive() -> None:
    from hitl.config import _proxy

    config = validate(
        {"name": "a", "code_execution": {"use_docker": False, "acknowledge_local_execution": True}, "policy": "always"}
    )
    proxy = config.build()
    assert getattr(proxy, "_hitl_config", None) is None  # configuration keeps its own memory
    assert proxy.to_config() == config  # the acknowledgement is not in the proxy, but in that memory
    assert PolicyUserProxy("b", code_execution_config=False).to_config().name == "b"
    assert _proxy._BUILT_FROM[proxy] is config
    built = weakref.ref(proxy)
    del proxy
    gc.collect()
    assert built() is None  # the memory does not keep it alive


def test_a_deadline_longer_than_a_year_is_refused_when_the_file_is_read_not_when_the_proxy_is_built() -> None:
    import pydantic

    from hitl.config import load_config

    with pytest.raises(pydantic.ValidationError, match="less than or equal to 31536000"):
        load_config({"name": "user", "policy": "always", "human_input": {"timeout": {"seconds": 1e300}}})
