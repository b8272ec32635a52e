"""Durable conversations: suspend and resume latency, journal size per message, many waiting conversations.

- suspend: ``Conversations.start`` of a two-agent chat that stops at its first question (build the agents,
  run, store the question): the time to the stored question.
- resume after k answers: answer, then ``resume`` a chat whose journal holds k steps (rebuild, replay k steps,
  run live to the next question): the time per resume, at k = 1, 10 and 50.
- journal: the bytes the journal keeps per message of the history (results and fingerprints).
- waiting: N conversations waiting at a question in one SQLite file: the time to store each, ``pending()``
  over all of them, one answer among them (p50, p99), and the file's size.

Absolute times (this machine, an SQLite file on its disk with ``synchronous=FULL``); there is no native
AutoGen counterpart to compare with.
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
import types
from pathlib import Path
from typing import Any

from autogen import AssistantAgent
from common import summary

from hitl import Always, PolicyUserProxy
from hitl.core.question import Question
from hitl.durable import Chat, Conversations, DurableInput, conversation
from hitl.stores.sqlite import SqliteStore
from hitl.testing import quiet

logging.getLogger("autogen.oai.client").setLevel(logging.WARNING)  # "custom model client detected", each time


class DraftingModel:
    """A model client that answers every call with a ~330-character draft (its replies are journaled)."""

    def __init__(self, config: Any, **kwargs: Any) -> None:
        self.config = config

    def create(self, params: dict[str, Any]) -> Any:
        turn = sum(1 for message in params.get("messages", []) if message.get("role") == "user")
        message = types.SimpleNamespace(content=f"Draft {turn}: " + "x" * 320, function_call=None, tool_calls=None)
        return types.SimpleNamespace(choices=[types.SimpleNamespace(message=message)], model="drafting", cost=0.0)

    def message_retrieval(self, response: Any) -> list[Any]:
        return [response.choices[0].message.content]

    def cost(self, response: Any) -> float:
        return 0.0

    @staticmethod
    def get_usage(response: Any) -> dict[str, Any]:
        return {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0, "cost": 0.0, "model": "drafting"}


@conversation("bench-rounds", version="1")
def rounds(params: dict[str, Any]) -> Chat:
    """A human asked at every reply of a model (``Always()``), for ``n`` rounds."""
    human = PolicyUserProxy("human", policy=Always(), human_input=DurableInput(), code_execution_config=False)
    config = {"config_list": [{"model": "drafting", "model_client_cls": "DraftingModel"}], "cache_seed": None}
    writer = AssistantAgent("writer", llm_config=config, system_message="You draft.")
    writer.register_model_client(model_client_cls=DraftingModel)
    return Chat(human, writer, message="Write.", max_turns=params["n"] + 1, silent=True)


def bench_suspend_resume(depths: list[int], repeat: int) -> list[dict[str, Any]]:
    """Start-to-question, and resume-to-next-question after k answers."""
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as work:
        chats = Conversations(Path(work, "hitl.db"))
        starts: list[float] = []
        resumes: dict[int, list[float]] = {depth: [] for depth in depths}
        journal_bytes: list[float] = []
        for run in range(repeat):
            began = time.perf_counter()
            with quiet():
                outcome = chats.start("bench-rounds", {"n": max(depths) + 1}, id=f"r{run}")
            starts.append((time.perf_counter() - began) * 1000)
            for answered in range(1, max(depths) + 1):
                assert outcome.question is not None
                chats.answer(outcome.question.id, f"note {answered}")
                began = time.perf_counter()
                with quiet():
                    outcome = chats.resume(f"r{run}")
                if answered in resumes:
                    resumes[answered].append((time.perf_counter() - began) * 1000)
            entries = chats.store.journal(f"r{run}")
            history = chats.show(f"r{run}").history
            size = sum(len(entry.fingerprint) + len(str(entry.result)) for entry in entries)
            journal_bytes.append(size / max(1, len(history)))
        chats.close()
    rows.append(
        {
            "benchmark": "durable: start to the first stored question",
            "kind": "durable",
            "value": summary(starts, 2),
            "unit": "ms",
        }
    )
    for depth, times in resumes.items():
        rows.append(
            {
                "benchmark": f"durable: resume after {depth} answer(s): rebuild, replay, run to the next question",
                "kind": "durable",
                "value": summary(times, 2),
                "unit": "ms",
            }
        )
    rows.append(
        {
            "benchmark": "durable: journal bytes per message of the history (a model's ~330-character replies)",
            "kind": "durable",
            "value": summary(journal_bytes, 1),
            "unit": "bytes",
        }
    )
    return rows


def bench_waiting(conversations: int) -> list[dict[str, Any]]:
    """``conversations`` waiting at a question in one file: store, list, answer."""
    with tempfile.TemporaryDirectory() as work:
        path = Path(work, "hitl.db")
        store = SqliteStore(path)
        began = time.perf_counter()
        ids = []
        for n in range(conversations):
            store.create(f"c{n}", "bench", "1", {"n": n})
            lease = store.claim(f"c{n}", "bench", ttl=60)
            question = Question.new(
                kind="feedback", agent="human", prompt=f"Feedback on draft {n}? ", conversation=f"c{n}"
            )
            store.suspend(lease, question, seq=0, snapshot={"history": [{"content": "x" * 300}]})
            ids.append(question.id)
        per_conversation = (time.perf_counter() - began) * 1000 / conversations
        listed: list[float] = []
        for _ in range(3):
            began = time.perf_counter()
            assert len(store.questions()) == conversations
            listed.append((time.perf_counter() - began) * 1000)
        answers: list[float] = []
        for question_id in ids[:: max(1, conversations // 200)]:
            began = time.perf_counter()
            store.answer(question_id, "ok")
            answers.append((time.perf_counter() - began) * 1000)
        store.close()
        size = os.path.getsize(path) + sum(
            os.path.getsize(f"{path}{suffix}") for suffix in ("-wal", "-shm") if os.path.exists(f"{path}{suffix}")
        )
    ordered = sorted(answers)
    return [
        {
            "benchmark": f"durable: {conversations:,} conversations waiting in one SQLite file",
            "kind": "capacity",
            "store_ms_each": round(per_conversation, 3),
            "pending_all_ms": summary(listed, 1),
            "answer_p50_ms": round(ordered[len(ordered) // 2], 3),
            "answer_p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 3),
            "file_mib": round(size / 2**20, 2),
        }
    ]
