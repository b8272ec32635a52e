"""These modules are for mypy (``mypy --strict hitl tests``, and ``tests/project/test_typing.py``), not for pytest."""

collect_ignore_glob = ["*.py"]
