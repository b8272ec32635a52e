"""Adapters: hitl's core and providers at work inside an agent framework.

[`hitl.adapters.autogen`][hitl.adapters.autogen] is the classic-AutoGen adapter. Only adapters import an
agent framework (an import rule checked in CI).
"""
