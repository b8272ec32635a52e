"""Modules checked by ``mypy --strict`` and never run: each pins a type of the public API with ``assert_type``."""
