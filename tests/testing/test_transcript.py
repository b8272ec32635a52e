"""run_chat() and Transcript: scripted conversations with readable assertion failures."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest

from hitl import Always, Limits, Never, PolicyUserProxy, ScriptedInput, Terminate, When
from hitl.core.conditions import has_code_block, has_tool_call
from hitl.testing import (
    ScriptedAssistant,
    TranscriptAssertionError,
    code_block,
    function_call,
    quiet,
    run_chat,
    tool_call,
)

pytest_plugins = ["pytester"]


def test_run_chat_with_a_policy_records_messages_decisions_prompts_and_answers() -> None:
    transcript = run_chat(Terminate(), ["Working.", "TERMINATE"], answers=[""])
    assert transcript.texts == ["Start.", "Working.", "", "TERMINATE"]
    assert [d.outcome for d in transcript.decisions] == ["auto_reply", "stop"]
    assert len(transcript.prompts) == 1
    assert transcript.answers == [""]
    assert "no human input" in transcript.stop_reason


def test_assertions_pass_and_chain() -> None:
    transcript = run_chat(Terminate() | When(has_code_block), [code_block("print(1)"), "TERMINATE"], answers=["", ""])
    transcript.assert_asked(2).assert_asked(at_turns=[2, 4]).assert_stopped("TERMINATION").assert_messages(4)
    transcript.assert_said("print(1)", by="assistant")


def test_a_failed_assertion_shows_the_transcript() -> None:
    transcript = run_chat(Never(), ["Working.", "TERMINATE"])
    with pytest.raises(TranscriptAssertionError) as failure:
        transcript.assert_asked(1)
    text = str(failure.value)
    assert "expected the human to be asked 1 time(s), but they were asked 0" in text
    assert "2. assistant: 'Working.'" in text
    assert "not asked (Never(): Never() never asks)" in text
    with pytest.raises(TranscriptAssertionError, match="containing 'nope'"):
        transcript.assert_said("nope")


def test_stop_reasons_name_limits_turns_and_a_silent_assistant() -> None:
    assert "Maximum number" in run_chat(Never(), ["a"] * 9, limits=Limits(max_consecutive_auto_reply=2)).stop_reason
    assert run_chat(Never(), ["a"] * 9, max_turns=2).stop_reason == "max turns reached"
    assert run_chat(Never(), ["a"]).stop_reason == "the assistant sent no reply"


def test_errors_are_raised_or_kept() -> None:
    with pytest.raises(Exception, match="ran out of answers"):
        run_chat(Always(), ["a"], answers=[])
    transcript = run_chat(Always(), ["a"], answers=[], raises=False)
    assert transcript.error is not None
    assert transcript.stop_reason.startswith("error: InputExhaustedError")
    with pytest.raises(TranscriptAssertionError, match="expected the chat to stop"):
        transcript.assert_stopped()


def test_run_chat_async_gives_the_same_transcript() -> None:
    script = ["a", code_block("x = 1"), "TERMINATE"]
    sync = run_chat(Terminate() | When(has_code_block), script, answers=["", ""])
    async_ = run_chat(Terminate() | When(has_code_block), script, answers=["", ""], use_async=True)
    assert async_.texts == sync.texts
    assert [(d.asked, d.outcome) for d in async_.decisions] == [(d.asked, d.outcome) for d in sync.decisions]


def test_run_chat_takes_a_ready_proxy_and_assistant() -> None:
    proxy = PolicyUserProxy("me", policy=Never(), code_execution_config=False)
    transcript = run_chat(proxy, ScriptedAssistant("bot", ["hi", "TERMINATE"]))
    assert transcript.texts[-1] == "TERMINATE"
    with pytest.raises(TypeError, match="only with a policy"):
        run_chat(proxy, ["x"], answers=[""])


def test_message_builders_make_what_conditions_recognise() -> None:
    call = tool_call("run_sql", {"q": "select 1"}, call_id="c1")
    assert call["content"] is None
    assert call["tool_calls"][0]["id"] == "c1"
    assert has_tool_call(call)
    assert has_tool_call(function_call("legacy"))
    assert has_code_block({"content": code_block("ls", "sh", before="Run:")})


def test_a_human_reply_to_a_tool_call_is_user_interrupted() -> None:
    transcript = run_chat(Always(), [tool_call("deploy", call_id="c9")], answers=["no, stop"])
    reply = transcript.messages[2]
    assert reply["content"] == "no, stop"
    assert reply["tool_responses"] == [{"role": "tool", "tool_call_id": "c9", "content": "USER INTERRUPTED"}]


def test_quiet_keeps_autogen_output_and_restores_the_stream() -> None:
    from autogen.io.base import IOStream

    before = IOStream.get_default()
    proxy = PolicyUserProxy("user", policy=Terminate(), human_input=ScriptedInput([""]), code_execution_config=False)
    with quiet() as stream:
        proxy.initiate_chat(ScriptedAssistant("bot", ["TERMINATE"]), message="go", silent=True)
        assert IOStream.get_default() is stream
    assert IOStream.get_default() is before
    assert stream.events or stream.printed, "what AutoGen would have shown was kept, not printed"
    with pytest.raises(RuntimeError, match="ScriptedInput"), quiet() as quiet_stream:
        quiet_stream.input("?")


def test_scripted_input_in_a_transcript_keeps_its_prompts() -> None:
    human = ScriptedInput(["exit"])
    proxy = PolicyUserProxy("user", policy=Always(), human_input=human, code_execution_config=False)
    transcript = run_chat(proxy, ["hello"])
    assert transcript.prompts == human.prompts
    assert transcript.prompts[0].startswith("Replying as user. Provide feedback to assistant.")
    assert asyncio.iscoroutinefunction(proxy.a_initiate_chat)


def test_a_ready_proxy_chatting_again_gets_a_transcript_of_that_chat_alone() -> None:
    human = ScriptedInput(["", ""])
    proxy = PolicyUserProxy("user", policy=When(has_code_block), human_input=human, code_execution_config=False)
    first = run_chat(proxy, [code_block("print(1)")])
    second = run_chat(proxy, ["no code here"])
    first.assert_asked(1)
    second.assert_not_asked()
    assert [d.message for d in second.decisions] == ["no code here"]
    assert second.prompts == []


def test_a_proxy_that_sends_no_reply_is_named_as_the_one_that_stopped() -> None:
    transcript = run_chat(Never(), ["a", "b"], auto_reply=lambda ctx: None)
    assert transcript.stop_reason == "the proxy sent no reply"
    assert run_chat(Never(), ["a"], auto_reply="go").stop_reason == "the assistant sent no reply"


def test_function_calls_and_their_results_read_as_such() -> None:
    def delete_everything() -> str:
        return "refused"

    transcript = run_chat(
        Never(), [function_call("delete_everything")], function_map={"delete_everything": delete_everything}
    )
    text = str(transcript)
    assert "assistant: '[function call: delete_everything]'" in text
    assert "(function result: delete_everything): 'refused'" in text


def test_each_message_dict_shape_renders(monkeypatch: Any) -> None:
    transcript = run_chat(Never(), [tool_call("lookup")])
    assert "[tool calls: lookup]" in str(transcript)


def test_a_failed_assertion_points_at_the_users_line_and_names_the_error_where_it_is_imported_from(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_user="""
        from hitl import Always, Never
        from hitl.testing import run_chat

        def test_asked(run_chat):
            run_chat(Never(), ["Working."]).assert_asked(1)

        def test_said():
            run_chat(Never(), ["Working."]).assert_said("Done")

        def test_stopped():
            run_chat(Never(), ["Working."]).assert_stopped("TERMINATE")

        def test_messages():
            run_chat(Never(), ["Working."]).assert_messages(2)

        def test_not_asked():  # a helper that calls another
            run_chat(Always(), ["Working."], answers=["exit"]).assert_not_asked()
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=5)
    output = result.stdout.str()
    # The last frame of each failure, where pytest puts its ">" and names the file and line, is the test's own.
    assert re.findall(r"^(test_user\.py:\d+): (\w+)$", output, re.MULTILINE) == [
        (f"test_user.py:{line}", "TranscriptAssertionError") for line in (5, 8, 11, 14, 17)
    ]
    assert "_transcript.py" not in output
    assert re.findall(r"^E +hitl\.testing\.TranscriptAssertionError: (.*)$", output, re.MULTILINE) == [
        "expected the human to be asked 1 time(s), but they were asked 0",
        "expected a message containing 'Done'",
        "expected a stop because of 'TERMINATE', but: the assistant sent no reply",
        "expected 2 messages, but the history holds 3",
        "expected the human to be asked 0 time(s), but they were asked 1",
    ]
