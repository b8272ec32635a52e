"""A TimeoutInput's deadline holds whatever the provider does: ignores cancellation, or blocks in C code.

Each case runs in a subprocess with a hard limit, so a deadline that does not hold fails the test instead of
hanging the suite.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

CHILD = textwrap.dedent(
    """
    import asyncio, sys, time
    from hitl import Always, CallbackInput, PolicyUserProxy, TimeoutInput
    from hitl.testing import ScriptedAssistant, quiet

    async def ignores_cancel(prompt, ctx):
        while True:
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                pass

    async def blocks(prompt, ctx):
        time.sleep(3600)
        return "late"

    class AsyncOnly:
        async def a_ask(self, prompt, ctx):
            return await ignores_cancel(prompt, ctx)

    provider, mode = sys.argv[1], sys.argv[2]
    inner = {
        "ignores_cancel": CallbackInput(ignores_cancel), "blocks": CallbackInput(blocks), "async_only": AsyncOnly(),
    }
    proxy = PolicyUserProxy(
        "user", policy=Always(), human_input=TimeoutInput(inner[provider], seconds=0.3, default="exit"),
        code_execution_config=False,
    )
    assistant = ScriptedAssistant("assistant", ["Shall I?"], on_exhausted="stop")
    started = time.monotonic()

    async def chat():
        await proxy.a_initiate_chat(assistant, message="go", max_turns=2)
        # The chat went on at the deadline. A provider that ignores cancellation would still keep
        # asyncio.run from closing the loop at the end of the program (documented): report, then leave.
        print(proxy.decisions[0].input_event, round(time.monotonic() - started, 1), flush=True)
        import os
        os._exit(0)

    with quiet():
        if mode == "async":
            asyncio.run(chat())
        else:
            proxy.initiate_chat(assistant, message="go", max_turns=2)
    print(proxy.decisions[0].input_event, round(time.monotonic() - started, 1))
    """
)

CASES = [
    ("ignores_cancel", "sync"),
    ("ignores_cancel", "async"),
    ("async_only", "sync"),
    ("async_only", "async"),
    ("blocks", "sync"),  # in an async chat a provider that blocks the event loop holds it: documented
]


@pytest.mark.parametrize(("provider", "mode"), CASES, ids=[f"{p}-{m}" for p, m in CASES])
def test_the_deadline_holds_for_a_provider_that_will_not_stop(provider: str, mode: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, provider, mode], capture_output=True, text=True, timeout=30, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    event, seconds = done.stdout.split()
    assert event == "timeout"
    assert float(seconds) < 10
