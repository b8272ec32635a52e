"""Text shown to a human: control characters made visible, so a preview shows what will run.

A code line or a tool argument can hold terminal control sequences (an ANSI erase-line, a cursor move, a
carriage return) or Unicode direction overrides that make a terminal or a page show other text than the
one that runs. Everything hitl shows a human goes through [`visible`][hitl._text.visible] first.
"""

from __future__ import annotations

__all__ = ["visible"]


def _escape(code: int) -> str:
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


#: C0 controls but newline and tab, DEL, the C1 controls, and the invisible or direction-changing
#: Unicode format characters (zero-width, bidirectional embeddings, overrides and isolates, BOM).
_UNSAFE: dict[int, str] = {
    code: _escape(code)
    for code in (
        *(c for c in range(0x20) if c not in (0x09, 0x0A)),
        *range(0x7F, 0xA0),
        0x061C,
        *range(0x200B, 0x2010),
        *range(0x2028, 0x202F),
        *range(0x2060, 0x2070),
        0xFEFF,
    )
}
_UNSAFE.update({0x0B: "\\v", 0x0C: "\\f", 0x0D: "\\r"})


def visible(text: str) -> str:
    r"""Return ``text`` with every control or invisible formatting character shown as an escape.

    Newlines and tabs stay, so a preview keeps its lines; everything else is shown as it is.

    Examples:
        >>> print(visible("print('hello')\r\x1b[2Kos.system('rm -rf ~')"))
        print('hello')\r\x1b[2Kos.system('rm -rf ~')
        >>> visible("line one\nline two")
        'line one\nline two'
    """
    if text.isprintable():
        return text
    return "".join(
        char if char.isprintable() or char in "\n\t" else _UNSAFE.get(ord(char)) or _escape(ord(char)) for char in text
    )
