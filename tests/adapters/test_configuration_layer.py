"""PolicyUserProxy.from_config and .to_config reach the configuration without the adapter importing it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from typing import Any, TypeVar

import pytest

from hitl import ConfigurationError, PolicyUserProxy
from hitl.adapters import configuration
from hitl.config import ProxyConfig

_T = TypeVar("_T")


def test_from_config_loads_the_configuration_only_when_first_used() -> None:
    script = textwrap.dedent(
        """
        import sys
        from hitl.adapters.autogen.proxy import PolicyUserProxy
        assert "hitl.config" not in sys.modules, "the adapter imported the configuration"
        proxy = PolicyUserProxy.from_config({"name": "user", "policy": "terminate | code"})
        assert "hitl.config" in sys.modules
        print(proxy.policy, type(proxy.to_config()).__name__)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Terminate() | When(has_code_block) ProxyConfig"


def test_from_config_on_a_subclass_builds_the_subclass_and_round_trips() -> None:
    class Reviewer(PolicyUserProxy):
        pass

    proxy = Reviewer.from_config({"name": "reviewer", "policy": "terminate", "limits": {"max_turns": 3}})
    assert type(proxy) is Reviewer
    assert Reviewer.from_config(proxy.to_config()).to_config() == proxy.to_config()


def test_an_installed_layer_is_the_one_the_proxy_uses() -> None:
    seen: list[object] = []
    before = configuration.configuration_layer()

    class Recording:
        def build(self, proxy_class: type[_T], source: Any, options: dict[str, Any]) -> _T:
            seen.append(source)
            return before.build(proxy_class, source, options)

        def describe(self, proxy: Any) -> Any:
            return ProxyConfig.of(proxy)

    configuration.install_configuration_layer(Recording())
    try:
        PolicyUserProxy.from_config({"name": "user", "policy": "terminate", "limits": {"max_turns": 2}})
    finally:
        configuration.install_configuration_layer(before)
    assert seen == [{"name": "user", "policy": "terminate", "limits": {"max_turns": 2}}]


def test_without_a_layer_the_proxy_says_what_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(configuration, "_installed", [])
    with pytest.raises(ConfigurationError, match="no configuration layer is installed"):
        PolicyUserProxy.from_config({"name": "user"})
