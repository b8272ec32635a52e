"""hitl.core.code finds the code blocks AutoGen's code execution finds, on every classic line, without AutoGen."""

from __future__ import annotations

import re

from autogen.code_utils import CODE_BLOCK_PATTERN, extract_code, infer_lang
from autogen.coding import MarkdownCodeExtractor
from hypothesis import given, settings
from hypothesis import strategies as st

from hitl.core.code import code_blocks, content_text, infer_language, runnable_blocks

PIECES = ["```", "``", "`", "python", "py", "c++", "sh", "bash", " ", "\t", "\n", "\r\n", "x = 1", "print(1)",
          "pip install x", "python -m y", "{{", "é", "unknown", "#", "-"]  # fmt: skip

texts = st.lists(st.sampled_from(PIECES), max_size=14).map("".join)


@settings(max_examples=600, deadline=None)
@given(texts)
def test_the_same_blocks_as_autogens_pattern(text: str) -> None:
    found = [(language, code) for language, code in re.findall(CODE_BLOCK_PATTERN, text, flags=re.DOTALL)]
    assert code_blocks(text) == found
    native = extract_code(text)
    assert code_blocks(text) == ([] if native == [("unknown", text)] and not found else native)


@settings(max_examples=600, deadline=None)
@given(texts)
def test_the_same_blocks_and_languages_as_autogens_executors(text: str) -> None:
    native = [(block.language, block.code) for block in MarkdownCodeExtractor().extract_code_blocks(text)]
    ours = [("" if language == "unknown" else language, code) for language, code in runnable_blocks(text)]
    assert ours == native


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*PIECES, "def f():", "    return 2", "import os", ")"]), max_size=8).map("".join))
def test_untagged_blocks_get_autogens_language(code: str) -> None:
    assert infer_language(code) == infer_lang(code)


def test_content_is_read_as_autogen_reads_it_or_not_at_all() -> None:
    parts = [
        {"type": "text", "text": "run "},
        {"type": "image_url", "image_url": {"url": "u"}},
        {"type": "text", "text": "```py\nx\n```"},
    ]
    assert content_text(parts) == "run <image>```py\nx\n```"
    assert content_text(None) == ""
    for unreadable in (42, [{"text": "no type"}], ["plain"], [{"type": "audio"}], [{"type": "text", "text": 3}]):
        assert content_text(unreadable) is None


def test_an_untagged_block_that_does_not_compile_is_unknown_not_an_error() -> None:
    assert infer_language("print(1)\x00") == "unknown"
    assert runnable_blocks("```\n(((\n```") == [("unknown", "(((")]
