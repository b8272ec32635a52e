"""``hitl check``: validate configuration files, and say what each builds or where each error is."""

from __future__ import annotations

import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..core.errors import ConfigurationError
from ..core.spec import format_policy
from ._places import explain

__all__ = ["check"]


def check(paths: Sequence[str]) -> int:
    """Validate configuration files; print what each builds, or each error with its place. 0 if all are valid."""
    status = 0
    for path in paths:
        status = max(status, _check_one(Path(path)))
    return status


def _check_one(path: Path) -> int:
    from pydantic import ValidationError

    from ..config import load_config

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            config = load_config(path)
        except (ConfigurationError, OSError) as exc:
            print(f"hitl check: {_os_error(exc, path) if isinstance(exc, OSError) else exc}", file=sys.stderr)
            return 1
        except ValidationError as exc:
            errors = exc.errors(include_url=False)
            print(
                f"hitl check: {path} is not a valid configuration ({_plural(len(errors), 'error')}):", file=sys.stderr
            )
            for line in explain(errors, path):
                print(f"  {line}", file=sys.stderr)
            return 1
    print(f"{path}: valid")
    for label, value in _describe(config):
        print(f"  {label + ':':<16}{value}")
    for warning in caught:
        print(f"{path}: warning: {warning.message}", file=sys.stderr)
    return 0


def _os_error(exc: OSError, path: Path) -> str:
    return f"{path}: {exc.strerror or exc}"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _describe(config: Any) -> list[tuple[str, str]]:
    """Say what a valid configuration builds, line by line, in the built objects' own reprs."""
    from ..config import build_auto_reply, build_termination

    execution = config.code_execution
    if execution is None:
        runs = "none (code blocks are not run)"
    else:
        where = "this machine (use_docker: false)" if execution.use_docker is False else "Docker"
        if execution.use_docker not in (True, False):
            where = f"Docker ({execution.use_docker!r})"
        runs = f"on {where}, work_dir={execution.work_dir!r}, timeout={execution.timeout!r}"
    human = config.human_input
    return [
        ("name", repr(config.name)),
        ("policy", f"{config.policy!r}   (from {format_policy(config.policy)!r})"),
        ("limits", repr(config.limits)),
        (
            "termination",
            "AutoGen's default (a message that is exactly 'TERMINATE')"
            if config.termination is None
            else repr(build_termination(config.termination)),
        ),
        (
            "auto-reply",
            "AutoGen's default (an empty reply)"
            if config.auto_reply is None
            else repr(build_auto_reply(config.auto_reply)),
        ),
        ("human input", f"{human.kind}: {human.build()!r}"),
        ("code execution", runs),
    ]
