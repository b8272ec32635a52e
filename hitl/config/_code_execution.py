"""Code execution in a configuration: AutoGen's ``code_execution_config``, with Docker the safe default."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StrictStr, field_validator

from ..core.errors import ConfigurationError
from ._model import Model, checked_form


class CodeExecutionConfig(Model):
    """Running the code blocks the assistant writes (AutoGen's ``code_execution_config``).

    ``use_docker: false`` runs model-written code on this machine with your permissions: that is a
    [`ConfigWarning`][hitl.config.ConfigWarning] unless ``acknowledge_local_execution: true`` says you mean it.

    Attributes:
        work_dir: where code files are written and run (``null``: AutoGen's own default directory).
        timeout: seconds a code block may run, > 0 (``null``: AutoGen's default, 600).
        use_docker: ``true`` (AutoGen's image), an image name or a list of them, or ``false`` (this machine).
        last_n_messages: how many recent messages AutoGen scans for code, or ``"auto"``.
        acknowledge_local_execution: silences the warning for ``use_docker: false``.
    """

    work_dir: StrictStr | None = "coding"
    timeout: Annotated[int, Field(gt=0, strict=True)] | None = 60
    use_docker: bool | StrictStr | list[StrictStr] = True
    last_n_messages: Annotated[int, Field(ge=1, strict=True)] | Literal["auto"] = "auto"
    acknowledge_local_execution: bool = False

    @field_validator("use_docker")
    @classmethod
    def _an_image_has_a_name(cls, value: bool | str | list[str]) -> bool | str | list[str]:
        # AutoGen reads an empty name or list as false: code would run here, without the warning.
        if not isinstance(value, bool) and (not value or not all(value)):
            raise ValueError(f"use_docker is true, false, an image name or a list of names (got {value!r})")
        return value

    def to_autogen(self) -> dict[str, Any]:
        """Return the dict AutoGen takes."""
        return {
            "work_dir": self.work_dir,
            "timeout": self.timeout,
            "use_docker": self.use_docker,
            "last_n_messages": self.last_n_messages,
        }


def describe_code_execution(
    native: dict[str, Any] | Literal[False], owner: str, *, acknowledged: bool
) -> CodeExecutionConfig | None:
    """Describe a proxy's ``code_execution_config`` (``owner`` names the proxy in errors); None when it runs no code.

    Raises:
        ConfigurationError: for settings that have no configuration form (a code executor object, say).
    """
    if native is False:
        return None
    unknown = sorted(set(native) - {"work_dir", "timeout", "use_docker", "last_n_messages"})
    if unknown:
        raise ConfigurationError(
            f"code_execution_config of {owner} has {unknown}, which have no configuration form "
            "(a code executor object lives in code, not in configuration)"
        )
    return checked_form(
        CodeExecutionConfig,
        f"code_execution_config of {owner}",
        work_dir=native.get("work_dir"),
        timeout=native.get("timeout"),
        use_docker=native.get("use_docker", True),
        last_n_messages=native.get("last_n_messages", "auto"),
        acknowledge_local_execution=acknowledged,
    )
