"""Workflow.run and Workflow.a_run take the same steps: same results, same options, same errors."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from hitl import NoAnswer, ScriptedInput, Stage, TurnContext, Workflow, WorkflowResult
from hitl.adapters.autogen.proxy import PolicyUserProxy
from hitl.testing import ScriptedAssistant, quiet

BOTH = pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])


def run(workflow: Workflow, use_async: bool, **chat_options: Any) -> WorkflowResult:
    with quiet():
        return asyncio.run(workflow.a_run(**chat_options)) if use_async else workflow.run(**chat_options)


class Script:
    """Answers from a list, by ``ask`` and by ``a_ask``; ``None`` in the list: the human is gone (Enter)."""

    def __init__(self, answers: list[str | None]) -> None:
        self.answers = list(answers)

    def ask(self, prompt: str, context: TurnContext) -> str:
        answer = self.answers.pop(0)
        if answer is None:
            raise NoAnswer("timeout", "")
        return answer

    async def a_ask(self, prompt: str, context: TurnContext) -> str:
        return self.ask(prompt, context)


def mixed_workflow() -> Workflow:
    """A redirect, a missing answer, a stage without a checkpoint, one that keeps the history, and an exit."""
    assistant = ScriptedAssistant(
        "assistant", ["plan v1 TERMINATE", "plan v2 TERMINATE", "code TERMINATE", "tests TERMINATE", "docs TERMINATE"]
    )
    return Workflow(
        [
            Stage("plan", "Plan it."),
            Stage("code", lambda out: f"Code {out['plan']}.", checkpoint=False),
            Stage("tests", "Test it.", keep_history=True),
            Stage("docs", "Document it."),
        ],
        assistant=assistant,
        human_input=Script(["shorter, please", None, "", "exit"]),
    )


def summary(result: WorkflowResult) -> list[tuple[Any, ...]]:
    return [
        (
            stage.name,
            stage.status,
            stage.answer,
            stage.redirects,
            stage.instructions,
            stage.checkpoint_answers,
            stage.checkpoint_events,
            [message.get("content") for message in stage.messages],
            [(decision.outcome, decision.asked) for decision in stage.decisions],
        )
        for stage in result.stages
    ]


def test_run_and_a_run_give_the_same_result_step_for_step() -> None:
    sync, asynchronous = run(mixed_workflow(), False), run(mixed_workflow(), True)
    assert (sync.status, sync.aborted_at) == ("aborted", "docs")
    assert summary(sync) == summary(asynchronous)
    assert [(stage.name, stage.status) for stage in sync.stages] == [
        ("plan", "approved"),
        ("code", "completed"),
        ("tests", "approved"),
        ("docs", "aborted"),
    ]
    assert sync["plan"].checkpoint_events == ["answered", "timeout"]
    assert sync.outputs == {"plan": "plan v2", "code": "code", "tests": "tests"}


@BOTH
def test_chat_options_reach_every_chat_a_redirected_one_included(
    use_async: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[str, bool, dict[str, Any]]] = []
    sync_chat, async_chat = PolicyUserProxy.initiate_chat, PolicyUserProxy.a_initiate_chat

    def initiate_chat(self: Any, recipient: Any, clear_history: bool = True, **options: Any) -> Any:
        seen.append((self.name, clear_history, {key: options[key] for key in ("silent",) if key in options}))
        return sync_chat(self, recipient, clear_history=clear_history, **options)

    async def a_initiate_chat(self: Any, recipient: Any, clear_history: bool = True, **options: Any) -> Any:
        seen.append((self.name, clear_history, {key: options[key] for key in ("silent",) if key in options}))
        return await async_chat(self, recipient, clear_history=clear_history, **options)

    monkeypatch.setattr(PolicyUserProxy, "initiate_chat", initiate_chat)
    monkeypatch.setattr(PolicyUserProxy, "a_initiate_chat", a_initiate_chat)
    workflow = Workflow(
        [Stage("one", "Go.")],
        assistant=ScriptedAssistant("a", ["v1 TERMINATE", "v2 TERMINATE"]),
        human_input=ScriptedInput(["again", ""]),
    )
    assert run(workflow, use_async, silent=True).status == "completed"
    assert seen == [("one_proxy", True, {"silent": True}), ("one_proxy", False, {"silent": True})]


@BOTH
def test_a_checkpoint_answer_that_is_not_a_str_is_a_type_error(use_async: bool) -> None:
    class Numbers:
        def ask(self, prompt: str, context: TurnContext) -> Any:
            return 42

        async def a_ask(self, prompt: str, context: TurnContext) -> Any:
            return 42

    workflow = Workflow([Stage("one", "Go.")], assistant=ScriptedAssistant("a", ["x TERMINATE"]), human_input=Numbers())
    with pytest.raises(TypeError, match="the checkpoint answer must be a str \\(got 42\\)"):
        run(workflow, use_async)


@BOTH
def test_an_error_of_the_provider_other_than_no_answer_propagates(use_async: bool) -> None:
    class Broken:
        def ask(self, prompt: str, context: TurnContext) -> str:
            raise RuntimeError("the line is down")

        async def a_ask(self, prompt: str, context: TurnContext) -> str:
            raise RuntimeError("the line is down")

    workflow = Workflow([Stage("one", "Go.")], assistant=ScriptedAssistant("a", ["x TERMINATE"]), human_input=Broken())
    with pytest.raises(RuntimeError, match="the line is down"):
        run(workflow, use_async)


@BOTH
def test_a_blocking_provider_answers_the_async_run_too(use_async: bool) -> None:
    workflow = Workflow(
        [Stage("one", "Go."), Stage("two", "Go on.")],
        assistant=ScriptedAssistant("a", ["x TERMINATE", "y TERMINATE"]),
        human_input=ScriptedInput(["", ""]),
    )
    result = run(workflow, use_async)
    assert (result.status, result.outputs) == ("completed", {"one": "x", "two": "y"})
