"""Conversations that outlive the process: suspend at a human question, resume in any process.

Register a factory that builds a chat from JSON parameters; start a conversation from it; it runs until a
human is needed and no answer is stored, then the question is stored and the process may exit. Answer the
question from anywhere (another process, an hour later); resume the conversation, in any process: the factory
rebuilds the agents, the chat is replayed from its journal (model replies, tool and code results, answers,
speaker choices: nothing runs twice) and goes on live to the next question or the end.

Examples:
    >>> import os, tempfile
    >>> from hitl import Keyword, PolicyUserProxy, Terminate
    >>> from hitl.testing import ScriptedAssistant, quiet
    >>> @conversation("doc-review", version="1")
    ... def doc_review(params):
    ...     human = PolicyUserProxy("human", policy=Terminate(), is_termination_msg=Keyword(),
    ...                             human_input=DurableInput(), code_execution_config=False)
    ...     writer = ScriptedAssistant("writer", [f"A draft on {params['topic']}. TERMINATE", "Fixed. TERMINATE"])
    ...     return Chat(human, writer, message=f"Write about {params['topic']}.", max_turns=4, silent=True)
    >>> chats = Conversations(os.path.join(tempfile.mkdtemp(), "hitl.db"))
    >>> started = chats.start("doc-review", {"topic": "tea"}, id="review-1")
    >>> started.status, started.question.prompt[:32]
    ('waiting', 'Please give feedback to writer. ')
    >>> _ = chats.answer(started.question.id, "Shorter, please.")
    >>> later = chats.resume("review-1")
    >>> later.status
    'waiting'
    >>> _ = chats.answer(later.question.id, "exit")
    >>> with quiet():
    ...     ended = chats.resume("review-1")
    >>> ended.status
    'done'
    >>> [m["content"] for m in chats.show("review-1").history]
    ['Write about tea.', 'A draft on tea. TERMINATE', 'Shorter, please.', 'Fixed. TERMINATE']
"""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .adapters.autogen.durable import (
    DivergenceError,
    DurableInput,
    JournalRun,
    StoppedAtUncertainStep,
    Suspended,
    UncertainStep,
    idempotency_key,
    install_journal,
    running,
)
from .adapters.autogen.proxy import PolicyUserProxy
from .core.errors import ConfigurationError
from .core.question import Question
from .stores.durable import ConversationStore, Lease, StoredQuestion
from .stores.sqlite import DEFAULT_PATH, SqliteStore

__all__ = [
    "Chat",
    "Conversations",
    "DivergenceError",
    "DurableInput",
    "Factory",
    "Outcome",
    "View",
    "conversation",
    "factories",
    "idempotency_key",
]


@dataclass(init=False)
class Chat:
    """What a factory returns: the chat to run, as ``initiator.initiate_chat(recipient, message=..., **options)``.

    Args:
        initiator: the agent that starts the chat.
        recipient: the agent (or group chat manager) it starts it with.
        message: the first message.
        use_async: run it with ``a_initiate_chat``.
        agents: other agents of the conversation whose code executions must be journaled (the initiator,
            the recipient and a group's agents are found on their own).
        **options: ``initiate_chat``'s other arguments (``max_turns``, ``summary_method``, ``silent``...).
    """

    initiator: Any
    recipient: Any
    message: Any
    use_async: bool = False
    agents: list[Any] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)

    def __init__(
        self,
        initiator: Any,
        recipient: Any,
        message: Any,
        *,
        use_async: bool = False,
        agents: list[Any] | None = None,
        **options: Any,
    ) -> None:
        self.initiator = initiator
        self.recipient = recipient
        self.message = message
        self.use_async = use_async
        self.agents = list(agents or [])
        self.options = options

    def all_agents(self) -> list[Any]:
        """Return the initiator, the recipient, a group's agents and ``agents``, each once."""
        found: list[Any] = []
        group = getattr(self.recipient, "groupchat", None)
        for agent in [self.initiator, self.recipient, *getattr(group, "agents", []), *self.agents]:
            if all(agent is not seen for seen in found):
                found.append(agent)
        return found

    def history(self) -> list[Any]:
        """Return the chat's history so far: the group's, or the initiator's with the recipient."""
        group = getattr(self.recipient, "groupchat", None)
        if group is not None:
            return [dict(message) for message in group.messages]
        return [dict(message) for message in self.initiator.chat_messages.get(self.recipient, [])]


@dataclass(frozen=True)
class Factory:
    """A registered conversation factory: builds a ``Chat`` from JSON parameters."""

    name: str
    version: str
    build: Callable[[Any], Chat]


_FACTORIES: dict[str, Factory] = {}


def conversation(name: str, *, version: str = "1") -> Callable[[Callable[[Any], Chat]], Callable[[Any], Chat]]:
    """Register a factory by ``name``: a function of the conversation's parameters that returns a ``Chat``.

    The factory must build the same chat from the same parameters each time (a resumed conversation is
    rebuilt by it, in whatever process resumes it); change ``version`` when its behaviour changes: a
    conversation is resumed only by the version it started with.
    """

    def register(build: Callable[[Any], Chat]) -> Callable[[Any], Chat]:
        _FACTORIES[name] = Factory(name, version, build)
        return build

    return register


def factories() -> dict[str, Factory]:
    """Return the registered factories, by name."""
    return dict(_FACTORIES)


@dataclass(frozen=True)
class Outcome:
    """Where a conversation stands after a run.

    Attributes:
        conversation: its id.
        status: ``waiting`` (at ``question``), ``done`` (with ``result``) or ``failed`` (with ``error``);
            from ``work``, also ``ready``: left for a worker that has its factory (``error`` says why).
        question: the question it waits at.
        result: what it ended with: the summary, the human input and the history.
        error: why it failed.
    """

    conversation: str
    status: str
    question: Question | None = None
    result: Any = None
    error: str | None = None


@dataclass(frozen=True)
class View:
    """What a reader is shown of a conversation: its status, history, decisions, questions and result."""

    conversation: str
    status: str
    factory: str
    version: str
    history: list[Any]
    decisions: list[Any]
    questions: list[StoredQuestion]
    result: Any
    error: str | None


class Conversations:
    """Durable conversations in one store: start, answer, resume, work, show.

    Args:
        store: a ``ConversationStore``, or the path of an SQLite file (default ``hitl.db`` in the working
            directory).
        owner: this worker's name in leases (default: host and process id).
        lease: how long a lease lasts unless renewed (seconds); a run renews it every third of that.
    """

    def __init__(
        self,
        store: ConversationStore | str | os.PathLike[str] = DEFAULT_PATH,
        *,
        owner: str | None = None,
        lease: float = 60.0,
    ) -> None:
        self.store: ConversationStore = store if isinstance(store, ConversationStore) else SqliteStore(store)
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}"
        self.lease = lease

    def start(self, factory: str, params: Any = None, *, id: str | None = None, run: bool = True) -> Outcome:
        """Start a conversation from a registered factory, and run it (unless ``run=False``) to its first stop."""
        known = _FACTORIES.get(factory)
        if known is None:
            raise ConfigurationError(f"no conversation factory {factory!r} is registered ({_registered()})")
        conversation_id = id or uuid.uuid4().hex
        self.store.create(conversation_id, factory, known.version, {} if params is None else params)
        if not run:
            return Outcome(conversation_id, "ready")
        return self.resume(conversation_id)

    def pending(self, conversation: str | None = None) -> list[StoredQuestion]:
        """Return the questions waiting for an answer, oldest first."""
        return self.store.questions(conversation)

    def answer(self, question_id: str, text: str, by: str | None = None) -> StoredQuestion:
        """Answer a waiting question (first writer wins); its conversation is ready to resume."""
        return self.store.answer(question_id, text, by)

    def resume(self, conversation: str) -> Outcome:
        """Run a ready conversation from its journal to its next stop, in this process."""
        lease = self.store.claim(conversation, self.owner, self.lease)
        return self._drive(lease)

    def work(self, *, limit: int | None = None) -> list[Outcome]:
        """Resume every ready conversation (at most ``limit``), one after another; return what became of each.

        A conversation this process cannot run (its factory is not registered here) is left ready for another
        worker, and one that fails is ``failed``: either way the others are still run.
        """
        done: list[Outcome] = []
        skipped: list[str] = []
        while limit is None or len(done) < limit:
            lease = self.store.claim_next(self.owner, self.lease, exclude=skipped)
            if lease is None:
                break
            try:
                done.append(self._drive(lease))
            except ConfigurationError as error:  # no factory here: released, for a worker that has it
                skipped.append(lease.conversation)
                done.append(Outcome(lease.conversation, "ready", error=str(error)))
            except Exception as error:  # marked failed by the run itself
                done.append(Outcome(lease.conversation, "failed", error=f"{type(error).__name__}: {error}"))
        return done

    def show(self, conversation: str) -> View:
        """Return what a reader is shown of a conversation."""
        found = self.store.get(conversation)
        shown = found.snapshot or {}
        return View(
            conversation,
            found.status,
            found.factory,
            found.version,
            list(shown.get("history", [])),
            list(shown.get("decisions", [])),
            self.store.questions(conversation, status=None),
            found.result,
            found.error,
        )

    def close(self) -> None:
        """Close the store."""
        self.store.close()

    # -- a run --------------------------------------------------------------------------------------------------
    def _drive(self, lease: Lease) -> Outcome:
        store = self.store
        found = store.get(lease.conversation)
        factory = _FACTORIES.get(found.factory)
        if factory is None or factory.version != found.version:
            store.release(lease)
            have = "none" if factory is None else f"version {factory.version!r}"
            raise ConfigurationError(
                f"conversation {found.id!r} was started by factory {found.factory!r} version {found.version!r}; "
                f"this process has {have} ({_registered()}): import the module that registers it"
            )
        install_journal()  # before the factory builds its agents: their model replies are journaled from the start
        run = JournalRun(store, lease, store.journal(found.id), renew_every=self.lease / 3, lease_ttl=self.lease)
        try:
            chat = factory.build(found.params)
            run.snapshot_source = snapshot_of(chat)
            with running(run, chat.all_agents()):
                result = _initiate(chat)
        except Suspended as suspended:
            return Outcome(found.id, "waiting", question=suspended.question)
        except UncertainStep as uncertain:  # "did it run?": the human decides, as at any question
            question = Question.new(kind="checkpoint", agent="hitl", prompt=uncertain.prompt, conversation=found.id)
            store.suspend(run.lease, question, uncertain.seq, snapshot=run.snapshot())
            return Outcome(found.id, "waiting", question=question)
        except StoppedAtUncertainStep as stopped:
            store.fail(run.lease, str(stopped), snapshot=_shown(run))
            return Outcome(found.id, "failed", error=str(stopped))
        except DivergenceError as diverged:
            store.fail(run.lease, str(diverged), snapshot=_shown(run))
            raise
        except (KeyboardInterrupt, SystemExit):  # stopped, not broken: ready for the next resume
            with _suppressed():
                store.release(run.lease)
            raise
        except BaseException as error:
            with _suppressed():
                store.fail(run.lease, f"{type(error).__name__}: {error}", snapshot=_shown(run))
            raise
        finally:
            run.stop()
        if run.replaying:  # the chat ended before its journal did: it would silently drop what it recorded
            ended = DivergenceError(
                found.id, run.seq, "end of the chat", (run.entries[run.seq].kind, run.entries[run.seq].fingerprint), "-"
            )
            store.fail(run.lease, str(ended), snapshot=_shown(run))
            raise ended
        data = _result_data(result)
        store.finish(run.lease, data, snapshot=run.snapshot())
        return Outcome(found.id, "done", result=data)


def _initiate(chat: Chat) -> Any:
    options = dict(chat.options)
    if chat.use_async:
        return asyncio.run(chat.initiator.a_initiate_chat(chat.recipient, message=chat.message, **options))
    return chat.initiator.initiate_chat(chat.recipient, message=chat.message, **options)


def snapshot_of(chat: Chat) -> Callable[[], Any]:
    """Return what a run shows of ``chat`` while it runs: its history and the decisions of its proxies."""

    def snapshot() -> Any:
        proxies = [agent for agent in chat.all_agents() if isinstance(agent, PolicyUserProxy)]
        decisions = [record.model_dump(mode="json") for proxy in proxies for record in proxy.decisions]
        return {"history": chat.history(), "decisions": decisions}

    return snapshot


def _result_data(result: Any) -> Any:
    return {
        "summary": getattr(result, "summary", None),
        "human_input": list(getattr(result, "human_input", []) or []),
        "chat_history": [dict(message) for message in getattr(result, "chat_history", []) or []],
    }


def _registered() -> str:
    names = ", ".join(f"{name!r} (version {f.version!r})" for name, f in sorted(_FACTORIES.items()))
    return f"registered: {names}" if names else "none is registered"


class _suppressed:
    """Keep the error that ended a run, not one from recording it (the store may be what failed)."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, error: Any, trace: Any) -> bool:
        return isinstance(error, Exception)


def _shown(run: JournalRun) -> Any:
    try:
        return run.snapshot()
    except Exception:
        return None
