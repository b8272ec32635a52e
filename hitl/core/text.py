"""Text shown to a human: control characters made visible, so a preview shows what will run.

A code line or a tool argument can hold terminal control sequences (an ANSI erase-line, a cursor move, a
carriage return) or Unicode direction overrides that make a terminal or a page show other text than the
one that runs. Everything hitl shows a human goes through [`visible`][hitl.core.text.visible] first.
"""

from __future__ import annotations

__all__ = ["check_template", "visible"]


def _escape(code: int) -> str:
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


#: Characters Python counts as printable that show nothing or change how neighbours show: Unicode's
#: default-ignorable code points (variation selectors, fillers, invisible operators, tags) and blank
#: lookalikes. Everything that is not printable is escaped anyway.
_INVISIBLE: frozenset[int] = frozenset(
    (
        0x00AD,
        0x034F,
        0x061C,
        0x115F,
        0x1160,
        0x17B4,
        0x17B5,
        *range(0x180B, 0x1810),
        *range(0x200B, 0x2010),
        *range(0x202A, 0x202F),
        *range(0x2060, 0x2070),
        0x2800,
        0x3164,
        *range(0xFE00, 0xFE10),
        0xFEFF,
        0xFFA0,
        *range(0xFFF0, 0xFFF9),
        *range(0x1BCA0, 0x1BCA4),
        *range(0x1D173, 0x1D17B),
        *range(0xE0000, 0xE1000),
    )
)
_NAMED = {0x0B: "\\v", 0x0C: "\\f", 0x0D: "\\r"}


def _shown(char: str) -> str:
    code = ord(char)
    if char in "\n\t" or (char.isprintable() and code not in _INVISIBLE):
        return char
    return _NAMED.get(code) or _escape(code)


def visible(text: str) -> str:
    r"""Return ``text`` with every control or invisible formatting character shown as an escape.

    Newlines and tabs stay, so a preview keeps its lines; everything else is shown as it is.

    Examples:
        >>> print(visible("print('hello')\r\x1b[2Kos.system('rm -rf ~')"))
        print('hello')\r\x1b[2Kos.system('rm -rf ~')
        >>> visible("line one\nline two")
        'line one\nline two'
    """
    if text.isprintable() and (text.isascii() or not any(ord(char) in _INVISIBLE for char in text)):
        return text
    return "".join(_shown(char) for char in text)


def check_template(template: object, names: tuple[str, ...], owner: str) -> str:
    """Return ``template`` if it is a text whose ``{placeholders}`` are only ``names``, plain; else raise.

    Plain means no format spec, attribute or index (``{agent:>999999999}`` would build a gigabyte), so
    filling it in costs what its text costs; a conversion (``{stage!r}``) is fine.

    Raises:
        TypeError: ``template`` is not a str.
        ConfigurationError: a placeholder that is not one of ``names``, or not plain, or broken braces.
    """
    import string

    from .errors import ConfigurationError

    if not isinstance(template, str):
        raise TypeError(f"{owner} must be a str (got {template!r})")
    allowed = " and ".join(f"{{{name}}}" for name in names)
    try:
        fields = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise ConfigurationError(
            f"{owner} has broken braces ({exc}): {template!r}; write {{{{ and }}}} for literal braces"
        ) from None
    for _, field, spec, conversion in fields:
        if field is None:
            continue
        if field not in names or spec:
            shown = "{" + field + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            raise ConfigurationError(
                f"{owner} may use only the plain placeholders {allowed} (got {shown} in {template!r}); "
                "write {{ and }} for literal braces"
            )
    return template
