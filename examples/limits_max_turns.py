"""max_turns against max_consecutive_auto_reply: which limit stops the chat first.

max_consecutive_auto_reply counts the proxy's auto-replies in a row (a human reply resets it);
max_turns counts the round trips of the whole chat. With both set, the smaller one binds first.
"""

from __future__ import annotations

import contextlib
import io

from _model import assistant

from hitl import Limits, Never, PolicyUserProxy

SCRIPT = [f"Fact {n} about Python." for n in range(1, 30)]


def run(limits: Limits) -> int:
    user = PolicyUserProxy("user_proxy", policy=Never(), limits=limits, code_execution_config=False)
    facts = assistant("assistant", SCRIPT, "Tell the user facts about Python, one per message.")
    with contextlib.redirect_stdout(io.StringIO()):
        result = user.initiate_chat(facts, message="Tell me interesting facts about Python.")
    replies = sum(1 for m in result.chat_history if m.get("name") == "assistant")
    stop = user.decisions[-1].stop_reason if user.decisions and user.decisions[-1].outcome == "stop" else "max turns"
    print(f"  {limits!r}: {replies} assistant replies; stopped by: {stop}")
    return replies


print("Which limit binds first:")
assert run(Limits(max_consecutive_auto_reply=15, max_turns=3)) == 3  # max_turns is smaller
assert run(Limits(max_consecutive_auto_reply=2, max_turns=20)) == 3  # 2 auto-replies, then the limit stops it
