"""The ``hitl`` command: ``demo``, ``check`` and ``schema``.

``hitl demo`` runs a conversation in the terminal with the policy you choose, ``hitl check FILE`` validates a
configuration file and shows what it builds, ``hitl schema`` prints the JSON Schema of configuration files.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import re
import reprlib
import sys
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import __version__
from .adapters.autogen.compat import ConversableAgent
from .adapters.autogen.proxy import PolicyUserProxy
from .core.conditions import Keyword
from .core.context import TurnContext
from .core.errors import ConfigurationError, HitlError
from .core.limits import Limits
from .core.policies import Decision, InputPolicy
from .core.spec import POLICY_NAMES, format_policy, parse_policy
from .core.text import visible
from .inputs import ConsoleInput, HumanInput, ScriptedInput
from .stores.audit import DecisionRecord

__all__ = ["SCHEMA_ID", "llm_config", "main"]

# -- the offline assistant ---------------------------------------------------------------------------------------

_PLAN, _CODE, _QUESTION, _SAVE, _DONE = range(5)
_SAVE_CALL: dict[str, Any] = {
    "content": None,
    "tool_calls": [
        {
            "id": "call_save",
            "type": "function",
            "function": {"name": "save_file", "arguments": '{"path": "palindrome.py"}'},
        }
    ],
}
_ACCENTED = "Ésope reste ici et se repose"
#: A quoted text: 'single' (not an apostrophe, as in "don't"), "double" or “typographic”.
_QUOTED = re.compile(r"(?<!\w)'([^']*)'(?!\w)|\"([^\"]*)\"|“([^”]*)”")
_YES = re.compile(r"\s*(y|yes|yeah|sure|ok|okay)\b", re.IGNORECASE)
_NO = re.compile(r"\s*(n|no|nope|don't|do not|keep)\b", re.IGNORECASE)


class _Draft:
    """What the human has asked of the palindrome check so far, and the code that follows from it."""

    def __init__(self) -> None:
        self.samples = ["racecar", "A man, a plan, a canal: Panama", "autogen"]
        self.typed = False
        self.accents = False
        self.notes: list[str] = []

    def take(self, feedback: str, *, answers_question: bool) -> str:
        """Take the human's feedback into account; say what changed, in a sentence."""
        changes: list[str] = []
        asked = [next(part for part in match.groups() if part is not None) for match in _QUOTED.finditer(feedback)]
        if re.search(r"\bempty\b", feedback, re.IGNORECASE):
            asked.append("")
        added = [sample for sample in dict.fromkeys(asked) if sample not in self.samples]
        if added:
            self.samples.extend(added)
            changes.append(f"I added {', '.join(map(repr, added))} to the tests.")
        wants_types = re.search(r"type.?hint|annotat|\btyped\b|\btypes\b", feedback, re.IGNORECASE) is not None
        if wants_types and not self.typed:
            self.typed = True
            changes.append("I added type hints.")
        refuses_accents = answers_question and _NO.match(feedback) is not None
        wants_accents = not refuses_accents and (
            re.search(r"accent", feedback, re.IGNORECASE) is not None
            or (answers_question and _YES.match(feedback) is not None)
        )
        if refuses_accents:
            changes.append("Accented letters stay distinct from plain ones.")
        elif wants_accents and not self.accents:
            self.accents = True
            self.samples.append(_ACCENTED)
            changes.append(f"Accented letters now count as plain ones, tested with {_ACCENTED!r}.")
        if changes:
            return " ".join(changes)
        if asked or wants_types or wants_accents:
            return "The code already does that."
        self.notes.append(visible(" ".join(feedback.split())))  # one line: a comment cannot end and become code
        return "Offline I can only note that in the code; a real model would act on it (hitl demo --online)."

    def code(self) -> str:
        """Write the code block as the feedback so far shapes it."""
        signature = "def is_palindrome(text: str) -> bool:" if self.typed else "def is_palindrome(text):"
        lines = ["```python"]
        if self.accents:
            lines += ["import unicodedata", ""]
        lines += [signature]
        lines += [f"    # You asked: {note}" for note in self.notes]
        if self.accents:
            lines += ["    text = unicodedata.normalize('NFKD', text)  # é -> e + an accent, which is dropped"]
        lines += [
            "    letters = [c.lower() for c in text if c.isalnum()]",
            "    return letters == letters[::-1]",
            "",
            f"for sample in {self.samples!r}:",
            "    print(repr(sample), is_palindrome(sample))",
            "```",
        ]
        return "\n".join(lines)


class DemoAssistant(ConversableAgent):  # type: ignore[misc]  # AutoGen ships no type information
    """The offline demo's assistant: a palindrome task in five steps, which answers the human's feedback.

    It plans, writes and tests ``is_palindrome``, asks a question, calls a tool and finishes, like a
    model would. When the human types feedback instead of pressing Enter, its next message quotes
    the feedback and rewrites the code to follow it ("also test an empty string" adds ``''`` to the
    tests, "add type hints" adds them, "yes" to its question changes the function), so the human
    sees what their answer did.
    """

    def __init__(self, name: str = "assistant") -> None:
        super().__init__(name, llm_config=False, human_input_mode="NEVER", code_execution_config=False)
        self.draft = _Draft()
        self._next = _PLAN  # the step to send when no feedback comes
        self._last = -1  # the step of the message sent last
        # Where a model would answer: after the termination check, tool calls and code execution.
        self.register_reply([ConversableAgent, None], DemoAssistant._reply, position=len(self._reply_func_list))

    def _reply(self, messages: Any = None, sender: Any = None, config: Any = None) -> tuple[bool, Any]:
        feedback = _feedback(sender)
        if feedback is not None:
            change = self.draft.take(feedback, answers_question=self._last == _QUESTION and not self.draft.accents)
            if self._last in (_SAVE, _DONE):  # the human held it back: offer it again after the change
                self._next = self._last
            elif self._next == _CODE:  # the code is in this reply
                self._next = _QUESTION
            self._last = _CODE
            said = visible(feedback)
            said = f'"{said}"' if said.endswith((".", "!", "?")) else f'"{said}".'
            return True, f"You said: {said} {change}\n\n{self.draft.code()}"
        if self._next > _DONE:
            return True, None  # no reply: the chat ends
        self._last, self._next = self._next, self._next + 1
        return True, self._message(self._last)

    def _message(self, step: int) -> str | dict[str, Any]:
        if step == _PLAN:
            return "Plan: write is_palindrome(text) that ignores case and non-letters, then test it."
        if step == _CODE:
            return self.draft.code()
        if step == _QUESTION:
            if self.draft.accents:
                return "The tests pass, accented letters included. Next, I save the file."
            return "The tests pass. Should it also treat accented letters as plain ones (é as e)?"
        if step == _SAVE:
            return copy.deepcopy(_SAVE_CALL)  # a fresh copy: AutoGen keeps the message
        return "Done: is_palindrome is written, tested and saved. TERMINATE"


def _feedback(sender: object) -> str | None:
    """Return what the human typed in reply to the assistant's last message, if they typed something."""
    decisions = getattr(sender, "decisions", None)
    if not decisions:
        return None
    last: DecisionRecord = decisions[-1]
    if last.outcome == "human_reply" and last.asked and last.answer:
        return last.answer
    return None


# -- what the demo prints ----------------------------------------------------------------------------------------


class _Narrator:
    """An audit sink that says, for every message, whether the human was asked and why."""

    def write(self, record: DecisionRecord) -> None:
        where = f"[hitl] message {record.turn} from {record.sender}"
        if record.asked:
            answered = {"timeout": " (timed out)", "eof": " (input closed)", "interrupt": " (interrupted)"}.get(
                record.input_event or "", ""
            )
            print(f"{where}: you answered {record.answer!r}{answered} -> {_outcome(record)}", flush=True)
        else:
            print(f"{where}: not asked ({record.fired}: {record.reason}) -> {_outcome(record)}", flush=True)


def _outcome(record: DecisionRecord) -> str:
    if record.outcome == "stop":
        return f"stop ({record.stop_reason})"
    return record.outcome.replace("_", "-")


class DemoProxy(PolicyUserProxy):
    """A proxy that tells the human why they are asked, before the prompt."""

    def build_prompt(self, ctx: TurnContext, decision: Decision) -> str:
        """Prefix AutoGen's prompt with the reason for asking."""
        why = f"\n[hitl] asking you about message {ctx.turn} because {decision.policy!r}: {decision.reason}\n"
        return why + super().build_prompt(ctx, decision)


# -- a real model ------------------------------------------------------------------------------------------------

DEFAULT_MODEL = "gpt-4o-mini"
_SYSTEM_MESSAGE = "You are a Python code writer. Complete the task, test your code, reply TERMINATE when done."


def _require_openai() -> None:
    """Fail with one line that says what to install when the ``openai`` package is missing."""
    try:
        import openai  # noqa: F401
    except ImportError:
        from .adapters.autogen.compat import AUTOGEN_DISTRIBUTION

        if AUTOGEN_DISTRIBUTION == "autogen":  # AG2 classic, installed beside hitl without pyautogen
            fix = 'pip install "autogen[openai]"'
        else:
            fix = 'pip install "autogen-hitl[openai]" (in a checkout: pip install -e ".[openai]")'
        raise ConfigurationError(f"a real model needs the openai package, which is not installed: {fix}") from None


def llm_config(model: str | None = None) -> dict[str, Any]:
    """Return AutoGen's ``llm_config`` for a real model, from the environment, as ``hitl demo --online`` uses it.

    ``OAI_CONFIG_LIST`` (a JSON file's path, or the JSON text itself, as in AutoGen) wins; ``model`` keeps
    the entries of that model. Otherwise ``OPENAI_API_KEY`` gives one entry for ``model`` (default
    ``gpt-4o-mini``), at ``OPENAI_BASE_URL`` when that is set. Answers are not cached. The examples use it too.

    Raises:
        ConfigurationError: the ``openai`` package is missing (the message says what to install), neither
            variable is set, the list cannot be read, or it has no entry for ``model``.
    """
    _require_openai()
    # cache_seed None: every answer comes from the model (pyautogen 0.2 would otherwise replay answers it
    # cached in ./.cache, and write that directory wherever the command runs).
    return {"config_list": _config_list(model), "temperature": 0, "cache_seed": None}


def _config_list(model: str | None) -> list[dict[str, Any]]:
    source = os.environ.get("OAI_CONFIG_LIST", "").strip()
    if source:
        configs = _read_config_list(source)
        if model is not None:
            models = sorted({str(entry.get("model")) for entry in configs})
            configs = [entry for entry in configs if entry.get("model") == model]
            if not configs:
                raise ConfigurationError(f"OAI_CONFIG_LIST has no entry for the model {model!r} (it has {models})")
        return configs
    key = os.environ.get("OPENAI_API_KEY", "").strip()
    if key:
        entry = {"model": model or DEFAULT_MODEL, "api_key": key}
        if os.environ.get("OPENAI_BASE_URL"):
            entry["base_url"] = os.environ["OPENAI_BASE_URL"]
        return [entry]
    raise ConfigurationError(
        "a real model needs OAI_CONFIG_LIST (a JSON list such as "
        '[{"model": "gpt-4o-mini", "api_key": "...", "base_url": "..."}], or the path of a file holding one) '
        "or OPENAI_API_KEY in the environment"
    )


def _read_config_list(source: str) -> list[dict[str, Any]]:
    """Read OAI_CONFIG_LIST as AutoGen does: the path of a JSON file, or JSON text. Never shows its content."""
    path = Path(source).expanduser()
    if not source.startswith(("[", "{")) and path.is_file():
        where = f"OAI_CONFIG_LIST ({path})"
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigurationError(f"{where} could not be read: {exc}") from None
    elif source.startswith(("[", "{")):
        where, text = "OAI_CONFIG_LIST", source
    else:
        raise ConfigurationError(f"OAI_CONFIG_LIST is neither JSON text nor the path of a file: no file {source!r}")
    try:
        configs = json.loads(text)
    except ValueError as exc:  # the message gives the line and column, not the text (it holds keys)
        raise ConfigurationError(f"{where} is not valid JSON: {exc}") from None
    if isinstance(configs, dict):
        configs = [configs]
    if not isinstance(configs, list) or not configs:
        raise ConfigurationError(f"{where} must be a non-empty JSON list of model entries")
    for number, entry in enumerate(configs, start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("model"), str):
            raise ConfigurationError(f'{where}: entry {number} must be an object with a "model" name')
    return configs


def _model_assistant(model: str | None) -> Any:
    from .adapters.autogen.compat import AssistantAgent

    return AssistantAgent("assistant", llm_config=llm_config(model), system_message=_SYSTEM_MESSAGE)


# -- hitl demo ---------------------------------------------------------------------------------------------------


def demo(args: argparse.Namespace) -> int:
    """Run the demo conversation."""
    policy: InputPolicy = args.policy
    if args.online:  # a real model's code runs on this machine (no Docker): never without the human's approval
        from .core.approval import ApproveCode

        policy = policy | ApproveCode()
        assistant = _model_assistant(args.model)  # before anything is shown: a missing package or key is one line
    else:
        assistant = DemoAssistant()
    human: HumanInput = ScriptedInput(args.answers) if args.answers is not None else ConsoleInput()
    saved: list[str] = []

    def save_file(path: str) -> str:
        saved.append(path)
        return f"saved {path}"

    with tempfile.TemporaryDirectory(prefix="hitl-demo-") as work_dir:
        proxy = DemoProxy(
            "user",
            policy=policy,
            limits=Limits(max_consecutive_auto_reply=args.limit, max_turns=args.max_turns),
            is_termination_msg=Keyword("TERMINATE"),
            human_input=human,
            function_map={"save_file": save_file},
            code_execution_config={"work_dir": work_dir, "use_docker": False, "timeout": 30},
            audit=_Narrator(),
        )
        print(f"[hitl] policy: {policy!r}   limits: {proxy.limits!r}")
        print(
            "[hitl] answers: Enter = let the auto-reply happen (or stop at the end), 'exit' = stop, "
            "anything else = your reply\n",
            flush=True,
        )
        proxy.initiate_chat(assistant, message="Write a function to check if a string is a palindrome. Test it.")
    asked = sum(1 for record in proxy.decisions if record.asked)
    print(f"\n[hitl] done: {len(proxy.decisions)} decisions, you were asked {asked} time(s).")
    return 0


def _run_demo(args: argparse.Namespace) -> int:
    try:
        return demo(args)
    except (HitlError, ValueError) as exc:
        print(f"hitl: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        if not _is_openai_error(exc):
            raise
        text = " ".join(str(exc).split()) or "no message"
        print(
            f"hitl: the model request failed ({type(exc).__name__}: {text}); "
            "check the model, api_key and base_url in OAI_CONFIG_LIST (or OPENAI_API_KEY)",
            file=sys.stderr,
        )
        return 1


def _is_openai_error(exc: BaseException) -> bool:
    openai = sys.modules.get("openai")
    error = getattr(openai, "OpenAIError", None)
    return isinstance(error, type) and isinstance(exc, error)


# -- hitl schema -------------------------------------------------------------------------------------------------

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
#: Names the schema of configuration format 1 (``version: 1``); it changes only with the format.
SCHEMA_ID = "https://autogen-hitl.github.io/autogen-hitl/schema/proxy-config-v1.json"


def schema() -> dict[str, Any]:
    """Return the JSON Schema of configuration files, with its dialect (``$schema``) and its name (``$id``)."""
    from .config import json_schema

    return {"$schema": JSON_SCHEMA_DIALECT, "$id": SCHEMA_ID, **json_schema()}


# -- hitl check --------------------------------------------------------------------------------------------------


def check(paths: Sequence[str]) -> int:
    """Validate configuration files; print what each builds, or each error with its place. 0 if all are valid."""
    status = 0
    for path in paths:
        status = max(status, _check_one(Path(path)))
    return status


def _check_one(path: Path) -> int:
    from pydantic import ValidationError

    from .config import load_config

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            config = load_config(path)
        except (ConfigurationError, OSError) as exc:
            print(f"hitl check: {_os_error(exc, path) if isinstance(exc, OSError) else exc}", file=sys.stderr)
            return 1
        except ValidationError as exc:
            errors = exc.errors(include_url=False)
            print(
                f"hitl check: {path} is not a valid configuration ({_plural(len(errors), 'error')}):", file=sys.stderr
            )
            for line in _explain(errors, path):
                print(f"  {line}", file=sys.stderr)
            return 1
    print(f"{path}: valid")
    for label, value in _describe(config):
        print(f"  {label + ':':<16}{value}")
    for warning in caught:
        print(f"{path}: warning: {warning.message}", file=sys.stderr)
    return 0


def _os_error(exc: OSError, path: Path) -> str:
    return f"{path}: {exc.strerror or exc}"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _describe(config: Any) -> list[tuple[str, str]]:
    """Say what a valid configuration builds, line by line, in the built objects' own reprs."""
    from .config import build_auto_reply, build_termination

    execution = config.code_execution
    if execution is None:
        runs = "none (code blocks are not run)"
    else:
        where = "this machine (use_docker: false)" if execution.use_docker is False else "Docker"
        if execution.use_docker not in (True, False):
            where = f"Docker ({execution.use_docker!r})"
        runs = f"on {where}, work_dir={execution.work_dir!r}, timeout={execution.timeout!r}"
    human = config.human_input
    return [
        ("name", repr(config.name)),
        ("policy", f"{config.policy!r}   (from {format_policy(config.policy)!r})"),
        ("limits", repr(config.limits)),
        (
            "termination",
            "AutoGen's default (a message that is exactly 'TERMINATE')"
            if config.termination is None
            else repr(build_termination(config.termination)),
        ),
        (
            "auto-reply",
            "AutoGen's default (an empty reply)"
            if config.auto_reply is None
            else repr(build_auto_reply(config.auto_reply)),
        ),
        ("human input", f"{human.kind}: {human.build()!r}"),
        ("code execution", runs),
    ]


def _explain(errors: Sequence[Any], path: Path) -> list[str]:
    """One line per validation error, in the file's order: its place when found, the field and the message."""
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix.lower() == ".json" else _yaml_data(text)
    except Exception:  # it was read once already; if not again, the errors go without places
        text, data = "", None
    located: list[tuple[int, str]] = []
    for error in errors:
        loc = tuple(error.get("loc", ()))
        message = str(error.get("msg", "")).removeprefix("Value error, ")
        if error.get("type") == "extra_forbidden" and loc:
            field = _field_path(data, loc[:-1], last_may_be_missing=False)
            message = f"unknown field {loc[-1]!r}{_did_you_mean(loc)}"
        else:
            field = _field_path(data, loc)
            if error.get("type") not in ("missing", "value_error", "assertion_error") and "input" in error:
                message += f" (got {reprlib.repr(error['input'])})"
        offset = _offset(text, path, loc)
        place = str(path) if offset is None else f"{path}, {_line_column(text, offset)}"
        located.append((len(text) if offset is None else offset, f"{place}: {field + ': ' if field else ''}{message}"))
    return [line for _, line in sorted(located, key=lambda pair: pair[0])]  # stable: pydantic's order within a place


def _yaml_data(text: str) -> Any:
    import yaml  # type: ignore[import-untyped, unused-ignore]

    return yaml.safe_load(text)


def _field_path(data: Any, loc: tuple[Any, ...], *, last_may_be_missing: bool = True) -> str:
    """Name the error's field as the file writes it: ``limits.max_turns``, ``auto_reply.rules[0].when``.

    Pydantic's locations also hold the names of union members (``termination.keyword.word``), which are not
    in the file: a part is kept when the file has it, or when it is the last part and names a missing key.
    """
    shown = ""
    node = data
    for number, part in enumerate(loc):
        if isinstance(node, dict) and part in node:
            shown, node = f"{shown}.{part}" if shown else str(part), node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            shown, node = f"{shown}[{part}]", node[part]
        elif last_may_be_missing and number == len(loc) - 1 and isinstance(node, dict) and isinstance(part, str):
            shown = f"{shown}.{part}" if shown else part
    return shown


def _did_you_mean(loc: tuple[Any, ...]) -> str:
    """Suggest the field a misspelt key was meant to be, from the models it could belong to."""
    import difflib
    import typing

    from pydantic import BaseModel

    from .config import ProxyConfig

    def models(annotation: Any) -> list[type[BaseModel]]:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return [annotation]
        return [model for arg in typing.get_args(annotation) for model in models(arg)]

    candidates: list[type[BaseModel]] = [ProxyConfig]
    for part in loc[:-1]:
        inner = [
            model
            for candidate in candidates
            if isinstance(part, str) and part in candidate.model_fields
            for model in models(candidate.model_fields[part].annotation)
        ]
        tagged = [candidate for candidate in candidates if _kind(candidate) == part]  # a union member, by its tag
        candidates = inner or tagged or candidates  # else a list index: the same models
    names = sorted({name for candidate in candidates for name in candidate.model_fields})
    close = difflib.get_close_matches(str(loc[-1]), names, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else f" (known: {', '.join(names)})"


def _kind(model: Any) -> object:
    field = model.model_fields.get("kind")
    return None if field is None else field.default


def _offset(text: str, path: Path, loc: tuple[Any, ...]) -> int | None:
    """Where the deepest part of ``loc`` that the file's text holds starts, if it can be found."""
    if not text:
        return None
    try:
        return _json_offset(text, loc) if path.suffix.lower() == ".json" else _yaml_offset(text, loc)
    except Exception:  # locating is best effort: the error itself is what matters
        return None


def _line_column(text: str, offset: int) -> str:
    line_start = text.rfind("\n", 0, offset) + 1
    return f"line {text.count(chr(10), 0, offset) + 1}, column {offset - line_start + 1}"


_JSON_SPACE = re.compile(r"[ \t\n\r]*")


def _json_offset(text: str, loc: tuple[Any, ...]) -> int | None:
    """Find ``loc`` in JSON text: the offset of the deepest key (or list item) of it that the text holds."""
    decoder = json.JSONDecoder()

    def skip(at: int) -> int:
        return _JSON_SPACE.match(text, at).end()  # type: ignore[union-attr]  # the pattern matches anywhere

    found: int | None = None
    at = skip(0)
    for part in loc:
        if text.startswith("{", at) and isinstance(part, str):
            index, target = skip(at + 1), None
            while text.startswith('"', index):
                key, index = json.decoder.scanstring(text, index + 1)  # type: ignore[attr-defined]
                value = skip(skip(index) + 1)  # past the colon
                if key == part:
                    target = (index - len(json.dumps(key)), value)  # the last duplicate wins, as in json.loads
                index = skip(decoder.raw_decode(text, value)[1])
                index = skip(index + 1) if text.startswith(",", index) else index
            if target is not None:
                found, at = target
        elif text.startswith("[", at) and isinstance(part, int):
            index = skip(at + 1)
            for _ in range(part):
                index = skip(skip(decoder.raw_decode(text, index)[1]) + 1)
            found = at = index
    return found


def _yaml_offset(text: str, loc: tuple[Any, ...]) -> int | None:
    """Find ``loc`` in YAML text, from the nodes PyYAML composes (with their positions)."""
    import yaml

    node = yaml.compose(text, Loader=yaml.SafeLoader)
    found: int | None = None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                    found, node = key.start_mark.index, value
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            node = node.value[part]
            found = node.start_mark.index
    return found


# -- the command line --------------------------------------------------------------------------------------------


def _policy(text: str) -> InputPolicy:
    """Read ``--policy``: a bad one is argparse's usage error (exit code 2), its message naming the column."""
    try:
        return parse_policy(text)
    except ConfigurationError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hitl", description="Human-in-the-loop policies for AutoGen.")
    parser.add_argument("--version", action="version", version=f"autogen-hitl {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser(
        "demo",
        help="a conversation in the terminal with the policy you choose (offline by default)",
        description="Chat with a scripted assistant (or a real model with --online) and see when and why "
        "the policy asks you. Type feedback instead of pressing Enter, and the assistant acts on it.",
    )
    run.add_argument(
        "--policy",
        type=_policy,
        default="terminate",
        help="never | terminate | always, or a composition such as 'terminate | code' or 'always & ~question' "
        f"(names: {', '.join(POLICY_NAMES)}); default: terminate",
    )
    run.add_argument("--limit", type=int, default=10, help="max consecutive auto-replies (default 10)")
    run.add_argument("--max-turns", type=int, default=None, help="max turns of the chat (default: none)")
    run.add_argument("--answers", nargs="*", default=None, help="answer from this list instead of the keyboard")
    run.add_argument(
        "--online",
        action="store_true",
        help="use a real model (OAI_CONFIG_LIST or OPENAI_API_KEY; needs the openai extra); the policy is "
        "combined with approve_code, so the model's code runs on this machine only after you approve it",
    )
    run.add_argument(
        "--model",
        default=None,
        help="with --online: the model (keeps the OAI_CONFIG_LIST entries of that model; with OPENAI_API_KEY, "
        f"default {DEFAULT_MODEL})",
    )
    checking = commands.add_parser(
        "check",
        help="validate configuration files and show the proxy each one builds",
        description="Validate .json, .yaml or .yml proxy configuration files. For a valid file, print the policy, "
        "limits, termination, auto-reply, human input and code execution it builds (exit code 0); otherwise each "
        "error with its file, line and column (exit code 1).",
    )
    checking.add_argument("files", nargs="+", metavar="FILE", help="a configuration file")
    commands.add_parser(
        "schema",
        help="print the JSON Schema of proxy configuration files",
        description="Print the JSON Schema (draft 2020-12) of hitl.config.ProxyConfig, for editors to complete and "
        "check files.",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``hitl`` command line; return the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "schema":
            print(json.dumps(schema(), indent=2))
            return 0
        if args.command == "check":
            return check(args.files)
        if args.model is not None and not args.online:
            parser.error("--model goes with --online (the offline demo's assistant is scripted)")
        return _run_demo(args)
    except BrokenPipeError:  # what reads the output stopped early (`hitl schema | head`): no traceback
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # Python flushes stdout at exit
        return 1
