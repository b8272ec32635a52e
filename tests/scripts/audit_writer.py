"""Kill -9 audit writers, over and over, on one file: for tests/stores/test_audit_torn.py.

python audit_writer.py PATH ITERATIONS SEED RECORD_BYTES

Each iteration forks a writer (hitl is imported once, here) that appends large records to PATH through a new
JsonlAudit, as a restarted service would, until it is killed with SIGKILL: at a random moment, or (every other
iteration) while a write is visibly under way. Every record of one iteration has the same length, so a file
size that is not a whole number of lines means a line is being written. Prints one line of JSON at the end:
the line length and, per iteration, whether the kill left the file ending in a torn line.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sys
import time
import warnings
from datetime import datetime, timezone

from hitl.stores.audit import DecisionRecord, JsonlAudit

STAMP = datetime(2025, 1, 1, 12, 0, 0, 123456, tzinfo=timezone.utc)


def record(iteration: int, seq: int, size: int) -> DecisionRecord:
    return DecisionRecord(
        time=STAMP,
        agent="user",
        sender="assistant",
        turn=2,
        auto_replies=0,
        auto_reply_limit=100,
        policy="Always()",
        fired="Always()",
        reason="always asks",
        asked=True,
        prompt="é" * (size // 2),  # two bytes each: a tear can also cut a character in half
        answer="",
        input_event="answered",
        outcome="auto_reply",
        message=f"{iteration:04d}:{seq:09d}",
    )


def write_forever(path: str, iteration: int, size: int) -> None:
    warnings.simplefilter("ignore")  # the repair of the last writer's torn line warns; the test checks the file
    audit = JsonlAudit(path)
    seq = 0
    while True:
        audit.write(record(iteration, seq, size))
        seq += 1


def main() -> None:
    path, iterations, seed, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    rng = random.Random(seed)
    line = len(record(0, 0, size).model_dump_json().encode()) + 1
    torn = []
    for iteration in range(iterations):
        child = os.fork()
        if child == 0:  # pragma: no cover - the writer, killed before it could return
            try:
                write_forever(path, iteration, size)
            finally:
                os._exit(1)
        if iteration % 2:  # while a write is under way: the size is not a whole number of lines
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                size_now = os.stat(path).st_size if os.path.exists(path) else 0
                if size_now % line:
                    break
        else:
            time.sleep(rng.uniform(0.002, 0.06))
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
        torn.append(os.path.exists(path) and os.stat(path).st_size % line != 0)
    print(json.dumps({"line": line, "torn": torn}))


if __name__ == "__main__":
    main()
