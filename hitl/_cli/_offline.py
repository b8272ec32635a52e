"""The offline demo's assistant: a palindrome task in five steps, which acts on the human's feedback."""

from __future__ import annotations

import copy
import re
from typing import Any

from ..adapters.autogen.compat import ConversableAgent
from ..core.text import visible
from ..stores.audit import DecisionRecord

__all__ = ["DemoAssistant", "Draft"]

_PLAN, _CODE, _QUESTION, _SAVE, _DONE = range(5)
_SAVE_CALL: dict[str, Any] = {
    "content": None,
    "tool_calls": [
        {
            "id": "call_save",
            "type": "function",
            "function": {"name": "save_file", "arguments": '{"path": "palindrome.py"}'},
        }
    ],
}
_ACCENTED = "Ésope reste ici et se repose"
#: A quoted text: 'single' (not an apostrophe, as in "don't"), "double" or “typographic”.
_QUOTED = re.compile(r"(?<!\w)'([^']*)'(?!\w)|\"([^\"]*)\"|“([^”]*)”")
_YES = re.compile(r"\s*(y|yes|yeah|sure|ok|okay)\b", re.IGNORECASE)
_NO = re.compile(r"\s*(n|no|nope|don't|do not|keep)\b", re.IGNORECASE)


class Draft:
    """What the human has asked of the palindrome check so far, and the code that follows from it."""

    def __init__(self) -> None:
        self.samples = ["racecar", "A man, a plan, a canal: Panama", "autogen"]
        self.typed = False
        self.accents = False
        self.notes: list[str] = []

    def take(self, feedback: str, *, answers_question: bool) -> str:
        """Take the human's feedback into account; say what changed, in a sentence."""
        changes: list[str] = []
        asked = [next(part for part in match.groups() if part is not None) for match in _QUOTED.finditer(feedback)]
        if re.search(r"\bempty\b", feedback, re.IGNORECASE):
            asked.append("")
        added = [sample for sample in dict.fromkeys(asked) if sample not in self.samples]
        if added:
            self.samples.extend(added)
            changes.append(f"I added {', '.join(map(repr, added))} to the tests.")
        wants_types = re.search(r"type.?hint|annotat|\btyped\b|\btypes\b", feedback, re.IGNORECASE) is not None
        if wants_types and not self.typed:
            self.typed = True
            changes.append("I added type hints.")
        refuses_accents = answers_question and _NO.match(feedback) is not None
        wants_accents = not refuses_accents and (
            re.search(r"accent", feedback, re.IGNORECASE) is not None
            or (answers_question and _YES.match(feedback) is not None)
        )
        if refuses_accents:
            changes.append("Accented letters stay distinct from plain ones.")
        elif wants_accents and not self.accents:
            self.accents = True
            self.samples.append(_ACCENTED)
            changes.append(f"Accented letters now count as plain ones, tested with {_ACCENTED!r}.")
        if changes:
            return " ".join(changes)
        if asked or wants_types or wants_accents:
            return "The code already does that."
        self.notes.append(visible(" ".join(feedback.split())))  # one line: a comment cannot end and become code
        return "Offline I can only note that in the code; a real model would act on it (hitl demo --online)."

    def code(self) -> str:
        """Write the code block as the feedback so far shapes it."""
        signature = "def is_palindrome(text: str) -> bool:" if self.typed else "def is_palindrome(text):"
        lines = ["```python"]
        if self.accents:
            lines += ["import unicodedata", ""]
        lines += [signature]
        lines += [f"    # You asked: {note}" for note in self.notes]
        if self.accents:
            lines += ["    text = unicodedata.normalize('NFKD', text)  # é -> e + an accent, which is dropped"]
        lines += [
            "    letters = [c.lower() for c in text if c.isalnum()]",
            "    return letters == letters[::-1]",
            "",
            f"for sample in {self.samples!r}:",
            "    print(repr(sample), is_palindrome(sample))",
            "```",
        ]
        return "\n".join(lines)


class DemoAssistant(ConversableAgent):  # type: ignore[misc]  # AutoGen ships no type information
    """The offline demo's assistant: a palindrome task in five steps, which answers the human's feedback.

    It plans, writes and tests ``is_palindrome``, asks a question, calls a tool and finishes, like a
    model would. When the human types feedback instead of pressing Enter, its next message quotes
    the feedback and rewrites the code to follow it ("also test an empty string" adds ``''`` to the
    tests, "add type hints" adds them, "yes" to its question changes the function), so the human
    sees what their answer did.
    """

    def __init__(self, name: str = "assistant") -> None:
        super().__init__(name, llm_config=False, human_input_mode="NEVER", code_execution_config=False)
        self.draft = Draft()
        self._next = _PLAN  # the step to send when no feedback comes
        self._last = -1  # the step of the message sent last
        # Where a model would answer: after the termination check, tool calls and code execution.
        self.register_reply([ConversableAgent, None], DemoAssistant._reply, position=len(self._reply_func_list))

    def _reply(self, messages: Any = None, sender: Any = None, config: Any = None) -> tuple[bool, Any]:
        feedback = _feedback(sender)
        if feedback is not None:
            change = self.draft.take(feedback, answers_question=self._last == _QUESTION and not self.draft.accents)
            if self._last in (_SAVE, _DONE):  # the human held it back: offer it again after the change
                self._next = self._last
            elif self._next == _CODE:  # the code is in this reply
                self._next = _QUESTION
            self._last = _CODE
            said = visible(feedback)
            said = f'"{said}"' if said.endswith((".", "!", "?")) else f'"{said}".'
            return True, f"You said: {said} {change}\n\n{self.draft.code()}"
        if self._next > _DONE:
            return True, None  # no reply: the chat ends
        self._last, self._next = self._next, self._next + 1
        return True, self._message(self._last)

    def _message(self, step: int) -> str | dict[str, Any]:
        if step == _PLAN:
            return "Plan: write is_palindrome(text) that ignores case and non-letters, then test it."
        if step == _CODE:
            return self.draft.code()
        if step == _QUESTION:
            if self.draft.accents:
                return "The tests pass, accented letters included. Next, I save the file."
            return "The tests pass. Should it also treat accented letters as plain ones (é as e)?"
        if step == _SAVE:
            return copy.deepcopy(_SAVE_CALL)  # a fresh copy: AutoGen keeps the message
        return "Done: is_palindrome is written, tested and saved. TERMINATE"


def _feedback(sender: object) -> str | None:
    """Return what the human typed in reply to the assistant's last message, if they typed something."""
    decisions = getattr(sender, "decisions", None)
    if not decisions:
        return None
    last: DecisionRecord = decisions[-1]
    if last.outcome == "human_reply" and last.asked and last.answer:
        return last.answer
    return None
