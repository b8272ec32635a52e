"""A configuration file's validation errors as the file writes them: line and column, field path, likely key."""

from __future__ import annotations

import json
import re
import reprlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["explain"]


def explain(errors: Sequence[Any], path: Path) -> list[str]:
    """One line per validation error, in the file's order: its place when found, the field and the message."""
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix.lower() == ".json" else _yaml_data(text)
    except Exception:  # it was read once already; if not again, the errors go without places
        text, data = "", None
    located: list[tuple[int, str]] = []
    for error in errors:
        loc = tuple(error.get("loc", ()))
        message = str(error.get("msg", "")).removeprefix("Value error, ")
        if error.get("type") == "extra_forbidden" and loc:
            field = _field_path(data, loc[:-1], last_may_be_missing=False)
            message = f"unknown field {loc[-1]!r}{_did_you_mean(loc)}"
        else:
            field = _field_path(data, loc)
            if error.get("type") not in ("missing", "value_error", "assertion_error") and "input" in error:
                message += f" (got {reprlib.repr(error['input'])})"
        offset = _offset(text, path, loc)
        place = str(path) if offset is None else f"{path}, {_line_column(text, offset)}"
        located.append((len(text) if offset is None else offset, f"{place}: {field + ': ' if field else ''}{message}"))
    return [line for _, line in sorted(located, key=lambda pair: pair[0])]  # stable: pydantic's order within a place


def _yaml_data(text: str) -> Any:
    import yaml  # type: ignore[import-untyped, unused-ignore]

    return yaml.safe_load(text)


def _field_path(data: Any, loc: tuple[Any, ...], *, last_may_be_missing: bool = True) -> str:
    """Name the error's field as the file writes it: ``limits.max_turns``, ``auto_reply.rules[0].when``.

    Pydantic's locations also hold the names of union members (``termination.keyword.word``), which are not
    in the file: a part is kept when the file has it, or when it is the last part and names a missing key.
    """
    shown = ""
    node = data
    for number, part in enumerate(loc):
        if isinstance(node, dict) and part in node:
            shown, node = f"{shown}.{part}" if shown else str(part), node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            shown, node = f"{shown}[{part}]", node[part]
        elif last_may_be_missing and number == len(loc) - 1 and isinstance(node, dict) and isinstance(part, str):
            shown = f"{shown}.{part}" if shown else part
    return shown


def _did_you_mean(loc: tuple[Any, ...]) -> str:
    """Suggest the field a misspelt key was meant to be, from the models it could belong to."""
    import difflib
    import typing

    from pydantic import BaseModel

    from ..config import ProxyConfig

    def models(annotation: Any) -> list[type[BaseModel]]:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return [annotation]
        return [model for arg in typing.get_args(annotation) for model in models(arg)]

    candidates: list[type[BaseModel]] = [ProxyConfig]
    for part in loc[:-1]:
        inner = [
            model
            for candidate in candidates
            if isinstance(part, str) and part in candidate.model_fields
            for model in models(candidate.model_fields[part].annotation)
        ]
        tagged = [candidate for candidate in candidates if _kind(candidate) == part]  # a union member, by its tag
        candidates = inner or tagged or candidates  # else a list index: the same models
    names = sorted({name for candidate in candidates for name in candidate.model_fields})
    close = difflib.get_close_matches(str(loc[-1]), names, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else f" (known: {', '.join(names)})"


def _kind(model: Any) -> object:
    field = model.model_fields.get("kind")
    return None if field is None else field.default


def _offset(text: str, path: Path, loc: tuple[Any, ...]) -> int | None:
    """Where the deepest part of ``loc`` that the file's text holds starts, if it can be found."""
    if not text:
        return None
    try:
        return _json_offset(text, loc) if path.suffix.lower() == ".json" else _yaml_offset(text, loc)
    except Exception:  # locating is best effort: the error itself is what matters
        return None


def _line_column(text: str, offset: int) -> str:
    line_start = text.rfind("\n", 0, offset) + 1
    return f"line {text.count(chr(10), 0, offset) + 1}, column {offset - line_start + 1}"


_JSON_SPACE = re.compile(r"[ \t\n\r]*")


def _json_offset(text: str, loc: tuple[Any, ...]) -> int | None:
    """Find ``loc`` in JSON text: the offset of the deepest key (or list item) of it that the text holds."""
    decoder = json.JSONDecoder()

    def skip(at: int) -> int:
        return _JSON_SPACE.match(text, at).end()  # type: ignore[union-attr]  # the pattern matches anywhere

    found: int | None = None
    at = skip(0)
    for part in loc:
        if text.startswith("{", at) and isinstance(part, str):
            index, target = skip(at + 1), None
            while text.startswith('"', index):
                key, index = json.decoder.scanstring(text, index + 1)  # type: ignore[attr-defined]
                value = skip(skip(index) + 1)  # past the colon
                if key == part:
                    target = (index - len(json.dumps(key)), value)  # the last duplicate wins, as in json.loads
                index = skip(decoder.raw_decode(text, value)[1])
                index = skip(index + 1) if text.startswith(",", index) else index
            if target is not None:
                found, at = target
        elif text.startswith("[", at) and isinstance(part, int):
            index = skip(at + 1)
            for _ in range(part):
                index = skip(skip(decoder.raw_decode(text, index)[1]) + 1)
            found = at = index
    return found


def _yaml_offset(text: str, loc: tuple[Any, ...]) -> int | None:
    """Find ``loc`` in YAML text, from the nodes PyYAML composes (with their positions)."""
    import yaml

    node = yaml.compose(text, Loader=yaml.SafeLoader)
    found: int | None = None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                    found, node = key.start_mark.index, value
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            node = node.value[part]
            found = node.start_mark.index
    return found
