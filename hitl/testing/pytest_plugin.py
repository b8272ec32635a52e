"""The hitl pytest plugin: fixtures for testing conversation policies. Installed with the library.

Fixtures:
    hitl_quiet: AutoGen prints nothing during the test; yields the [`QuietIOStream`][hitl.testing.QuietIOStream].
    scripted_human: a factory, ``scripted_human(["", "exit"])`` -> [`ScriptedInput`][hitl.inputs.ScriptedInput].
    scripted_assistant: a factory, ``scripted_assistant(["reply", ...], name="assistant")``.
    run_chat: [`hitl.testing.run_chat`][hitl.testing.run_chat].
    simulate: [`hitl.testing.simulate`][hitl.testing.simulate].

In a user's test file, with nothing to configure:

````python
def test_code_is_reviewed(run_chat):
    from hitl import Terminate, When
    from hitl.conditions import has_code_block
    transcript = run_chat(Terminate() | When(has_code_block), ["```python\\nprint(1)\\n```"], answers=[""])
    transcript.assert_asked(1)
````
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from ..inputs import ScriptedInput
    from ._assistant import Reply, ScriptedAssistant
    from ._transcript import QuietIOStream


@pytest.fixture
def hitl_quiet() -> Iterator[QuietIOStream]:
    """Silence AutoGen's console output for the test, and keep what it sent."""
    from ._transcript import quiet

    with quiet() as stream:
        yield stream


@pytest.fixture
def scripted_human() -> Callable[[Iterable[str]], ScriptedInput]:
    """Make scripted humans: ``scripted_human(["", "exit"])``."""
    from ..inputs import ScriptedInput

    return ScriptedInput


@pytest.fixture
def scripted_assistant() -> Callable[..., ScriptedAssistant]:
    """Make scripted assistants: ``scripted_assistant(["Working.", "TERMINATE"])``."""
    from ._assistant import ScriptedAssistant

    def make(replies: Iterable[Reply], name: str = "assistant", **kwargs: Any) -> ScriptedAssistant:
        return ScriptedAssistant(name, replies, **kwargs)

    return make


@pytest.fixture
def run_chat() -> Callable[..., Any]:
    """[`hitl.testing.run_chat`][hitl.testing.run_chat]."""
    from ._transcript import run_chat

    return run_chat


@pytest.fixture
def simulate() -> Callable[..., Any]:
    """[`hitl.testing.simulate`][hitl.testing.simulate]."""
    from ._simulate import simulate

    return simulate
