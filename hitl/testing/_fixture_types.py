"""The types of the pytest plugin's fixtures, for annotating the tests that use them.

Examples:
    ```python
    from hitl import Terminate
    from hitl.testing import RunChat, Simulate


    def test_asked_at_the_end(run_chat: RunChat, simulate: Simulate) -> None:
        run_chat(Terminate(), ["Working.", "TERMINATE"], answers=[""]).assert_asked(at_turns=[4])
        assert simulate(Terminate(), ["TERMINATE"])[0].asked
    ```

    With these annotations, ``mypy --strict`` checks each call: a misspelt keyword
    (``assert_asked(at_turn=[4])``) or an argument of the wrong type is an error before the test runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # nothing here is needed to run: importing the plugin must not import AutoGen
    from ..adapters.autogen.assistant import Reply, ScriptedAssistant
    from ..adapters.autogen.proxy import PolicyUserProxy
    from ..core.context import TurnContext
    from ..core.policies import InputPolicy
    from ._simulate import SimulatedTurn
    from ._transcript import Transcript

__all__ = ["RunChat", "ScriptedAssistantFactory", "Simulate"]


class RunChat(Protocol):
    """The ``run_chat`` fixture: [`hitl.testing.run_chat`][hitl.testing.run_chat], with its signature."""

    def __call__(
        self,
        proxy_or_policy: PolicyUserProxy | InputPolicy,
        replies: ScriptedAssistant | Iterable[Reply],
        *,
        answers: Iterable[str] | None = None,
        message: str | Mapping[str, Any] = "Start.",
        max_turns: int | None = None,
        raises: bool = True,
        use_async: bool = False,
        proxy_factory: Callable[..., PolicyUserProxy] = ...,
        **proxy_kwargs: Any,
    ) -> Transcript:
        """Run one scripted conversation, quietly, and return its transcript."""
        ...


class Simulate(Protocol):
    """The ``simulate`` fixture: [`hitl.testing.simulate`][hitl.testing.simulate], with its signature."""

    def __call__(
        self,
        policy: InputPolicy,
        messages: Iterable[str | Mapping[str, Any]],
        *,
        answers: Sequence[str] | Callable[[TurnContext], str] = (),
        is_termination_msg: Callable[[dict[str, Any]], bool] | None = None,
        auto_reply_limit: int = 100,
        sender: str = "assistant",
        agent: str = "user",
        opening: str | Mapping[str, Any] | None = "Start.",
    ) -> list[SimulatedTurn]:
        """Run a policy over incoming messages as a proxy would, with no agent, model or human."""
        ...


class ScriptedAssistantFactory(Protocol):
    """The ``scripted_assistant`` fixture: ``scripted_assistant(["reply", ...], name="assistant", **options)``."""

    def __call__(self, replies: Iterable[Reply], name: str = "assistant", **kwargs: Any) -> ScriptedAssistant:
        """Make a [`ScriptedAssistant`][hitl.testing.ScriptedAssistant]; ``kwargs`` go to its constructor."""
        ...
