"""Stores: where what happened is kept.

[`hitl.stores.audit`][hitl.stores.audit] holds the audit sinks (`JsonlAudit`, `LoggingAudit`) and
`read_jsonl`. Stores import no agent framework (an import rule checked in CI).
"""
