"""Approval at the point of execution: a gated proxy runs only the code and calls the human approved.

The proxy's policy approves content at the message (an ``ApproveCode`` or ``ApproveTools`` question answered
with Enter). This module holds those approvals, bound to content and used once, and enforces them where
AutoGen actually executes, whatever AutoGen's scan window picked:

- the proxy's code-execution reply functions (the legacy runner and the ``executor`` one) are wrapped: a
  *probe* runs AutoGen's own reply function with execution intercepted, to learn exactly which blocks it
  is about to run; blocks not approved are asked about (awaited in async chats), then the reply function
  runs for real;
- the proxy's tool and function-call reply functions are wrapped the same way, from the calls of the
  message they answer;
- underneath, ``execute_code_blocks``, the code executor and ``execute_function`` / ``a_execute_function``
  check every gated block and call once more and take its approval; one without an approval is asked
  about there, and refused if the human does not approve it.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from ...core.approval import Approval, Gates, code_approval, tool_approval
from ...core.calls import call_of, tool_calls
from ...core.code import UNKNOWN, infer_language
from . import compat as _compat

if TYPE_CHECKING:
    from .proxy import PolicyUserProxy

__all__ = [
    "REFUSED",
    "ExecutionGate",
    "Verdict",
    "WrappedExecutor",
]

#: What a refused code block or call returns in place of its output.
REFUSED = "USER INTERRUPTED: not run, the human did not approve it"

#: A code block about to run: its language tag, its code, and whether what runs it goes by the tag.
Block = tuple[str, str, bool]
#: The blocks a probe found (set while AutoGen's code-execution reply runs with execution intercepted).
_PROBE: ContextVar[list[Block] | None] = ContextVar("hitl_probe", default=None)

Reply = tuple[bool, Any]
_NOTHING: Any = object()


@dataclass(frozen=True, slots=True)
class Verdict:
    """The human's answer to an approval asked at the point of execution."""

    kind: Literal["approve", "reject", "stop"]
    answer: str = ""


#: How the gate asks the human about items held back at the point of execution: ``(kind, items, messages,
#: sender)`` to a verdict (``kind`` is ``"code"`` or ``"call"``).
Ask = Callable[[str, list[tuple[str, str]], Any, Any], Verdict]
AsyncAsk = Callable[[str, list[tuple[str, str]], Any, Any], Awaitable[Verdict]]


class ExecutionGate:
    """One proxy's approvals and its gated execution paths.

    The proxy gives what the gate needs of it: its gates, how to ask the human (sync and async), and
    the reply a refusal or stop becomes.
    """

    def __init__(
        self,
        proxy: PolicyUserProxy,
        *,
        gates: Callable[[], Gates | None],
        ask: Ask,
        a_ask: AsyncAsk,
        refusal_reply: Callable[[Verdict, Any, Any], Reply],
    ) -> None:
        self.proxy = proxy
        self._gates = gates
        self._ask = ask
        self._a_ask = a_ask
        self._refusal_reply = refusal_reply
        self._approved: Counter[Approval] = Counter()
        self._lock = threading.Lock()
        self.verdict: Verdict | None = None  # a refusal or stop decided under a wrapped reply function
        self.installed = False
        self.async_excluded: list[Callable[..., Any]] = []  # sync wrappers that async chats skip

    # -- approvals ------------------------------------------------------------------------------------------
    def clear(self) -> None:
        """Forget every approval not used yet (a new message is being decided)."""
        if self._approved:
            with self._lock:
                self._approved.clear()

    def grant(self, approvals: Iterable[Approval]) -> None:
        """Approve each item once more."""
        with self._lock:
            self._approved.update(approvals)

    def _missing(self, wanted: list[Approval]) -> list[int]:
        """Return the indices of ``wanted`` items with no approval left (counting repeats)."""
        if not wanted:
            return []
        with self._lock:
            left = Counter(self._approved)
        missing = []
        for index, item in enumerate(wanted):
            if left[item] > 0:
                left[item] -= 1
            else:
                missing.append(index)
        return missing

    def _take(self, wanted: list[Approval]) -> bool:
        """Use one approval for each item, all or none; False if any is missing."""
        with self._lock:
            need = Counter(wanted)
            if any(self._approved[item] < count for item, count in need.items()):
                return False
            self._approved.subtract(need)
            return True

    # -- what is gated ----------------------------------------------------------------------------------------
    @property
    def gates(self) -> Gates | None:
        return self._gates()

    def gated_blocks(self, blocks: Iterable[Block]) -> list[tuple[str, str]]:
        """Return the blocks the gates hold back, each with the language AutoGen runs it in.

        A gate for some languages only trusts the tag where what runs the code goes by it (AutoGen's
        legacy runner, its command-line executors); an executor that runs every block alike (a Jupyter
        kernel, your own) has each of its blocks gated.
        """
        gates = self.gates
        if gates is None or not gates.code:
            return []
        found = []
        for language, code, by_language in blocks:
            language = language or infer_language(code)
            if language == UNKNOWN:
                language = ""
            if not by_language or gates.gates_code(language):
                found.append((language, code))
        return found

    def gated_calls(self, calls: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        """Return the calls the gates hold back: those of gated names the proxy can execute."""
        gates = self.gates
        if gates is None or not gates.tools:
            return []
        can_run = self.proxy._function_map
        return [(name, arguments) for name, arguments in calls if name in can_run and gates.gates_call(name)]

    # -- wrapped reply functions -------------------------------------------------------------------------------
    def probe(
        self, original: Callable[..., Reply], messages: Any, sender: Any, config: Any
    ) -> tuple[list[Block], Reply]:
        """Run AutoGen's code-execution reply with execution intercepted; return the blocks it would run.

        Nothing of the proxy's own runs meanwhile: ``execute_code_blocks`` (a subclass's override too) is
        replaced on the instance by a recorder for the duration, and the executor records instead of running.
        Also returns what the reply function returned: when it found no block to run, that is its reply.
        """
        found: list[Block] = []
        proxy = self.proxy
        own = proxy.__dict__
        replaced = own.get("execute_code_blocks", _NOTHING)

        def record(code_blocks: Any) -> tuple[int, str]:
            found.extend((language, code, True) for language, code in code_blocks)
            return 0, ""

        own["execute_code_blocks"] = record
        token = _PROBE.set(found)
        quiet = _compat.silence()
        try:
            reply = original(proxy, messages, sender, config)
        finally:
            _compat.unsilence(quiet)
            _PROBE.reset(token)
            if replaced is _NOTHING:
                del own["execute_code_blocks"]
            else:
                own["execute_code_blocks"] = replaced
        return found, reply

    def code_pending(
        self, original: Callable[..., Reply], messages: Any, sender: Any, config: Any
    ) -> tuple[list[tuple[str, str]], Reply | None]:
        """Return the unapproved gated blocks the reply function would run, and its reply if it runs none.

        A reply function that finds no code block runs nothing and prints nothing: the probe's run was
        the real one, and its reply (second) is the reply; it is ``None`` when the function must run.
        """
        gates = self.gates
        if gates is None or not gates.code:
            return [], None
        found, reply = self.probe(original, messages, sender, config)
        if not found:
            return [], reply
        blocks = self.gated_blocks(found)
        missing = self._missing([code_approval(code) for _, code in blocks])
        return [blocks[index] for index in missing], None

    def calls_pending(self, messages: Any, sender: Any) -> list[tuple[str, str]]:
        gates = self.gates
        if gates is None or not gates.tools:
            return []
        if messages is None:
            messages = self.proxy._oai_messages[sender]
        if not messages:
            return []
        message = messages[-1]
        if not message.get("tool_calls") and not message.get("function_call"):
            return []  # no call to run
        calls = self.gated_calls(tool_calls(message))
        missing = self._missing([tool_approval(name, arguments) for name, arguments in calls])
        return [calls[index] for index in missing]

    def after(self, reply: Reply, messages: Any, sender: Any) -> Reply:
        """Apply a refusal or stop decided at the point of execution to the reply function's result."""
        verdict, self.verdict = self.verdict, None
        if verdict is None:
            return reply
        return self._refusal_reply(verdict, messages, sender)

    def pending_approvals(self, kind: str, items: list[tuple[str, str]]) -> list[Approval]:
        """Return the approvals that an Enter on a question about ``items`` gives."""
        if kind == "code":
            return [code_approval(code) for _, code in items]
        return [tool_approval(name, arguments) for name, arguments in items]

    # -- the point of execution ---------------------------------------------------------------------------------
    def check_blocks(self, blocks: list[Block]) -> bool:
        """Take the approvals of ``blocks`` about to run, asking about any without one; False: refused."""
        gated = self.gated_blocks(blocks)
        if not gated:
            return True
        wanted = [code_approval(code) for _, code in gated]
        if self._take(wanted):
            return True
        missing = [gated[index] for index in self._missing(wanted)]
        verdict = self._ask("code", missing, None, None)
        return self._settle(verdict, wanted, [code_approval(code) for _, code in missing])

    def check_call(self, function: Mapping[str, Any]) -> Verdict | None:
        """Take the approval of one call about to run, asking if it has none; return the refusal, or None.

        A refusal here answers this call alone (the calls of the same message that ran keep their results);
        ``exit`` also stops the chat.
        """
        unapproved = self._unapproved_call(function)
        if unapproved is None:
            return None
        call, wanted = unapproved
        return self._settle_call(self._ask("call", call, None, None), wanted)

    async def a_check_call(self, function: Mapping[str, Any]) -> Verdict | None:
        """Like ``check_call``, awaiting the human."""
        unapproved = self._unapproved_call(function)
        if unapproved is None:
            return None
        call, wanted = unapproved
        return self._settle_call(await self._a_ask("call", call, None, None), wanted)

    def _unapproved_call(self, function: Mapping[str, Any]) -> tuple[list[tuple[str, str]], list[Approval]] | None:
        """Return the gated call and the approval it needs, if it has none (one it has is taken); else None."""
        call = self.gated_calls([call_of(function)])
        if not call:
            return None
        wanted = [tool_approval(*call[0])]
        return None if self._take(wanted) else (call, wanted)

    def _settle_call(self, verdict: Verdict, wanted: list[Approval]) -> Verdict | None:
        if verdict.kind == "approve":
            self.grant(wanted)
            self._take(wanted)
            return None
        if verdict.kind == "stop":
            self.verdict = verdict
        return verdict

    def _settle(self, verdict: Verdict, wanted: list[Approval], asked: list[Approval]) -> bool:
        if verdict.kind == "approve":
            self.grant(asked)
            return self._take(wanted)
        self.verdict = verdict
        return False


class WrappedExecutor:
    """A code executor in front of another: everything but what a subclass overrides is the wrapped one's."""

    def __init__(self, inner: Any) -> None:
        object.__setattr__(self, "hitl_inner", inner)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.hitl_inner, name)

    @property
    def code_extractor(self) -> Any:
        """The wrapped executor's (read by AutoGen on every message: faster here than through ``__getattr__``)."""
        return self.hitl_inner.code_extractor

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.hitl_inner!r})"


class GatedExecutor(WrappedExecutor):
    """A proxy's code executor, seen through its gate: every block it runs needs an approval.

    Everything but ``execute_code_blocks`` is the wrapped executor's own (``work_dir``, ``code_extractor``,
    ``restart``...); ``PolicyUserProxy.code_executor`` returns the wrapped executor itself.
    """

    def __init__(self, inner: Any, gate: ExecutionGate) -> None:
        super().__init__(inner)
        object.__setattr__(self, "_hitl_gate", gate)
        object.__setattr__(self, "_by_language", _compat.runs_by_language(inner))

    def execute_code_blocks(self, code_blocks: list[Any]) -> Any:
        """Run ``code_blocks`` if every gated one is approved (asking about the others); else refuse them all."""
        blocks = [(block.language, block.code, self._by_language) for block in code_blocks]
        if probing(blocks):
            return _compat.CodeResult(exit_code=0, output="")
        if not self._hitl_gate.check_blocks(blocks):
            return _compat.CodeResult(exit_code=1, output=REFUSED)
        return self.hitl_inner.execute_code_blocks(code_blocks)


def probing(blocks: list[Block]) -> bool:
    """If a probe is under way, note ``blocks`` as what would run and return True (nothing runs)."""
    found = _PROBE.get()
    if found is None:
        return False
    found.extend(blocks)
    return True
