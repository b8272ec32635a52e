"""Durable conversations at their edges: what users break them with, and what they get instead.

Each test is a way a conversation could lose a decision, hold a lease forever or replay something else: a
cancelled task, a factory that changed, a tool's dict, agents built at import time, a model call outside a
reply, a locked database, odd answers and settings.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any, ClassVar

import pytest
from autogen import AssistantAgent

from hitl import Keyword, PolicyUserProxy, Terminate
from hitl.core.errors import ConfigurationError
from hitl.durable import Chat, Conversations, DivergenceError, DurableInput, conversation
from hitl.stores.durable import StoreError
from hitl.stores.sqlite import SqliteStore
from hitl.testing import ScriptedAssistant, quiet, tool_call
from tests.scripts.durable_factories import Message, WanderingModel, text_message

# -- a scripted model client: its replies come from a list, each call is counted ---------------------------------
CALLS: list[str] = []


class ListModel(WanderingModel):
    """Replies from ``replies`` by the number of assistant messages so far; ``CALLS`` counts every call."""

    replies: ClassVar[list[str]] = []
    pause = 0.0

    def create(self, params: dict[str, Any]) -> Any:
        cls = type(self)
        turn = sum(1 for m in params.get("messages", []) if m.get("role") == "assistant")
        CALLS.append(f"{params['messages'][0].get('content', '')[:20]}|{turn}")
        if cls.pause:
            time.sleep(cls.pause)
        message: Message = text_message(cls.replies[min(turn, len(cls.replies) - 1)])
        return type("Response", (), {"choices": [type("Choice", (), {"message": message})()], "model": "list"})()


def model(name: str, **settings: Any) -> AssistantAgent:
    config = {"config_list": [{"model": "list", "model_client_cls": "ListModel"}], "cache_seed": None, **settings}
    agent = AssistantAgent(name, llm_config=config, system_message="You write.")
    agent.register_model_client(model_client_cls=ListModel)
    return agent


def human(**options: Any) -> PolicyUserProxy:
    return PolicyUserProxy(
        "human",
        policy=Terminate(),
        is_termination_msg=Keyword("TERMINATE"),
        human_input=DurableInput(),
        code_execution_config=False,
        **options,
    )


SETTINGS: dict[str, Any] = {"turns": 4, "async": False}


@conversation("edges-drafts", version="1")
def drafts(params: dict[str, Any]) -> Chat:
    ListModel.replies = ["Draft one. TERMINATE", "Draft two. TERMINATE", "Draft three. TERMINATE"]
    return Chat(human(), model("writer"), "Write.", use_async=SETTINGS["async"], max_turns=SETTINGS["turns"])


@pytest.fixture(autouse=True)
def _reset() -> Any:
    CALLS.clear()
    ListModel.pause = 0.0
    yield
    SETTINGS.update({"turns": 4, "async": False})


# -- a stored answer is never dropped -----------------------------------------------------------------------------
def test_a_resume_that_ends_before_the_answered_question_fails_instead_of_dropping_the_answer(tmp_path: Path) -> None:
    chats = Conversations(tmp_path / "hitl.db")
    with quiet():
        outcome = chats.start("edges-drafts", {}, id="d1")
    assert outcome.question is not None
    chats.answer(outcome.question.id, "Much shorter, please.")
    SETTINGS["turns"] = 1  # the chat now ends right after the first draft: the question is never reached
    with quiet(), pytest.raises(DivergenceError, match="at step 1: the journal has a human step"):
        chats.resume("d1")
    assert chats.show("d1").status == "failed"


def test_a_resume_that_meets_another_step_where_the_answer_was_asked_fails(tmp_path: Path) -> None:
    chats = Conversations(tmp_path / "hitl.db")
    with quiet():
        outcome = chats.start("edges-drafts", {}, id="d2")
    assert outcome.question is not None
    chats.answer(outcome.question.id, "Much shorter, please.")

    @conversation("edges-drafts", version="1")
    def changed(params: dict[str, Any]) -> Chat:  # now only "DONE" ends a reply: no question at the first draft
        asker = PolicyUserProxy(
            "human",
            policy=Terminate(),
            is_termination_msg=Keyword("DONE"),
            human_input=DurableInput(),
            code_execution_config=False,
        )
        return Chat(asker, model("writer"), "Write.", max_turns=4)

    try:
        with quiet(), pytest.raises(DivergenceError, match="the journal has a human step"):
            chats.resume("d2")
    finally:
        conversation("edges-drafts", version="1")(drafts)
    assert len(CALLS) == 1  # the first draft, in the first run: the resume called the model for nothing new


# -- the replay shows nothing twice --------------------------------------------------------------------------------
AUDIT: list[str] = []


class ListSink:
    def write(self, record: Any) -> None:
        AUDIT.append(record.reason)


@conversation("edges-scripted", version="1")
def scripted(params: dict[str, Any]) -> Chat:
    writer = ScriptedAssistant("writer", ["Outline.", "Draft. TERMINATE", "Final. TERMINATE"])
    return Chat(human(audit=ListSink(), default_auto_reply="go on"), writer, "Write.", max_turns=4)


def shown(stream: Any) -> str:
    """What AutoGen showed: printed text, and the events it sends (AG2 sends messages as events)."""
    return "".join(stream.printed) + "\n".join(repr(event) for event in stream.events)


def test_a_resume_prints_and_audits_only_what_is_new(tmp_path: Path) -> None:
    AUDIT.clear()
    chats = Conversations(tmp_path / "hitl.db")
    with quiet() as first:
        outcome = chats.start("edges-scripted", {}, id="s1")
    assert shown(first).count("Outline.") == 1
    assert len(AUDIT) == 1  # the auto-reply after the outline
    assert outcome.question is not None
    chats.answer(outcome.question.id, "Shorter.")
    with quiet() as second:
        chats.resume("s1")
    assert "Outline." not in shown(second)
    assert "Draft. TERMINATE" not in shown(second)  # the message the question was about, shown before
    assert "Shorter." in shown(second)  # what is new is shown
    assert len(AUDIT) == 2  # one more record: the answered question's, not the replayed auto-reply's


# -- a tool's result reads the same when replayed -------------------------------------------------------------------
@conversation("edges-weather", version="1")
def weather(params: dict[str, Any]) -> Chat:
    asker = human()

    def lookup() -> Any:
        return {"temp": 21.5, "at": datetime.datetime(2024, 5, 1, 12, 0), "city": "Oslo"}  # keys not sorted

    asker.register_function({"lookup": lookup})
    call = tool_call("lookup", call_id="call_w")  # the same id in every build (not a process-wide counter)
    writer = ScriptedAssistant("writer", [call, "Sunny. TERMINATE", "Bye. TERMINATE"])
    return Chat(asker, writer, "Weather?", max_turns=4)


def test_a_tool_result_json_cannot_hold_is_replayed_as_the_live_run_saw_it(tmp_path: Path) -> None:
    chats = Conversations(tmp_path / "hitl.db")
    with quiet():
        outcome = chats.start("edges-weather", {}, id="w1")
    assert outcome.question is not None
    before = chats.show("w1").history
    chats.answer(outcome.question.id, "And tomorrow?")
    with quiet():
        ended = chats.resume("w1")
    assert ended.status in ("done", "waiting")
    after = chats.show("w1").history
    assert after[: len(before)] == before
    text = str(before)
    assert text.index("'temp': 21.5") < text.index("'at': ") < text.index("'city': 'Oslo'")  # as the tool gave them


# -- model calls outside a reply, agents built before the journal -------------------------------------------------
PREBUILT: dict[str, Any] = {}


@conversation("edges-prebuilt", version="1")
def prebuilt(params: dict[str, Any]) -> Chat:
    return Chat(human(), PREBUILT["writer"], "Write.", max_turns=4, silent=True)


def test_an_agent_built_before_the_journal_was_installed_is_journaled_too(tmp_path: Path) -> None:
    import autogen

    import hitl.adapters.autogen.durable as adapter

    journaled = autogen.ConversableAgent.generate_oai_reply
    original = next(own for own, new in autogen.ConversableAgent._hitl_replaced.items() if new is journaled)
    ListModel.replies = ["Draft one. TERMINATE", "Draft two. TERMINATE"]
    writer = model("writer")
    for entry in writer._reply_func_list:  # as an agent built at import time, before hitl.durable, has it
        if entry["reply_func"] is journaled:
            entry["reply_func"] = original
    PREBUILT["writer"] = writer
    chats = Conversations(tmp_path / "hitl.db")
    with quiet():
        outcome = chats.start("edges-prebuilt", {}, id="p1")
    assert outcome.question is not None
    chats.answer(outcome.question.id, "More.")
    with quiet():
        chats.resume("p1")
    assert len(CALLS) == 2  # the first draft was replayed, not asked for again
    assert [entry.kind for entry in chats.store.journal("p1")][:3] == ["llm", "human", "llm"]
    assert adapter.CURRENT_RUN.get() is None


@conversation("edges-summary", version="1")
def summary(params: dict[str, Any]) -> Chat:
    ListModel.replies = ["Critique: fine.", "Summary: fine. TERMINATE"]
    writer = ScriptedAssistant("writer", ["Draft. TERMINATE", "Draft two. TERMINATE", "Draft three. TERMINATE"])
    critic, helper = model("critic"), AssistantAgent("helper", llm_config=False)
    writer.register_nested_chats(
        [
            {
                "recipient": critic,
                "sender": helper,
                "message": "Critique this.",
                "summary_method": "reflection_with_llm",
                "max_turns": 1,
            }
        ],
        trigger=lambda sender: sender.name == "human",
    )
    return Chat(human(), writer, "Write.", max_turns=3, silent=True)


def test_a_summary_a_model_writes_outside_any_reply_is_journaled(tmp_path: Path) -> None:
    chats = Conversations(tmp_path / "hitl.db")
    with quiet():
        outcome = chats.start("edges-summary", {}, id="n1")
    first = len(CALLS)
    assert first == 2  # the critique and its summary (reflection_with_llm asks the model directly)
    while outcome.status == "waiting":
        assert outcome.question is not None
        chats.answer(outcome.question.id, "Again.")
        calls = len(CALLS)
        with quiet():
            outcome = chats.resume("n1")
        assert len(CALLS) - calls in (0, 2)  # only a new critique and summary, never the replayed ones
    journaled = [entry for entry in chats.store.journal("n1") if entry.kind == "llm"]
    assert len(CALLS) == len(journaled) >= 4  # each model call made once, the summaries' too


# -- leases: a cancelled task and a locked database give the conversation back ------------------------------------
class SlowJournal(SqliteStore):
    """A real store whose journal reads take a while (a long journal, a slow disk)."""

    slow = 0.0

    def journal(self, conversation: str) -> Any:
        time.sleep(self.slow)
        return super().journal(conversation)


@pytest.mark.parametrize("where", ["opening", "running"])
def test_a_cancelled_a_resume_gives_its_lease_back(tmp_path: Path, where: str) -> None:
    SETTINGS["async"] = True
    store = SlowJournal(tmp_path / "hitl.db")
    chats = Conversations(store, lease=3.0)
    chats.start("edges-drafts", {}, id="c1", run=False)
    if where == "opening":
        store.slow = 0.6
    else:
        ListModel.pause = 0.6

    async def server() -> None:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(chats.a_resume("c1"), timeout=0.2)

    asyncio.run(server())
    deadline = time.monotonic() + 10
    while store.get("c1").status != "ready":
        assert time.monotonic() < deadline, store.get("c1")
        time.sleep(0.05)
    store.slow, ListModel.pause = 0.0, 0.0
    time.sleep(0.7)  # the worker thread ends; its lease thread must end with it
    assert not [t.name for t in threading.enumerate() if t.name == "hitl-lease"]
    with quiet():
        assert Conversations(tmp_path / "hitl.db").resume("c1").status == "waiting"  # at once: not LeaseHeld


def test_a_database_locked_past_the_timeout_leaves_the_conversation_ready_not_failed(tmp_path: Path) -> None:
    releasing, locked = threading.Event(), threading.Event()

    def hold() -> None:  # a backup or an sqlite3 shell inside BEGIN, while the run needs to write
        holder = sqlite3.connect(tmp_path / "hitl.db", isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        locked.set()
        releasing.wait(timeout=30)  # held until the run, told the store is busy, gives its lease back
        holder.execute("ROLLBACK")
        holder.close()

    class Watched(SqliteStore):
        lock_after_reading = False

        def journal(self, conversation: str) -> Any:
            found = super().journal(conversation)
            if self.lock_after_reading:  # the run has its lease and its journal: now the database is taken
                self.lock_after_reading = False
                threading.Thread(target=hold).start()
                locked.wait(timeout=30)
            return found

        def release(self, lease: Any) -> None:
            releasing.set()
            super().release(lease)

    store = Watched(tmp_path / "hitl.db", timeout=0.5)
    chats = Conversations(store)
    with quiet():
        outcome = chats.start("edges-drafts", {}, id="b1")
    assert outcome.question is not None
    chats.answer(outcome.question.id, "More.")
    store.lock_after_reading = True
    with quiet(), pytest.raises(StoreError, match=r"stayed locked by another connection for longer than 0\.5 s"):
        chats.resume("b1")
    assert chats.show("b1").status == "ready"  # given back, not failed
    with quiet():
        assert chats.resume("b1").status == "waiting"


# -- what users type -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("lease", [0, -1, float("nan"), float("inf"), "60"])
def test_a_lease_is_a_positive_number_of_seconds(tmp_path: Path, lease: Any) -> None:
    with pytest.raises(ConfigurationError, match="lease is a number of seconds, more than 0"):
        Conversations(tmp_path / "hitl.db", lease=lease)


def test_an_answer_that_is_not_unicode_is_refused_clearly(tmp_path: Path) -> None:
    chats = Conversations(tmp_path / "hitl.db")
    with quiet():
        outcome = chats.start("edges-drafts", {}, id="u1")
    assert outcome.question is not None
    with pytest.raises(StoreError, match="an answer must be Unicode text"):
        chats.answer(outcome.question.id, "caf\udce9")  # a Latin-1 terminal's bytes, through surrogateescape
    assert chats.pending("u1")[0].status == "open"  # still waiting for a proper answer
