"""Stores: where what happened is kept.

[`hitl.stores.audit`][hitl.stores.audit] holds the audit sinks (`JsonlAudit`, `LoggingAudit`) and
`read_jsonl`. [`hitl.stores.durable`][hitl.stores.durable] is what a conversation store keeps (journal, questions,
answers, leases) and the protocol every store speaks; [`hitl.stores.sqlite`][hitl.stores.sqlite] is the
embedded store, one SQLite file. Stores import no agent framework (an import rule checked in CI).
"""
