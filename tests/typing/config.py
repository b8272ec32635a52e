"""Loading a configuration gives a ProxyConfig, and ``from_config`` the class it is called on."""

from __future__ import annotations

from typing_extensions import assert_type

from hitl import PolicyUserProxy
from hitl.config import ProxyConfig, load_config


class ReviewProxy(PolicyUserProxy):
    """A user's subclass."""


def load_and_build() -> None:
    config = load_config({"name": "user", "policy": "terminate | code"})
    assert_type(config, ProxyConfig)
    assert_type(load_config("proxy.yaml"), ProxyConfig)
    assert_type(PolicyUserProxy.from_config(config), PolicyUserProxy)
    assert_type(PolicyUserProxy.from_config({"name": "user", "policy": "never"}), PolicyUserProxy)
    assert_type(ReviewProxy.from_config("proxy.json", function_map={}), ReviewProxy)
    assert_type(config.build(), PolicyUserProxy)
    assert_type(config.build(proxy_class=ReviewProxy), ReviewProxy)
