"""Code blocks in a message, found as classic AutoGen's code execution finds them, without AutoGen.

Every classic AutoGen line (pyautogen 0.2 and 0.9, AG2 0.14) looks for fenced blocks with the same
pattern and names untagged blocks the same way; this module does exactly that, so a policy can say what
would run without importing an agent framework. (The approval gate still learns what actually runs
from AutoGen itself, where it runs.)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

__all__ = [
    "FENCED_BLOCK",
    "KNOWN_LANGUAGES",
    "LANGUAGE_ALIASES",
    "UNKNOWN",
    "canonical_language",
    "code_blocks",
    "content_text",
    "infer_language",
    "runnable_blocks",
]

#: A fenced block: three backticks, an optional one-word language tag, a newline, the code, a newline and
#: three backticks (white space allowed around the tag and before the closing fence).
FENCED_BLOCK: Final = re.compile(r"```[ \t]*(\w+)?[ \t]*\r?\n(.*?)\r?\n[ \t]*```", re.DOTALL)
#: The language of an untagged block that is neither shell nor valid Python.
UNKNOWN: Final = "unknown"
#: The languages AutoGen's code executors run (its legacy runner and its command-line, Jupyter and cloud executors).
KNOWN_LANGUAGES: Final[frozenset[str]] = frozenset({"python", "sh", "ps1", "javascript", "typescript", "html", "css"})
#: Other names for the known languages, as models write them.
LANGUAGE_ALIASES: Final[dict[str, str]] = {
    "py": "python",
    "python3": "python",
    "bash": "sh",
    "shell": "sh",
    "zsh": "sh",
    "pwsh": "ps1",
    "powershell": "ps1",
    "js": "javascript",
    "ts": "typescript",
}


def canonical_language(language: str) -> str:
    """Name a language as the gates and conditions compare them: lower case, common aliases resolved.

    Examples:
        >>> canonical_language(" Py "), canonical_language("bash"), canonical_language("rust")
        ('python', 'sh', 'rust')
    """
    language = language.strip().lower()
    return LANGUAGE_ALIASES.get(language, language)


def code_blocks(text: str) -> list[tuple[str, str]]:
    r"""Return the fenced code blocks in ``text`` as ``(language, code)`` pairs; ``""`` for an untagged block.

    Examples:
        >>> code_blocks("Run this:\n```python\nprint(1)\n```")
        [('python', 'print(1)')]
        >>> code_blocks("no code")
        []
    """
    if "```" not in text:
        return []
    return [(match.group(1) or "", match.group(2)) for match in FENCED_BLOCK.finditer(text)]


def infer_language(code: str) -> str:
    """Name the language AutoGen runs an untagged block in: ``sh``, ``python`` or ``unknown``.

    Examples:
        >>> infer_language("pip install requests"), infer_language("print(1)"), infer_language("{{ oops")
        ('sh', 'python', 'unknown')
    """
    if code.startswith(("python ", "pip", "python3 ")):
        return "sh"
    try:
        compile(code, "<code block>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, OverflowError, MemoryError, RecursionError):
        return UNKNOWN
    return "python"


def runnable_blocks(text: str) -> list[tuple[str, str]]:
    r"""Return the blocks AutoGen's code execution would run from ``text``, each with the language it runs in.

    Examples:
        >>> runnable_blocks("```\nprint(1)\n```\n```bash\nls\n```")
        [('python', 'print(1)'), ('bash', 'ls')]
    """
    return [(language or infer_language(code), code) for language, code in code_blocks(text)]


def content_text(content: object) -> str | None:
    """Return a message's content as AutoGen's code execution reads it, or None where AutoGen cannot read it.

    Text parts are joined as they are and each image is ``<image>``; ``None`` is ``""``.

    Examples:
        >>> content_text([{"type": "text", "text": "see "}, {"type": "image_url", "image_url": {"url": "x"}}])
        'see <image>'
        >>> content_text(42) is None
        True
    """
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        return None
    parts = []
    for item in content:
        if not isinstance(item, Mapping) or "type" not in item:
            return None
        if item["type"] == "text":
            text = item.get("text")
            if not isinstance(text, str):
                return None
            parts.append(text)
        elif item["type"] == "image_url":
            parts.append("<image>")
        else:
            return None
    return "".join(parts)
