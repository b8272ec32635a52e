"""The whole proxy in a configuration: ProxyConfig, its rules, and building and describing a proxy."""

from __future__ import annotations

import reprlib
import warnings
import weakref
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar, overload

from pydantic import PlainSerializer, PlainValidator, StrictStr, WithJsonSchema, field_validator, model_validator

from ..core.errors import ConfigurationError, ConfigWarning, user_stacklevel
from ..core.limits import Limits
from ..core.policies import Always, InputPolicy
from ..core.spec import format_policy, parse_policy
from ._auto_reply import AutoReplyConfig, build_auto_reply, describe_auto_reply
from ._code_execution import CodeExecutionConfig, describe_code_execution
from ._human_input import ConsoleInputConfig, HumanInputConfig, HumanInputField
from ._model import Model, checked_form
from ._termination import ConditionTermination, TerminationConfig, build_termination, describe_termination

if TYPE_CHECKING:
    from ..adapters.autogen.proxy import PolicyUserProxy

    _P = TypeVar("_P", bound=PolicyUserProxy)

#: What each proxy built from a configuration was built from (for ``ProxyConfig.of``): the settings a proxy
#: does not keep, such as ``acknowledge_local_execution``. Weak: it keeps no proxy alive.
_BUILT_FROM: weakref.WeakKeyDictionary[PolicyUserProxy, ProxyConfig] = weakref.WeakKeyDictionary()


def _policy_of(value: Any) -> InputPolicy:
    """Read a policy once: its text parsed, or a policy object that has a text form."""
    if isinstance(value, InputPolicy):
        try:
            format_policy(value)
        except ConfigurationError as exc:
            raise ValueError(str(exc)) from None
        return value
    if not isinstance(value, str):
        raise ValueError(f"policy is a text such as 'terminate | code(python)' (got {reprlib.repr(value)})")
    try:
        return parse_policy(value)
    except ConfigurationError as exc:
        raise ValueError(str(exc)) from None


#: A policy in a configuration: read from its text once, when the configuration is validated, and written
#: back as its canonical text.
PolicyField = Annotated[
    InputPolicy,
    PlainValidator(_policy_of),
    PlainSerializer(format_policy, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "description": "when the human is asked: never, terminate, always, or a composition such as "
            "'terminate | code(python)'",
        }
    ),
]


class ProxyConfig(Model):
    """A whole [`PolicyUserProxy`][hitl.adapters.autogen.proxy.PolicyUserProxy], validated: from a dict, JSON or YAML.

    Attributes:
        version: the configuration format: the whole number 1.
        name: the agent's name (not empty).
        system_message: as for AutoGen (used only with an LLM).
        description: as for AutoGen (``None``: AutoGen's default for the nearest mode).
        policy: when the human is asked, given as text: ``"never"``, ``"terminate"``, ``"always"`` or a
            composition such as ``"terminate | code(python)"`` (see [`hitl.core.spec`][hitl.core.spec]). The text is
            read once, when the configuration is validated: the field holds the policy itself
            (``Terminate() | When(has_code_block)``), and dumps back as its canonical text
            (``"Terminate|code"`` reads back as ``"terminate | code"``).
        limits: [`Limits`][hitl.core.limits.Limits].
        termination: the termination condition (``None``: AutoGen's, content equal to "TERMINATE").
            A plain string is a condition expression, such as ``"keyword(TERMINATE) | after(8)"``.
        auto_reply: the auto-reply (``None``: AutoGen's empty one). A plain string is a fixed reply.
        human_input: how the human is asked: a block of kind ``console`` (the default), ``scripted`` or ``queue``
            (see [`HumanInputConfig`][hitl.config.HumanInputConfig]).
        code_execution: how code runs; ``null`` or ``false`` (the default): no code runs.
    """

    version: Literal[1] = 1
    name: StrictStr
    system_message: StrictStr = ""
    description: StrictStr | None = None
    policy: PolicyField = Always()
    limits: Limits = Limits()
    termination: TerminationConfig | None = None
    auto_reply: AutoReplyConfig | None = None
    human_input: HumanInputField = ConsoleInputConfig()
    code_execution: CodeExecutionConfig | None = None

    @field_validator("version", mode="before")
    @classmethod
    def _a_version_number(cls, value: Any) -> Any:
        # Literal[1] alone takes True and 1.0, which equal 1.
        if type(value) is not int:
            raise ValueError(f"version is the configuration format, the whole number 1 (got {value!r})")
        return value

    @field_validator("name")
    @classmethod
    def _a_name(cls, value: str) -> str:
        if not value.strip():
            raise ValueError(f"name is the agent's name, which cannot be empty or only white space (got {value!r})")
        return value

    @field_validator("code_execution", mode="before")
    @classmethod
    def _code_execution_shorthand(cls, value: Any) -> Any:
        if value is False:
            return None
        return {} if value is True else value

    @field_validator("termination", mode="before")
    @classmethod
    def _termination_shorthand(cls, value: Any) -> Any:
        return {"kind": "condition", "expression": value} if isinstance(value, str) else value

    @field_validator("termination")
    @classmethod
    def _termination_canonical(cls, value: Any) -> Any:
        # One form per meaning, so that round trips compare equal: a lone keyword is a keyword.
        if isinstance(value, ConditionTermination):
            return describe_termination(build_termination(value))
        return value

    @field_validator("auto_reply", mode="before")
    @classmethod
    def _auto_reply_shorthand(cls, value: Any) -> Any:
        return {"kind": "static", "message": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _check_the_rules(self) -> ProxyConfig:
        policy = self.policy
        if not policy.can_ask and self.termination is None:
            limits = self.limits
            if limits.max_consecutive_auto_reply is None and limits.max_turns is None:
                raise ValueError(
                    f"policy {format_policy(policy)!r} never asks a human, and there is no termination condition "
                    "and no limit: "
                    "nothing you chose bounds the chat (only AutoGen's default of 100 consecutive auto-replies, or "
                    "a message that is exactly 'TERMINATE'). Set termination (e.g. {'kind': "
                    "'keyword', 'word': 'TERMINATE'}) and limits.max_consecutive_auto_reply or limits.max_turns"
                )
            limit = limits.max_turns if limits.max_consecutive_auto_reply is None else limits.max_consecutive_auto_reply
            warnings.warn(
                f"ProxyConfig {self.name!r}: policy {format_policy(policy)!r} never asks a human and there is no "
                "termination "
                f"condition, so every chat runs until its limit ({limit}). Set termination, for example "
                "{'kind': 'keyword', 'word': 'TERMINATE'}",
                ConfigWarning,
                stacklevel=user_stacklevel(),
            )
        execution = self.code_execution
        if execution is not None and execution.use_docker is False and not execution.acknowledge_local_execution:
            warnings.warn(
                f"ProxyConfig {self.name!r}: code_execution.use_docker is false, so code the model writes runs on "
                "this machine with your permissions. Use Docker, or set "
                "code_execution.acknowledge_local_execution: true to say you accept that",
                ConfigWarning,
                stacklevel=user_stacklevel(),
            )
        return self

    @overload
    def build(self, *, proxy_class: type[_P], **kwargs: Any) -> _P: ...
    @overload
    def build(self, **kwargs: Any) -> PolicyUserProxy: ...
    def build(self, *, proxy_class: type[PolicyUserProxy] | None = None, **kwargs: Any) -> PolicyUserProxy:
        """Build the proxy; ``kwargs`` (``function_map=``...) go to the proxy's constructor.

        A keyword the configuration also sets wins over it: ``build(human_input=ScriptedInput([...]))``
        tests a production configuration with a scripted human. ``proxy_class`` builds a subclass of
        ``PolicyUserProxy`` instead (what ``YourProxy.from_config`` does).
        """
        from ..adapters.autogen.proxy import PolicyUserProxy

        options: dict[str, Any] = {
            "policy": self.policy,
            "limits": self.limits,
            "is_termination_msg": None if self.termination is None else build_termination(self.termination),
            "auto_reply": None if self.auto_reply is None else build_auto_reply(self.auto_reply),
            "human_input": self.human_input.build(),
            "code_execution_config": False if self.code_execution is None else self.code_execution.to_autogen(),
            "system_message": self.system_message,
            "description": self.description,
        }
        if "human_input_mode" in kwargs:  # the caller's mode replaces the configured policy
            del options["policy"]
        if "max_consecutive_auto_reply" in kwargs and "limits" not in kwargs:  # with the configured max_turns
            options["limits"] = Limits(
                **{**self.limits.model_dump(), "max_consecutive_auto_reply": kwargs.pop("max_consecutive_auto_reply")}
            )
        if "default_auto_reply" in kwargs:
            del options["auto_reply"]
        proxy = (proxy_class or PolicyUserProxy)(kwargs.pop("name", self.name), **{**options, **kwargs})
        _BUILT_FROM[proxy] = self
        return proxy

    @classmethod
    def of(cls, proxy: PolicyUserProxy) -> ProxyConfig:
        """Describe a running proxy (the inverse of [`build`][hitl.config.ProxyConfig.build]).

        Raises:
            ConfigurationError: for parts set in code that have no configuration form (a ``When`` of your
                own function, a lambda as ``is_termination_msg``, a callback provider...).
        """
        from ..adapters.autogen.settings import settings_of

        built_from = _BUILT_FROM.get(proxy)
        settings = settings_of(proxy)
        execution = describe_code_execution(
            settings.code_execution_config,
            repr(proxy.name),
            acknowledged=bool(
                built_from is not None
                and built_from.code_execution is not None
                and built_from.code_execution.acknowledge_local_execution
            ),
        )
        strategy = proxy.auto_reply_strategy
        if strategy is None and settings.default_auto_reply not in ("", None):
            from ..core.replies import as_auto_reply

            strategy = as_auto_reply(settings.default_auto_reply)
        description = proxy.description
        if built_from is not None and built_from.description is None:
            description = None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConfigWarning)  # it warned when it was built
            return checked_form(
                cls,
                f"the proxy {proxy.name!r}",
                name=proxy.name,
                system_message=proxy.system_message,
                description=description,
                policy=proxy.policy,
                limits=proxy.limits,
                termination=None if settings.termination is None else describe_termination(settings.termination),
                auto_reply=None if strategy is None else describe_auto_reply(strategy),
                human_input=HumanInputConfig.of(proxy.human_input),
                code_execution=execution,
            )


def json_schema() -> dict[str, Any]:
    """Return the JSON Schema of [`ProxyConfig`][hitl.config.ProxyConfig], for editors to complete and check files.

    Examples:
        >>> json_schema()["title"]
        'ProxyConfig'
    """
    return ProxyConfig.model_json_schema()
