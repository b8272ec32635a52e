"""Multi-stage workflows: approve, redirect and abort at every checkpoint, sync and async."""

from __future__ import annotations

import asyncio
import io
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from autogen.io.base import IOStream
from autogen.io.console import IOConsole

from hitl import (
    ConfigurationError,
    JsonlAudit,
    Limits,
    NoAnswer,
    QueueInput,
    ScriptedInput,
    Stage,
    TimeoutInput,
    TurnContext,
    When,
    Workflow,
    WorkflowResult,
)
from hitl.inputs import ALLOW_NON_INTERACTIVE_ENV
from hitl.stores.audit import DecisionRecord, read_jsonl
from hitl.testing import ScriptedAssistant, quiet

STAGES = ["research", "code", "docs"]


def pipeline(answers: list[str], replies: list[str] | None = None) -> tuple[Workflow, ScriptedInput, ScriptedAssistant]:
    """The lesson's research -> code -> documentation pipeline, with a checkpoint after every stage."""
    assistant = ScriptedAssistant(
        "assistant",
        replies or [f"{name} v{n} TERMINATE" for name in STAGES for n in (1, 2, 3)],
        on_exhausted="raise",
    )
    human = ScriptedInput(answers)

    def code_task(out: Mapping[str, str]) -> str:
        return f"Write code based on: {out['research']}"

    def docs_task(out: Mapping[str, str]) -> str:
        return f"Document: {out['code']}"

    workflow = Workflow(
        [Stage("research", "Research CSV libraries."), Stage("code", code_task), Stage("docs", docs_task)],
        assistant=assistant,
        human_input=human,
    )
    return workflow, human, assistant


def run(workflow: Workflow, use_async: bool) -> WorkflowResult:
    with quiet():
        return asyncio.run(workflow.a_run()) if use_async else workflow.run()


def scripted_replies() -> list[str]:
    # research v1; code v1, v2 (after a redirect); docs v1
    return ["research v1 TERMINATE", "code v1 TERMINATE", "code v2 TERMINATE", "docs v1 TERMINATE"]


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
def test_approving_every_checkpoint_completes_with_every_answer(use_async: bool) -> None:
    workflow, human, _ = pipeline(["", "", ""], ["research v1 TERMINATE", "code v1 TERMINATE", "docs v1 TERMINATE"])
    result = run(workflow, use_async)
    assert result.status == "completed"
    assert result.aborted_at is None
    assert [stage.status for stage in result.stages] == ["approved"] * 3
    assert result.outputs == {"research": "research v1", "code": "code v1", "docs": "docs v1"}
    assert len(human.prompts) == 3
    assert "Stage 'research' is done. Its answer:\nresearch v1\nPress enter to approve it" in human.prompts[0]


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("checkpoint", range(3), ids=STAGES)
def test_a_redirect_reruns_that_stage_with_the_instruction(checkpoint: int, use_async: bool) -> None:
    answers = [""] * 3
    answers.insert(checkpoint, "Use the Q2 data instead.")
    replies = [f"{name} v1 TERMINATE" for name in STAGES]
    replies.insert(checkpoint + 1, f"{STAGES[checkpoint]} v2 TERMINATE")
    workflow, human, _ = pipeline(answers, replies)
    result = run(workflow, use_async)
    stage = result.stages[checkpoint]
    assert result.status == "completed"
    assert stage.status == "approved"
    assert stage.redirects == 1
    assert stage.instructions == ["Use the Q2 data instead."]
    assert stage.answer == f"{STAGES[checkpoint]} v2"
    assert stage.checkpoint_answers == ["Use the Q2 data instead.", ""]
    assert any("Use the Q2 data instead." in str(m.get("content")) for m in stage.messages)
    assert len(human.prompts) == 4


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("checkpoint", range(3), ids=STAGES)
def test_exit_at_a_checkpoint_aborts_there_without_an_exception(checkpoint: int, use_async: bool) -> None:
    answers = [""] * checkpoint + ["exit"]
    workflow, _, assistant = pipeline(answers, [f"{name} v1 TERMINATE" for name in STAGES])
    result = run(workflow, use_async)
    assert result.status == "aborted"
    assert result.aborted_at == STAGES[checkpoint]
    statuses = [stage.status for stage in result.stages]
    assert statuses == ["approved"] * checkpoint + ["aborted"] + ["not_run"] * (2 - checkpoint)
    assert list(result.outputs) == STAGES[:checkpoint]
    assert assistant.replies_sent == checkpoint + 1, "no stage after the abort ran"


def test_each_stage_starts_fresh_unless_asked_to_keep_history() -> None:
    assistant = ScriptedAssistant("assistant", ["a TERMINATE", "b TERMINATE", "c TERMINATE"])
    workflow = Workflow(
        [Stage("one", "first", checkpoint=False), Stage("two", "second", checkpoint=False)],
        assistant=assistant,
        human_input=ScriptedInput([]),
    )
    result = run(workflow, False)
    assert [m["content"] for m in result["two"].messages] == ["second", "b TERMINATE"]
    assistant = ScriptedAssistant("assistant", ["a TERMINATE", "b TERMINATE"])
    kept = Workflow(
        [Stage("one", "first", checkpoint=False), Stage("two", "second", checkpoint=False, keep_history=True)],
        assistant=assistant,
        human_input=ScriptedInput([]),
    )
    messages = run(kept, False)["two"].messages
    assert [m["content"] for m in messages] == ["first", "a TERMINATE", "second", "b TERMINATE"]


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
def test_a_kept_conversation_reports_each_stage_its_own_decisions(use_async: bool) -> None:
    assistant = ScriptedAssistant("assistant", ["a", "a TERMINATE", "b TERMINATE"])
    workflow = Workflow(
        [Stage("one", "first", checkpoint=False), Stage("two", "second", keep_history=True)],
        assistant=assistant,
        human_input=ScriptedInput([""]),
    )
    result = run(workflow, use_async)
    assert [d.message for d in result["one"].decisions] == ["a", "a TERMINATE"]
    assert [d.message for d in result["two"].decisions] == ["b TERMINATE"]


def test_the_checkpoint_context_is_the_stage_proxys_view() -> None:
    assistant = ScriptedAssistant("assistant", ["v1 TERMINATE", "v2 TERMINATE"])
    human = ScriptedInput(["again", ""])
    workflow = Workflow([Stage("code", "write")], assistant=assistant, human_input=human)
    run(workflow, False)
    first, second = human.contexts
    assert (first.sender, first.recipient) == ("assistant", "code_proxy")
    assert (first.received, second.received) == (1, 2)  # the assistant's messages, not the proxy's own


def test_a_stage_that_keeps_the_conversation_cannot_set_proxy_options() -> None:
    with pytest.raises(ConfigurationError, match=r"'two' keeps the conversation .* \['code_execution_config'\]"):
        Workflow(
            [Stage("one", "t"), Stage("two", "u", keep_history=True, proxy_options={"code_execution_config": {}})],
            assistant=ScriptedAssistant("a", []),
        )
    # On the stage that starts the conversation they are fine.
    Workflow(
        [Stage("one", "t", keep_history=True, proxy_options={"code_execution_config": False})],
        assistant=ScriptedAssistant("a", []),
    )


def test_stage_policies_and_limits_apply_inside_the_stage() -> None:
    assistant = ScriptedAssistant("assistant", ["draft", "```python\nprint(1)\n```", "done TERMINATE"])
    human = ScriptedInput(["", ""])  # one answer in the chat (the code block), one at the checkpoint

    def has_code(ctx: TurnContext) -> bool:
        return "```" in ctx.text

    workflow = Workflow(
        [Stage("code", "write", policy=When(has_code), limits=Limits(max_consecutive_auto_reply=5))],
        assistant=assistant,
        human_input=human,
    )
    result = run(workflow, False)
    assert result.status == "completed"
    assert [d.asked for d in result["code"].decisions] == [False, True, False]
    assert human.prompts[0].startswith("Please give feedback to assistant.")
    assert human.prompts[1].startswith("Stage 'code' is done.")


def test_too_many_redirects_abort_instead_of_looping() -> None:
    workflow, _, _ = pipeline(["again", "again", "again"], [f"research v{n} TERMINATE" for n in range(1, 5)])
    workflow.stages[0] = Stage("research", "Research.", max_redirects=2)
    result = run(workflow, False)
    assert result.status == "aborted"
    assert result["research"].redirects == 2


def test_a_human_who_cannot_answer_at_a_checkpoint_gets_the_providers_fallback() -> None:
    class Gone:
        def ask(self, prompt: str, context: TurnContext) -> str:
            raise NoAnswer("timeout", "exit")

    workflow = Workflow([Stage("one", "go")], assistant=ScriptedAssistant("a", ["x TERMINATE"]), human_input=Gone())
    assert run(workflow, False).status == "aborted"


def test_bad_workflows_are_errors_that_say_what_to_fix() -> None:
    assistant = ScriptedAssistant("a", [])
    with pytest.raises(ConfigurationError, match="at least one Stage"):
        Workflow([], assistant=assistant)
    with pytest.raises(ConfigurationError, match="repeated: \\['x'\\]"):
        Workflow([Stage("x", "t"), Stage("x", "u")], assistant=assistant)
    with pytest.raises(ConfigurationError, match="has no assistant"):
        Workflow([Stage("x", "t")])
    with pytest.raises(TypeError, match="task is a text"):
        Stage("x", 42)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="InputPolicy"):
        Stage("x", "t", policy="never")  # type: ignore[arg-type]
    bad_task: Any = lambda out: 3  # noqa: E731
    flow = Workflow([Stage("x", bad_task)], assistant=assistant, human_input=ScriptedInput([]))
    with pytest.raises(TypeError, match="returned 3, not a str"):
        run(flow, False)


# -- how a checkpoint answer came about, in the result and in the audit ---------------------------------------


class ListAudit:
    def __init__(self) -> None:
        self.records: list[DecisionRecord] = []

    def write(self, record: DecisionRecord) -> None:
        self.records.append(record)


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
def test_a_checkpoint_that_timed_out_is_told_apart_from_enter_in_the_result_and_the_audit(use_async: bool) -> None:
    audit = ListAudit()
    nobody = TimeoutInput(QueueInput(), seconds=0.05, default="")  # Enter after 50 ms: approves
    workflow = Workflow(
        [Stage("research", "Research.")],
        assistant=ScriptedAssistant("assistant", ["pandas TERMINATE"]),
        human_input=nobody,
        audit=audit,
    )
    stage = run(workflow, use_async)["research"]
    assert (stage.status, stage.checkpoint_answers, stage.checkpoint_events) == ("approved", [""], ["timeout"])
    checkpoint = audit.records[-1]
    assert (checkpoint.stage, checkpoint.asked, checkpoint.answer, checkpoint.input_event, checkpoint.outcome) == (
        "research",
        True,
        "",
        "timeout",
        "approved",
    )
    assert (checkpoint.agent, checkpoint.sender, checkpoint.message) == (
        "research_proxy",
        "assistant",
        "pandas TERMINATE",
    )
    assert str(checkpoint.prompt).startswith("Stage 'research' is done.")
    assert audit.records[:-1] == stage.decisions, "the stage proxy's own decisions go to the workflow's audit too"


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("reason", ["eof", "interrupt", "timeout"])
def test_every_missing_answer_at_a_checkpoint_is_recorded_with_its_event(reason: str, use_async: bool) -> None:
    class Gone:
        def ask(self, prompt: str, context: TurnContext) -> str:
            raise NoAnswer(reason, "exit")  # type: ignore[arg-type]

        async def a_ask(self, prompt: str, context: TurnContext) -> str:
            raise NoAnswer(reason, "exit")  # type: ignore[arg-type]

    audit = ListAudit()
    workflow = Workflow(
        [Stage("one", "go")], assistant=ScriptedAssistant("a", ["x TERMINATE"]), human_input=Gone(), audit=audit
    )
    result = run(workflow, use_async)
    assert result.status == "aborted"
    assert (result["one"].checkpoint_answers, result["one"].checkpoint_events) == (["exit"], [reason])
    record = audit.records[-1]
    assert (record.input_event, record.outcome, record.stop_reason) == (
        reason,
        "aborted",
        "User requested to end the workflow",
    )


def test_typed_checkpoint_answers_are_answered_events_and_each_outcome_is_recorded(tmp_path: Path) -> None:
    path = tmp_path / "workflow.jsonl"
    workflow, _, _ = pipeline(["Use the Q2 data instead.", "", "exit"], scripted_replies())
    workflow.audit = [JsonlAudit(path)]
    result = run(workflow, False)
    assert [stage.checkpoint_events for stage in result.stages] == [["answered", "answered"], ["answered"], []]
    checkpoints = [record for record in read_jsonl(path) if record.stage is not None]
    assert [(r.stage, r.outcome, r.input_event) for r in checkpoints] == [
        ("research", "redirected", "answered"),
        ("research", "approved", "answered"),
        ("code", "aborted", "answered"),
    ]


def test_too_many_redirects_are_an_aborted_checkpoint_record_that_says_why() -> None:
    audit = ListAudit()
    workflow, _, _ = pipeline(["again", "again"], [f"research v{n} TERMINATE" for n in range(1, 4)])
    workflow.stages[0] = Stage("research", "Research.", max_redirects=1)
    workflow.audit = [audit]
    run(workflow, False)
    assert [(r.outcome, r.stop_reason) for r in audit.records if r.stage] == [
        ("redirected", None),
        ("aborted", "Stage 'research' was sent back max_redirects=1 times already"),
    ]


def test_the_checkpoint_shows_control_characters_in_the_answer_as_escapes() -> None:
    human = ScriptedInput([""])
    assistant = ScriptedAssistant("assistant", ["print('hi')\r\x1b[2Kos.system('rm -rf ~') TERMINATE"])
    run(Workflow([Stage("code", "write")], assistant=assistant, human_input=human), False)
    assert "print('hi')\\r\\x1b[2Kos.system('rm -rf ~')" in human.prompts[0]
    assert "\x1b" not in human.prompts[0]


# -- the console's fail-fast, as in chats ----------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("stdin", ["piped", "closed"])
def test_on_a_console_nobody_can_answer_the_workflow_fails_before_any_stage_runs(
    stdin: str, use_async: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ALLOW_NON_INTERACTIVE_ENV, raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO("") if stdin == "piped" else None)
    assistant = ScriptedAssistant("assistant", ["x TERMINATE"])
    workflow = Workflow([Stage("one", "go")], assistant=assistant)  # the default human input: the console
    with IOStream.set_default(IOConsole()), pytest.raises(ConfigurationError, match="may ask a human on the console"):
        asyncio.run(workflow.a_run(silent=True)) if use_async else workflow.run(silent=True)
    assert assistant.replies_sent == 0


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
def test_the_console_is_checked_again_before_each_checkpoint_question(
    use_async: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ALLOW_NON_INTERACTIVE_ENV, raising=False)
    monkeypatch.setattr(sys, "stdin", Terminal(""))

    def stdin_goes_away(out: Mapping[str, str]) -> str:
        monkeypatch.setattr(sys, "stdin", None)  # the terminal went away between the start and the checkpoint
        return "second"

    assistant = ScriptedAssistant("assistant", ["a TERMINATE", "b TERMINATE"])
    workflow = Workflow([Stage("one", "first", checkpoint=False), Stage("two", stdin_goes_away)], assistant=assistant)
    with IOStream.set_default(IOConsole()), pytest.raises(ConfigurationError, match="stdin is closed"):
        asyncio.run(workflow.a_run(silent=True)) if use_async else workflow.run(silent=True)
    assert assistant.replies_sent == 2


def test_a_workflow_that_never_asks_runs_without_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    workflow = Workflow(
        [Stage("one", "first", checkpoint=False)], assistant=ScriptedAssistant("assistant", ["a TERMINATE"])
    )
    with IOStream.set_default(IOConsole()):
        assert run(workflow, False).status == "completed"
