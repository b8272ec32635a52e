"""Names a package offers, imported on first use (PEP 562): one loader for every package of hitl."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_names(package: str, homes: Mapping[str, str], namespace: dict[str, Any]) -> Callable[[str], Any]:
    """Return a module ``__getattr__`` that imports each name of ``homes`` from its module on first use.

    ``homes`` maps a name to the module it lives in, relative to ``package`` (``".proxy"``) or absolute
    (``"hitl.stores.audit"``); the value, once imported, is kept in ``namespace`` (the package's globals), so it
    is imported once.
    """

    def __getattr__(name: str) -> Any:
        module = homes.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module, package), name)
        namespace[name] = value
        return value

    return __getattr__
