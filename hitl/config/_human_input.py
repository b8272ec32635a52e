"""How the human is asked, in a configuration: one model per kind of provider, told apart by ``kind``."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BeforeValidator, ConfigDict, Field, StrictStr, field_validator
from pydantic_core import InitErrorDetails, ValidationError

from ..core.errors import ConfigurationError
from ..providers.timeout import MAX_TIMEOUT_SECONDS
from ._model import Model

if TYPE_CHECKING:
    from ..providers import AsyncHumanInput, HumanInput


class TimeoutConfig(Model):
    """A deadline for the human: after ``seconds``, ``default`` is the answer (``"exit"``, ``""`` or a text)."""

    seconds: Annotated[float, Field(gt=0, le=MAX_TIMEOUT_SECONDS, strict=False, allow_inf_nan=False)]
    default: StrictStr = "exit"

    @field_validator("seconds", mode="before")
    @classmethod
    def _no_bool(cls, value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError(f"timeout.seconds must be a number > 0 (got {value!r})")
        return value


class HumanInputConfig(Model):
    """How the human is asked: one model per kind of provider, told apart by ``kind``, each with a ``timeout``.

    - ``console`` ([`ConsoleInputConfig`][hitl.config.ConsoleInputConfig]), the default when ``kind`` is left out;
    - ``scripted`` ([`ScriptedInputConfig`][hitl.config.ScriptedInputConfig]), with its ``answers``;
    - ``queue`` ([`QueueInputConfig`][hitl.config.QueueInputConfig]).

    A key of another kind (``conversation`` with ``kind: console``) is an error that names the kind it goes
    with.
    """

    if TYPE_CHECKING:  # each kind has the field: after its own, as the files write it
        timeout: TimeoutConfig | None

    @abstractmethod
    def _provider(self) -> HumanInput | AsyncHumanInput:
        """Make this kind's provider, before its timeout."""

    def build(self) -> HumanInput | AsyncHumanInput:
        """Make the provider."""
        provider = self._provider()
        if self.timeout is not None:
            from ..providers import TimeoutInput

            provider = TimeoutInput(provider, self.timeout.seconds, self.timeout.default)
        return provider

    @classmethod
    def of(cls, provider: object) -> ConsoleInputConfig | ScriptedInputConfig | QueueInputConfig:
        """Describe a provider; raises ConfigurationError for one that has no configuration form."""
        from ..adapters.autogen.console import ConsoleInput
        from ..providers import QueueInput, ScriptedInput, TimeoutInput

        timeout = None
        if isinstance(provider, TimeoutInput):
            timeout = TimeoutConfig(seconds=provider.seconds, default=provider.default)
            provider = provider.inner
        if isinstance(provider, ScriptedInput):
            return ScriptedInputConfig(answers=list(provider.answers), timeout=timeout)
        if isinstance(provider, QueueInput):
            return QueueInputConfig(conversation=provider.conversation, timeout=timeout)
        if isinstance(provider, ConsoleInput):
            return ConsoleInputConfig(
                on_eof=provider.on_eof,
                on_interrupt=provider.on_interrupt,
                allow_non_interactive=provider.allow_non_interactive,
                timeout=timeout,
            )
        raise ConfigurationError(f"the human input {provider!r} has no configuration form; set it in code")


def _kind_is_required(schema: dict[str, Any]) -> None:
    # The default kind is console: in the schema, a block of any other kind says its kind.
    schema["required"] = ["kind", *schema.get("required", [])]


class ConsoleInputConfig(HumanInputConfig):
    """A person at a terminal ([`ConsoleInput`][hitl.inputs.ConsoleInput]): ``kind: console``, the default.

    Attributes:
        kind: ``"console"``.
        on_eof: the answer when the input is closed (``"exit"``: the chat stops; ``"raise"``: the error).
        on_interrupt: the answer on ``Ctrl-C``, as ``on_eof``.
        allow_non_interactive: read stdin even when it is not a terminal (the input is piped on purpose).
        timeout: a deadline for the human's answer (``None``: none).
    """

    kind: Literal["console"] = "console"
    on_eof: StrictStr = "exit"
    on_interrupt: StrictStr = "exit"
    allow_non_interactive: bool = False
    timeout: TimeoutConfig | None = None

    def _provider(self) -> HumanInput | AsyncHumanInput:
        from ..adapters.autogen.console import ConsoleInput

        return ConsoleInput(
            on_eof=self.on_eof, on_interrupt=self.on_interrupt, allow_non_interactive=self.allow_non_interactive
        )


class ScriptedInputConfig(HumanInputConfig):
    """Answers from a list, for tests ([`ScriptedInput`][hitl.inputs.ScriptedInput]): ``kind: scripted``.

    Attributes:
        kind: ``"scripted"``.
        answers: the human's answers, in order (``""`` lets the auto-reply happen, ``"exit"`` stops).
        timeout: a deadline for the human's answer (``None``: none).
    """

    model_config = ConfigDict(json_schema_extra=_kind_is_required)

    kind: Literal["scripted"] = "scripted"
    answers: list[StrictStr]
    timeout: TimeoutConfig | None = None

    def _provider(self) -> HumanInput | AsyncHumanInput:
        from ..providers import ScriptedInput

        return ScriptedInput(self.answers)


class QueueInputConfig(HumanInputConfig):
    """Questions out and answers in, for servers ([`QueueInput`][hitl.inputs.QueueInput]): ``kind: queue``.

    Attributes:
        kind: ``"queue"``.
        conversation: the conversation its questions are labelled with (``None``: none).
        timeout: a deadline for the human's answer (``None``: none).
    """

    model_config = ConfigDict(json_schema_extra=_kind_is_required)

    kind: Literal["queue"] = "queue"
    conversation: StrictStr | None = None
    timeout: TimeoutConfig | None = None

    def _provider(self) -> HumanInput | AsyncHumanInput:
        from ..providers import QueueInput

        return QueueInput(self.conversation)


_KINDS: tuple[type[ConsoleInputConfig | ScriptedInputConfig | QueueInputConfig], ...] = (
    ConsoleInputConfig,
    ScriptedInputConfig,
    QueueInputConfig,
)
_KIND_NAMES = frozenset(model.model_fields["kind"].default for model in _KINDS)
#: Each key that only one kind has: that kind, and the value every human_input block held for it when one
#: model held all the kinds (such blocks, dumped before, still load: the key is dropped).
_KEY_OF_KIND: dict[str, tuple[str, object]] = {
    key: (model.model_fields["kind"].default, None if field.is_required() else field.default)
    for model in _KINDS
    for key, field in model.model_fields.items()
    if key not in ("kind", "timeout")
}


def _kind_of_the_block(value: Any) -> Any:
    """Give a human_input block its kind (console when left out); refuse each key of another kind, by name."""
    if not isinstance(value, Mapping):
        return value
    block = dict(value)
    given = "kind" in block
    kind = block.setdefault("kind", "console")
    if kind not in _KIND_NAMES:
        names = ", ".join(repr(model.model_fields["kind"].default) for model in _KINDS)
        lower = kind.lower() if isinstance(kind, str) else None
        hint = f" (kinds are lower case: {lower!r})" if lower in _KIND_NAMES else ""
        raise ValidationError.from_exception_data(
            "human_input",
            [
                InitErrorDetails(
                    type="value_error",
                    loc=("kind",),
                    input=kind,
                    ctx={"error": ValueError(f"kind must be one of {names} (got {kind!r}){hint}")},
                )
            ],
        )
    which = f"kind {kind!r}" if given else f"kind {kind!r} (the kind when none is given)"
    problems: list[tuple[str, str]] = []
    for key, (owner, unused) in _KEY_OF_KIND.items():
        if key in block and owner != kind:
            if block[key] == unused:
                del block[key]
            else:
                problems.append(
                    (key, f"goes with kind {owner!r}, not with {which}: set kind: {owner}, or leave it out")
                )
    if kind == "scripted" and "answers" not in block:
        problems.append(("answers", "kind 'scripted' needs answers: the human's answers, in order, such as ['', exit]"))
    if problems:
        raise ValidationError.from_exception_data(
            "human_input",
            [
                InitErrorDetails(
                    type="value_error", loc=(key,), input=block.get(key, block), ctx={"error": ValueError(text)}
                )
                for key, text in problems
            ],
        )
    return block


#: How the human is asked, in a configuration: a console, scripted or queue block, told apart by ``kind``.
HumanInputField = Annotated[
    ConsoleInputConfig | ScriptedInputConfig | QueueInputConfig,
    BeforeValidator(_kind_of_the_block),
    Field(discriminator="kind"),
]
