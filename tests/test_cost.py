"""What keeps a message's cost independent of the chat's length, asserted structurally (no timing here).

The benchmarks (``benchmarks/run.py``) measure the ratios; these tests pin down the reasons: a context views
the history instead of copying it, and nothing a proxy keeps per message holds on to the history.
"""

from __future__ import annotations

import gc
import tracemalloc
from typing import Any

from hitl import Always, Never, PolicyUserProxy, Terminate, TurnContext
from hitl.context import HistoryView
from hitl.testing import ScriptedAssistant, quiet


def allocated_building_a_context(history: list[dict[str, Any]]) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        ctx = TurnContext(history[-1], messages=history, sender="assistant", recipient="user")
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    assert len(ctx.messages) == len(history)
    return sum(stat.size_diff for stat in after.compare_to(before, "filename"))


def test_building_a_context_copies_nothing_of_the_history() -> None:
    short = [{"content": f"m{n}", "role": "user"} for n in range(10)]
    long = [{"content": f"m{n}", "role": "user"} for n in range(20_000)]
    # A copy of 20,000 references would be 160 KB; a view is a few hundred bytes whatever the length.
    assert allocated_building_a_context(long) < allocated_building_a_context(short) + 2_000


def test_a_context_is_a_view_of_the_history_as_it_was() -> None:
    history = [{"content": "one"}, {"content": "two"}]
    ctx = TurnContext(history[-1], messages=history)
    history.append({"content": "three"})
    assert isinstance(ctx.messages, HistoryView)
    assert len(ctx.messages) == 2
    assert list(ctx.messages) == history[:2]
    assert list(reversed(ctx.messages)) == history[1::-1]
    assert ctx.messages[-1] is history[1]
    assert ctx.messages[:1] == history[:1]


def reachable(root: object, depth: int) -> list[object]:
    """Every object reachable from ``root`` in ``depth`` steps (gc's view of references)."""
    seen: dict[int, object] = {}
    frontier = [root]
    for _ in range(depth):
        next_frontier = []
        for obj in frontier:
            for ref in gc.get_referents(obj):
                if id(ref) not in seen and not isinstance(ref, type):
                    seen[id(ref)] = ref
                    next_frontier.append(ref)
        frontier = next_frontier
    return list(seen.values())


def test_what_a_proxy_keeps_per_message_never_holds_the_history() -> None:
    for policy in (Never(), Terminate(), Always()):
        proxy = PolicyUserProxy(
            "user", policy=policy, human_input=_Enter(), max_consecutive_auto_reply=1_000, code_execution_config=False
        )
        assistant = ScriptedAssistant("assistant", ["working"] * 50, max_consecutive_auto_reply=1_000)
        with quiet():
            proxy.initiate_chat(assistant, message="go", max_turns=50)
        history = proxy.chat_messages[assistant]
        kept = reachable(proxy._hitl_unrecorded, depth=3)
        assert len(proxy._hitl_unrecorded) == 49  # max_turns=50: the last reply is not answered
        assert not any(obj is history or isinstance(obj, (HistoryView, TurnContext)) for obj in kept), policy
        records = proxy.decisions  # built on demand, from what was kept
        assert [record.turn for record in records] == list(range(2, 99, 2))
        assert not any(obj is history for obj in reachable(records, depth=3))


class _Enter:
    def ask(self, prompt: str, context: TurnContext) -> str:
        return ""
