"""How [`PolicyUserProxy`][hitl.adapters.autogen.proxy.PolicyUserProxy] asks its human-input provider."""

from __future__ import annotations

from typing import Any

from ...core.context import TurnContext
from ...core.text import visible
from ...providers import NoAnswer, ask
from . import compat as _compat
from ._decide import CURRENT_STEP, Turn
from ._state import ProxyState

__all__ = ["AskingSteps", "checked_answer"]


class AskingSteps(ProxyState):
    """Asking the provider (a part of ``PolicyUserProxy``; it holds no state of its own)."""

    def _hitl_ask_in_turn(self, turn: Turn) -> str:
        """Ask through ``get_human_input`` (overridable) with ``turn`` as the question under way."""
        token = CURRENT_STEP.set(turn)
        try:
            return self.get_human_input(turn.prompt or "")
        finally:
            CURRENT_STEP.reset(token)

    async def _hitl_a_ask_in_turn(self, turn: Turn) -> str:
        """Ask through ``a_get_human_input`` (overridable) with ``turn`` as the question under way."""
        token = CURRENT_STEP.set(turn)
        try:
            return await self.a_get_human_input(turn.prompt or "")
        finally:
            CURRENT_STEP.reset(token)

    def _hitl_ask(self, prompt: str, ctx: TurnContext, step: Turn | None) -> str:
        provider: Any = self._hitl_input
        if self._hitl_console:
            provider.check_interactive()  # asked: also when a group's selection handed a never-asking proxy the turn
        token = CURRENT_STEP.set(step) if step is not None else None  # a provider may read the question under way
        try:
            answer = ask(provider, self._hitl_visible(prompt), ctx)
        except NoAnswer as missing:
            answer = self._hitl_no_answer(step, missing)
        finally:
            if token is not None:
                CURRENT_STEP.reset(token)
        if type(answer) is not str:
            answer = checked_answer(answer, provider)
        return _compat.record_human_input(self, answer)

    def _hitl_visible(self, prompt: str) -> str:
        """Escape what the prompt must not hide: a preview cannot show other text than the one that runs."""
        shown = self._hitl_shown  # read once: another thread may ask meanwhile
        if prompt is not shown[0]:  # most questions ask with the same text: escaped once
            shown = self._hitl_shown = (prompt, visible(prompt))
        return shown[1]

    def _hitl_no_answer(self, step: Turn | None, missing: NoAnswer) -> str:
        if step is not None:
            step.event = missing.reason
        return missing.fallback

    def _hitl_context(self, step: Turn | None) -> TurnContext:
        if step is None:  # called directly, outside a decision
            return TurnContext({}, messages=(), recipient=self.name)
        return step.ctx


def checked_answer(answer: object, provider: object) -> str:
    if isinstance(answer, str):
        return answer
    raise TypeError(
        f"human-input provider {provider!r} returned {answer!r} ({type(answer).__name__}), not a str; "
        "an answer is text: '' to skip, 'exit' to stop, or a reply"
    )
