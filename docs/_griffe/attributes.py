"""Griffe extension: the entries of a class's ``Attributes:`` section become its attributes' own docstrings.

The API reference then renders every documented attribute as a member with its own anchor (for example
``hitl.adapters.autogen.prompts.Prompts.always``), so any docstring can link to it, and ``show_docstring_attributes:
false`` in ``mkdocs.yml`` keeps the section from showing a second time as a table. An entry that names no attribute of
the class is reported for this project's package, and fails ``mkdocs build --strict``: the section has drifted from the
code.
"""

from __future__ import annotations

import ast
from typing import Any

import griffe

PACKAGE = "hitl"  # whose sections must name real attributes; another package's classes only gain docstrings


class AttributesAsMembers(griffe.Extension):
    """Give each attribute described in its class's ``Attributes:`` section that description as docstring."""

    def on_class_members(self, *, node: ast.AST | griffe.ObjectNode, cls: griffe.Class, **kwargs: Any) -> None:
        """Run once a class's members are loaded: copy the section's descriptions onto them."""
        if cls.docstring is None:
            return
        for section in cls.docstring.parse():
            if section.kind is not griffe.DocstringSectionKind.attributes:
                continue
            for entry in section.value:
                member = cls.members.get(entry.name)
                if member is None or member.is_alias:
                    if cls.package.name == PACKAGE:
                        griffe.logger.warning(
                            f"{cls.path}: the Attributes section names {entry.name!r}, which the class does not define"
                        )
                elif member.docstring is None and isinstance(member, griffe.Object):
                    member.docstring = griffe.Docstring(
                        entry.description,
                        parent=member,
                        parser=cls.docstring.parser,
                        parser_options=cls.docstring.parser_options,
                    )
