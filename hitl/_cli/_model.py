"""A real model for ``hitl demo --online`` and the examples: its ``llm_config``, from the environment."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from ..core.errors import ConfigurationError

__all__ = ["DEFAULT_MODEL", "is_openai_error", "llm_config", "model_assistant"]

DEFAULT_MODEL = "gpt-4o-mini"
_SYSTEM_MESSAGE = "You are a Python code writer. Complete the task, test your code, reply TERMINATE when done."


def _require_openai() -> None:
    """Fail with one line that says what to install when the ``openai`` package is missing."""
    try:
        import openai  # noqa: F401
    except ImportError:
        from ..adapters.autogen.compat import AUTOGEN_DISTRIBUTION

        if AUTOGEN_DISTRIBUTION == "autogen":  # AG2 classic, installed beside hitl without pyautogen
            fix = 'pip install "autogen[openai]"'
        else:
            fix = 'pip install "autogen-hitl[openai]" (in a checkout: pip install -e ".[openai]")'
        raise ConfigurationError(f"a real model needs the openai package, which is not installed: {fix}") from None


def llm_config(model: str | None = None) -> dict[str, Any]:
    """Return AutoGen's ``llm_config`` for a real model, from the environment, as ``hitl demo --online`` uses it.

    ``OAI_CONFIG_LIST`` (a JSON file's path, or the JSON text itself, as in AutoGen) wins; ``model`` keeps
    the entries of that model. Otherwise ``OPENAI_API_KEY`` gives one entry for ``model`` (default
    ``gpt-4o-mini``), at ``OPENAI_BASE_URL`` when that is set. Answers are not cached. The examples use it too.

    Raises:
        ConfigurationError: the ``openai`` package is missing (the message says what to install), neither
            variable is set, the list cannot be read, or it has no entry for ``model``.
    """
    _require_openai()
    # cache_seed None: every answer comes from the model (pyautogen 0.2 would otherwise replay answers it
    # cached in ./.cache, and write that directory wherever the command runs).
    return {"config_list": _config_list(model), "temperature": 0, "cache_seed": None}


def _config_list(model: str | None) -> list[dict[str, Any]]:
    source = os.environ.get("OAI_CONFIG_LIST", "").strip()
    if source:
        configs = _read_config_list(source)
        if model is not None:
            models = sorted({str(entry.get("model")) for entry in configs})
            configs = [entry for entry in configs if entry.get("model") == model]
            if not configs:
                raise ConfigurationError(f"OAI_CONFIG_LIST has no entry for the model {model!r} (it has {models})")
        return configs
    key = os.environ.get("OPENAI_API_KEY", "").strip()
    if key:
        entry = {"model": model or DEFAULT_MODEL, "api_key": key}
        if os.environ.get("OPENAI_BASE_URL"):
            entry["base_url"] = os.environ["OPENAI_BASE_URL"]
        return [entry]
    raise ConfigurationError(
        "a real model needs OAI_CONFIG_LIST (a JSON list such as "
        '[{"model": "gpt-4o-mini", "api_key": "...", "base_url": "..."}], or the path of a file holding one) '
        "or OPENAI_API_KEY in the environment"
    )


def _read_config_list(source: str) -> list[dict[str, Any]]:
    """Read OAI_CONFIG_LIST as AutoGen does: the path of a JSON file, or JSON text. Never shows its content."""
    path = Path(source).expanduser()
    if not source.startswith(("[", "{")) and path.is_file():
        where = f"OAI_CONFIG_LIST ({path})"
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigurationError(f"{where} could not be read: {exc}") from None
    elif source.startswith(("[", "{")):
        where, text = "OAI_CONFIG_LIST", source
    else:
        raise ConfigurationError(f"OAI_CONFIG_LIST is neither JSON text nor the path of a file: no file {source!r}")
    try:
        configs = json.loads(text)
    except ValueError as exc:  # the message gives the line and column, not the text (it holds keys)
        raise ConfigurationError(f"{where} is not valid JSON: {exc}") from None
    if isinstance(configs, dict):
        configs = [configs]
    if not isinstance(configs, list) or not configs:
        raise ConfigurationError(f"{where} must be a non-empty JSON list of model entries")
    for number, entry in enumerate(configs, start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("model"), str):
            raise ConfigurationError(f'{where}: entry {number} must be an object with a "model" name')
    return configs


def model_assistant(model: str | None) -> Any:
    from ..adapters.autogen.compat import AssistantAgent

    return AssistantAgent("assistant", llm_config=llm_config(model), system_message=_SYSTEM_MESSAGE)


def is_openai_error(exc: BaseException) -> bool:
    openai = sys.modules.get("openai")
    error = getattr(openai, "OpenAIError", None)
    return isinstance(error, type) and isinstance(exc, error)
