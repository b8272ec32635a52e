"""What the parts of a configuration share: a frozen model that refuses unknown keys, and two checks."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict

from ..core.errors import ConfigurationError


class Model(BaseModel):
    """A part of a configuration: frozen, and a key it does not know is an error."""

    model_config = ConfigDict(frozen=True, extra="forbid")


_M = TypeVar("_M", bound=Model)


def canonical_condition(text: str) -> str:
    """Parse a condition expression and write it back in its one canonical form (so round trips compare equal)."""
    from ..core.spec import format_condition, parse_condition

    try:
        return format_condition(parse_condition(text))
    except ConfigurationError as exc:
        raise ValueError(str(exc)) from None


def checked_form(model: type[_M], what: str, **fields: Any) -> _M:
    """Build a model of a running proxy's parts; a part set in code that no field can hold is an error."""
    from pydantic import ValidationError

    try:
        return model(**fields)
    except ValidationError as exc:
        raise ConfigurationError(f"{what} has no configuration form: {exc}") from None
