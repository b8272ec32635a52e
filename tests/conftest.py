"""Fixtures the test modules share."""

from __future__ import annotations

import pytest

from hitl import TurnContext


class EnterInput:
    """A human who presses Enter at every question, and remembers what was asked."""

    def __init__(self) -> None:
        self.prompts: list[str] = []
        self.contexts: list[TurnContext] = []

    def ask(self, prompt: str, context: TurnContext) -> str:
        self.prompts.append(prompt)
        self.contexts.append(context)
        return ""


@pytest.fixture
def enter() -> EnterInput:
    """A human-input provider that presses Enter at every question (``.prompts`` holds what it was asked)."""
    return EnterInput()
