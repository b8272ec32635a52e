"""The classic-AutoGen adapter: the only code in hitl that imports ``autogen``.

- [`proxy`][hitl.adapters.autogen.proxy]: `PolicyUserProxy`, a drop-in `autogen.UserProxyAgent` that asks as its
  policy says.
- `_gate`: approval at the point of execution (code blocks and tool calls).
- `_compat`: every difference between the supported AutoGen lines, in one place.
- [`workflow`][hitl.adapters.autogen.workflow]: chats run as stages with human checkpoints between them.

The test kit's `ScriptedAssistant` and the console provider reach AutoGen through `_compat`.
"""
