"""Reading a configuration from a dict, a JSON file or a YAML file, within bounds (depth, size, aliases)."""

from __future__ import annotations

import json
import os
import re
import reprlib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import ConfigurationError
from ._proxy import ProxyConfig

if TYPE_CHECKING:
    from ..adapters.autogen.proxy import PolicyUserProxy

MAX_NESTING = 100
"""How deep lists and mappings may nest in a configuration: far beyond any real one, far below the depth at
which the JSON and YAML readers fail."""
MAX_VALUES = 100_000
"""How many values (scalars, lists and mappings) a configuration may hold once YAML aliases are expanded: a
real one holds a few hundred; a "billion laughs" of aliases holds billions in a few lines."""


def load_config(source: str | os.PathLike[str] | Mapping[str, Any]) -> ProxyConfig:
    """Load and validate a [`ProxyConfig`][hitl.config.ProxyConfig] from a dict, a JSON file or a YAML file.

    YAML needs PyYAML (``pip install pyyaml``, or the project's ``yaml`` extra) and is read with
    ``yaml.safe_load``. Anchors and aliases work, within bounds: a file whose lists and mappings nest
    more than [`MAX_NESTING`][hitl.config.MAX_NESTING] deep, or whose aliases expand it to more than
    [`MAX_VALUES`][hitl.config.MAX_VALUES] values (a "billion laughs"), or that contains itself, is refused
    before it is built, naming the line and column.

    Raises:
        pydantic.ValidationError: for invalid content, naming the path of each bad field (and the file).
        ConfigurationError: for an unknown file type, a file that is not valid JSON or YAML, or is
            nested too deep or expands too far (naming the file, the line and the column), or YAML
            without PyYAML.
    """
    from pydantic import ValidationError

    if isinstance(source, Mapping):
        data = dict(source)
        _check_shape(data, "the configuration")
        return ProxyConfig.model_validate(data)
    path = Path(source)
    suffix = path.suffix.lower()
    if suffix not in (".json", ".yaml", ".yml"):
        raise ConfigurationError(f"{path}: a configuration file ends in .json, .yaml or .yml")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigurationError(f"{path} is not UTF-8 text: {exc}") from None
    data = _read_json(text, path) if suffix == ".json" else _read_yaml(text, path)
    try:
        return ProxyConfig.model_validate(data)
    except ValidationError as exc:
        if hasattr(exc, "add_note"):  # Python 3.11+
            exc.add_note(f"in {path}")
        raise


def _line_column(text: str, index: int) -> str:
    line_start = text.rfind("\n", 0, index) + 1
    return f"line {text.count(chr(10), 0, index) + 1}, column {index - line_start + 1}"


def _too_deep(where: str) -> ConfigurationError:
    return ConfigurationError(
        f"{where}: lists and mappings nest more than {MAX_NESTING} deep here; a configuration is a few levels deep"
    )


#: A JSON string (which may hold brackets), an opening or closing bracket, or a string that never ends.
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]|"')


def _read_json(text: str, path: Path) -> Any:
    depth = 0
    for token in _JSON_TOKEN.finditer(text):  # the nesting first: the JSON reader recurses on it
        bracket = token.group()
        if bracket in ("[", "{"):
            depth += 1
            if depth > MAX_NESTING:
                raise _too_deep(f"{path}, {_line_column(text, token.start())}")
        elif bracket in ("]", "}"):
            depth -= 1
        elif bracket == '"':
            break  # a string that never ends: the JSON reader says where
    try:
        return json.loads(text, object_pairs_hook=lambda pairs: _unique_keys(pairs, path))
    except json.JSONDecodeError as exc:
        raise ConfigurationError(f"{path} is not valid JSON: {exc}") from None
    except ConfigurationError:
        raise
    except (ValueError, RecursionError, OverflowError) as exc:  # a number of more digits than Python reads, say
        raise ConfigurationError(f"{path} could not be read as JSON: {exc}") from None


def _unique_keys(pairs: list[tuple[str, Any]], path: Path) -> dict[str, Any]:
    """Build a JSON object's dict, refusing a key given twice (the later one would silently win)."""
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise ConfigurationError(
                f"{path}: the key {reprlib.repr(key)} is given twice in one object, and only the last would count; "
                "keep one"
            )
        found[key] = value
    return found


def _read_yaml(text: str, path: Path) -> Any:
    try:
        import yaml  # type: ignore[import-untyped, unused-ignore]
    except ImportError:
        raise ConfigurationError(f"{path} is YAML, which needs PyYAML: pip install pyyaml") from None
    try:
        _check_yaml_shape(yaml, text, path)
        return yaml.safe_load(text)
    except ConfigurationError:
        raise
    except yaml.YAMLError as exc:
        where = str(exc).replace('"<unicode string>"', str(path))
        raise ConfigurationError(f"{path} is not valid YAML: {where}") from None
    except (ValueError, RecursionError, OverflowError) as exc:  # a value the YAML reader cannot build, say
        raise ConfigurationError(f"{path} could not be read as YAML: {exc}") from None


def _check_yaml_shape(yaml: Any, text: str, path: Path) -> None:
    """Refuse a YAML text nested too deep, or whose aliases expand it too far, from its events (no recursion)."""
    values = 0  # values so far, each alias counted as the values it stands for
    anchored: dict[str, int] = {}  # anchor -> the values of the node it names
    opened: list[tuple[str | None, int]] = []  # the lists and mappings not closed yet: anchor, values before
    keys: list[set[str] | None] = []  # for each open mapping its keys so far (None for a list)
    expect_key: list[bool] = []  # for each open mapping: whether its next node is a key
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        starts = isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent))
        if starts and keys and keys[-1] is not None:  # a node inside a mapping: a key, then its value
            is_key = expect_key[-1]
            expect_key[-1] = not is_key
            if is_key and isinstance(event, yaml.ScalarEvent):
                if event.value in keys[-1] and event.value != "<<":
                    raise ConfigurationError(
                        f"{path}, {_where(event)}: the key {reprlib.repr(event.value)} is given twice in one "
                        "mapping, and only the last would count; keep one"
                    )
                keys[-1].add(event.value)
        if (
            isinstance(event, yaml.ScalarEvent)
            and event.style is None
            and len(event.value) > _MAX_NUMBER_TEXT
            and _NUMBERISH.fullmatch(event.value)
        ):
            raise ConfigurationError(
                f"{path}, {_where(event)}: a number written with more than {_MAX_NUMBER_TEXT} characters; "
                "no setting takes one (quote it if it is meant as text)"
            )
        if isinstance(event, yaml.AliasEvent):
            if any(anchor == event.anchor for anchor, _ in opened):
                raise ConfigurationError(
                    f"{path}, {_where(event)}: the alias *{event.anchor} stands for a list or mapping that "
                    "contains it, so the configuration would contain itself; copy the values instead"
                )
            values += anchored.get(event.anchor, 0)  # an unknown anchor: safe_load says where
        elif isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            if len(opened) >= MAX_NESTING:
                raise _too_deep(f"{path}, {_where(event)}")
            opened.append((event.anchor, values))
            keys.append(set() if isinstance(event, yaml.MappingStartEvent) else None)
            expect_key.append(True)
            values += 1
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            keys.pop()
            expect_key.pop()
            anchor, before = opened.pop()
            if anchor is not None:
                anchored[anchor] = values - before
        elif isinstance(event, yaml.ScalarEvent):
            values += 1
            if event.anchor is not None:
                anchored[event.anchor] = 1
        if values > MAX_VALUES:
            raise ConfigurationError(
                f"{path}, {_where(event)}: the configuration holds more than {MAX_VALUES:,} values here, "
                "counting what each alias stands for (aliases of aliases multiply, as in a 'billion laughs'); "
                "a configuration holds a few hundred: repeat fewer values"
            )


#: How long a plain YAML scalar that looks like a number may be: PyYAML builds some number forms
#: (sexagesimal ints, say) in time that grows with the square of their length.
_MAX_NUMBER_TEXT = 100
_NUMBERISH = re.compile(r"[-+]?(?:[0-9][0-9_:.eE+-]*|\.[0-9][0-9_eE+-]*|0[xob][0-9a-fA-F_]+)")


def _where(event: Any) -> str:
    mark = event.start_mark
    return f"line {mark.line + 1}, column {mark.column + 1}"


def _check_shape(data: object, what: str) -> None:
    """Refuse data nested too deep, containing itself, or sharing parts that expand it past MAX_VALUES."""
    sizes: dict[int, int] = {}  # id of a list or dict walked -> its values, its own parts counted each time
    path: set[int] = set()  # the lists and dicts being walked: a parent of the node at hand
    pending: list[tuple[object, bool]] = [(data, False)]
    while pending:
        node, walked = pending.pop()
        parts = _parts(node)
        if parts is None:
            continue
        key = id(node)
        if walked:
            path.discard(key)
            sizes[key] = size = 1 + sum([sizes.get(id(part), 1) for part in parts])
            if size > MAX_VALUES:
                raise ConfigurationError(
                    f"{what} holds more than {MAX_VALUES:,} values, counting each shared list or dict "
                    "every time it appears; a configuration holds a few hundred"
                )
            continue
        if key in sizes:
            continue
        if key in path:
            raise ConfigurationError(f"{what} contains itself (a list or dict holds one of its parents)")
        if len(path) >= MAX_NESTING:
            raise ConfigurationError(f"{what}: lists and dicts nest more than {MAX_NESTING} deep")
        path.add(key)
        pending.append((node, True))
        pending.extend((part, False) for part in parts)


def _parts(node: object) -> list[object] | None:
    if isinstance(node, Mapping):
        return list(node.values())
    if isinstance(node, (list, tuple)):
        return list(node)
    return None


def build_proxy(
    proxy_class: type[PolicyUserProxy],
    source: ProxyConfig | str | os.PathLike[str] | Mapping[str, Any],
    options: Mapping[str, Any],
) -> PolicyUserProxy:
    """Build ``proxy_class`` from a [`ProxyConfig`][hitl.config.ProxyConfig], a dict or a file.

    What ``PolicyUserProxy.from_config`` does: ``options`` go to the constructor and win over the
    configuration (see [`ProxyConfig.build`][hitl.config.ProxyConfig.build]).

    Examples:
        >>> from hitl import PolicyUserProxy
        >>> options = {"code_execution_config": False}
        >>> build_proxy(PolicyUserProxy, {"name": "user", "policy": "terminate"}, options).policy
        Terminate()
    """
    config = source if isinstance(source, ProxyConfig) else load_config(source)
    return config.build(proxy_class=proxy_class, **options)
