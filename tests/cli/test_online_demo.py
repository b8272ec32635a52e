"""`hitl demo --online` and the online examples, end to end, against an OpenAI-compatible stub on 127.0.0.1.

The stub is a standard-library HTTP server in a thread that answers ``/v1/chat/completions`` from a script
(the reply is chosen by how many assistant messages the request already holds, so it follows the
conversation) and records every request. The demo runs in a subprocess, as a user runs it, on whichever
AutoGen line this test suite runs on.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip(
    "openai", reason="the online demo needs the openai package: pip install -e '.[openai]' (or '.[dev]')"
)

ROOT = Path(__file__).resolve().parents[2]
DEMO = [sys.executable, "-m", "hitl", "demo", "--online"]
CODE = "Here is the check:\n```python\nprint('palindrome:', 'racecar' == 'racecar'[::-1])\n```"
DONE = "The code printed palindrome: True. TERMINATE"


class StubModel:
    """An OpenAI-compatible endpoint on 127.0.0.1 that answers chat completions from a script."""

    def __init__(self, replies: Sequence[str], *, status: int = 200) -> None:
        self.replies = list(replies)
        self.status = status
        self.requests: list[dict[str, Any]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> StubModel:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def completions(self) -> list[dict[str, Any]]:
        """The bodies of the chat completion requests, in order."""
        return [request["body"] for request in self.requests if request["path"] == "/v1/chat/completions"]

    def _answer(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if path == "/v1/models":
            return 200, {"object": "list", "data": [{"id": "stub", "object": "model", "owned_by": "stub"}]}
        if path != "/v1/chat/completions":
            return 404, {"error": {"message": f"no route {path}", "type": "invalid_request_error", "code": None}}
        if self.status != 200:
            error = {
                "message": "Incorrect API key provided",
                "type": "invalid_request_error",
                "code": "invalid_api_key",
            }
            return self.status, {"error": error}
        said = sum(1 for message in body.get("messages", []) if message.get("role") == "assistant")
        text = self.replies[min(said, len(self.replies) - 1)]
        return 200, {
            "id": f"chatcmpl-{len(self.requests)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "stub"),
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "stop",
                    "message": {"role": "assistant", "content": text},
                    "logprobs": None,
                }
            ],
            "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
        }

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def _respond(self, body: dict[str, Any]) -> None:
                path = self.path.split("?")[0]
                stub.requests.append(
                    {"method": self.command, "path": path, "headers": dict(self.headers), "body": body}
                )
                status, answer = stub._answer(path, body)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self._respond(json.loads(self.rfile.read(length) or b"{}"))

            def do_GET(self) -> None:
                self._respond({})

        return Handler


@pytest.fixture
def stub() -> Iterator[StubModel]:
    with StubModel([CODE, DONE]) as model:
        yield model


def entry(stub: StubModel, model: str = "stub-coder") -> dict[str, Any]:
    # "price" keeps AutoGen from warning that it does not know the model's cost.
    return {"model": model, "api_key": "test-key", "base_url": stub.url, "price": [0, 0]}


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without any model configuration or proxy of the machine running the tests."""
    dropped = ("OAI_CONFIG_LIST", "OPENAI_API_KEY", "OPENAI_BASE_URL", "HITL_EXAMPLES_ONLINE", "HITL_EXAMPLES_MODEL")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in dropped and not key.lower().endswith("_proxy")  # a proxy would not reach 127.0.0.1
    }
    return {**env, "NO_PROXY": "127.0.0.1,localhost", **extra}


def run(args: Sequence[str], env: dict[str, str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(args), capture_output=True, text=True, env=env, timeout=180, stdin=subprocess.DEVNULL, cwd=cwd
    )


def said(done: subprocess.CompletedProcess[str]) -> str:
    """The one line hitl wrote to stderr (pyautogen 0.2 may warn about flaml before it), with no traceback."""
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("hitl")]
    assert len(lines) == 1, done.stderr
    return lines[0]


def test_online_demo_runs_the_approved_code_and_stops_on_terminate(stub: StubModel) -> None:
    config = [entry(stub, "stub-other"), entry(stub, "stub-coder")]
    env = clean_env(OAI_CONFIG_LIST=json.dumps(config))
    done = run([*DEMO, "--model", "stub-coder", "--answers", "", ""], env)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    out = done.stdout
    assert "[hitl] policy: Terminate() | ApproveCode()" in out  # the model's code waits for the human
    assert "palindrome: True" in out  # approved with Enter: it ran, on this machine
    assert out.index("palindrome: True") > out.index("message 2 from assistant: you answered ''")
    assert "stop (Termination message condition on agent 'user' met and no human input provided)" in out
    assert "[hitl] done: 2 decisions, you were asked 2 time(s)." in out
    bodies = stub.completions()
    assert len(bodies) == 2
    assert {body["model"] for body in bodies} == {"stub-coder"}  # --model kept that entry only
    assert bodies[0]["messages"][-1]["content"] == "Write a function to check if a string is a palindrome. Test it."
    assert "palindrome: True" in bodies[1]["messages"][-1]["content"]  # the code's output went back to the model
    headers = {key.lower(): value for key, value in stub.requests[0]["headers"].items()}
    assert headers["authorization"] == "Bearer test-key"


def test_online_demo_sends_typed_feedback_to_the_model_and_never_runs_rejected_code(stub: StubModel) -> None:
    env = clean_env(OAI_CONFIG_LIST=json.dumps([entry(stub)]))
    done = run([*DEMO, "--answers", "Do not run it yet: also test an empty string.", ""], env)
    assert done.returncode == 0, done.stderr
    assert "palindrome: True" not in done.stdout.replace("The code printed palindrome: True", "")
    assert "you answered 'Do not run it yet: also test an empty string.' -> human-reply" in done.stdout
    second = stub.completions()[1]["messages"]
    assert second[-1] == {"content": "Do not run it yet: also test an empty string.", "role": "user", "name": "user"}


@pytest.mark.parametrize("source", ["json-text", "file", "api-key"])
def test_online_demo_reads_the_model_from_the_environment(stub: StubModel, source: str, tmp_path: Path) -> None:
    if source == "json-text":
        env = clean_env(OAI_CONFIG_LIST=json.dumps([entry(stub)]))
    elif source == "file":
        path = tmp_path / "OAI_CONFIG_LIST.json"
        path.write_text(json.dumps([entry(stub)]), encoding="utf-8")
        env = clean_env(OAI_CONFIG_LIST=str(path))
    else:
        env = clean_env(OPENAI_API_KEY="test-key", OPENAI_BASE_URL=stub.url)
    done = run([*DEMO, "--model", "stub-coder", "--answers", "", ""], env)
    assert done.returncode == 0, done.stderr
    assert "[hitl] done: 2 decisions" in done.stdout
    assert [body["model"] for body in stub.completions()] == ["stub-coder", "stub-coder"]


def test_online_demo_names_the_models_it_has_when_model_matches_none(stub: StubModel) -> None:
    env = clean_env(OAI_CONFIG_LIST=json.dumps([entry(stub)]))
    done = run([*DEMO, "--model", "gpt-5", "--answers"], env)
    assert done.returncode == 2
    assert said(done) == "hitl: OAI_CONFIG_LIST has no entry for the model 'gpt-5' (it has ['stub-coder'])"
    assert stub.requests == []


def test_online_demo_reports_a_refused_request_in_one_line() -> None:
    with StubModel([DONE], status=401) as refusing:
        env = clean_env(OAI_CONFIG_LIST=json.dumps([entry(refusing)]))
        done = run([*DEMO, "--answers", ""], env)
    assert done.returncode == 1
    line = said(done)
    assert line.startswith("hitl: the model request failed (AuthenticationError: ")
    assert line.endswith("check the model, api_key and base_url in OAI_CONFIG_LIST (or OPENAI_API_KEY)")
    assert "test-key" not in done.stderr


def test_online_example_runs_against_the_model() -> None:
    script = [
        "```python\nprint('all tests passed')\n```",
        "The tests pass. TERMINATE",
    ]
    with StubModel(script) as model:
        env = clean_env(OAI_CONFIG_LIST=json.dumps([entry(model)]), HITL_EXAMPLES_ONLINE="1")
        done = run([sys.executable, "never_palindrome.py"], env, cwd=ROOT / "examples")
    assert done.returncode == 0, done.stderr
    assert "NEVER: the code ran, nobody was asked" in done.stdout
    assert len(model.completions()) == 2
    system = model.completions()[0]["messages"][0]
    assert system["role"] == "system"
    assert "Python code writer" in system["content"]
