"""What keeps a message's cost independent of the chat's length, asserted structurally (no timing here).

The benchmarks (``benchmarks/run.py``) measure the ratios; these tests pin down the reasons: a context views
the history instead of copying it, and nothing a proxy keeps per message holds on to the history.
"""

from __future__ import annotations

import gc
import sys
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from hitl import Always, ApproveCode, ApproveTools, Never, PolicyUserProxy, Terminate, TurnContext
from hitl.core.context import HistoryView
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
        kept = reachable(proxy._hitl_records, depth=3)
        assert len(proxy._hitl_records) == 49  # max_turns=50: the last reply is not answered
        assert not any(obj is history or isinstance(obj, (HistoryView, TurnContext)) for obj in kept), policy
        records = proxy.decisions  # built on demand, from what was kept
        assert [record.turn for record in records] == list(range(2, 99, 2))
        assert not any(obj is history for obj in reachable(records, depth=3))


class _Enter:
    def ask(self, prompt: str, context: TurnContext) -> str:
        return ""


def test_never_and_terminate_build_no_context_for_a_message_they_do_not_ask_about(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import hitl.core.context

    built: list[TurnContext] = []
    original_new = hitl.core.context._NEW

    def counting_new(cls: type) -> object:
        obj: object = original_new(cls)
        if isinstance(obj, TurnContext):
            built.append(obj)
        return obj

    monkeypatch.setattr(hitl.core.context, "_NEW", counting_new)
    for policy in (Never(), Terminate()):
        built.clear()
        proxy = PolicyUserProxy(
            "user", policy=policy, human_input=_Enter(), max_consecutive_auto_reply=1_000, code_execution_config=False
        )
        assistant = ScriptedAssistant("assistant", ["working"] * 30 + ["TERMINATE"], max_consecutive_auto_reply=1_000)
        with quiet():
            proxy.initiate_chat(assistant, message="go", max_turns=40)
        outcomes = [record.outcome for record in proxy.decisions]
        assert outcomes[:30] == ["auto_reply"] * 30
        # A context for the termination message only (AG2 0.10+ ends the chat there before the proxy decides).
        assert outcomes[30:] in ([], ["stop"])
        assert len(built) == len(outcomes) - 30, policy
        assert all(ctx.is_termination and ctx.text == "TERMINATE" for ctx in built)
    built.clear()
    proxy = PolicyUserProxy("user", policy=Always(), human_input=_Enter(), code_execution_config=False)
    with quiet():
        proxy.initiate_chat(ScriptedAssistant("assistant", ["a", "b"]), message="go", max_turns=2)
    assert len(built) == 1  # a question: its provider reads its context (max_turns=2: one reply answered)


def test_a_gate_reads_a_message_without_code_as_often_as_native_autogen(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The gate's look at what would run is the reply function's own run when nothing would."""
    from autogen import UserProxyAgent
    from autogen.coding import LocalCommandLineCodeExecutor, MarkdownCodeExtractor

    reads: list[str] = []
    original = MarkdownCodeExtractor.extract_code_blocks

    def counting(self: Any, message: Any) -> Any:
        reads.append(message)
        return original(self, message)

    monkeypatch.setattr(MarkdownCodeExtractor, "extract_code_blocks", counting)
    script = [f"step {n}: no code here" for n in range(20)]
    counts = []
    for build in (
        lambda config: UserProxyAgent("user", human_input_mode="NEVER", code_execution_config=config),
        lambda config: PolicyUserProxy(
            "user", policy=Never() | ApproveCode() | ApproveTools(), code_execution_config=config
        ),
    ):
        reads.clear()
        proxy = build({"executor": LocalCommandLineCodeExecutor(work_dir=tmp_path)})
        with quiet():
            proxy.initiate_chat(ScriptedAssistant("assistant", script), message="go", max_turns=20)
        counts.append(len(reads))
    assert counts[0] >= 19
    assert counts[1] == counts[0]


def test_a_decision_record_keeps_a_few_hundred_bytes_whatever_the_message() -> None:
    """What the records of a chat hold beyond the messages themselves: no copy of any text, no history."""
    long_text = "x" * 400
    proxy = PolicyUserProxy(
        "user", policy=Always(), human_input=_Enter(), max_consecutive_auto_reply=1_000, code_execution_config=False
    )
    assistant = ScriptedAssistant(
        "assistant", [f"{n:04d}{long_text}" for n in range(200)], max_consecutive_auto_reply=1_000
    )
    with quiet():
        proxy.initiate_chat(assistant, message="go", max_turns=200)
    records = proxy.decisions
    assert len(records) == 199
    shared = {id(obj) for obj in reachable(proxy.chat_messages, depth=4)}
    shared |= {id(obj) for obj in reachable(proxy.__dict__, depth=2) if not isinstance(obj, list)}
    own = [obj for obj in reachable(records, depth=3) if id(obj) not in shared]
    per_record = sum(sys.getsizeof(obj) for obj in own) / len(records)
    assert per_record < 300, per_record
    assert all(record.message in {m["content"] for m in proxy.chat_messages[assistant]} for record in records)


def test_a_context_on_a_list_subclass_is_a_snapshot_too() -> None:
    class History(list[dict[str, Any]]):
        pass

    history = History([{"content": "one"}])
    ctx = TurnContext(history[-1], messages=history)
    history.append({"content": "two"})
    assert ctx.turn == len(ctx.messages) == 1
    assert ctx.messages[-1] is ctx.message
