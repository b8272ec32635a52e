"""A small server: conversations wait on a QueueInput while "humans" answer from another task.

Three conversations run at once in one event loop; a reviewer task takes each question off the queue and
answers it. Each answer is routed to the question it names, never to another conversation. In a web app,
the reviewer task is your HTTP handler: list `inbox.pending()` and call `inbox.answer(id, text)`.
"""

from __future__ import annotations

import asyncio
import contextlib
import io

from hitl import Keyword, PolicyUserProxy, QueueInput, Terminate, TimeoutInput
from hitl.testing import ScriptedAssistant

inbox = QueueInput()


async def conversation(topic: str) -> list[str]:
    user = PolicyUserProxy(
        f"user_{topic}",
        policy=Terminate(),
        is_termination_msg=Keyword("TERMINATE"),
        # a reviewer who does not answer within 30 s stops the chat instead of hanging it
        human_input=TimeoutInput(inbox.for_conversation(topic), seconds=30, default="exit"),
        code_execution_config=False,
    )
    writer = ScriptedAssistant(f"writer_{topic}", [f"Draft about {topic}. TERMINATE", f"Final {topic}. TERMINATE"])
    result = await user.a_initiate_chat(writer, message=f"Write about {topic}.", silent=True)
    return [str(m.get("content")) for m in result.chat_history]


async def reviewer(expected: int) -> None:
    for _ in range(expected):
        question = await inbox.a_next_question()
        # first review: ask for a final version; second review: accept with "exit"
        first = question.context.turn == 2
        inbox.answer(question.id, f"Polish the {question.conversation} draft." if first else "exit")


async def main() -> None:
    topics = ["cats", "tea", "rust"]
    with contextlib.redirect_stdout(io.StringIO()):
        histories, _ = await asyncio.gather(
            asyncio.gather(*(conversation(topic) for topic in topics)), reviewer(expected=2 * len(topics))
        )
    for topic, history in zip(topics, histories, strict=True):
        print(f"{topic}: {history}")
        assert f"Polish the {topic} draft." in history  # its own answer ...
        assert not any(f"Polish the {other} draft." in history for other in topics if other != topic)  # only


asyncio.run(main())
