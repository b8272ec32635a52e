"""Multi-stage workflows with human checkpoints: research -> code -> documentation, and the like.

A [`Workflow`][hitl.adapters.autogen.workflow.Workflow] runs its [`Stage`][hitl.adapters.autogen.workflow.Stage]s in
order. Each stage is a chat between a fresh [`PolicyUserProxy`][hitl.adapters.autogen.proxy.PolicyUserProxy] (the
stage's policy and limits) and the assistant; its final answer is the assistant's last message. At a stage's checkpoint
a human sees that answer and:

- presses **Enter**: the stage is approved and the next one starts;
- types an **instruction**: the stage runs again with it (a redirect), and comes back to the checkpoint;
- types **exit**: the workflow stops there, with status ``"aborted"`` (an abort is a result, not an
  exception).

A human who cannot answer (a timeout, a closed input, Ctrl-C) gets the provider's fallback answer, as in a
chat, and the result says so: ``StageResult.checkpoint_events`` holds, for each checkpoint answer, how it
came about (``answered``, ``timeout``, ``eof`` or ``interrupt``), and with ``audit=`` every checkpoint is
also a [`DecisionRecord`][hitl.stores.audit.DecisionRecord] (``stage`` set, ``input_event`` as in a chat). On the
console the workflow fails fast, as a chat does: a ``ConfigurationError`` before the first stage runs, and
before each checkpoint question, when nobody could answer (see [`ConsoleInput`][hitl.inputs.ConsoleInput]).

A stage's task is a text, or a function of the earlier stages' answers. Each stage starts from a fresh
history unless ``keep_history=True``.

Examples:
    >>> from hitl import ScriptedInput
    >>> from hitl.testing import ScriptedAssistant
    >>> from hitl.adapters.autogen.workflow import Stage, Workflow
    >>> assistant = ScriptedAssistant("assistant", ["pandas. TERMINATE", "def clean(): ... TERMINATE"])
    >>> flow = Workflow(
    ...     [Stage("research", "Pick a CSV library. Say TERMINATE."),
    ...      Stage("code", lambda out: f"Use {out['research']} to write clean(). Say TERMINATE.")],
    ...     assistant=assistant, human_input=ScriptedInput(["", ""]),
    ... )
    >>> from hitl.testing import quiet
    >>> with quiet():  # keep AutoGen's console output out of the example
    ...     result = flow.run()
    >>> result.status, result.outputs
    ('completed', {'research': 'pandas.', 'code': 'def clean(): ...'})
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

from ...core.approval import may_ask
from ...core.conditions import Keyword
from ...core.context import TurnContext, message_text
from ...core.errors import ConfigurationError
from ...core.limits import Limits
from ...core.policies import InputPolicy, Never
from ...core.rules import CheckpointOutcome, InputEvent
from ...core.text import check_template, visible
from ...providers import AsyncHumanInput, HumanInput, NoAnswer, a_ask, ask
from ...stores.audit import AuditSink, DecisionRecord
from ._options import resolve_sinks
from .console import ConsoleInput
from .proxy import PolicyUserProxy

__all__ = ["Stage", "StageResult", "Workflow", "WorkflowResult"]

#: A stage's task: a text, or a function of the earlier stages' answers (by stage name).
Task = str | Callable[[Mapping[str, str]], str]
StageStatus = Literal["approved", "completed", "aborted", "not_run"]

_CHECKPOINT = (
    "Stage {stage!r} is done. Its answer:\n{answer}\n"
    "Press enter to approve it, type an instruction to redo the stage, or type 'exit' to stop the workflow: "
)


@dataclass(frozen=True)
class Stage:
    """One stage of a workflow.

    Attributes:
        name: the stage's name (unique in the workflow; its answer is ``outputs[name]``).
        task: the opening message: a text, or a function of the earlier answers.
        policy: when the human is asked during the stage. Default ``Never()``: the stage runs
            automatically and the human reviews its answer at the checkpoint (a ``Terminate()`` here
            would ask twice at the end: once in the chat, once at the checkpoint).
        limits: the stage proxy's limits.
        checkpoint: whether a human approves the stage's answer before the workflow goes on.
        keep_history: continue the conversation of the stage before (same proxy, same history, this
            stage's policy and limits) instead of starting fresh. Such a stage has no ``proxy_options``
            of its own: the proxy is the earlier stage's.
        assistant: the agent of this stage (default: the workflow's).
        max_redirects: how many times the human may send the stage back before the workflow stops
            with status ``"aborted"`` (a guard against a loop).
        proxy_options: more [`PolicyUserProxy`][hitl.adapters.autogen.proxy.PolicyUserProxy] arguments
            (``code_execution_config``...).
    """

    name: str
    task: Task
    policy: InputPolicy = field(default_factory=Never)
    limits: Limits = field(default_factory=Limits)
    checkpoint: bool = True
    keep_history: bool = False
    assistant: Any = None
    max_redirects: int = 5
    proxy_options: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ConfigurationError(f"a Stage needs a name (got {self.name!r})")
        if not (isinstance(self.task, str) or callable(self.task)):
            raise TypeError(f"Stage {self.name!r}: task is a text or a function of the earlier answers")
        if not isinstance(self.policy, InputPolicy):
            raise TypeError(f"Stage {self.name!r}: policy must be an InputPolicy (got {self.policy!r})")
        if isinstance(self.max_redirects, bool) or not isinstance(self.max_redirects, int) or self.max_redirects < 0:
            raise ConfigurationError(f"Stage {self.name!r}: max_redirects must be an int >= 0")


@dataclass
class StageResult:
    """What one stage did.

    Attributes:
        name: the stage.
        status: ``approved`` (a human approved it), ``completed`` (no checkpoint), ``aborted`` (the human
            typed exit, or the redirects ran out), or ``not_run`` (an earlier stage aborted).
        answer: the assistant's last message, with a trailing ``TERMINATE`` removed.
        redirects: how many times the human sent the stage back.
        instructions: the human's redirect instructions, in order.
        messages: the stage's conversation (with ``keep_history``, the whole conversation so far).
        decisions: the decisions of the stage's proxy during this stage (every run of it).
        checkpoint_answers: what the human answered at the checkpoint, in order (after a timeout, a
            closed input or Ctrl-C: the provider's fallback answer).
        checkpoint_events: how each of ``checkpoint_answers`` came about, in the same order:
            ``answered`` (typed), ``timeout``, ``eof`` or ``interrupt`` (the fallback answer was used).
    """

    name: str
    status: StageStatus = "not_run"
    answer: str = ""
    redirects: int = 0
    instructions: list[str] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    decisions: list[DecisionRecord] = field(default_factory=list)
    checkpoint_answers: list[str] = field(default_factory=list)
    checkpoint_events: list[InputEvent] = field(default_factory=list)


@dataclass
class WorkflowResult:
    """What a workflow run did: ``status`` is ``completed`` or ``aborted``; ``stages`` in order."""

    stages: list[StageResult]
    status: Literal["completed", "aborted"] = "completed"

    @property
    def outputs(self) -> dict[str, str]:
        """The answers of the stages that finished (approved or completed), by name."""
        return {stage.name: stage.answer for stage in self.stages if stage.status in ("approved", "completed")}

    @property
    def aborted_at(self) -> str | None:
        """The stage where the workflow stopped, if it was aborted."""
        for stage in self.stages:
            if stage.status == "aborted":
                return stage.name
        return None

    def __getitem__(self, name: str) -> StageResult:
        for stage in self.stages:
            if stage.name == name:
                return stage
        raise KeyError(name)


def _final_answer(messages: Sequence[Mapping[str, Any]], assistant_name: str) -> str:
    for message in reversed(messages):
        if message.get("name") == assistant_name or (message.get("role") == "assistant" and "name" not in message):
            text = message_text(message.get("content")).rstrip()
            if text.endswith("TERMINATE"):
                text = text[: -len("TERMINATE")].rstrip()
            return text
    return ""


class Workflow:
    """An ordered list of stages with human checkpoints between them; run with ``run`` or ``a_run``.

    Args:
        stages: the stages, in order (names unique).
        assistant: the agent every stage talks to, unless a stage names its own.
        human_input: who answers the checkpoints and the stages' questions (default: the console).
        is_termination_msg: how a stage's chat ends (default: ``Keyword("TERMINATE")``).
        checkpoint_prompt: the checkpoint question; ``{stage}`` and ``{answer}`` are filled in (the answer
            with its control characters shown as escapes, so an answer cannot rewrite what the reviewer sees).
        audit: a sink (or a list of sinks), such as [`JsonlAudit`][hitl.stores.audit.JsonlAudit], that receives every
            decision of the stages' proxies (added to any ``audit`` in a stage's ``proxy_options``) and one
            [`DecisionRecord`][hitl.stores.audit.DecisionRecord] per checkpoint question: ``stage`` set,
            ``outcome`` ``approved``, ``redirected`` or ``aborted``, and ``input_event`` as in a chat.

    Raises:
        ConfigurationError: from ``run``/``a_run``, before anything runs and again before each checkpoint
            question, if the human input is the console and nobody could answer it (see
            [`ConsoleInput.check_interactive`][hitl.inputs.ConsoleInput.check_interactive]).
    """

    def __init__(
        self,
        stages: Sequence[Stage],
        *,
        assistant: Any = None,
        human_input: HumanInput | AsyncHumanInput | None = None,
        is_termination_msg: Callable[[dict[str, Any]], bool] | None = None,
        checkpoint_prompt: str = _CHECKPOINT,
        audit: AuditSink | Sequence[AuditSink] | None = None,
    ) -> None:
        stages = list(stages)
        if not stages:
            raise ConfigurationError("a Workflow needs at least one Stage")
        names = [stage.name for stage in stages]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ConfigurationError(f"stage names must be unique; repeated: {duplicates}")
        for position, stage in enumerate(stages):
            if stage.assistant is None and assistant is None:
                raise ConfigurationError(f"stage {stage.name!r} has no assistant, and the workflow has none")
            if stage.keep_history and position > 0 and stage.proxy_options:
                raise ConfigurationError(
                    f"stage {stage.name!r} keeps the conversation of the stage before, proxy included, so its "
                    f"proxy_options {sorted(stage.proxy_options)} would be ignored: set them on the stage that "
                    "starts the conversation"
                )
        self.stages = stages
        self.assistant = assistant
        self.human_input: HumanInput | AsyncHumanInput = human_input if human_input is not None else ConsoleInput()
        self.is_termination_msg = is_termination_msg if is_termination_msg is not None else Keyword("TERMINATE")
        self.checkpoint_prompt = check_template(checkpoint_prompt, ("stage", "answer"), "Workflow.checkpoint_prompt")
        self.audit: list[AuditSink] = resolve_sinks(audit)

    def _proxy(self, stage: Stage) -> PolicyUserProxy:
        options = {"code_execution_config": False, **stage.proxy_options}
        if self.audit:
            options["audit"] = [*self.audit, *resolve_sinks(options.get("audit"))]
        return PolicyUserProxy(
            f"{stage.name}_proxy",
            policy=stage.policy,
            limits=stage.limits,
            is_termination_msg=self.is_termination_msg,
            human_input=self.human_input,
            **options,
        )

    def _check_can_ask(self, at_checkpoint: bool) -> None:
        """Refuse a console nobody can answer, as a chat does: before the run, and before each checkpoint."""
        provider = self.human_input
        if not isinstance(provider, ConsoleInput):
            return
        if at_checkpoint or any(stage.checkpoint or may_ask(stage.policy) for stage in self.stages):
            provider.check_interactive()

    def _start(self, chat_options: Mapping[str, Any]) -> tuple[WorkflowResult, Iterator[_Chat | _Checkpoint]]:
        """Check that the human can be asked; return the result run() and a_run() fill in, and the steps to take."""
        self._check_can_ask(at_checkpoint=False)
        result = WorkflowResult([StageResult(stage.name) for stage in self.stages])
        return result, self._plan(result, chat_options)

    def _plan(self, workflow: WorkflowResult, chat_options: Mapping[str, Any]) -> Iterator[_Chat | _Checkpoint]:
        """Yield every chat to run and every checkpoint to ask, in order; a checkpoint comes back answered."""
        outputs: dict[str, str] = {}
        proxy: PolicyUserProxy | None = None
        for stage, result in zip(self.stages, workflow.stages, strict=True):
            if stage.keep_history and proxy is not None:
                proxy.policy, proxy.limits = stage.policy, stage.limits  # the same conversation goes on
            else:
                proxy = self._proxy(stage)
            go_on = yield from self._stage(stage, result, proxy, _task(stage, outputs), chat_options)
            if not go_on:
                workflow.status = "aborted"
                return
            outputs[stage.name] = result.answer

    def _stage(
        self,
        stage: Stage,
        result: StageResult,
        proxy: PolicyUserProxy,
        task: str,
        chat_options: Mapping[str, Any],
    ) -> Generator[_Chat | _Checkpoint, None, bool]:
        """Run one stage until its checkpoint approves it (or it has none); return False if the workflow stops."""
        assistant = stage.assistant if stage.assistant is not None else self.assistant
        message, clear = task, not stage.keep_history
        first_decision = 0 if clear else len(proxy.decisions)  # a kept proxy's earlier decisions are not ours
        while True:
            yield _Chat(proxy, assistant, message, clear, chat_options)
            result.messages = list(proxy.chat_messages.get(assistant, []))
            result.decisions = proxy.decisions[first_decision:]
            result.answer = _final_answer(result.messages, assistant.name)
            if not stage.checkpoint:
                result.status = "completed"
                return True
            last = result.messages[-1] if result.messages else {"content": result.answer}
            ctx = TurnContext(last, messages=result.messages, sender=assistant.name, recipient=proxy.name)
            prompt = self.checkpoint_prompt.format(stage=stage.name, answer=visible(result.answer))
            self._check_can_ask(at_checkpoint=True)
            checkpoint = _Checkpoint(self.human_input, prompt, ctx)
            yield checkpoint
            reply = checkpoint.reply
            assert reply is not None  # run() and a_run() take every step
            answer = reply.text
            result.checkpoint_answers.append(answer)
            result.checkpoint_events.append(reply.event)
            if answer == "exit" or (answer and result.redirects >= stage.max_redirects):
                result.status = "aborted"
                why = (
                    "User requested to end the workflow"
                    if answer == "exit"
                    else f"Stage {stage.name!r} was sent back max_redirects={stage.max_redirects} times already"
                )
                self._record(stage, ctx, prompt, reply, "aborted", why)
                return False
            if not answer:
                result.status = "approved"
                self._record(stage, ctx, prompt, reply, "approved", None)
                return True
            self._record(stage, ctx, prompt, reply, "redirected", None)
            result.redirects += 1
            result.instructions.append(answer)
            message, clear = _redo(task, answer), False

    def _record(
        self,
        stage: Stage,
        ctx: TurnContext,
        prompt: str,
        reply: _Answer,
        outcome: CheckpointOutcome,
        stop_reason: str | None,
    ) -> None:
        if not self.audit:
            return
        record = DecisionRecord(
            agent=ctx.recipient or "",
            sender=ctx.sender,
            turn=ctx.turn,
            auto_replies=ctx.auto_replies,
            auto_reply_limit=ctx.auto_reply_limit,
            policy="checkpoint",
            fired="checkpoint",
            reason=f"stage {stage.name!r} is done: a human approves its answer, redirects it or stops the workflow",
            asked=True,
            prompt=prompt,
            answer=reply.text,
            input_event=reply.event,
            outcome=outcome,
            stop_reason=stop_reason,
            message=ctx.text[:500],
            stage=stage.name,
            speaker=ctx.speaker,
        )
        for sink in self.audit:
            sink.write(record)

    def run(self, **chat_options: Any) -> WorkflowResult:
        """Run the stages in order; ``chat_options`` go to every ``initiate_chat`` (``silent=True``...)."""
        result, steps = self._start(chat_options)
        for step in steps:
            step.take()
        return result

    async def a_run(self, **chat_options: Any) -> WorkflowResult:
        """Run the stages with ``a_initiate_chat``; the human is awaited without blocking the event loop."""
        result, steps = self._start(chat_options)
        for step in steps:
            await step.a_take()
        return result


# The steps of a plan. Each is taken by run() (take) or by a_run() (a_take): only the calling differs.


@dataclass(frozen=True)
class _Chat:
    """One run of a stage's chat: its task, or after a redirect the task with the instruction."""

    proxy: PolicyUserProxy
    assistant: Any
    message: str
    clear: bool
    options: Mapping[str, Any]

    def take(self) -> None:
        self.proxy.initiate_chat(self.assistant, message=self.message, clear_history=self.clear, **self.options)

    async def a_take(self) -> None:
        await self.proxy.a_initiate_chat(self.assistant, message=self.message, clear_history=self.clear, **self.options)


@dataclass(frozen=True, slots=True)
class _Answer:
    """A checkpoint answer, and how it came about."""

    text: str
    event: InputEvent = "answered"


@dataclass
class _Checkpoint:
    """A checkpoint question; taking it sets ``reply``."""

    provider: HumanInput | AsyncHumanInput
    prompt: str
    ctx: TurnContext
    reply: _Answer | None = None

    def take(self) -> None:
        with self._fallback():
            self.reply = _Answer(_checked(ask(self.provider, self.prompt, self.ctx)))

    async def a_take(self) -> None:
        # A blocking provider is asked in a daemon thread, which never holds the interpreter's exit.
        with self._fallback():
            self.reply = _Answer(_checked(await a_ask(self.provider, self.prompt, self.ctx)))

    @contextmanager
    def _fallback(self) -> Iterator[None]:
        try:
            yield
        except NoAnswer as missing:  # EOF, Ctrl-C, timeout: the provider's fallback answer decides
            self.reply = _Answer(missing.fallback, missing.reason)


def _task(stage: Stage, outputs: Mapping[str, str]) -> str:
    if isinstance(stage.task, str):
        return stage.task
    task = stage.task(dict(outputs))
    if not isinstance(task, str):
        raise TypeError(f"stage {stage.name!r}: the task function returned {task!r}, not a str")
    return task


def _redo(task: str, instruction: str) -> str:
    return f"{task}\n\nThe reviewer sent your answer back with this instruction:\n{instruction}"


def _checked(answer: object) -> str:
    if not isinstance(answer, str):
        raise TypeError(f"the checkpoint answer must be a str (got {answer!r})")
    return answer
