"""Whether the console can be answered: what reads stdin, the opt-in variable, Jupyter, a closed stdin."""

from __future__ import annotations

import asyncio
import builtins
import io
import sys
import types
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from autogen.io.base import IOStream
from autogen.io.console import IOConsole

from hitl import Always, ConfigurationError, ConsoleInput, NoAnswer, PolicyUserProxy, TurnContext
from hitl.inputs import ALLOW_NON_INTERACTIVE_ENV, allowed_by_environment
from hitl.testing import QuietIOStream, ScriptedAssistant


class Terminal(io.StringIO):
    """A stdin that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def finish(outcome: Any) -> Any:
    """Run an async call's coroutine to its end; a sync call's result is already there."""
    return asyncio.run(outcome) if asyncio.iscoroutine(outcome) else outcome


@pytest.fixture(autouse=True)
def no_opt_in(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ALLOW_NON_INTERACTIVE_ENV, raising=False)


@pytest.fixture
def piped_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("an answer\n"))  # not a terminal


@pytest.fixture
def console(request: pytest.FixtureRequest) -> Iterator[None]:
    """Make AutoGen's current IOStream the one the test names (IOConsole by default)."""
    stream = getattr(request, "param", IOConsole)()
    with IOStream.set_default(stream):
        yield


# -- what reads the process's stdin ---------------------------------------------------------------------------


class QuietConsole(IOConsole):  # type: ignore[misc]
    """Prints nothing, but reads the process's stdin: IOConsole's own input()."""

    def print(self, *objects: Any, sep: str = " ", end: str = "\n", flush: bool = False) -> None:
        pass

    def send(self, message: Any) -> None:
        pass


class QuietConsoleSubclass(QuietConsole):
    """Two levels down, input() still IOConsole's."""


class BorrowsConsoleInput(QuietIOStream):
    """Not an IOConsole at all, but its input is IOConsole's: it reads stdin."""

    input = IOConsole.input


class OwnInput(IOConsole):  # type: ignore[misc]
    """An IOConsole whose input() is its own (a web socket, a GUI...): a custom stream."""

    def input(self, prompt: str = "", *, password: bool = False) -> str:
        return "from elsewhere"


def console_with_instance_input() -> IOConsole:
    stream = QuietConsole()
    stream.input = lambda prompt="", *, password=False: "from elsewhere"
    return stream


READS_STDIN: list[Callable[[], Any]] = [IOConsole, QuietConsole, QuietConsoleSubclass, BorrowsConsoleInput]
CUSTOM: list[Callable[[], Any]] = [OwnInput, console_with_instance_input, QuietIOStream]


@pytest.mark.usefixtures("piped_stdin")
@pytest.mark.parametrize("make_stream", READS_STDIN, ids=lambda f: f.__name__)
def test_every_stream_that_reads_stdin_is_checked_whatever_its_class(make_stream: Callable[[], Any]) -> None:
    with IOStream.set_default(make_stream()):
        assert not ConsoleInput().is_interactive()
        with pytest.raises(ConfigurationError, match="stdin is not a terminal"):
            ConsoleInput().check_interactive()


@pytest.mark.usefixtures("piped_stdin")
@pytest.mark.parametrize("make_stream", CUSTOM, ids=lambda f: f.__name__)
def test_a_stream_with_its_own_input_is_trusted_to_reach_a_human(make_stream: Callable[[], Any]) -> None:
    with IOStream.set_default(make_stream()):
        assert ConsoleInput().is_interactive()
        ConsoleInput().check_interactive()


@pytest.mark.usefixtures("piped_stdin")
@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
def test_a_quiet_console_subclass_refuses_the_chat_before_anything_is_sent(use_async: bool) -> None:
    proxy = PolicyUserProxy("u", policy=Always(), code_execution_config=False)
    assistant = ScriptedAssistant("assistant", ["hi"])
    chat = proxy.a_initiate_chat if use_async else proxy.initiate_chat
    with IOStream.set_default(QuietConsole()), pytest.raises(ConfigurationError, match="stdin is not a terminal"):
        finish(chat(assistant, message="go", silent=True))
    assert assistant.replies_sent == 0


# -- the opt-in, with no change to the code -------------------------------------------------------------------


@pytest.mark.usefixtures("piped_stdin", "console")
@pytest.mark.parametrize("value", ["1", "true", "True", "YES", " on "])
def test_the_environment_variable_opts_in_for_code_that_only_changed_the_class_name(
    value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ALLOW_NON_INTERACTIVE_ENV, value)
    assert allowed_by_environment()
    ConsoleInput().check_interactive()
    assert ConsoleInput().ask("? ", TurnContext("x")) == "an answer"


@pytest.mark.usefixtures("piped_stdin", "console")
@pytest.mark.parametrize("value", ["0", "false", "No", "off", ""])
def test_the_environment_variable_can_say_no(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ALLOW_NON_INTERACTIVE_ENV, value)
    assert not allowed_by_environment()
    with pytest.raises(ConfigurationError, match="stdin is not a terminal"):
        ConsoleInput().check_interactive()
    ConsoleInput(allow_non_interactive=True).check_interactive()  # the argument still opts in


@pytest.mark.usefixtures("console")
@pytest.mark.parametrize("stdin", [io.StringIO(""), Terminal("")], ids=["piped", "terminal"])
def test_an_unknown_value_of_the_variable_is_an_error_that_names_it_never_a_silent_no(
    stdin: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", stdin)
    monkeypatch.setenv(ALLOW_NON_INTERACTIVE_ENV, "sure")
    with pytest.raises(
        ConfigurationError, match=r"HITL_ALLOW_NON_INTERACTIVE='sure' is neither yes nor no.*set it to 1"
    ):
        ConsoleInput().check_interactive()


@pytest.mark.usefixtures("piped_stdin", "console")
def test_the_refusal_names_every_way_out_including_the_variable() -> None:
    with pytest.raises(ConfigurationError) as refused:
        ConsoleInput().check_interactive()
    for remedy in ("ScriptedInput", "QueueInput", "TimeoutInput", "allow_non_interactive=True"):
        assert remedy in str(refused.value)
    assert f"{ALLOW_NON_INTERACTIVE_ENV}=1" in str(refused.value)


# -- a closed stdin -------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("console")
@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize("closed", ["none", "closed-file"])
def test_a_closed_stdin_is_an_eof_outcome_not_lost_sys_stdin(
    closed: str, use_async: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    stdin = None if closed == "none" else io.StringIO("never read")
    if stdin is not None:
        stdin.close()
    monkeypatch.setattr(sys, "stdin", stdin)  # a process started with `<&-` has sys.stdin None
    console = ConsoleInput(allow_non_interactive=True)
    ask = console.a_ask if use_async else console.ask
    with pytest.raises(NoAnswer) as missing:
        finish(ask("? ", TurnContext("x")))
    assert (missing.value.reason, missing.value.fallback) == ("eof", "exit")
    with pytest.raises(ConfigurationError, match="stdin is closed"):
        ConsoleInput().check_interactive()


@pytest.mark.usefixtures("console")
def test_a_closed_stdin_stops_an_opted_in_chat_with_a_recorded_eof(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", None)
    monkeypatch.setenv(ALLOW_NON_INTERACTIVE_ENV, "1")
    proxy = PolicyUserProxy("u", policy=Always(), code_execution_config=False)
    with IOStream.set_default(QuietConsole()):
        proxy.initiate_chat(ScriptedAssistant("a", ["one"]), message="go", silent=True)
    assert [(d.input_event, d.outcome, d.answer) for d in proxy.decisions] == [("eof", "stop", "exit")]


# -- Jupyter (a stand-in kernel; test_jupyter.py runs a real one) --------------------------------------------------


class StandInKernel:
    def __init__(self, allow_stdin: bool) -> None:
        self._allow_stdin = allow_stdin
        self.prompts: list[str] = []

    def raw_input(self, prompt: str = "") -> str:
        self.prompts.append(prompt)
        return "from the notebook"


@pytest.fixture
def kernel(monkeypatch: pytest.MonkeyPatch, piped_stdin: None) -> Callable[[bool, bool], StandInKernel]:
    def start(allow_stdin: bool, forwarding: bool = True) -> StandInKernel:
        kernel = StandInKernel(allow_stdin)
        shell = types.SimpleNamespace(kernel=kernel)
        monkeypatch.setitem(sys.modules, "ipykernel", types.ModuleType("ipykernel"))
        ipython = types.ModuleType("IPython")
        ipython.get_ipython = lambda: shell  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, "IPython", ipython)
        if forwarding:  # what ipykernel does while it runs a cell
            monkeypatch.setattr(builtins, "input", kernel.raw_input)
        return kernel

    return start


@pytest.mark.usefixtures("console")
@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
def test_a_notebook_kernel_whose_frontend_takes_input_is_interactive_and_is_asked(
    kernel: Callable[..., StandInKernel], use_async: bool
) -> None:
    notebook = kernel(True)
    console = ConsoleInput()
    assert console.is_interactive()
    console.check_interactive()
    answer = finish((console.a_ask if use_async else console.ask)("? ", TurnContext("x")))
    assert answer == "from the notebook"
    assert notebook.prompts == ["? "]


@pytest.mark.usefixtures("console")
@pytest.mark.parametrize("forwarding", [True, False], ids=["no-stdin-frontend", "outside-a-cell"])
def test_a_kernel_that_cannot_ask_its_frontend_is_refused(
    kernel: Callable[..., StandInKernel], forwarding: bool
) -> None:
    kernel(not forwarding, forwarding)  # nbconvert: forwarding without stdin; or input() not forwarded at all
    assert not ConsoleInput().is_interactive()
    with pytest.raises(ConfigurationError, match="Jupyter kernel's frontend does not take input"):
        ConsoleInput().check_interactive()
    with pytest.raises(NoAnswer, match="eof"):
        ConsoleInput(allow_non_interactive=True).ask("? ", TurnContext("x"))
