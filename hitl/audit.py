"""``hitl.audit`` stays importable: every name it offered is offered still, as the same object.

They live in [`hitl.stores.audit`][hitl.stores.audit] and the modules imported below.
"""

from .core.errors import user_stacklevel
from .core.records import DecisionRecord, record_data
from .stores.audit import AuditRecords, AuditSink, JsonlAudit, LoggingAudit, TornLineWarning, read_jsonl

__all__ = [
    "AuditRecords",
    "AuditSink",
    "DecisionRecord",
    "JsonlAudit",
    "LoggingAudit",
    "TornLineWarning",
    "read_jsonl",
    "record_data",
    "user_stacklevel",
]
