"""The compatibility layer: which AutoGen is installed, and what to say when it is the wrong one."""

from __future__ import annotations

import autogen
import pytest

from hitl.adapters.autogen import compat


def test_the_installed_autogen_is_a_supported_classic_line() -> None:
    assert hasattr(autogen, "UserProxyAgent")
    assert compat.AUTOGEN_DISTRIBUTION in ("pyautogen", "autogen")
    major, minor = (int(part) for part in compat.AUTOGEN_VERSION.split(".")[:2])
    if compat.AUTOGEN_DISTRIBUTION == "pyautogen":
        assert (0, 2) <= (major, minor) < (0, 10)
    else:
        assert (major, minor) >= (0, 10)


@pytest.mark.parametrize("version", ["0.10.0", "0.11.2", "1.0.0"])
def test_agentchat_pyautogen_is_named_with_the_package_to_install_instead(version: str) -> None:
    message = compat.missing_autogen_message(version)
    assert f"found pyautogen {version}, which is AgentChat and has no `autogen` module" in message
    assert "pip install 'pyautogen>=0.2.35,<0.10'" in message
    assert "the `autogen` distribution, AG2 classic" in message


def test_a_missing_autogen_is_named_too() -> None:
    assert compat.missing_autogen_message(None).endswith("found no `autogen` module")
    assert "did not import" in compat.missing_autogen_message("0.9.0")


def test_coroutine_callables_are_recognised_through_partials_and_call() -> None:
    import functools

    async def answer(prompt: str) -> str:
        return prompt

    class Caller:
        async def __call__(self, prompt: str) -> str:
            return prompt

    assert compat.is_coroutine_callable(answer)
    assert compat.is_coroutine_callable(functools.partial(answer, "x"))
    assert compat.is_coroutine_callable(Caller())
    assert not compat.is_coroutine_callable(print)
    assert not compat.is_coroutine_callable(lambda: None)
