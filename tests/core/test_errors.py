"""hitl's errors: one base to catch, each also the built-in error it is a kind of; warnings point at the caller."""

from __future__ import annotations

import pytest

from hitl import When
from hitl.core.errors import (
    AutoReplyError,
    ConfigurationError,
    HitlError,
    InputExhaustedError,
    PolicyError,
    ScriptExhaustedError,
    user_stacklevel,
)
from hitl.testing import run_chat


@pytest.mark.parametrize(
    ("error", "builtin"),
    [
        (ConfigurationError, ValueError),
        (PolicyError, RuntimeError),
        (AutoReplyError, RuntimeError),
        (InputExhaustedError, LookupError),
        (ScriptExhaustedError, LookupError),
    ],
)
def test_every_error_is_a_hitl_error_and_the_builtin_it_is_a_kind_of(error: type[Exception], builtin: type) -> None:
    assert issubclass(error, HitlError)
    assert issubclass(error, builtin)


def test_a_broken_predicate_is_a_policy_error_naming_the_policy() -> None:
    def broken(ctx: object) -> bool:
        return None  # type: ignore[return-value]

    with pytest.raises(PolicyError, match=r"When\(broken\) returned None"):
        run_chat(When(broken), ["hello"])


def test_user_stacklevel_counts_the_frames_up_to_the_caller() -> None:
    def inside() -> int:
        return user_stacklevel()

    assert inside() == 1
