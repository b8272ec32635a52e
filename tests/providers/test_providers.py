"""Human-input providers and non-interactive safety, in real chats (the audit trail: tests/stores/test_audit.py)."""

from __future__ import annotations

import asyncio
import json
import math
import random
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pexpect
import pytest
from autogen.io.base import IOStream

from hitl import (
    Always,
    CallbackInput,
    ConfigurationError,
    ConsoleInput,
    Keyword,
    NoAnswer,
    PolicyUserProxy,
    QueueInput,
    ScriptedInput,
    TimeoutInput,
    TurnContext,
)
from hitl.inputs import MAX_TIMEOUT_SECONDS
from hitl.testing import QuietIOStream, ScriptedAssistant, quiet, run_chat

SCRIPTS = Path(__file__).parents[1] / "scripts"


# -- the console in a real pseudo-terminal -------------------------------------------------------------------


def console(*args: str) -> pexpect.spawn:
    child = pexpect.spawn(sys.executable, [str(SCRIPTS / "console_chat.py"), *args], encoding="utf-8", timeout=30)
    child.setecho(False)
    return child


def summary(child: pexpect.spawn) -> dict[str, Any]:
    child.expect(r"SUMMARY (\{.*\})\r?\n")
    data: dict[str, Any] = json.loads(child.match.group(1))
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    return data


def test_console_feedback_text_is_sent_and_enter_accepts_the_end() -> None:
    child = console("TERMINATE")
    child.expect_exact("Please give feedback to assistant. Press enter or type 'exit' to stop the conversation: ")
    child.sendline("Shorter, please.")
    data = summary(child)
    assert data["history"][-1] == "Shorter, please."
    assert data["decisions"][-1] == ["answered", "human_reply", "Shorter, please."]


def test_console_enter_at_the_end_accepts_and_stops() -> None:
    child = console("TERMINATE")
    child.expect_exact("Press enter or type 'exit' to stop the conversation: ")
    child.sendline("")
    data = summary(child)
    assert data["history"][-1] == "Draft two. TERMINATE"
    assert data["decisions"][-1] == ["answered", "stop", ""]


def test_console_exit_stops() -> None:
    child = console("ALWAYS")
    child.expect_exact("Replying as user. Provide feedback to assistant.")
    child.sendline("exit")
    assert summary(child)["decisions"] == [["answered", "stop", "exit"]]


def test_console_eof_is_a_recorded_stop_not_a_traceback() -> None:
    child = console("ALWAYS")
    child.expect_exact("Replying as user.")
    child.sendeof()
    data = summary(child)
    assert data["decisions"] == [["eof", "stop", "exit"]]
    assert "Traceback" not in (child.before or "")


def test_console_ctrl_c_is_a_recorded_stop() -> None:
    child = console("ALWAYS")
    child.expect_exact("Replying as user.")
    child.sendintr()
    assert summary(child)["decisions"] == [["interrupt", "stop", "exit"]]


def test_a_console_timeout_applies_the_default_and_is_recorded() -> None:
    child = console("ALWAYS", "1")
    child.expect_exact("Replying as user.")
    data = summary(child)  # nobody types
    assert data["decisions"] == [["timeout", "stop", "exit"]]


# -- non-interactive safety ----------------------------------------------------------------------------------


@pytest.mark.parametrize("stdin", [subprocess.DEVNULL, subprocess.PIPE], ids=["devnull", "open-pipe-never-written"])
def test_without_a_terminal_the_chat_fails_at_its_start_instead_of_hanging(stdin: int) -> None:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, str(SCRIPTS / "console_chat.py"), "ALWAYS"],
        stdin=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert time.monotonic() - started < 30
    assert done.returncode != 0
    assert "ConfigurationError" in done.stderr
    for remedy in ("ScriptedInput", "QueueInput", "TimeoutInput", "allow_non_interactive"):
        assert remedy in done.stderr
    assert "SUMMARY" not in done.stdout


def test_never_asks_so_the_console_check_does_not_fire() -> None:
    proxy = PolicyUserProxy("u", human_input_mode="NEVER", is_termination_msg=Keyword(), code_execution_config=False)
    assert run_chat(proxy, ["TERMINATE"]).stop_reason.startswith("Termination message")


def test_an_interactive_policy_on_a_console_without_terminal_fails_before_sending_anything() -> None:
    proxy = PolicyUserProxy("u", policy=Always(), code_execution_config=False)  # pytest's stdin is not a terminal
    assistant = ScriptedAssistant("assistant", ["hi"])
    with pytest.raises(ConfigurationError, match="stdin is not a terminal"):
        proxy.initiate_chat(assistant, message="go", silent=True)
    assert assistant.replies_sent == 0
    assert proxy.chat_messages.get(assistant, []) == []


class ScriptedStream(QuietIOStream):
    def __init__(self, answers: list[Any]) -> None:
        super().__init__()
        self.answers = answers

    def input(self, prompt: str = "", *, password: bool = False) -> str:
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return str(answer)


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
def test_a_custom_iostream_is_used_by_the_console_and_needs_no_terminal(use_async: bool) -> None:
    proxy = PolicyUserProxy("u", policy=Always(), code_execution_config=False)
    stream = ScriptedStream(["from the stream", "exit"])
    with IOStream.set_default(stream):
        chat = proxy.a_initiate_chat if use_async else proxy.initiate_chat
        outcome = chat(ScriptedAssistant("a", ["one", "two"]), message="go", silent=True)
        result: Any = asyncio.run(outcome) if use_async else outcome
    assert [m["content"] for m in result.chat_history] == ["go", "one", "from the stream", "two"]


def test_eof_and_ctrl_c_from_any_iostream_are_recorded_outcomes() -> None:
    for error, event in ((EOFError(), "eof"), (KeyboardInterrupt(), "interrupt")):
        proxy = PolicyUserProxy("u", policy=Always(), code_execution_config=False)
        with IOStream.set_default(ScriptedStream([error])):
            proxy.initiate_chat(ScriptedAssistant("a", ["one", "two"]), message="go", silent=True)
        assert [(d.input_event, d.outcome, d.answer) for d in proxy.decisions] == [(event, "stop", "exit")]
    proxy = PolicyUserProxy("u", policy=Always(), human_input=ConsoleInput(on_eof="raise"), code_execution_config=False)
    with IOStream.set_default(ScriptedStream([EOFError()])), pytest.raises(EOFError):
        proxy.initiate_chat(ScriptedAssistant("a", ["one"]), message="go", silent=True)


# -- callbacks, async providers on the sync path ------------------------------------------------------------


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
def test_callbacks_sync_or_async_answer_with_the_context(use_async: bool) -> None:
    async def async_human(prompt: str, ctx: TurnContext) -> str:
        return "exit" if "two" in ctx.text else ""

    def sync_human(prompt: str, ctx: TurnContext) -> str:
        return "exit" if "two" in ctx.text else ""

    for function in (async_human, sync_human):
        transcript = run_chat(
            Always(),
            ["one", "two", "three"],
            human_input=CallbackInput(function),
            use_async=use_async,
        )
        assert [d.answer for d in transcript.decisions] == ["", "exit"]


class AsyncOnly:
    async def a_ask(self, prompt: str, context: TurnContext) -> str:
        return "exit"


def test_an_async_only_provider_works_in_a_sync_chat_or_is_a_clear_error_never_a_skip() -> None:
    proxy = PolicyUserProxy("u", policy=Always(), human_input=AsyncOnly(), code_execution_config=False)
    assert run_chat(proxy, ["one"]).decisions[0].answer == "exit"

    async def inside_a_loop() -> None:
        proxy = PolicyUserProxy("u", policy=Always(), human_input=AsyncOnly(), code_execution_config=False)
        with quiet(), pytest.raises(ConfigurationError, match="use a_initiate_chat"):
            proxy.initiate_chat(ScriptedAssistant("a", ["one"]), message="go", silent=True)

    asyncio.run(inside_a_loop())


# -- the queue: many conversations at once -------------------------------------------------------------------


def test_two_hundred_async_conversations_each_get_only_their_own_answers() -> None:
    inbox = QueueInput()
    count = 200

    async def conversation(n: int) -> list[str]:
        proxy = PolicyUserProxy(
            f"user{n}", policy=Always(), human_input=inbox.for_conversation(str(n)), code_execution_config=False
        )
        assistant = ScriptedAssistant(f"assistant{n}", ["first", "second"], on_exhausted="stop")
        result = await proxy.a_initiate_chat(assistant, message="go", silent=True, max_turns=3)
        return [str(m["content"]) for m in result.chat_history]

    async def humans() -> None:
        answered = 0
        rng = random.Random(7)
        while answered < 2 * count:
            pending = inbox.pending()
            rng.shuffle(pending)
            for question in pending:
                turn = question.context.turn
                inbox.answer(question.id, f"answer {question.conversation}/{turn}" if turn == 2 else "exit")
                answered += 1
            await asyncio.sleep(0.001)

    async def main() -> list[list[str]]:
        chats = asyncio.gather(*(conversation(n) for n in range(count)))
        results, _ = await asyncio.wait_for(asyncio.gather(chats, humans()), timeout=120)
        return results

    with quiet():
        histories = asyncio.run(main())
    for n, history in enumerate(histories):
        assert history == ["go", "first", f"answer {n}/2", "second"], history
    assert inbox.pending() == []


def test_sync_chats_in_threads_are_fed_from_another_thread() -> None:
    inbox = QueueInput()
    results: dict[int, list[str]] = {}

    def chat(n: int) -> None:
        proxy = PolicyUserProxy(
            f"user{n}", policy=Always(), human_input=inbox.for_conversation(str(n)), code_execution_config=False
        )
        assistant = ScriptedAssistant("a", ["q"], on_exhausted="stop")
        result = proxy.initiate_chat(assistant, message="go", silent=True, max_turns=2)
        results[n] = [str(m["content"]) for m in result.chat_history]

    with quiet():
        threads = [threading.Thread(target=chat, args=(n,)) for n in range(10)]
        for thread in threads:
            thread.start()
        for _ in range(10):
            question = inbox.next_question(timeout=30)
            inbox.answer(question.id, f"reply {question.conversation}")
        for thread in threads:
            thread.join(timeout=30)
    assert results == {n: ["go", "q", f"reply {n}"] for n in range(10)}


def test_answers_go_to_open_questions_only() -> None:
    inbox = QueueInput()
    with pytest.raises(KeyError, match="no open question"):
        inbox.answer(99, "x")
    timed = TimeoutInput(inbox, seconds=0.01, default="")
    with pytest.raises(Exception, match="timeout"):
        timed.ask("?", TurnContext("x"))
    assert inbox.pending() == [], "a timed-out question is withdrawn"
    with pytest.raises(TypeError, match="an answer is a str"):
        inbox.answer(1, None)  # type: ignore[arg-type]


# -- timeouts -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize(
    ("default", "outcome", "history_tail"),
    [
        ("", "auto_reply", ["", "second", ""]),
        ("exit", "stop", []),
        ("Take your time.", "human_reply", ["Take your time.", "second", "Take your time."]),
    ],
)
def test_a_timeout_uses_its_default_and_records_the_timeout(
    default: str, outcome: str, history_tail: list[str], use_async: bool
) -> None:
    nobody = TimeoutInput(QueueInput(), seconds=0.05, default=default)
    transcript = run_chat(
        PolicyUserProxy("u", policy=Always(), human_input=nobody, code_execution_config=False),
        ScriptedAssistant("assistant", ["first", "second"], on_exhausted="stop"),
        use_async=use_async,
    )
    first = transcript.decisions[0]
    assert (first.input_event, first.outcome, first.answer) == ("timeout", outcome, default)
    assert transcript.texts == ["Start.", "first", *history_tail]


def test_timeout_arguments_are_checked() -> None:
    for seconds in (0, -1, True, "5"):
        with pytest.raises(ConfigurationError, match="seconds must be a number > 0"):
            TimeoutInput(QueueInput(), seconds=seconds)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="wraps a human-input provider"):
        TimeoutInput(object(), seconds=1)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "seconds",
    [math.inf, 1e10, MAX_TIMEOUT_SECONDS * 1.01, 10**400, math.nan, -math.inf],
    ids=["inf", "1e10", "just-over-a-year", "huge-int", "nan", "-inf"],
)
def test_a_deadline_that_is_not_finite_positive_and_bounded_is_refused_naming_the_value(seconds: float) -> None:
    bound = f"seconds must be a number > 0 and at most {MAX_TIMEOUT_SECONDS:.0f} [(]one year[)]"
    with pytest.raises(ConfigurationError, match=bound) as refused:
        TimeoutInput(ConsoleInput(), seconds=seconds)
    assert repr(seconds) in str(refused.value)
    assert "without a TimeoutInput" in str(refused.value)


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
def test_the_longest_deadline_works_on_every_path(use_async: bool) -> None:
    assert min(365 * 24 * 3600, threading.TIMEOUT_MAX) == MAX_TIMEOUT_SECONDS  # one year, or the platform's wait
    for inner in (QueueInput(), CallbackInput(lambda prompt, ctx: "yes"), ScriptedInput(["yes"])):
        timed = TimeoutInput(inner, seconds=MAX_TIMEOUT_SECONDS)
        if isinstance(inner, QueueInput):
            threading.Timer(0.05, lambda inbox=inner: inbox.answer(inbox.pending()[0].id, "yes")).start()
        answer = asyncio.run(timed.a_ask("?", TurnContext("x"))) if use_async else timed.ask("?", TurnContext("x"))
        assert answer == "yes"


def test_a_provider_that_returns_a_non_str_is_an_error() -> None:
    with pytest.raises(TypeError, match="not a str"):
        run_chat(Always(), ["one"], human_input=CallbackInput(lambda prompt, ctx: 42))  # type: ignore[arg-type, return-value]


class SyncNone:
    def ask(self, prompt: str, context: TurnContext) -> Any:
        return None


class AsyncNone:
    async def a_ask(self, prompt: str, context: TurnContext) -> Any:
        return None


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize(
    "provider",
    [SyncNone(), AsyncNone(), TimeoutInput(SyncNone(), seconds=5), TimeoutInput(AsyncNone(), seconds=5)],
    ids=["sync", "async", "timed-sync", "timed-async"],
)
def test_a_non_str_answer_is_never_sent_as_text_on_any_path(provider: Any, use_async: bool) -> None:
    proxy = PolicyUserProxy("u", policy=Always(), human_input=provider, code_execution_config=False)
    with pytest.raises(TypeError, match="returned None"):
        run_chat(proxy, ["one"], use_async=use_async)
    assert all(message.get("content") != "None" for message in proxy.chat_messages[next(iter(proxy.chat_messages))])


def test_a_timed_out_async_callback_is_cancelled_in_a_sync_chat() -> None:
    events: list[str] = []

    async def slow(prompt: str, context: TurnContext) -> str:
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            events.append("cancelled")
            raise
        events.append("finished")
        return "late"

    started = time.monotonic()
    with pytest.raises(NoAnswer, match="timeout"):
        TimeoutInput(CallbackInput(slow), seconds=0.05).ask("?", TurnContext("x"))
    assert events == ["cancelled"]
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
def test_an_answer_at_the_deadline_is_either_used_or_refused_never_lost(use_async: bool) -> None:
    # The answerer aims at the deadline; whoever wins, the answer is used iff answer() accepted it.
    rng = random.Random(7)
    for _ in range(300):
        inbox = QueueInput()
        accepted: list[bool] = []

        def answer_soon(delay: float, inbox: QueueInput = inbox, accepted: list[bool] = accepted) -> None:
            time.sleep(delay)
            try:
                inbox.answer(1, "yes")  # the first question of a new QueueInput, asked or not yet
                accepted.append(True)
            except KeyError:
                accepted.append(False)

        answerer = threading.Thread(target=answer_soon, args=(rng.uniform(0, 0.004),))
        answerer.start()
        try:
            if use_async:
                got = asyncio.run(inbox.a_ask_within("?", TurnContext("x"), 0.002))
            else:
                got = inbox.ask_within("?", TurnContext("x"), 0.002)
        except TimeoutError:
            got = None
        answerer.join()
        assert accepted == [got == "yes"], (got, accepted)
        assert inbox.pending() == []


def _console_process(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(SCRIPTS / "console_chat.py"), *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _summary_of(output: str) -> dict[str, Any]:
    line = next(line for line in output.splitlines() if line.startswith("SUMMARY "))
    data: dict[str, Any] = json.loads(line.removeprefix("SUMMARY "))
    return data


def test_an_async_console_timeout_leaves_no_reader_behind() -> None:
    # stdin stays open and silent: after the deadline nothing may keep the process waiting on it.
    process = _console_process("ALWAYS", "0.3", "async", "piped")
    assert process.stdout is not None
    try:
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
        assert process.stdin is not None
        process.stdin.close()
    assert process.returncode == 0, process.stderr.read() if process.stderr else ""
    assert _summary_of(process.stdout.read())["decisions"] == [["timeout", "stop", "exit"]]


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
def test_timed_console_answers_that_arrive_together_are_each_read(use_async: bool) -> None:
    process = _console_process("ALWAYS", "5", *(["async"] if use_async else []), "piped")
    assert process.stdin is not None
    process.stdin.write("Fix it.\n\n")  # two answers in one write, the pipe left open
    process.stdin.flush()
    try:
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
        process.stdin.close()
    assert process.stdout is not None
    assert process.stderr is not None
    assert process.returncode == 0, process.stderr.read()
    assert _summary_of(process.stdout.read())["decisions"] == [
        ["answered", "human_reply", "Fix it."],
        ["answered", "stop", ""],
    ]


def test_piped_stdin_serves_untimed_and_timed_questions_from_one_stream() -> None:
    program = (
        "from hitl import ConsoleInput, NoAnswer, TimeoutInput, TurnContext\n"
        "console = ConsoleInput(allow_non_interactive=True)\n"
        "print('got', repr(console.ask('? ', TurnContext('x'))))\n"
        "print('got', repr(TimeoutInput(console, seconds=5).ask('? ', TurnContext('x'))))\n"
        "try:\n"
        "    console.ask('? ', TurnContext('x'))\n"
        "except NoAnswer as missing:\n"
        "    print('got', repr(missing.reason))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], input="first\nsecond\n", capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert [line.split("got ")[1] for line in done.stdout.splitlines() if "got " in line] == [
        "'first'",
        "'second'",
        "'eof'",  # then the end of input
    ]
