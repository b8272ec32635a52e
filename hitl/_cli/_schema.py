"""``hitl schema``: the JSON Schema of configuration files."""

from __future__ import annotations

from typing import Any

__all__ = ["JSON_SCHEMA_DIALECT", "SCHEMA_ID", "schema"]

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
#: Names the schema of configuration format 1 (``version: 1``); it changes only with the format.
SCHEMA_ID = "https://autogen-hitl.github.io/autogen-hitl/schema/proxy-config-v1.json"


def schema() -> dict[str, Any]:
    """Return the JSON Schema of configuration files, with its dialect (``$schema``) and its name (``$id``)."""
    from ..config import json_schema

    return {"$schema": JSON_SCHEMA_DIALECT, "$id": SCHEMA_ID, **json_schema()}
