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
import math
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .adapters.autogen.durable import (
    Abandoned,
    DivergenceError,
    DurableInput,
    JournalRun,
    StoppedAtUncertainStep,
    Suspended,
    UncertainStep,
    idempotency_key,
    install_journal,
    running,
    tool_name,
)
from .adapters.autogen.proxy import PolicyUserProxy
from .core.errors import ConfigurationError
from .core.question import Question
from .providers.threads import in_event_loop, run_in_own_loop
from .stores.durable import (
    ENDED_STATUSES,
    Conversation,
    ConversationStatus,
    ConversationStore,
    Lease,
    LeaseLost,
    StoreBusy,
    StoredQuestion,
    UnknownConversation,
)
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
        idempotent: names of tools that may simply run again when the process stopped in the middle of a
            call (they are safe to repeat, or they use ``idempotency_key()``); a call to any other tool
            that was cut short becomes a question to the human: did it run?
        idempotent_code: code blocks may simply run again after such a crash (by default the human is asked).
        **options: ``initiate_chat``'s other arguments (``max_turns``, ``summary_method``, ``silent``...).
    """

    initiator: Any
    recipient: Any
    message: Any
    use_async: bool = False
    agents: list[Any] = field(default_factory=list)
    idempotent: frozenset[str] = frozenset()
    idempotent_code: bool = False
    options: dict[str, Any] = field(default_factory=dict)

    def __init__(
        self,
        initiator: Any,
        recipient: Any,
        message: Any,
        *,
        use_async: bool = False,
        agents: list[Any] | None = None,
        idempotent: Collection[str] = (),
        idempotent_code: bool = False,
        **options: Any,
    ) -> None:
        if isinstance(idempotent, str) or not all(isinstance(name, str) for name in idempotent):
            raise ConfigurationError(f"idempotent takes tool names, as a list of str (got {idempotent!r})")
        self.initiator = initiator
        self.recipient = recipient
        self.message = message
        self.use_async = use_async
        self.agents = list(agents or [])
        self.idempotent = frozenset(idempotent)
        self.idempotent_code = bool(idempotent_code)
        self.options = options

    def may_repeat(self, kind: str, request: Any) -> bool:
        """Whether a step with effects (``kind``, ``request``) cut short by a crash may simply run again."""
        if kind == "code":
            return self.idempotent_code
        return kind == "tool" and tool_name(request) in self.idempotent

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
install_journal()  # now: agents built from here on (at import time too) have journaled model replies


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
        if isinstance(lease, bool) or not isinstance(lease, (int, float)) or not 0 < lease < math.inf:
            raise ConfigurationError(f"lease is a number of seconds, more than 0 (got {lease!r})")
        self.store: ConversationStore = store if isinstance(store, ConversationStore) else SqliteStore(store)
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}"
        self.lease = float(lease)

    def start(self, factory: str, params: Any = None, *, id: str | None = None, run: bool = True) -> Outcome:
        """Start a conversation from a registered factory, and run it (unless ``run=False``) to its first stop.

        An async chat (``Chat(use_async=True)``) is run in an event loop of its own; inside a running event
        loop (a server, a notebook), ``await a_start(...)`` runs it in that loop instead.
        """
        conversation_id = self._create(factory, params, id)
        if not run:
            return Outcome(conversation_id, "ready")
        return self.resume(conversation_id)

    async def a_start(self, factory: str, params: Any = None, *, id: str | None = None, run: bool = True) -> Outcome:
        """Like ``start``, from async code: the store is used from worker threads, an async chat runs in this loop."""
        conversation_id = await asyncio.to_thread(self._create, factory, params, id)
        if not run:
            return Outcome(conversation_id, "ready")
        return await self.a_resume(conversation_id)

    def _create(self, factory: str, params: Any, id: str | None) -> str:
        known = _FACTORIES.get(factory)
        if known is None:
            raise ConfigurationError(f"no conversation factory {factory!r} is registered ({_registered()})")
        conversation_id = id or uuid.uuid4().hex
        self.store.create(conversation_id, factory, known.version, {} if params is None else params)
        return conversation_id

    def pending(self, conversation: str | None = None) -> list[StoredQuestion]:
        """Return the questions waiting for an answer, oldest first."""
        return self.store.questions(conversation)

    def answer(self, question_id: str, text: str, by: str | None = None) -> StoredQuestion:
        """Answer a waiting question (first writer wins); its conversation is ready to resume."""
        return self.store.answer(question_id, text, by)

    def resume(self, conversation: str) -> Outcome:
        """Run a ready conversation from its journal to its next stop, in this process.

        Raises ``NotRunnable`` (it waits for an answer, or it ended) or ``LeaseHeld`` (another worker runs
        it now).
        """
        lease = self.store.claim(conversation, self.owner, self.lease)
        return self._drive(*self._open(lease))

    async def a_resume(self, conversation: str) -> Outcome:
        """Like ``resume``, from async code: an async chat runs in this loop, a sync one in a worker thread.

        Cancelling the task gives the lease back (the conversation is ready for the next resume).
        """
        opened = await self._settled(lambda: self._open(self.store.claim(conversation, self.owner, self.lease)))
        return await self._a_drive(*opened)

    def work(self, *, limit: int | None = None) -> list[Outcome]:
        """Resume every ready conversation (at most ``limit``), one after another; return what became of each.

        Only conversations of factories registered in this process are claimed; one whose factory's version
        differs here is left ready for another worker, and one that fails is ``failed``: either way the others
        are still run.
        """
        done: list[Outcome] = []
        skipped: list[str] = []
        while limit is None or len(done) < limit:
            try:
                opened = self._open_next(skipped)
            except FactoryMissing as missing:
                done.append(_not_worked(missing.conversation, skipped, missing))
                continue
            if opened is None:
                break
            try:
                done.append(self._drive(*opened))
            except Exception as error:
                done.append(_not_worked(opened[0].id, skipped, error))
        return done

    async def a_work(self, *, limit: int | None = None) -> list[Outcome]:
        """Like ``work``, from async code."""
        done: list[Outcome] = []
        skipped: list[str] = []
        while limit is None or len(done) < limit:
            try:
                opened = await self._settled(lambda: self._open_next(skipped))
            except FactoryMissing as missing:
                done.append(_not_worked(missing.conversation, skipped, missing))
                continue
            if opened is None:
                break
            try:
                done.append(await self._a_drive(*opened))
            except Exception as error:
                done.append(_not_worked(opened[0].id, skipped, error))
        return done

    def _open_next(self, skipped: list[str]) -> tuple[Conversation, Factory, JournalRun] | None:
        lease = self.store.claim_next(self.owner, self.lease, exclude=skipped, factories=sorted(_FACTORIES))
        return None if lease is None else self._open(lease)

    async def _settled(self, call: Callable[[], Opened]) -> Opened:
        """Claim and open in a worker thread; if the awaiting task is cancelled, give back what it claimed.

        The thread itself gives it back when it ends after the cancellation (the event loop may be gone by
        then); a result it handed over before is given back here.
        """
        lock = threading.Lock()
        state: dict[str, Any] = {}

        def settled() -> Opened:
            opened = call()
            with lock:
                state["opened"] = opened
                if not state.get("abandoned"):
                    return opened
            self._give_back(opened)
            return opened

        try:
            return await asyncio.to_thread(settled)
        except asyncio.CancelledError:
            with lock:
                state["abandoned"] = True
                opened = state.get("opened")
            if opened is not None:
                threading.Thread(target=self._give_back, args=(opened,), name="hitl-give-back").start()
            raise

    def _give_back(self, opened: Any) -> None:
        if opened is None:
            return
        run: JournalRun = opened[2]
        run.stop()
        with _suppressed():
            self.store.release(run.lease)

    def cancel(self, conversation: str) -> None:
        """End a conversation that has not ended as ``cancelled``: its open questions are withdrawn.

        A run under way is stopped at its next journal write (its ``resume`` returns ``cancelled``).
        """
        self.store.cancel(conversation)

    def prune(self, *, older_than: float, statuses: Sequence[ConversationStatus] = ENDED_STATUSES) -> int:
        """Delete ended conversations (with their journals and questions) unchanged for ``older_than`` seconds.

        Returns how many were deleted. Only ended statuses (``done``, ``failed``, ``cancelled``) are accepted.
        """
        if older_than < 0:
            raise ConfigurationError(f"older_than is a number of seconds, 0 or more (got {older_than!r})")
        return self.store.prune(time.time() - older_than, statuses)

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
    def _open(self, lease: Lease) -> tuple[Conversation, Factory, JournalRun]:
        """Check this process can run the leased conversation, and begin its run (before its agents exist)."""
        store = self.store
        found = store.get(lease.conversation)
        factory = _FACTORIES.get(found.factory)
        if factory is None or factory.version != found.version:
            store.release(lease)
            have = "none" if factory is None else f"version {factory.version!r}"
            raise FactoryMissing(
                found.id,
                f"conversation {found.id!r} was started by factory {found.factory!r} version {found.version!r}; "
                f"this process has {have} ({_registered()}): import the module that registers it",
            )
        install_journal()  # before the factory builds its agents: their model replies are journaled from the start
        run = JournalRun(
            store,
            lease,
            store.journal(found.id),
            renew_every=self.lease / 3,
            lease_ttl=self.lease,
            answered=store.questions(found.id, status="answered"),
        )
        return found, factory, run

    def _drive(self, found: Conversation, factory: Factory, run: JournalRun) -> Outcome:
        try:
            chat = _built(factory, found, run)
            with running(run, chat.all_agents()):
                result = _initiate(chat)
        except BaseException as error:
            return self._stopped(found, run, error)
        finally:
            run.stop()
        return self._finished(found, run, result)

    async def _a_drive(self, found: Conversation, factory: Factory, run: JournalRun) -> Outcome:
        try:
            chat = _built(factory, found, run)
            with running(run, chat.all_agents()):
                if chat.use_async:
                    result = await chat.initiator.a_initiate_chat(chat.recipient, message=chat.message, **chat.options)
                else:  # a sync chat blocks: in a worker thread, which sees this run (contextvars are copied)
                    result = await asyncio.to_thread(_initiate, chat)
        except BaseException as error:
            return await asyncio.to_thread(self._stopped, found, run, error)
        finally:
            await asyncio.to_thread(run.stop)
        return await asyncio.to_thread(self._finished, found, run, result)

    def _stopped(self, found: Conversation, run: JournalRun, error: BaseException) -> Outcome:
        """Record why a run stopped before the chat's end: a question, a failure, a cancellation, a stop."""
        store = self.store
        if isinstance(error, Suspended):
            return Outcome(found.id, "waiting", question=error.question)
        if isinstance(error, UncertainStep):  # "did it run?": the human decides, as at any question
            question = Question.new(kind="checkpoint", agent="hitl", prompt=error.prompt, conversation=found.id)
            run.write()
            store.suspend(run.lease, question, error.seq, snapshot=run.snapshot())
            return Outcome(found.id, "waiting", question=question)
        if isinstance(error, StoppedAtUncertainStep):
            store.fail(run.lease, str(error), snapshot=_shown(run))
            return Outcome(found.id, "failed", error=str(error))
        if isinstance(error, (LeaseLost, UnknownConversation)):
            gone = _gone(store, found.id)
            if gone is not None:
                return gone
        if isinstance(error, (KeyboardInterrupt, SystemExit, asyncio.CancelledError, Abandoned, StoreBusy)):
            run.abandoned = True  # a sync chat left running in a thread stops at its next step
            with _suppressed():  # stopped, not broken: ready for the next resume
                store.release(run.lease)
            raise error
        with _suppressed():
            store.fail(run.lease, f"{type(error).__name__}: {error}", snapshot=_shown(run))
        raise error

    def _finished(self, found: Conversation, run: JournalRun, result: Any) -> Outcome:
        store = self.store
        unreached = run.unreached()
        if unreached is not None:  # the chat ended early: it would silently drop what it recorded, or an answer
            seq, kind, digest = unreached
            ended = DivergenceError(found.id, seq, "end of the chat", (kind, digest), "-")
            store.fail(run.lease, str(ended), snapshot=_shown(run))
            raise ended
        data = _result_data(result)
        try:
            run.write()
            store.finish(run.lease, data, snapshot=run.snapshot())
        except (LeaseLost, UnknownConversation):
            gone = _gone(store, found.id)
            if gone is None:
                raise
            return gone
        return Outcome(found.id, "done", result=data)


#: What claiming and opening a conversation gives: the conversation, its factory and the run.
Opened = TypeVar("Opened")


class FactoryMissing(ConfigurationError):
    """The conversation cannot be built here: its factory (at its version) is not registered in this process."""

    def __init__(self, conversation: str, message: str) -> None:
        super().__init__(message)
        self.conversation = conversation


def _gone(store: ConversationStore, conversation: str) -> Outcome | None:
    """Return the outcome of a conversation cancelled (or cancelled and pruned) while it ran, if it was."""
    try:
        status = store.get(conversation).status
    except UnknownConversation:
        return Outcome(conversation, "cancelled", error="cancelled and deleted while it ran")
    return Outcome(conversation, "cancelled", error="cancelled while it ran") if status == "cancelled" else None


def _built(factory: Factory, found: Conversation, run: JournalRun) -> Chat:
    chat = factory.build(found.params)
    if not isinstance(chat, Chat):
        raise ConfigurationError(
            f"conversation factory {factory.name!r} returned {type(chat).__name__}, not a hitl.durable.Chat"
        )
    run.snapshot_source = snapshot_of(chat)
    run.idempotent = chat.may_repeat
    return chat


def _not_worked(conversation: str, skipped: list[str], error: Exception) -> Outcome:
    if isinstance(error, FactoryMissing):
        skipped.append(conversation)  # not this version here: released, for a worker that has it
        return Outcome(conversation, "ready", error=str(error))
    if isinstance(error, StoreBusy):
        return Outcome(conversation, "ready", error=str(error))
    return Outcome(conversation, "failed", error=f"{type(error).__name__}: {error}")


def _initiate(chat: Chat) -> Any:
    options = dict(chat.options)
    if not chat.use_async:
        return chat.initiator.initiate_chat(chat.recipient, message=chat.message, **options)
    coroutine = chat.initiator.a_initiate_chat(chat.recipient, message=chat.message, **options)
    if not in_event_loop():
        return asyncio.run(coroutine)
    # Called from a thread that runs an event loop (a notebook): the chat gets a loop of its own, in a thread
    # that sees this run.
    return run_in_own_loop(coroutine, name="hitl-durable-chat")


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
