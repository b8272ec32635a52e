"""The test kit and the pytest plugin's fixtures: annotated with the kit's types, every call is checked."""

from __future__ import annotations

from typing_extensions import assert_type

from hitl import Always, PolicyUserProxy, ScriptedInput, Terminate
from hitl.core.conditions import has_code_block
from hitl.testing import (
    QuietIOStream,
    RunChat,
    ScriptedAssistant,
    ScriptedAssistantFactory,
    Simulate,
    SimulatedTurn,
    Transcript,
    run_chat,
    simulate,
)

# The fixtures' types are the kit's functions' types.
_run_chat: RunChat = run_chat
_simulate: Simulate = simulate


def a_test_using_the_fixtures(
    run_chat: RunChat,
    simulate: Simulate,
    scripted_assistant: ScriptedAssistantFactory,
    scripted_human: type[ScriptedInput],
    hitl_quiet: QuietIOStream,
) -> None:
    transcript = run_chat(Terminate() | has_code_block, ["TERMINATE"], answers=[""], max_turns=4)
    assert_type(transcript, Transcript)
    assert_type(transcript.assert_asked(at_turns=[2]).assert_stopped("no human input"), Transcript)
    assert_type(transcript.assert_said("TERMINATE", by="assistant").assert_messages(2).assert_not_asked(), Transcript)
    assert_type(transcript.error, BaseException | None)
    proxy = PolicyUserProxy("user", policy=Always(), human_input=scripted_human(["", "exit"]))
    assert_type(run_chat(proxy, scripted_assistant(["hi"], name="bot")), Transcript)
    assert_type(scripted_assistant(["hi"], on_exhausted="stop"), ScriptedAssistant)
    turns = simulate(Terminate(), ["step", "TERMINATE"], answers=[""], auto_reply_limit=2)
    assert_type(turns, list[SimulatedTurn])
    assert_type(turns[0].asked, bool)
    assert_type(hitl_quiet.printed, list[str])
