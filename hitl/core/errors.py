"""The exceptions that hitl raises, and its one warning, ConfigWarning.

Every exception class defined here derives from [`HitlError`][hitl.core.errors.HitlError], and from the builtin
exception that fits it, so both ``except hitl.HitlError`` and ``except ValueError`` work where you would expect
them to. Misuse of Python itself stays Python's: a wrong type or keyword is a ``TypeError``, a bad limit a
``pydantic.ValidationError``, an unknown question id a ``KeyError``.
"""

from __future__ import annotations

import os
import sys

__all__ = [
    "AutoReplyError",
    "ConfigWarning",
    "ConfigurationError",
    "HitlError",
    "InputExhaustedError",
    "PolicyError",
    "ScriptExhaustedError",
]


class HitlError(Exception):
    """Base class of every error raised by hitl.

    Examples:
        >>> import hitl
        >>> issubclass(hitl.PolicyError, hitl.HitlError)
        True
    """


class ConfigurationError(HitlError, ValueError):
    """A proxy, policy or provider was set up with values that cannot work together.

    The message names the argument, the value given and what to do instead, for example
    ``PolicyUserProxy got both policy=Never() and human_input_mode='ALWAYS'; give one of them``.
    """


class PolicyError(HitlError, RuntimeError):
    """A policy could not decide: its predicate raised, or returned something other than a bool.

    A policy that cannot decide never lets the conversation continue silently: the error reaches the
    caller of ``initiate_chat``, with the policy named and the original exception as ``__cause__``.
    """


class AutoReplyError(HitlError, RuntimeError):
    """An auto-reply strategy failed: its function raised, or produced something that is not a reply.

    Like a policy error, it reaches the caller of ``initiate_chat`` instead of sending a wrong reply.
    """


class InputExhaustedError(HitlError, LookupError):
    """A scripted human was asked for more answers than its script holds.

    The message quotes the prompt that found the script empty, so a test shows which question was
    not expected.
    """


class ScriptExhaustedError(HitlError, LookupError):
    """A scripted assistant was asked to reply after its last scripted reply."""


class ConfigWarning(UserWarning):
    """A configuration that works but is likely a mistake (it says what will happen and how to fix it)."""


def user_stacklevel() -> int:
    """Count the frames up to the first outside hitl, pydantic and asyncio, so a warning points at the user's line.

    Pass it as ``warnings.warn(..., stacklevel=user_stacklevel())`` from anywhere in hitl.
    """
    level = 1
    frame = sys._getframe(1)
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the hitl package, not just its core
    asyncio_dir = (
        os.path.dirname(os.path.abspath(sys.modules["asyncio"].__file__ or "")) if "asyncio" in sys.modules else ""
    )
    while frame is not None:
        path = os.path.abspath(frame.f_code.co_filename)
        if not path.startswith(here) and "pydantic" not in path and not (asyncio_dir and path.startswith(asyncio_dir)):
            return level
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    return 1
