"""Every code example in the docs runs and shows what it prints, so the docs cannot drift from the code.

A page's examples run in order, in one namespace per page:

- a ```` ```pycon ```` block (or a ```` ```python ```` block starting with ``>>>``) is a doctest;
- a ```` ```python ```` block runs as a script; what it prints must be shown by the block right after it,
  a ```` ```text title="Output" ```` block, compared as doctests compare (``...`` matches anything, runs of
  white space are equal). A block that prints and shows nothing fails, as does an output block that
  follows no script.

Examples show what the code does, so they hold no ``assert`` statements: a reader sees the output instead.
"""

from __future__ import annotations

import ast
import contextlib
import doctest
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"
PAGES = sorted(page for page in DOCS.rglob("*.md") if "reference" not in page.parts)
OUTPUT = 'text title="Output"'
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
FENCE = re.compile(r"^```([^\n]*)\n(.*?)^```$", flags=re.DOTALL | re.MULTILINE)


@dataclass(frozen=True)
class Block:
    info: str  # what follows the opening ```: the language and any options
    code: str
    line: int  # of the opening fence, 1-based
    follows_block: bool  # only blank lines between this block and the previous one

    @property
    def is_doctest(self) -> bool:
        return self.info == "pycon" or (self.info == "python" and self.code.lstrip().startswith(">>>"))

    @property
    def is_script(self) -> bool:
        return self.info == "python" and not self.is_doctest

    @property
    def is_output(self) -> bool:
        return self.info == OUTPUT


def blocks(page: Path) -> list[Block]:
    text = page.read_text(encoding="utf-8")
    found: list[Block] = []
    end = None
    for match in FENCE.finditer(text):
        between = None if end is None else text[end : match.start()]
        found.append(
            Block(
                info=match.group(1).strip(),
                code=match.group(2),
                line=text.count("\n", 0, match.start()) + 1,
                follows_block=between is not None and not between.strip(),
            )
        )
        end = match.end()
    return found


def examples(page: Path) -> list[Block]:
    return [block for block in blocks(page) if block.is_doctest or block.is_script]


def test_the_docs_have_pages_with_examples() -> None:
    assert sum(1 for page in PAGES if examples(page)) >= 15


@pytest.mark.parametrize("page", PAGES, ids=[str(page.relative_to(DOCS)) for page in PAGES])
def test_every_example_on_the_page_runs_and_prints_what_it_shows(page: Path) -> None:
    namespace: dict[str, Any] = {"__name__": f"docs.{page.stem}"}
    page_blocks = blocks(page)
    for index, block in enumerate(page_blocks):
        where = f"{page.relative_to(DOCS)}, line {block.line}"
        shown = page_blocks[index + 1] if index + 1 < len(page_blocks) else None
        if shown is not None and not (shown.is_output and shown.follows_block):
            shown = None
        if block.is_doctest:
            test = doctest.DocTestParser().get_doctest(block.code, namespace, where, str(page), block.line)
            runner = doctest.DocTestRunner(optionflags=FLAGS)
            report = io.StringIO()
            runner.run(test, out=report.write, clear_globs=False)
            assert runner.failures == 0, report.getvalue()
            namespace.update(test.globs)
            assert shown is None, f"{where}: a doctest shows its own output; the Output block after it is not checked"
        elif block.is_script:
            printed = io.StringIO()
            with contextlib.redirect_stdout(printed):
                exec(compile(block.code, str(page), "exec", dont_inherit=True), namespace)
            if shown is None:
                assert not printed.getvalue(), f"{where}: the example prints, but no Output block shows it"
            else:
                checker = doctest.OutputChecker()
                assert checker.check_output(shown.code, printed.getvalue(), FLAGS), (
                    f"{where}: the Output block does not show what the example prints:\n"
                    f"--- shown\n{shown.code}--- printed\n{printed.getvalue()}"
                )
        elif block.is_output:
            previous = page_blocks[index - 1] if index else None
            follows_a_script = previous is not None and previous.is_script and block.follows_block
            assert follows_a_script, f"{where}: an Output block must follow the python example whose output it shows"


@pytest.mark.parametrize("page", PAGES, ids=[str(page.relative_to(DOCS)) for page in PAGES])
def test_examples_show_output_instead_of_asserting(page: Path) -> None:
    for block in examples(page):
        source = (
            "\n".join(example.source for example in doctest.DocTestParser().get_examples(block.code))
            if block.is_doctest
            else block.code
        )
        tree = ast.parse(source)
        asserts = [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Assert)]
        imports_pytest = [
            node.lineno
            for node in ast.walk(tree)
            if (isinstance(node, ast.Import) and any(alias.name == "pytest" for alias in node.names))
            or (isinstance(node, ast.ImportFrom) and node.module == "pytest")
        ]
        where = f"{page.relative_to(DOCS)}, line {block.line}"
        assert not asserts, f"{where}: an example asserts; print what it shows instead"
        assert not imports_pytest, f"{where}: an example uses pytest; show the error it prints instead"


def reference_directives() -> list[tuple[str, list[str] | None]]:
    """Each ``::: module`` of the API reference, with its explicit ``members:`` list if it has one."""
    found: list[tuple[str, list[str] | None]] = []
    for page in sorted((DOCS / "reference").glob("*.md")):
        text = page.read_text(encoding="utf-8")
        for match in re.finditer(r"^::: (\S+)\n((?:    .*\n)*)", text, flags=re.MULTILINE):
            members = re.search(r"^\s+members: \[(.*)\]$", match.group(2), flags=re.MULTILINE)
            found.append((match.group(1), [name.strip() for name in members.group(1).split(",")] if members else None))
    return found


def test_the_reference_documents_every_public_module() -> None:
    import hitl

    root = Path(hitl.__file__).parent
    modules = {"hitl.testing", "hitl.testing.pytest_plugin"}
    for folder in (root, root / "core", root / "stores", root / "adapters" / "autogen"):
        for path in folder.glob("*.py"):
            if path.stem.startswith("_") or "stays importable" in path.read_text(encoding="utf-8"):
                continue  # private, or a compatibility path for names documented where they live
            modules.add(".".join(("hitl", *path.relative_to(root).with_suffix("").parts)))
    assert modules <= {module for module, _ in reference_directives()}


def test_a_reference_members_list_is_the_modules_public_names() -> None:
    """The reference renders ``__all__`` (``filters: public``); a page that orders the names by hand lists them all."""
    import importlib

    for module, members in reference_directives():
        if members is not None:
            assert sorted(members) == sorted(importlib.import_module(module).__all__), module


def test_every_page_is_in_the_navigation() -> None:
    nav = (DOCS.parent / "mkdocs.yml").read_text(encoding="utf-8")
    for page in DOCS.rglob("*.md"):
        assert str(page.relative_to(DOCS)) in nav, f"{page} is not in mkdocs.yml's nav"
