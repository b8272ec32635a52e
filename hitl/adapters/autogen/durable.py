"""Durable AutoGen chats: journal every step that is not a pure function of the code, replay it on resume.

A durable run rebuilds the agents from a factory and runs the chat from its start. Each step whose result
the code alone does not decide (a model reply, a tool or function result, a code execution result, a human
answer, a random or model-chosen speaker) is a journal entry: the first run records it, a resumed run is
served from the journal (after checking the step asks the same thing), so completed effects never run twice
and the history comes out the same. A human question with no stored answer suspends the run: the question is
stored, and [`Suspended`][hitl.adapters.autogen.durable.Suspended] unwinds the chat.

This module is AutoGen's side of it: where steps are intercepted, and the run that journals them. The store
is any [`ConversationStore`][hitl.stores.durable.ConversationStore].
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import json
import math
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from typing import Any, Final

from ...core.context import TurnContext
from ...core.errors import ConfigurationError, HitlError
from ...core.question import Question, QuestionKind, Subject
from ...core.rules import EXIT
from ...core.text import visible
from ...providers.threads import in_event_loop
from ...stores.durable import ConversationStore, JournalEntry, Lease, StoredQuestion
from . import compat as _compat
from ._decide import CURRENT_STEP, Turn
from ._gate import GatedExecutor, WrappedExecutor

__all__ = [
    "CURRENT_RUN",
    "Abandoned",
    "DivergenceError",
    "DurableInput",
    "JournalRun",
    "JournaledExecutor",
    "ReplaySilencedSink",
    "ReplayStream",
    "StoppedAtUncertainStep",
    "Suspended",
    "UncertainStep",
    "as_json",
    "attach",
    "fingerprint",
    "idempotency_key",
    "install_journal",
    "model_settings",
    "running",
    "tool_name",
]


class Suspended(BaseException):
    """A human is needed and no answer is stored: the question is stored, and the chat unwinds.

    A ``BaseException``, so that no ``except Exception`` in AutoGen or in your code catches it.

    Attributes:
        question: the question the run waits at.
    """

    def __init__(self, question: Question) -> None:
        super().__init__(f"waiting for an answer to {question.id}")
        self.question = question


class DivergenceError(HitlError, RuntimeError):
    """A replayed step asks something else than the journal says it asked: the code or its inputs changed.

    Attributes:
        seq: the step's position in the journal.
        kind: the step's kind now.
        expected: the journaled kind and fingerprint.
        found: the fingerprint now.
    """

    def __init__(self, conversation: str, seq: int, kind: str, expected: tuple[str, str], found: str) -> None:
        super().__init__(
            f"conversation {conversation!r} diverged from its journal at step {seq}: the journal has a "
            f"{expected[0]} step with fingerprint {expected[1]}, this run asked for a {kind} step with fingerprint "
            f"{found} (the factory's code, its parameters or something it reads changed, or it draws on "
            "randomness hitl does not journal)"
        )
        self.seq = seq
        self.kind = kind
        self.expected = expected
        self.found = found


def fingerprint(kind: str, request: Any) -> str:
    """Return the digest of a step's request: its kind and its content, as canonical JSON.

    Content JSON cannot hold is digested through its ``repr`` (a fingerprint only compares).

    Examples:
        >>> fingerprint("tool", {"name": "deploy", "arguments": "{}"})[:12]
        'a7b7bfda9a56'
    """
    text = canonical_json_lenient([kind, request])
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def canonical_json_lenient(value: Any) -> str:
    """Canonical JSON of ``value``, with ``repr`` for what JSON cannot hold (for fingerprints only)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=repr)


#: The durable run under way in this thread or task, if any.
CURRENT_RUN: ContextVar[JournalRun | None] = ContextVar("hitl_durable_run", default=None)
#: Whether a journaled step is under way here (steps inside it are part of it, not steps of their own).
_IN_STEP: ContextVar[bool] = ContextVar("hitl_durable_in_step", default=False)
#: The idempotency key of the effect under way, if any.
_KEY: ContextVar[str | None] = ContextVar("hitl_durable_key", default=None)


def idempotency_key() -> str | None:
    """Return the idempotency key of the tool call or code execution under way in a durable run.

    ``"<conversation>:<step>"``: the same each time the step runs (a step is re-run only after a crash in the
    middle of it), so a tool can pass it to a payment API, a database or a queue that refuses duplicates.
    None outside a durable effect.
    """
    return _KEY.get()


class JournalRun:
    """One run of a durable conversation: the journal it replays, and the lease it writes under.

    Args:
        store: the conversation store.
        lease: the lease the run holds.
        entries: the conversation's journal when the run began.
        renew_every: renew the lease this often (seconds), in a background thread, while the run lasts.
        lease_ttl: how long each renewal extends the lease.
        idempotent: whether a step with effects (its kind and request) may simply run again after a crash in
            its middle; otherwise the human is asked whether it ran.
        answered: the conversation's stored questions (the answered ones the journal does not hold yet are
            where the run goes on live: each must be reached, by the question it answers).
    """

    def __init__(
        self,
        store: ConversationStore,
        lease: Lease,
        entries: list[JournalEntry],
        *,
        renew_every: float | None = None,
        lease_ttl: float = 60.0,
        idempotent: Callable[[str, Any], bool] = lambda kind, request: False,
        answered: Sequence[StoredQuestion] = (),
    ) -> None:
        self.store = store
        self.idempotent = idempotent
        self.lease = lease
        self.entries = entries
        self.seq = 0
        self.conversation = lease.conversation
        self.misplaced: ConfigurationError | None = None  # a human asked inside a step: the run fails after it
        #: Answers stored for questions the journal has not reached: the human steps the run goes on from.
        self.awaiting = {
            stored.seq: stored
            for stored in answered
            if stored.status == "answered"
            and stored.answer is not None
            and stored.question.kind != "checkpoint"
            and stored.seq >= len(entries)
        }
        #: Where replaying ends: after the journal, and after the answer the run resumes from.
        self.horizon = len(entries) + (1 if len(entries) in self.awaiting else 0)
        self.abandoned = False  # set when whoever waited for the run stopped waiting: it stops at its next step
        self._unwritten: list[JournalEntry] = []  # steps done on an event loop's thread, written by the next write
        self._turns: asyncio.Lock | None = None  # async steps run one at a time (made in the run's loop)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None
        if renew_every is not None:
            self._renewer = threading.Thread(
                target=self._renew, args=(renew_every, lease_ttl), name="hitl-lease", daemon=True
            )
            self._renewer.start()

    def _renew(self, every: float, ttl: float) -> None:
        while not self._stop.wait(every):
            try:
                self.lease = self.store.renew(self.lease, ttl)
            except HitlError:  # lost: the next write says so, in the run's own thread
                return

    def stop(self) -> None:
        """Stop renewing the lease."""
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join(timeout=5)

    @property
    def replaying(self) -> bool:
        """Whether the run is re-doing what an earlier run did (journaled steps, or the answer it resumes from)."""
        return self.seq < self.horizon

    def unreached(self) -> tuple[int, str, str] | None:
        """Return what the run has not reached that it should have, if anything: (step, kind, fingerprint).

        A run that ends with journaled steps ahead, or before the question whose answer it resumed from, ended
        early: the code changed (a stored answer is never silently dropped).
        """
        if self.seq < len(self.entries):
            entry = self.entries[self.seq]
            return entry.seq, entry.kind, entry.fingerprint
        for seq, stored in sorted(self.awaiting.items()):
            if seq >= self.seq:
                return seq, "human", _asked_fingerprint(stored)
        return None

    # -- steps ------------------------------------------------------------------------------------------------
    def _next(self, kind: str, request: Any) -> tuple[int, str, JournalEntry | None]:
        if self.abandoned:
            raise Abandoned(self.conversation)
        digest = fingerprint(kind, request)
        with self._lock:
            seq = self.seq
            self.seq += 1
        entry = self.entries[seq] if seq < len(self.entries) else None
        if entry is not None and (entry.kind, entry.fingerprint) != (kind, digest):
            raise DivergenceError(self.conversation, seq, kind, (entry.kind, entry.fingerprint), digest)
        if entry is None and kind != "human" and seq in self.awaiting:  # another step where the answer was asked
            raise DivergenceError(
                self.conversation, seq, kind, ("human", _asked_fingerprint(self.awaiting[seq])), digest
            )
        return seq, digest, entry

    def _begin(self, kind: str, request: Any) -> tuple[int, str, JournalEntry | None, str | None]:
        """Take the step's position: a done entry to serve, or None to run it (again, after a crash, if allowed).

        The last part says what the human decided about a step stopped in the middle: ``run`` (again) or
        ``skip`` (go on as if it did not run); None for a step that was not stopped in the middle.

        A "run it again" answer allows one more attempt: before it runs, the step's intent is written again
        naming the question that allowed it, so a crash in that attempt asks the human again.
        """
        seq, digest, entry = self._next(kind, request)
        if entry is None or entry.state == "done":
            return seq, digest, entry, None
        # An intent without a result: the process stopped in the middle of this step.
        if self.idempotent(kind, request):
            return seq, digest, None, "run"
        used = _allowed_by(entry)
        decided = self._decision_about(seq, used)
        if decided is None:
            raise UncertainStep(self.conversation, seq, kind, request)
        answer, question_id = decided
        if answer.strip() == EXIT:
            raise StoppedAtUncertainStep(self.conversation, seq, kind)
        if answer.strip():
            return seq, digest, None, "skip"
        self.write(JournalEntry(seq, kind, digest, "intent", {"allowed_by": [*used, question_id]}))
        return seq, digest, None, "run"

    def _decision_about(self, seq: int, used: list[str]) -> tuple[str, str] | None:
        """Return the answer (and question id) to an unused "did it run?" question about step ``seq``."""
        for stored in self.store.questions(self.conversation, status=None):
            if (
                stored.seq == seq
                and stored.question.kind == "checkpoint"
                and stored.status == "answered"
                and stored.answer is not None
                and stored.question.id not in used
            ):
                return stored.answer, stored.question.id
        return None

    def _inside(self, seq: int, effect: bool) -> tuple[Any, Any]:
        return _IN_STEP.set(True), _KEY.set(f"{self.conversation}:{seq}" if effect else None)

    @staticmethod
    def _outside(tokens: tuple[Any, Any]) -> None:
        _KEY.reset(tokens[1])
        _IN_STEP.reset(tokens[0])

    # -- writes -------------------------------------------------------------------------------------------------
    def write(self, entry: JournalEntry | None = None) -> None:
        """Write the steps not written yet, then ``entry``, in order (the journal is always a prefix of the run)."""
        with self._lock:
            waiting, self._unwritten = self._unwritten, []
        for earlier in waiting:
            self.store.record(self.lease, earlier)
        if entry is not None:
            self.store.record(self.lease, entry)

    def _write_later_or_now(self, entry: JournalEntry) -> None:
        """Write ``entry``; on an event loop's thread, leave it to the next write (made in a worker thread).

        Only for steps without effects: if the process stops before the next write, such a step is simply
        done again on resume, and nothing after it was journaled.
        """
        if in_event_loop():
            with self._lock:
                self._unwritten.append(entry)
        else:
            self.write(entry)

    def _checked(self) -> None:
        misplaced = self.misplaced
        if misplaced is not None:  # AutoGen turned the error into a tool's output: the run fails instead
            raise misplaced

    def step(
        self,
        kind: str,
        request: Any,
        run: Callable[[], Any],
        *,
        encode: Callable[[Any], Any] = lambda result: result,
        decode: Callable[[Any], Any] = lambda data: data,
        effect: bool = False,
        skipped: Callable[[], Any] = lambda: None,
    ) -> Any:
        """Run one journaled step: served from the journal if it was done, else run and recorded.

        ``effect``: the step changes the world (a tool, code): an intent is recorded before it runs, so a
        crash in the middle is known, and the step is not run again unless the human says so; ``skipped``
        gives its result when the human says to go on as if it did not run.

        The run goes on with what the journal keeps of the result (``decode(encode(result))`` through JSON),
        so a live run and every replay of it continue from the same value.
        """
        seq, digest, entry, decided = self._begin(kind, request)
        if entry is not None:
            return decode(entry.result)
        if decided == "skip":
            data = as_json(encode(skipped()))
            self.write(JournalEntry(seq, kind, digest, "done", data))
            return decode(data)
        if effect and decided is None:
            self.write(JournalEntry(seq, kind, digest, "intent"))
        tokens = self._inside(seq, effect)
        try:
            result = run()
        finally:
            self._outside(tokens)
        self._checked()
        data = as_json(encode(result))
        done = JournalEntry(seq, kind, digest, "done", data)
        if effect:
            self.write(done)
        else:
            self._write_later_or_now(done)
        return decode(data)

    async def a_step(
        self,
        kind: str,
        request: Any,
        run: Callable[[], Any],
        *,
        encode: Callable[[Any], Any] = lambda result: result,
        decode: Callable[[Any], Any] = lambda data: data,
        effect: bool = False,
        skipped: Callable[[], Any] = lambda: None,
    ) -> Any:
        """Run one journaled step of an async chat (``run`` returns an awaitable); the store in a worker thread.

        Steps of one run take their turns: the tool calls of one message, which AutoGen runs concurrently,
        run one after another in the order they were started, so each is journaled once at its own position
        and a replay serves them in the same order.
        """
        if self._turns is None:
            self._turns = asyncio.Lock()
        async with self._turns:
            return await self._a_step(kind, request, run, encode, decode, effect, skipped)

    async def _a_step(
        self,
        kind: str,
        request: Any,
        run: Callable[[], Any],
        encode: Callable[[Any], Any],
        decode: Callable[[Any], Any],
        effect: bool,
        skipped: Callable[[], Any],
    ) -> Any:
        seq, digest, entry, decided = await asyncio.to_thread(self._begin, kind, request)
        if entry is not None:
            return decode(entry.result)
        if decided == "skip":
            data = as_json(encode(skipped()))
            await asyncio.to_thread(self.write, JournalEntry(seq, kind, digest, "done", data))
            return decode(data)
        if effect and decided is None:
            await asyncio.to_thread(self.write, JournalEntry(seq, kind, digest, "intent"))
        tokens = self._inside(seq, effect)
        try:
            result = await run()
        finally:
            self._outside(tokens)
        self._checked()
        data = as_json(encode(result))
        await asyncio.to_thread(self.write, JournalEntry(seq, kind, digest, "done", data))
        return decode(data)

    def human(self, prompt: str, ctx: TurnContext) -> str:
        """Return the human's answer to ``prompt``: journaled, stored, or (none yet) suspend the run.

        The question is an ``approval`` (with the exact code and calls it approves as its subjects) when the
        proxy asks to run something, else ``feedback``; a stored answer is used only for the very question it
        answered.
        """
        kind, detail, prompt, subjects = _question_about(CURRENT_STEP.get(), visible(prompt))
        request = _human_request(ctx.recipient, detail, prompt, subjects)  # as the stored question holds it
        seq, digest, entry = self._next("human", request)
        if entry is not None:
            return str(entry.result)
        stored = self.awaiting.get(seq)
        if stored is not None and stored.answer is not None:
            asked = _asked_fingerprint(stored)
            if asked != digest:  # the answer is to another question (other code...): never reused
                raise DivergenceError(self.conversation, seq, "human", ("human", asked), digest)
            self.write(JournalEntry(seq, "human", digest, "done", stored.answer))
            del self.awaiting[seq]
            return stored.answer
        question = Question.new(
            kind=kind,
            agent=ctx.recipient,
            sender=ctx.speaker,
            prompt=prompt,
            detail=detail,
            subjects=subjects,
            conversation=self.conversation,
        )
        self.write()
        self.store.suspend(self.lease, question, seq, snapshot=self.snapshot())
        raise Suspended(question)

    # -- what the run shows ------------------------------------------------------------------------------------
    snapshot_source: Callable[[], Any] | None = None

    def snapshot(self) -> Any:
        """Return what readers are shown of the conversation now (its history and decisions), if the run knows."""
        return None if self.snapshot_source is None else self.snapshot_source()


def _question_about(turn: Turn | None, shown: str) -> tuple[QuestionKind, str | None, str, tuple[Subject, ...]]:
    """Return the question ``turn`` asks with the text ``shown``: its kind, detail, prompt and subjects.

    An approval's detail (the code or calls about to run) is what the console shows above its prompt; the
    prompt is then the rest.
    """
    if turn is None or not turn.decision.approves:
        return "feedback", None, shown, ()
    subjects = tuple(
        Subject.of_code("", approval[1]) if approval[0] == "code" else Subject.of_call(approval[1], approval[2])
        for approval in turn.decision.approves
    )
    detail = visible(turn.decision.detail) if turn.decision.detail else None
    if detail and shown.startswith(detail + "\n") and len(shown) > len(detail) + 1:
        shown = shown[len(detail) + 1 :]
    return "approval", detail, shown, subjects


def _asked_fingerprint(stored: StoredQuestion) -> str:
    """Return the fingerprint of the human step that asked ``stored``."""
    asked = stored.question
    return fingerprint("human", _human_request(asked.agent, asked.detail, asked.prompt, asked.subjects))


def _human_request(agent: str, detail: str | None, prompt: str, subjects: tuple[Subject, ...]) -> Any:
    return {
        "agent": agent,
        "detail": detail,
        "prompt": prompt,
        "subjects": [[s.kind, s.language, s.code, s.name, s.arguments] for s in subjects],
    }


def _allowed_by(entry: JournalEntry) -> list[str]:
    """Return the ids of the questions whose "run it again" answers were used on this intent already."""
    result = entry.result
    if isinstance(result, dict) and isinstance(result.get("allowed_by"), list):
        return [str(item) for item in result["allowed_by"]]
    return []


class UncertainStep(HitlError, RuntimeError):
    """A step with effects was started before the process stopped, and its result was never recorded.

    The conversation asks its human (with ``prompt``) whether to run it again, to go on as if it did not run,
    or to stop.
    """

    def __init__(self, conversation: str, seq: int, kind: str, request: Any = None) -> None:
        what = _describe(kind, request)
        super().__init__(
            f"conversation {conversation!r}: step {seq} ({what}) was started before the process stopped, and may "
            "or may not have run"
        )
        self.seq = seq
        self.kind = kind
        self.prompt = (
            f"Step {seq} ({what}) was started before the process stopped, and may or may not have run. "
            "Press enter to run it again, type 'skip' to go on as if it did not run, or 'exit' to stop: "
        )


class Abandoned(BaseException):
    """Whoever waited for the run stopped waiting (its task was cancelled): the run stops at its next step."""

    def __init__(self, conversation: str) -> None:
        super().__init__(f"the run of conversation {conversation!r} was abandoned")


class StoppedAtUncertainStep(HitlError, RuntimeError):
    """The human stopped the conversation at a step that may or may not have run."""

    def __init__(self, conversation: str, seq: int, kind: str) -> None:
        super().__init__(f"conversation {conversation!r} was stopped by its human at step {seq} ({kind})")


def tool_name(request: Any) -> str | None:
    """Return the name of the tool a journaled ``tool`` step's request calls."""
    call = request.get("call") if isinstance(request, dict) else None
    if not isinstance(call, dict):
        return None
    name = call.get("name")
    if not name and isinstance(call.get("function"), dict):
        name = call["function"].get("name")
    return name if isinstance(name, str) else None


def _describe(kind: str, request: Any) -> str:
    if kind == "tool":
        name = tool_name(request)
        return f"the tool call {name!r}" if name else "a tool call"
    if kind == "code" and isinstance(request, dict):
        blocks = request.get("blocks") or []
        return f"{len(blocks)} code block{'s' if len(blocks) != 1 else ''}"
    return f"a {kind} step"


class DurableInput:
    """The human input of a proxy in a durable conversation: an answer is journaled, or the run suspends.

    Only asks inside a durable run (see [`hitl.durable`][hitl.durable]); a question without a stored answer
    stores the question and suspends the conversation until someone answers it, from any process.
    """

    def ask(self, prompt: str, context: TurnContext) -> str:
        """Return the stored answer to this question, or suspend the conversation at it."""
        run = CURRENT_RUN.get()
        if run is None:
            raise ConfigurationError(
                "DurableInput answers only inside a durable conversation: start it with hitl.durable "
                "(outside one, give the proxy another human input)"
            )
        if _IN_STEP.get():
            run.misplaced = ConfigurationError(
                "a human was asked inside a journaled step (a tool, a code execution or a model call): a durable "
                "conversation asks its human between steps, through the proxy's policy and gates"
            )
            raise run.misplaced
        return run.human(prompt, context)

    async def a_ask(self, prompt: str, context: TurnContext) -> str:
        """Return the stored answer, or suspend the conversation; the store is read in a thread."""
        if CURRENT_RUN.get() is None or _IN_STEP.get():
            return self.ask(prompt, context)  # raises the error that says why
        return await asyncio.to_thread(self.ask, prompt, context)  # the thread sees this task's run

    def __repr__(self) -> str:
        return "DurableInput()"


# -- where AutoGen's steps are intercepted ---------------------------------------------------------------------
def _active() -> JournalRun | None:
    run = CURRENT_RUN.get()
    if run is None or _IN_STEP.get():
        return None
    return run


#: Model settings a model's replies do not depend on: where and how the model is reached, and caching.
#: (Credentials are left out by name too: see ``_CREDENTIAL``.) Everything else is part of a model step.
_TRANSPORT: Final = frozenset(
    {
        "base_url",
        "api_base",
        "api_version",
        "azure_endpoint",
        "organization",
        "default_headers",
        "default_query",
        "http_client",
        "timeout",
        "max_retries",
        "cache_seed",
        "cache",
        "proxies",
        "tags",
        "stream",
        "price",
        "api_rate_limit",
        "region",
        "aws_region",
        "location",
        "project_id",
    }
)
_CREDENTIAL: Final = re.compile(r"key|secret|token|password|credential|auth", re.IGNORECASE)


def model_settings(agent: Any) -> Any:
    """Return what of ``agent``'s model configuration its replies depend on: models, sampling, tools offered...

    Every setting but those that say where and how the model is reached (endpoints, timeouts, caching) and
    credentials (any name with key, secret, token, password, credential or auth in it): a new API key or
    endpoint does not make journaled replies wrong, a new temperature or tool does.
    """
    config = getattr(agent, "llm_config", None)
    if config is not None and not isinstance(config, dict) and hasattr(config, "model_dump"):
        config = config.model_dump()  # AG2's LLMConfig
    if not isinstance(config, dict):
        return None
    listed = config.get("config_list") or []
    kept = _settings({key: value for key, value in config.items() if key != "config_list"})
    kept["config_list"] = [_settings(entry) for entry in listed if isinstance(entry, dict)]
    return kept


def _settings(config: dict[str, Any]) -> dict[str, Any]:
    return {
        str(key): _setting(value)
        for key, value in config.items()
        if value is not None and key not in _TRANSPORT and not _CREDENTIAL.search(str(key))
    }


def _setting(value: Any) -> Any:
    """Return a setting as a fingerprint holds it: JSON, a pydantic class's schema, else its type's name."""
    if value is None or type(value) in (bool, int, float, str):
        return value
    if isinstance(value, dict):
        return {str(key): _setting(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_setting(item) for item in value]
    schema = getattr(value, "model_json_schema", None)
    if isinstance(value, type) and callable(schema):
        with contextlib.suppress(Exception):
            return {"schema": schema()}
    if hasattr(value, "model_dump") and not isinstance(value, type):
        with contextlib.suppress(Exception):
            return _setting(value.model_dump(mode="json"))
    kind = value if isinstance(value, type) else type(value)
    return f"<{kind.__module__}.{kind.__qualname__}>"  # never a repr: it may hold an address that changes


def _messages_request(agent: Any, messages: Any, sender: Any) -> Any:
    if messages is None:
        messages = agent._oai_messages.get(sender, []) if sender is not None else []
    return {
        "agent": agent.name,
        "system": agent.system_message,
        "model": model_settings(agent),
        "messages": messages,
    }


def as_json(value: Any) -> Any:
    """Return ``value`` as JSON keeps it: what a journal entry holds, and what a live run goes on with.

    A model's or a tool's object is kept as its ``model_dump()``, a float JSON cannot hold (NaN, infinities)
    and anything else JSON cannot hold as its ``str()`` (AutoGen shows a tool's result to the model as text
    anyway).
    """
    try:
        return json.loads(json.dumps(value, ensure_ascii=True, allow_nan=False))  # keys in their order
    except (TypeError, ValueError):
        return _jsonable(value)


def _jsonable(value: Any) -> Any:
    if value is None or type(value) in (bool, int, str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(item) for item in value]
    if hasattr(value, "model_dump"):
        with contextlib.suppress(Exception):
            return _jsonable(value.model_dump(mode="json"))
    return str(value)


def _reply_pair(result: Any) -> Any:
    final, reply = result
    if not isinstance(reply, (str, dict)) and hasattr(reply, "model_dump"):
        reply = reply.model_dump()  # a client's message object: kept as the dict AutoGen makes of it
    return [bool(final), reply]


def _pair(data: Any) -> tuple[bool, Any]:
    return bool(data[0]), data[1]


class JournaledExecutor(WrappedExecutor):
    """A code executor whose runs are journaled steps: each block list runs once, whatever the replays."""

    def execute_code_blocks(self, code_blocks: list[Any]) -> Any:
        """Run ``code_blocks`` (once: a replay returns the journaled result)."""
        run = _active()
        inner = self.hitl_inner
        if run is None:
            return inner.execute_code_blocks(code_blocks)
        request = {"blocks": [[block.language, block.code] for block in code_blocks]}
        return run.step(
            "code",
            request,
            lambda: inner.execute_code_blocks(code_blocks),
            encode=_code_result_data,
            decode=_code_result,
            effect=True,
            skipped=lambda: _compat.CodeResult(exit_code=1, output=NOT_RUN),
        )


#: What a step the human chose not to run again returns in place of its output.
NOT_RUN = "not run again: it was started before the process stopped, and the human chose to go on without it"


def _not_run_call(func_call: Any) -> tuple[bool, dict[str, Any]]:
    name = func_call.get("name", "") if isinstance(func_call, dict) else ""
    return False, {"name": name, "role": "function", "content": NOT_RUN}


def _code_result_data(result: Any) -> Any:
    return {"class": type(result).__name__, "data": result.model_dump(mode="json")}


def _code_result(data: Any) -> Any:
    import autogen.coding as coding

    cls = getattr(coding, data["class"], None) or _compat.CodeResult
    return cls(**data["data"])


def attach(agents: list[Any]) -> None:
    """Journal the code executions of ``agents`` (the ones of the conversation, built by its factory).

    The executors find the run under way through ``CURRENT_RUN``; outside one they just run. An agent built
    before the journal was put in AutoGen (at import time, say) holds AutoGen's own reply functions: they
    are replaced with the journaled ones.
    """
    replaced: dict[Any, Any] = getattr(_compat.ConversableAgent, "_hitl_replaced", {})
    for agent in agents:
        for entry in getattr(agent, "_reply_func_list", []):
            journaled = replaced.get(entry.get("reply_func"))
            if journaled is not None:
                entry["reply_func"] = journaled
        executor = getattr(agent, "_code_executor", None)
        if isinstance(executor, GatedExecutor):
            if not isinstance(executor.hitl_inner, JournaledExecutor):
                object.__setattr__(executor, "hitl_inner", JournaledExecutor(executor.hitl_inner))
        elif executor is not None and not isinstance(executor, JournaledExecutor):
            agent._code_executor = JournaledExecutor(executor)


def install_journal() -> None:
    """Put the journal in AutoGen's step functions, once per process (each is itself unless a run is under way)."""
    cls = _compat.ConversableAgent
    if getattr(cls, "_hitl_journaled", False):
        return
    generate, a_generate = cls.generate_oai_reply, cls.a_generate_oai_reply

    @functools.wraps(generate)
    def generate_oai_reply(self: Any, messages: Any = None, sender: Any = None, config: Any = None) -> Any:
        run = _active()
        if run is None or getattr(self, "client", None) is None:  # no model: nothing to journal
            return generate(self, messages, sender, config)
        request = _messages_request(self, messages, sender)
        return run.step(
            "llm", request, lambda: generate(self, messages, sender, config), encode=_reply_pair, decode=_pair
        )

    @functools.wraps(a_generate)
    async def a_generate_oai_reply(self: Any, messages: Any = None, sender: Any = None, config: Any = None) -> Any:
        run = _active()
        if run is None or getattr(self, "client", None) is None:
            return await a_generate(self, messages, sender, config)
        request = _messages_request(self, messages, sender)
        return await run.a_step(
            "llm", request, lambda: a_generate(self, messages, sender, config), encode=_reply_pair, decode=_pair
        )

    execute_code_blocks = cls.execute_code_blocks

    @functools.wraps(execute_code_blocks)
    def journaled_execute_code_blocks(self: Any, code_blocks: Any) -> Any:
        run = _active()
        if run is None:
            return execute_code_blocks(self, code_blocks)
        request = {"blocks": [[language, code] for language, code in code_blocks]}
        return run.step(
            "code",
            request,
            lambda: execute_code_blocks(self, code_blocks),
            encode=list,
            decode=tuple,
            effect=True,
            skipped=lambda: (1, NOT_RUN),
        )

    execute_function, a_execute_function = cls.execute_function, cls.a_execute_function

    @functools.wraps(execute_function)
    def journaled_execute_function(self: Any, func_call: Any, *args: Any, **kwargs: Any) -> Any:
        run = _active()
        if run is None:
            return execute_function(self, func_call, *args, **kwargs)
        request = {"agent": self.name, "call": func_call}
        return run.step(
            "tool",
            request,
            lambda: execute_function(self, func_call, *args, **kwargs),
            encode=_reply_pair,
            decode=_pair,
            effect=True,
            skipped=lambda: _not_run_call(func_call),
        )

    @functools.wraps(a_execute_function)
    async def journaled_a_execute_function(self: Any, func_call: Any, *args: Any, **kwargs: Any) -> Any:
        run = _active()
        if run is None:
            return await a_execute_function(self, func_call, *args, **kwargs)
        request = {"agent": self.name, "call": func_call}
        return await run.a_step(
            "tool",
            request,
            lambda: a_execute_function(self, func_call, *args, **kwargs),
            encode=_reply_pair,
            decode=_pair,
            effect=True,
            skipped=lambda: _not_run_call(func_call),
        )

    from_client = cls._generate_oai_reply_from_client

    @functools.wraps(from_client)
    def _generate_oai_reply_from_client(self: Any, llm_client: Any, messages: Any, cache: Any, **kwargs: Any) -> Any:
        run = _active()  # inside a reply's step this is part of it; outside, a summary (reflection_with_llm)
        if run is None:
            return from_client(self, llm_client, messages, cache, **kwargs)
        request = {"agent": self.name, "model": model_settings(self), "messages": messages, "from": "client"}
        return run.step("llm", request, lambda: from_client(self, llm_client, messages, cache, **kwargs))

    cls._hitl_replaced = {generate: generate_oai_reply, a_generate: a_generate_oai_reply}
    cls.generate_oai_reply = generate_oai_reply
    cls.a_generate_oai_reply = a_generate_oai_reply
    cls._generate_oai_reply_from_client = _generate_oai_reply_from_client
    cls.execute_code_blocks = journaled_execute_code_blocks
    cls.execute_function = journaled_execute_function
    cls.a_execute_function = journaled_a_execute_function
    _install_selection()
    cls._hitl_journaled = True


def _install_selection() -> None:
    group = _compat.GroupChat
    random_select, auto_select, a_auto_select = (
        group.random_select_speaker,
        group._auto_select_speaker,
        group.a_auto_select_speaker,
    )

    def by_name(agents: Any, name: Any) -> Any:
        for agent in agents:
            if agent.name == name:
                return agent
        return None

    @functools.wraps(random_select)
    def random_select_speaker(self: Any, agents: Any = None) -> Any:
        run = _active()
        pool = self.agents if agents is None else agents
        if run is None:
            return random_select(self, agents)
        request = {"select": "random", "agents": [agent.name for agent in pool]}
        name = run.step("select", request, lambda: _name(random_select(self, agents)))
        return by_name(pool, name)

    @functools.wraps(auto_select)
    def _auto_select_speaker(self: Any, last_speaker: Any, selector: Any, messages: Any, agents: Any) -> Any:
        run = _active()
        if run is None:
            return auto_select(self, last_speaker, selector, messages, agents)
        pool = self.agents if agents is None else agents
        request = {"select": "auto", "last": _name(last_speaker), "agents": [agent.name for agent in pool]}
        name = run.step("select", request, lambda: _name(auto_select(self, last_speaker, selector, messages, agents)))
        return by_name(self.agents, name)

    @functools.wraps(a_auto_select)
    async def a_auto_select_speaker(self: Any, last_speaker: Any, selector: Any, messages: Any, agents: Any) -> Any:
        run = _active()
        if run is None:
            return await a_auto_select(self, last_speaker, selector, messages, agents)
        pool = self.agents if agents is None else agents
        request = {"select": "auto", "last": _name(last_speaker), "agents": [agent.name for agent in pool]}

        async def chosen() -> Any:
            return _name(await a_auto_select(self, last_speaker, selector, messages, agents))

        name = await run.a_step("select", request, chosen)
        return by_name(self.agents, name)

    group.random_select_speaker = random_select_speaker
    group._auto_select_speaker = _auto_select_speaker
    group.a_auto_select_speaker = a_auto_select_speaker


def _name(agent: Any) -> Any:
    return None if agent is None else agent.name


class ReplayStream:
    """AutoGen's IOStream while a durable run replays: what was shown before is not shown again."""

    def __init__(self, inner: Any, run: JournalRun) -> None:
        self._inner = inner
        self._run = run

    def print(self, *objects: Any, sep: str = " ", end: str = "\n", flush: bool = False) -> None:
        """Show, unless replaying."""
        if not self._run.replaying:
            self._inner.print(*objects, sep=sep, end=end, flush=flush)

    def send(self, message: Any) -> None:
        """Show, unless replaying."""
        if not self._run.replaying:
            self._inner.send(message)

    def input(self, prompt: str = "", *, password: bool = False) -> str:
        """Ask the stream below (a durable chat asks its humans through DurableInput, not here)."""
        return str(self._inner.input(prompt, password=password))


class ReplaySilencedSink:
    """An audit sink that is not given the records of replayed decisions (they were written the first time)."""

    def __init__(self, inner: Any, run: JournalRun) -> None:
        self.hitl_inner = inner
        self._run = run

    def write(self, record: Any) -> None:
        """Write ``record``, unless replaying."""
        if not self._run.replaying:
            self.hitl_inner.write(record)


@contextlib.contextmanager
def running(run: JournalRun, agents: list[Any]) -> Iterator[None]:
    """Make ``run`` the durable run of this thread or task for the block: steps journal, output and audit replay."""
    install_journal()
    attach(agents)
    proxies = [agent for agent in agents if hasattr(agent, "_hitl_sinks")]
    saved = [list(proxy._hitl_sinks) for proxy in proxies]
    for proxy in proxies:
        proxy._hitl_sinks[:] = [ReplaySilencedSink(sink, run) for sink in proxy._hitl_sinks]
    token = CURRENT_RUN.set(run)
    try:
        with _compat.iostream_set_to(ReplayStream(_compat.default_iostream(), run)):
            yield
    finally:
        CURRENT_RUN.reset(token)
        for proxy, sinks in zip(proxies, saved, strict=True):
            proxy._hitl_sinks[:] = sinks
