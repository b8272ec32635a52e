"""Research -> code -> documentation, with a human checkpoint after each automated stage.

Stages run automatically; at each checkpoint the human approves (Enter), redirects (an instruction: the
stage runs again with it) or aborts (exit). Here the reviewer approves the research, sends the code back
once, approves the fix, and the low-risk documentation stage needs no checkpoint. Each stage starts
from a fresh history; the code stage's task is built from the research stage's answer.
"""

from __future__ import annotations

import tempfile

from _model import assistant

from hitl import Limits, ScriptedInput, Stage, Workflow
from hitl.testing import quiet

SCRIPT = [
    "csv: stdlib; pandas: rich; polars: fast. Recommendation: pandas. TERMINATE",
    "def clean(rows): return [r for r in rows if all(r.values())]\nTERMINATE",
    "def clean(rows):\n    return [r for r in rows if all(v not in (None, '') for v in r.values())]\nTERMINATE",
    "clean(rows): drop rows with missing values (None or ''). TERMINATE",
]
reviewer = ScriptedInput(["", "Handle empty strings as missing values too.", ""])  # ConsoleInput() for a person

with tempfile.TemporaryDirectory() as work_dir:
    workflow = Workflow(
        [
            Stage("research", "Compare csv, pandas and polars for CSV files. Recommend one. Then say TERMINATE."),
            Stage(
                "code",
                lambda out: f"Based on this research:\n{out['research']}\nWrite a CSV cleaning function. TERMINATE.",
                limits=Limits(max_consecutive_auto_reply=8),
                proxy_options={"code_execution_config": {"work_dir": work_dir, "use_docker": False}},
            ),
            Stage(
                "docs",
                lambda out: f"Document this code:\n{out['code']}\nThen say TERMINATE.",
                limits=Limits(max_consecutive_auto_reply=3),
                checkpoint=False,
            ),
        ],
        assistant=assistant("assistant", SCRIPT, "Complete each task. End with TERMINATE."),
        human_input=reviewer,
    )
    with quiet():
        result = workflow.run()

for stage in result.stages:
    print(f"STAGE {stage.name}: {stage.status}, redirected {stage.redirects} time(s); answer: {stage.answer[:60]!r}")
print(f"[workflow {result.status}]")
assert result.status == "completed"
assert result["code"].redirects == 1
