"""How an adapter's classes offer ``from_config`` and ``to_config`` without importing the configuration.

Configuration ([`hitl.config`][hitl.config]) is the composition root: it builds proxies, so it imports the
adapters, and an adapter must not import it back. Instead, an adapter asks for the
[`ConfigurationLayer`][hitl.adapters.configuration.ConfigurationLayer] installed here. The package ``hitl``
installs one when it is imported (always before any of its modules), which loads ``hitl.config`` only when a
proxy is first built from a configuration or described as one.

Examples:
    >>> from hitl.adapters.configuration import configuration_layer
    >>> type(configuration_layer()).__name__
    'LazyConfiguration'
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from ..core.errors import ConfigurationError

__all__ = ["ConfigurationLayer", "configuration_layer", "install_configuration_layer"]

_T = TypeVar("_T")


class ConfigurationLayer(Protocol):
    """What an adapter needs of the configuration: build a proxy from a source, describe a proxy."""

    def build(self, proxy_class: type[_T], source: Any, options: dict[str, Any]) -> _T:
        """Build ``proxy_class`` from ``source`` (a configuration object, a dict or a file's path).

        ``options`` are keyword arguments for the constructor, which win over the configuration's.
        """
        ...

    def describe(self, proxy: Any) -> Any:
        """Describe ``proxy`` as a configuration object (the inverse of ``build``)."""
        ...


_installed: list[ConfigurationLayer] = []


def install_configuration_layer(layer: ConfigurationLayer) -> None:
    """Make ``layer`` the configuration every adapter uses (replacing the one installed before)."""
    _installed[:] = [layer]


def configuration_layer() -> ConfigurationLayer:
    """Return the installed configuration layer.

    Raises:
        ConfigurationError: if none is installed (only if the package ``hitl`` was never imported, which
            importing any of its modules does).
    """
    if not _installed:
        raise ConfigurationError("no configuration layer is installed: import hitl first")
    return _installed[0]
