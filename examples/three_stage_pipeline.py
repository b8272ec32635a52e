"""Research -> code -> documentation, with a human checkpoint after each automated stage.

Stages 1 and 2 run under Terminate(): automatic until the stage's answer, which a human reviews (Enter
approves, text redirects). Stage 3 is low-risk and runs under Never(). Each stage starts fresh.
"""

from __future__ import annotations

import contextlib
import io
import tempfile

from _model import assistant

from hitl import InputPolicy, Keyword, Limits, Never, PolicyUserProxy, ScriptedInput, Terminate


def run_stage(
    name: str, task: str, policy: InputPolicy, script: list[str], answers: list[str], **config: object
) -> str:
    human = ScriptedInput(answers)
    proxy = PolicyUserProxy(
        f"{name}_proxy",
        policy=policy,
        limits=Limits(max_consecutive_auto_reply=5),
        is_termination_msg=Keyword("TERMINATE"),
        human_input=human,
        **config,
    )
    worker = assistant("assistant", script, "Complete the task step by step. End each stage with TERMINATE.")
    with contextlib.redirect_stdout(io.StringIO()):
        result = proxy.initiate_chat(worker, message=task, clear_history=True)
    answers_given = [record.answer for record in proxy.decisions if record.asked]
    print(f"STAGE {name}: human answers {answers_given}")
    replies = [str(m["content"]) for m in result.chat_history if m.get("name") == "assistant"]
    return replies[-1].replace("TERMINATE", "").strip()


research = run_stage(
    "research",
    "Compare the csv module, pandas and polars for parsing CSV files. Recommend one. Then say TERMINATE.",
    Terminate(),
    ["csv: stdlib; pandas: rich; polars: fast. Recommendation: pandas. TERMINATE"],
    [""],  # approve
    code_execution_config=False,
)
with tempfile.TemporaryDirectory() as work_dir:
    code = run_stage(
        "code",
        f"Based on this research:\n{research}\nWrite a CSV cleaning function with tests. Then say TERMINATE.",
        Terminate(),
        [
            "def clean(rows): return [r for r in rows if all(r.values())]  TERMINATE",
            "def clean(rows):\n    return [r for r in rows if all(v not in (None, '') for v in r.values())]\nTERMINATE",
        ],
        ["Handle empty strings as missing values too.", ""],  # redirect once, then approve
        code_execution_config={"work_dir": work_dir, "use_docker": False, "timeout": 30},
    )
docs = run_stage(
    "docs",
    f"Write API documentation for:\n{code}\nThen say TERMINATE.",
    Never(),
    ["clean(rows): drop rows with missing values. TERMINATE"],
    [],
    code_execution_config=False,
)
print("[All stages complete.]", docs)
assert "missing" in docs
