"""A scripted human for tests: answers from a list, and every prompt recorded."""

from __future__ import annotations

from collections.abc import Iterable

from ..core.context import TurnContext
from ..core.errors import InputExhaustedError

__all__ = ["ScriptedInput"]


class ScriptedInput:
    """A scripted human: gives ``answers`` in order, and records every prompt it was asked.

    When asked once more than it has answers, it raises
    [`InputExhaustedError`][hitl.core.errors.InputExhaustedError] naming the
    prompt, so a test fails at the question it did not expect instead of hanging or auto-replying.

    Attributes:
        prompts: every prompt asked so far, in order.
        contexts: the TurnContext of each of those prompts.

    Examples:
        >>> from hitl import TurnContext
        >>> human = ScriptedInput(["looks good", "exit"])
        >>> human.ask("Your feedback? ", TurnContext("draft"))
        'looks good'
        >>> human.remaining
        1
    """

    def __init__(self, answers: Iterable[str]) -> None:
        self._answers = list(answers)
        for answer in self._answers:
            if not isinstance(answer, str):
                raise TypeError(f"ScriptedInput answers must be strings (got {answer!r})")
        self._given = 0
        self.prompts: list[str] = []
        self.contexts: list[TurnContext] = []

    @property
    def answers(self) -> tuple[str, ...]:
        """Every scripted answer, in order (those already given included)."""
        return tuple(self._answers)

    @property
    def remaining(self) -> int:
        """How many answers are left."""
        return len(self._answers) - self._given

    def ask(self, prompt: str, context: TurnContext) -> str:
        """Record the prompt and return the next answer."""
        self.prompts.append(prompt)
        self.contexts.append(context)
        if self._given >= len(self._answers):
            raise InputExhaustedError(
                f"ScriptedInput ran out of answers ({len(self._answers)} given) when asked, for the "
                f"{_ordinal(len(self.prompts))} time, about message {context.turn} from {context.sender!r} "
                f"({_excerpt(context.text)}): {prompt!r}"
            )
        answer = self._answers[self._given]
        self._given += 1
        return answer

    async def a_ask(self, prompt: str, context: TurnContext) -> str:
        """Do what [`ask`][hitl.inputs.ScriptedInput.ask] does; scripted answers never wait."""
        return self.ask(prompt, context)

    def __repr__(self) -> str:
        return f"ScriptedInput({self._answers!r}, remaining={self.remaining})"


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _excerpt(text: str, width: int = 60) -> str:
    return repr(text if len(text) <= width else text[: width - 3] + "...")
