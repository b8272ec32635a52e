"""Approval before code or tools run, with AutoGen's real local command-line executor."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from autogen.coding import LocalCommandLineCodeExecutor
from hypothesis import assume, given, settings

from hitl import (
    ApproveCode,
    ApproveTools,
    Keyword,
    PolicyUserProxy,
    ScriptedInput,
    Terminate,
    TurnContext,
)
from hitl.adapters.autogen import compat
from hitl.testing import ScriptedAssistant, Transcript, code_block, run_chat, tool_call

from .test_condition_library import MESSAGES


def gated_chat(tmp_path: Path, answer: str, *, use_async: bool = False) -> tuple[Transcript, ScriptedInput]:
    human = ScriptedInput([answer])
    proxy = PolicyUserProxy(
        "user",
        policy=ApproveCode(),
        human_input=human,
        is_termination_msg=Keyword(),
        code_execution_config={"executor": LocalCommandLineCodeExecutor(work_dir=tmp_path, timeout=30)},
    )
    script = [code_block("open('made.txt', 'w').write('x')\nprint('wrote it')"), "Finished. TERMINATE"]
    return run_chat(proxy, ScriptedAssistant("coder", script), use_async=use_async), human


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
def test_an_approved_block_runs_and_creates_its_file(tmp_path: Path, use_async: bool) -> None:
    transcript, human = gated_chat(tmp_path, "", use_async=use_async)
    assert (tmp_path / "made.txt").read_text() == "x"
    assert "exitcode: 0" in transcript.texts[2]
    assert "wrote it" in transcript.texts[2]
    assert len(human.prompts) == 1


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
def test_a_rejected_block_leaves_no_file_and_the_text_goes_back_as_feedback(tmp_path: Path, use_async: bool) -> None:
    transcript, _ = gated_chat(tmp_path, "Do not write files.", use_async=use_async)
    assert not (tmp_path / "made.txt").exists()
    assert transcript.texts[2] == "Do not write files."
    assert transcript.decisions[0].outcome == "human_reply"


def test_exit_stops_before_the_code_runs(tmp_path: Path) -> None:
    transcript, _ = gated_chat(tmp_path, "exit")
    assert not (tmp_path / "made.txt").exists()
    assert transcript.stop_reason == "User requested to end the conversation"


def test_the_human_sees_the_language_and_first_lines_of_the_code(tmp_path: Path) -> None:
    _, human = gated_chat(tmp_path, "no")
    prompt = human.prompts[0]
    assert prompt.startswith("The assistant wants to run 1 code block:\n[1] python\n")
    assert "    open('made.txt', 'w').write('x')" in prompt
    assert prompt.rstrip().endswith("or type 'exit' to stop the conversation:")


def test_long_code_is_cut_to_its_first_lines() -> None:
    code = "\n".join(f"print({n})" for n in range(30))
    decision = ApproveCode(preview_lines=3).decide(TurnContext(code_block(code, "python")))
    assert decision.detail is not None
    assert "    print(2)\n    ... (27 more lines)" in decision.detail
    assert "print(3)" not in decision.detail


def test_only_the_named_languages_are_gated() -> None:
    shell = TurnContext(code_block("ls", "bash"))
    assert ApproveCode("sh").decide(shell).ask
    assert not ApproveCode("python").decide(shell).ask
    assert not ApproveCode().decide(TurnContext("no code")).ask


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
def test_a_rejected_tool_call_never_calls_the_function(use_async: bool) -> None:
    called: list[str] = []

    def deploy(env: str) -> str:
        called.append(env)
        return f"deployed to {env}"

    for answer, expected in (("Not to production.", []), ("", ["prod"])):
        called.clear()
        transcript = run_chat(
            ApproveTools("deploy"),
            [tool_call("deploy", {"env": "prod"}, call_id="c1"), "ok TERMINATE"],
            answers=[answer],
            function_map={"deploy": deploy},
            is_termination_msg=Keyword(),
            use_async=use_async,
        )
        assert called == expected
        responses = transcript.messages[2]["tool_responses"]
        assert responses[0]["content"] == ("USER INTERRUPTED" if answer else "deployed to prod")


def test_the_human_sees_the_tool_and_its_arguments() -> None:
    human = ScriptedInput(["no"])
    run_chat(
        PolicyUserProxy("user", policy=ApproveTools(), human_input=human, code_execution_config=False),
        [tool_call("send_email", {"to": "all@example.com", "subject": "hi"})],
    )
    assert human.prompts[0].startswith("The assistant wants to call 1 tool:\n[1] send_email({")
    assert '"to": "all@example.com"' in human.prompts[0]


def test_other_tools_are_not_gated() -> None:
    call = TurnContext(tool_call("search", {"q": "x"}))
    assert not ApproveTools("deploy*").decide(call).ask
    assert ApproveTools("deploy*", "search").decide(call).ask


def test_gates_compose_with_terminate_and_print_as_built() -> None:
    policy = Terminate() | ApproveCode("python") | ApproveTools("deploy_*")
    assert repr(policy) == "Terminate() | ApproveCode('python') | ApproveTools('deploy_*')"
    transcript = run_chat(policy, ["plan", code_block("x = 1"), "TERMINATE"], answers=["", ""])
    assert [d.fired for d in transcript.decisions] == [
        "ApproveTools('deploy_*')",
        "ApproveCode('python')",
        "Terminate()",
    ]


def test_async_approval_does_not_block_the_event_loop(tmp_path: Path) -> None:
    from hitl import QueueInput

    inbox = QueueInput()
    ticks: list[int] = []

    async def main() -> None:
        proxy = PolicyUserProxy(
            "user",
            policy=ApproveCode(),
            human_input=inbox,
            is_termination_msg=Keyword(),
            code_execution_config={"executor": LocalCommandLineCodeExecutor(work_dir=tmp_path, timeout=30)},
        )
        coder = ScriptedAssistant("coder", [code_block("print(1)"), "TERMINATE"])
        chat = asyncio.create_task(proxy.a_initiate_chat(coder, message="go", silent=True))
        while not inbox.pending():
            ticks.append(1)
            await asyncio.sleep(0.01)
        for _ in range(5):
            ticks.append(2)
            await asyncio.sleep(0.01)
        inbox.answer(inbox.pending()[0].id, "")
        await chat

    from hitl.testing import quiet

    with quiet():
        asyncio.run(main())
    assert ticks.count(2) == 5


UNTAGGED = "Running it now:\n```\nopen('made.txt', 'w').write('x')\n```"


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
def test_a_block_without_a_language_is_gated_in_the_language_autogen_runs_it_in(
    tmp_path: Path, use_async: bool
) -> None:
    human = ScriptedInput(["No."])
    proxy = PolicyUserProxy(
        "user",
        policy=ApproveCode("python"),
        human_input=human,
        is_termination_msg=Keyword(),
        code_execution_config={"work_dir": str(tmp_path), "use_docker": False},
    )
    run_chat(proxy, ScriptedAssistant("coder", [UNTAGGED, "Fine. TERMINATE"]), use_async=use_async)
    assert len(human.prompts) == 1
    assert human.prompts[0].startswith("The assistant wants to run 1 code block:\n[1] python\n")
    assert not (tmp_path / "made.txt").exists()


def test_untagged_shell_commands_count_as_sh_as_autogen_infers_them() -> None:
    assert ApproveCode("sh").decide(TurnContext("```\npip --version\n```")).ask
    assert not ApproveCode("python").decide(TurnContext("```\npip --version\n```")).ask


def test_the_gate_sees_every_message_autogen_scans_since_the_proxy_last_spoke() -> None:
    code = {"role": "user", "name": "coder", "content": code_block("print(1)")}
    follow_up = {"role": "user", "name": "coder", "content": "Please run the code above."}
    proxy_spoke = {"role": "assistant", "name": "user", "content": "Not that one."}
    # Two messages in a row from the other side: AutoGen's "auto" window runs the earlier code now.
    assert ApproveCode().decide(TurnContext(follow_up, messages=[code, follow_up])).ask
    # The proxy answered the code already (a rejection): AutoGen's window stops there, so does the gate.
    assert not ApproveCode().decide(TurnContext(follow_up, messages=[code, proxy_spoke, follow_up])).ask


@settings(max_examples=300, deadline=None)
@given(MESSAGES)
def test_the_gates_never_raise_on_odd_messages(message: Any) -> None:
    assume(isinstance(message, dict))  # a TurnContext holds a message dict; its content may be anything
    ctx = TurnContext(message)
    for gate in (ApproveCode(), ApproveCode("python"), ApproveTools(), ApproveTools("deploy_*")):
        decision = gate.decide(ctx)
        assert isinstance(decision.ask, bool)
    assert not ApproveTools().decide(TurnContext({"tool_calls": 5})).ask
    assert not ApproveTools().decide(TurnContext({"tool_calls": True})).ask


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
def test_code_split_across_list_content_parts_is_gated_as_autogen_joins_it(tmp_path: Path, use_async: bool) -> None:
    parts = ["``", "`python\nopen('made.txt', 'w').write('x')\n``", "`"]
    message = {"content": [{"type": "text", "text": part} for part in parts]}
    human = ScriptedInput(["No."])
    proxy = PolicyUserProxy(
        "user",
        policy=ApproveCode(),
        human_input=human,
        is_termination_msg=Keyword(),
        code_execution_config={"work_dir": str(tmp_path), "use_docker": False},
    )
    run_chat(proxy, ScriptedAssistant("coder", [message, "Fine. TERMINATE"]), use_async=use_async)
    assert not (tmp_path / "made.txt").exists()
    if compat.content_str(message["content"]).startswith("```"):  # this AutoGen joins the parts into a block
        assert len(human.prompts) == 1
