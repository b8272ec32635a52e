"""Run the hitl command, or an example, as if the openai package were not installed.

python cli_without_openai.py -m hitl ARGS...     the hitl command
python cli_without_openai.py PATH/EXAMPLE.py     an example, from its directory

Importing ``openai`` (or any module of it) fails as it does when the package is missing. Used by
tests/cli/test_cli.py and tests/project/test_examples.py.
"""

from __future__ import annotations

import importlib.abc
import os
import runpy
import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType


class NoOpenAI(importlib.abc.MetaPathFinder):
    """A finder that says ``openai`` does not exist."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname == "openai" or fullname.startswith("openai."):
            raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
        return None


sys.meta_path.insert(0, NoOpenAI())
for name in [name for name in sys.modules if name == "openai" or name.startswith("openai.")]:
    del sys.modules[name]

if sys.argv[1] == "-m":
    sys.argv = [sys.argv[2], *sys.argv[3:]]
    runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
else:
    example = os.path.abspath(sys.argv[1])
    sys.argv = [example, *sys.argv[2:]]
    sys.path[0] = os.path.dirname(example)
    runpy.run_path(example, run_name="__main__")
