"""The classic-AutoGen adapter: the only code in hitl that imports ``autogen``.

- [`proxy`][hitl.adapters.autogen.proxy]: `PolicyUserProxy`, a drop-in `autogen.UserProxyAgent` that asks as its
  policy says.
- `_gate`: approval at the point of execution (code blocks and tool calls).
- [`compat`][hitl.adapters.autogen.compat]: every difference between the supported AutoGen lines, in one place.
- [`group`][hitl.adapters.autogen.group]: humans in a `GroupChat`: `SpeakerSelection` hands them turns.
- [`workflow`][hitl.adapters.autogen.workflow]: chats run as stages with human checkpoints between them.
- [`console`][hitl.adapters.autogen.console]: `ConsoleInput`, the terminal through AutoGen's IOStream.
- [`assistant`][hitl.adapters.autogen.assistant]: `ScriptedAssistant`, an LLM-free agent for tests.
"""
