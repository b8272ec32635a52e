"""Config files too deep, expanding too far or unreadable: a short ConfigurationError that names the place."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hitl import ConfigurationError, PolicyUserProxy
from hitl.config import MAX_NESTING, MAX_VALUES, load_config

DEEP = 10_000


def billion_laughs(levels: int) -> str:
    """YAML whose last anchor stands for 9**levels strings, in a few hundred bytes."""
    lines = ['  a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"  a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, levels)]
    return "name: laughs\nlimits:\n" + "\n".join(lines) + f"\npolicy: *a{levels - 1}\n"


@pytest.mark.parametrize(
    ("name", "text", "place"),
    [
        ("deep.json", '{"name":\n' + "[" * DEEP + "]" * DEEP + "}", "line 2, column 100"),
        ("deep-objects.json", '{"name": ' + '{"a": ' * DEEP + "1" + "}" * DEEP + "}", "line 1, column 604"),
        ("deep.yaml", "name: " + "[" * DEEP + "]" * DEEP + "\n", "line 1, column 106"),
        ("deep-maps.yaml", "name: " + "{a: " * DEEP + "1" + "}" * DEEP + "\n", "line 1, column 403"),
        ("deep-block.yaml", "".join(f"{'  ' * n}a:\n" for n in range(150)), "line 101, column 201"),
    ],
)
def test_a_file_nested_ten_thousand_deep_is_refused_at_the_place_it_goes_too_deep(
    tmp_path: Path, name: str, text: str, place: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigurationError) as error:
        load_config(path)
    assert str(error.value).startswith(f"{path}, {place}: lists and mappings nest more than {MAX_NESTING} deep")
    with pytest.raises(ConfigurationError):
        PolicyUserProxy.from_config(path)


def test_brackets_inside_json_strings_are_not_nesting(tmp_path: Path) -> None:
    path = tmp_path / "brackets.json"
    path.write_text(json.dumps({"name": "a", "system_message": "[{" * 500 + '\\"' + "]}" * 500}), encoding="utf-8")
    assert load_config(path).name == "a"


def test_a_billion_laughs_is_refused_at_once_with_a_short_message(tmp_path: Path) -> None:
    path = tmp_path / "laughs.yaml"
    path.write_text(billion_laughs(7), encoding="utf-8")  # 4.8 million strings once expanded
    with pytest.raises(ConfigurationError) as error:
        load_config(path)
    message = str(error.value)
    assert message.startswith(f"{path}, line 8, column 12: the configuration holds more than {MAX_VALUES:,} values")
    assert "billion laughs" in message
    assert len(message) < 1_000


def test_a_yaml_node_that_contains_itself_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "loop.yaml"
    path.write_text("name: &self [a, *self]\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match=r"line 1, column 17: the alias \*self stands for .* contains it"):
        load_config(path)


def test_anchors_and_aliases_within_bounds_still_work(tmp_path: Path) -> None:
    path = tmp_path / "aliases.yaml"
    path.write_text(
        "name: &who reviewer\n"
        "description: *who\n"
        "limits: &limits {max_consecutive_auto_reply: 3}\n"
        "human_input: {kind: scripted, answers: &answers ['', exit]}\n"
        "auto_reply: {kind: rules, rules: [{when: question, reply: go on}], default: &reply go on}\n",
        encoding="utf-8",
    )
    config = load_config(path)
    assert config.description == "reviewer"
    assert config.limits.max_consecutive_auto_reply == 3


def test_a_dict_sharing_its_lists_past_the_bound_is_refused_before_validation() -> None:
    shared: Any = ["lol"] * 10
    for _ in range(5):
        shared = [shared] * 10  # a million strings, in six lists
    with pytest.raises(ConfigurationError, match=f"more than {MAX_VALUES:,} values") as error:
        load_config({"name": shared})
    assert len(str(error.value)) < 1_000


@pytest.mark.parametrize("kind", ["deep", "loop"])
def test_a_dict_too_deep_or_holding_itself_is_refused(kind: str) -> None:
    data: Any = []
    if kind == "loop":
        data.append(data)
    else:
        for _ in range(DEEP):
            data = [data]
    with pytest.raises(ConfigurationError, match="nest more than 100 deep" if kind == "deep" else "contains itself"):
        load_config({"name": "a", "limits": data})


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("huge.json", b'{"name": ' + b"9" * 5_000 + b"}", "could not be read as JSON"),
        ("huge.yaml", b"name: " + b"9" * 5_000 + b"\n", "a number written with more than 100 characters"),
        ("latin1.yaml", b"name: caf\xe9\n", "is not UTF-8 text"),
        ("latin1.json", b'{"name": "caf\xe9"}', "is not UTF-8 text"),
    ],
)
def test_a_file_python_cannot_read_is_a_configuration_error(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ConfigurationError, match=message):
        load_config(path)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("dup.json", '{"name": "a", "policy": "always", "policy": "never"}', "'policy' is given twice"),
        ("dup.yaml", "name: a\npolicy: always\npolicy: never\n", "line 3, column 1: the key 'policy' is given twice"),
        ("nested.yaml", "name: a\nhuman_input:\n  kind: console\n  kind: scripted\n", "line 4, column 3"),
        ("sexagesimal.yaml", "name: a\nlimits: {max_turns: " + ":".join(["59"] * 3_000) + "}\n", "more than 100"),
        ("float.yaml", "name: a\nlimits: {max_turns: 1" + ":59" * 200 + ".5}\n", "more than 100"),
        ("hex.yaml", "name: a\nlimits: {max_turns: 0x" + "f" * 20_000 + "}\n", "more than 100"),
    ],
)
def test_a_key_given_twice_or_an_overlong_number_is_refused_with_its_place(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(ConfigurationError, match=message):
        load_config(path)


def test_long_plain_text_that_starts_with_a_digit_is_still_text(tmp_path: Path) -> None:
    path = tmp_path / "text.yaml"
    path.write_text("name: a\nsystem_message: 1. " + "do things well " * 20 + "\n")
    assert load_config(path).system_message.startswith("1. do things well")


def test_a_regex_nested_too_deep_and_a_huge_limit_are_field_errors(tmp_path: Path) -> None:
    import pydantic

    deep = tmp_path / "deep.yaml"
    deep.write_text('name: a\ntermination: {kind: regex, pattern: "' + "(" * 600 + ")" * 600 + '"}\n')
    with pytest.raises(pydantic.ValidationError, match="nests its groups deeper"):
        load_config(deep)
    huge = tmp_path / "huge.json"
    huge.write_text('{"name": "a", "limits": {"max_turns": ' + "9" * 4_000 + "}}")
    with pytest.raises(pydantic.ValidationError, match="must be <= 1,000,000,000"):
        load_config(huge)
