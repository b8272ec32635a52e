"""The hitl pytest plugin: fixtures for testing conversation policies. Installed with the library.

Fixtures, each with the type to annotate it with:
    hitl_quiet: AutoGen prints nothing during the test; yields the [`QuietIOStream`][hitl.testing.QuietIOStream].
    scripted_human: a factory, ``scripted_human(["", "exit"])`` -> [`ScriptedInput`][hitl.inputs.ScriptedInput]
        (``type[ScriptedInput]``).
    scripted_assistant: a factory, ``scripted_assistant(["reply", ...], name="assistant")``
        ([`ScriptedAssistantFactory`][hitl.testing.ScriptedAssistantFactory]).
    run_chat: [`hitl.testing.run_chat`][hitl.testing.run_chat] ([`RunChat`][hitl.testing.RunChat]).
    simulate: [`hitl.testing.simulate`][hitl.testing.simulate] ([`Simulate`][hitl.testing.Simulate]).

In a user's test file, with nothing to configure; annotated, ``mypy`` checks every call to a fixture:

````python
from hitl import Terminate, When
from hitl.core.conditions import has_code_block
from hitl.testing import RunChat

def test_code_is_reviewed(run_chat: RunChat) -> None:
    transcript = run_chat(Terminate() | When(has_code_block), ["```python\\nprint(1)\\n```"], answers=[""])
    transcript.assert_asked(1)
````

The plugin loads at every pytest start, in every project where hitl is installed, so it imports AutoGen (and the
parts of hitl that need it) only when a test asks for one of its fixtures.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # the fixtures import what they give when a test uses them, not when pytest starts
    from ..adapters.autogen.assistant import Reply, ScriptedAssistant
    from ..inputs import ScriptedInput
    from ._fixture_types import RunChat, ScriptedAssistantFactory, Simulate
    from ._transcript import QuietIOStream


@pytest.fixture
def hitl_quiet() -> Iterator[QuietIOStream]:
    """Silence AutoGen's console output for the test, and keep what it sent."""
    from ._transcript import quiet

    with quiet() as stream:
        yield stream


@pytest.fixture
def scripted_human() -> type[ScriptedInput]:
    """Make scripted humans: ``scripted_human(["", "exit"])``."""
    from ..inputs import ScriptedInput

    return ScriptedInput


@pytest.fixture
def scripted_assistant() -> ScriptedAssistantFactory:
    """Make scripted assistants: ``scripted_assistant(["Working.", "TERMINATE"])``."""
    from ..adapters.autogen.assistant import ScriptedAssistant

    def make(replies: Iterable[Reply], name: str = "assistant", **kwargs: Any) -> ScriptedAssistant:
        return ScriptedAssistant(name, replies, **kwargs)

    return make


@pytest.fixture
def run_chat() -> RunChat:
    """[`hitl.testing.run_chat`][hitl.testing.run_chat]; annotate it as [`RunChat`][hitl.testing.RunChat]."""
    from ._transcript import run_chat

    return run_chat


@pytest.fixture
def simulate() -> Simulate:
    """[`hitl.testing.simulate`][hitl.testing.simulate]; annotate it as [`Simulate`][hitl.testing.Simulate]."""
    from ._simulate import simulate

    return simulate
