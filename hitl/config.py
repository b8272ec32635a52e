"""Validated configuration as Pydantic models: a whole proxy from a dict, JSON or YAML.

[`ProxyConfig`][hitl.config.ProxyConfig] (with [`Limits`][hitl.core.limits.Limits], re-exported here) describes a whole
[`PolicyUserProxy`][hitl.adapters.autogen.proxy.PolicyUserProxy] (its policy, limits, termination condition, auto-reply,
human input and code execution) so that agent setups can live in files, as ``OAI_CONFIG_LIST`` does; it validates the
setup against these rules before anything runs:

- a policy that never asks, with no termination condition, runs every chat to its limit: a warning;
- the same with no limit set either (only AutoGen's default of 100 auto-replies): an error;
- code execution without Docker runs model-written code on this machine: a warning, unless
  ``acknowledge_local_execution: true``;
- unknown keys and wrong types are errors naming the field.

Examples:
    >>> from hitl.config import ProxyConfig
    >>> config = ProxyConfig.model_validate({
    ...     "name": "reviewer",
    ...     "policy": "terminate | code",
    ...     "limits": {"max_consecutive_auto_reply": 10, "max_turns": 20},
    ...     "termination": {"kind": "keyword", "word": "TERMINATE"},
    ... })
    >>> proxy = config.build()
    >>> proxy.policy
    Terminate() | When(has_code_block)
    >>> proxy.to_config() == config
    True
"""

from __future__ import annotations

import json
import os
import re
import reprlib
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar, overload

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    StrictStr,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from .core.errors import ConfigurationError, ConfigWarning, user_stacklevel
from .core.limits import Limits
from .core.policies import Always, InputPolicy
from .core.spec import format_policy, parse_policy

if TYPE_CHECKING:
    from .adapters.autogen.proxy import PolicyUserProxy
    from .core.conditions import Condition

    _P = TypeVar("_P", bound=PolicyUserProxy)
    from .adapters.autogen.proxy import PolicyUserProxy
    from .core.replies import AutoReply
    from .inputs import AsyncHumanInput, HumanInput

__all__ = [
    "MAX_NESTING",
    "MAX_VALUES",
    "AutoReplyConfig",
    "CodeExecutionConfig",
    "ConfigWarning",
    "HumanInputConfig",
    "Limits",
    "ProxyConfig",
    "TerminationConfig",
    "json_schema",
    "load_config",
]

MAX_NESTING = 100
"""How deep lists and mappings may nest in a configuration: far beyond any real one, far below the depth at
which the JSON and YAML readers fail."""
MAX_VALUES = 100_000
"""How many values (scalars, lists and mappings) a configuration may hold once YAML aliases are expanded: a
real one holds a few hundred; a "billion laughs" of aliases holds billions in a few lines."""


# -- whole-proxy configuration ----------------------------------------------------------------------------------


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


_M = TypeVar("_M", bound=_Model)


class TimeoutConfig(_Model):
    """A deadline for the human: after ``seconds``, ``default`` is the answer (``"exit"``, ``""`` or a text)."""

    seconds: Annotated[float, Field(gt=0, strict=False, allow_inf_nan=False)]
    default: StrictStr = "exit"

    @field_validator("seconds", mode="before")
    @classmethod
    def _no_bool(cls, value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError(f"timeout.seconds must be a number > 0 (got {value!r})")
        return value


class HumanInputConfig(_Model):
    """How the human is asked: ``console`` (default), ``scripted`` (``answers``) or ``queue``; maybe a timeout."""

    kind: Literal["console", "scripted", "queue"] = "console"
    answers: list[StrictStr] | None = None
    conversation: StrictStr | None = None
    on_eof: StrictStr = "exit"
    on_interrupt: StrictStr = "exit"
    allow_non_interactive: bool = False
    timeout: TimeoutConfig | None = None

    @model_validator(mode="after")
    def _fields_fit_the_kind(self) -> HumanInputConfig:
        if (self.answers is not None) != (self.kind == "scripted"):
            raise ValueError("human_input.answers goes with kind 'scripted', and kind 'scripted' needs answers")
        if self.conversation is not None and self.kind != "queue":
            raise ValueError("human_input.conversation goes with kind 'queue'")
        console_options = (self.on_eof, self.on_interrupt, self.allow_non_interactive) != ("exit", "exit", False)
        if console_options and self.kind != "console":
            raise ValueError("human_input.on_eof, on_interrupt and allow_non_interactive go with kind 'console'")
        return self

    def build(self) -> HumanInput | AsyncHumanInput:
        """Make the provider."""
        from .inputs import ConsoleInput, QueueInput, ScriptedInput, TimeoutInput

        provider: HumanInput | AsyncHumanInput
        if self.kind == "scripted":
            provider = ScriptedInput(self.answers or [])
        elif self.kind == "queue":
            provider = QueueInput(self.conversation)
        else:
            provider = ConsoleInput(
                on_eof=self.on_eof, on_interrupt=self.on_interrupt, allow_non_interactive=self.allow_non_interactive
            )
        if self.timeout is not None:
            provider = TimeoutInput(provider, self.timeout.seconds, self.timeout.default)
        return provider

    @classmethod
    def of(cls, provider: object) -> HumanInputConfig:
        """Describe a provider; raises ConfigurationError for one that has no configuration form."""
        from .inputs import ConsoleInput, QueueInput, ScriptedInput, TimeoutInput

        timeout = None
        if isinstance(provider, TimeoutInput):
            timeout = TimeoutConfig(seconds=provider.seconds, default=provider.default)
            provider = provider.inner
        if isinstance(provider, ScriptedInput):
            return cls(kind="scripted", answers=list(provider.answers), timeout=timeout)
        if isinstance(provider, QueueInput):
            return cls(kind="queue", conversation=provider.conversation, timeout=timeout)
        if isinstance(provider, ConsoleInput):
            return cls(
                on_eof=provider.on_eof,
                on_interrupt=provider.on_interrupt,
                allow_non_interactive=provider.allow_non_interactive,
                timeout=timeout,
            )
        raise ConfigurationError(f"the human input {provider!r} has no configuration form; set it in code")


def _canonical_condition(text: str) -> str:
    """Parse a condition expression and write it back in its one canonical form (so round trips compare equal)."""
    from .core.spec import format_condition, parse_condition

    try:
        return format_condition(parse_condition(text))
    except ConfigurationError as exc:
        raise ValueError(str(exc)) from None


class KeywordTermination(_Model):
    """Stop on a keyword (see [`Keyword`][hitl.core.conditions.Keyword])."""

    kind: Literal["keyword"] = "keyword"
    word: StrictStr = "TERMINATE"
    at_end: bool = False
    whole_word: bool = False
    case_sensitive: bool = True

    @field_validator("word")
    @classmethod
    def _a_word(cls, value: str) -> str:
        if not value.strip():
            raise ValueError(
                f"termination.word is the keyword that ends the chat, so it cannot be empty or only white space "
                f"(got {value!r}); leave it out for 'TERMINATE'"
            )
        return value


class RegexTermination(_Model):
    """Stop when the text matches a regular expression (see [`Matches`][hitl.core.conditions.Matches])."""

    kind: Literal["regex"] = "regex"
    pattern: StrictStr
    case_sensitive: bool = True

    @field_validator("pattern")
    @classmethod
    def _a_regex(cls, value: str) -> str:
        if not value:
            raise ValueError("termination.pattern is empty, which matches every message; give a regular expression")
        try:
            re.compile(value)
        except re.error as exc:
            shown = reprlib.repr(value)
            raise ValueError(f"termination.pattern {shown} is not a valid regular expression: {exc}") from None
        except (RecursionError, OverflowError):
            shown = reprlib.repr(value)
            raise ValueError(
                f"termination.pattern {shown} nests its groups deeper than Python's regular expressions can compile"
            ) from None
        return value


class ConditionTermination(_Model):
    """Stop when a condition holds, written in the grammar of [`hitl.core.spec`][hitl.core.spec].

    For example ``"keyword | after(8)"``.
    """

    kind: Literal["condition"] = "condition"
    expression: StrictStr

    @field_validator("expression")
    @classmethod
    def _parses(cls, value: str) -> str:
        return _canonical_condition(value)


#: A termination condition: a keyword, a regex, or a condition expression (a plain string is an expression).
TerminationConfig = Annotated[KeywordTermination | RegexTermination | ConditionTermination, Field(discriminator="kind")]


def build_termination(config: KeywordTermination | RegexTermination | ConditionTermination) -> Condition:
    from .core.conditions import Keyword, Matches
    from .core.spec import parse_condition

    if isinstance(config, KeywordTermination):
        return Keyword(config.word, config.at_end, config.whole_word, config.case_sensitive)
    if isinstance(config, RegexTermination):
        try:
            return Matches(config.pattern, config.case_sensitive)
        except ValueError as exc:
            raise ConfigurationError(f"termination.pattern: {exc}") from None
    return parse_condition(config.expression)


def _describe_termination(check: object) -> KeywordTermination | RegexTermination | ConditionTermination:
    from .core.conditions import Condition, Keyword, Matches
    from .core.spec import format_condition

    if isinstance(check, Keyword):
        return KeywordTermination(
            word=check.word, at_end=check.at_end, whole_word=check.whole_word, case_sensitive=check.case_sensitive
        )
    if isinstance(check, Matches):
        return RegexTermination(pattern=check.pattern, case_sensitive=check.case_sensitive)
    if isinstance(check, Condition):
        return ConditionTermination(expression=format_condition(check))
    raise ConfigurationError(
        f"is_termination_msg={check!r} is a function of your own, which has no configuration form; "
        "use a hitl.core.conditions condition such as Keyword('TERMINATE')"
    )


class StaticAutoReply(_Model):
    """Always the same auto-reply (AutoGen's ``default_auto_reply``)."""

    kind: Literal["static"] = "static"
    message: StrictStr


class AutoReplyRule(_Model):
    """One rule: when the condition ``when`` holds, reply ``reply`` (``null`` sends nothing, ending the chat)."""

    when: StrictStr
    reply: StrictStr | None

    @field_validator("when")
    @classmethod
    def _parses(cls, value: str) -> str:
        return _canonical_condition(value)


class RulesAutoReply(_Model):
    """First-match rules with a default (see [`FirstMatch`][hitl.core.replies.FirstMatch])."""

    kind: Literal["rules"] = "rules"
    rules: list[AutoReplyRule]
    default: StrictStr | None = ""


#: An auto-reply strategy: a fixed text, or first-match rules.
AutoReplyConfig = Annotated[StaticAutoReply | RulesAutoReply, Field(discriminator="kind")]


def build_auto_reply(config: StaticAutoReply | RulesAutoReply) -> AutoReply:
    from .core.replies import FirstMatch, StaticReply
    from .core.spec import parse_condition

    if isinstance(config, StaticAutoReply):
        return StaticReply(config.message)
    return FirstMatch([(parse_condition(rule.when), rule.reply) for rule in config.rules], default=config.default)


def _describe_auto_reply(strategy: object) -> StaticAutoReply | RulesAutoReply:
    from .core.conditions import Condition
    from .core.replies import FirstMatch, StaticReply
    from .core.spec import format_condition

    def text(reply: object) -> str | None:
        if isinstance(reply, StaticReply) and (reply.message is None or isinstance(reply.message, str)):
            return reply.message
        raise ConfigurationError(f"the auto-reply {reply!r} has no configuration form; set it in code")

    if isinstance(strategy, StaticReply) and isinstance(strategy.message, str):
        return StaticAutoReply(message=strategy.message)
    if isinstance(strategy, FirstMatch):
        rules = []
        for condition, reply in strategy.rules:
            if not isinstance(condition, Condition):
                raise ConfigurationError(f"the rule condition {condition!r} has no configuration form")
            rules.append(AutoReplyRule(when=format_condition(condition), reply=text(reply)))
        return RulesAutoReply(rules=rules, default=text(strategy.default))
    raise ConfigurationError(f"the auto-reply {strategy!r} has no configuration form; set it in code")


class CodeExecutionConfig(_Model):
    """Running the code blocks the assistant writes (AutoGen's ``code_execution_config``).

    ``use_docker: false`` runs model-written code on this machine with your permissions: that is a
    [`ConfigWarning`][hitl.config.ConfigWarning] unless ``acknowledge_local_execution: true`` says you mean it.

    Attributes:
        work_dir: where code files are written and run (``null``: AutoGen's own default directory).
        timeout: seconds a code block may run, > 0 (``null``: AutoGen's default, 600).
        use_docker: ``true`` (AutoGen's image), an image name or a list of them, or ``false`` (this machine).
        last_n_messages: how many recent messages AutoGen scans for code, or ``"auto"``.
        acknowledge_local_execution: silences the warning for ``use_docker: false``.
    """

    work_dir: StrictStr | None = "coding"
    timeout: Annotated[int, Field(gt=0, strict=True)] | None = 60
    use_docker: bool | StrictStr | list[StrictStr] = True
    last_n_messages: Annotated[int, Field(ge=1, strict=True)] | Literal["auto"] = "auto"
    acknowledge_local_execution: bool = False

    @field_validator("use_docker")
    @classmethod
    def _an_image_has_a_name(cls, value: bool | str | list[str]) -> bool | str | list[str]:
        # AutoGen reads an empty name or list as false: code would run here, without the warning.
        if not isinstance(value, bool) and (not value or not all(value)):
            raise ValueError(f"use_docker is true, false, an image name or a list of names (got {value!r})")
        return value

    def to_autogen(self) -> dict[str, Any]:
        """Return the dict AutoGen takes."""
        return {
            "work_dir": self.work_dir,
            "timeout": self.timeout,
            "use_docker": self.use_docker,
            "last_n_messages": self.last_n_messages,
        }


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


class ProxyConfig(_Model):
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
        human_input: how the human is asked.
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
    human_input: HumanInputConfig = HumanInputConfig()
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
            return _describe_termination(build_termination(value))
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
        from .adapters.autogen.proxy import PolicyUserProxy

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
        proxy._hitl_config = self
        return proxy

    @classmethod
    def of(cls, proxy: PolicyUserProxy) -> ProxyConfig:
        """Describe a running proxy (the inverse of [`build`][hitl.config.ProxyConfig.build]).

        Raises:
            ConfigurationError: for parts set in code that have no configuration form (a ``When`` of your
                own function, a lambda as ``is_termination_msg``, a callback provider...).
        """
        built_from: ProxyConfig | None = getattr(proxy, "_hitl_config", None)
        execution: CodeExecutionConfig | None = None
        native = proxy._code_execution_config
        if native is not False:
            unknown = sorted(set(native) - {"work_dir", "timeout", "use_docker", "last_n_messages"})
            if unknown:
                raise ConfigurationError(
                    f"code_execution_config of {proxy.name!r} has {unknown}, which have no configuration form "
                    "(a code executor object lives in code, not in configuration)"
                )
            acknowledged = bool(
                built_from is not None
                and built_from.code_execution is not None
                and built_from.code_execution.acknowledge_local_execution
            )
            execution = _checked_form(
                CodeExecutionConfig,
                f"code_execution_config of {proxy.name!r}",
                work_dir=native.get("work_dir"),
                timeout=native.get("timeout"),
                use_docker=native.get("use_docker", True),
                last_n_messages=native.get("last_n_messages", "auto"),
                acknowledge_local_execution=acknowledged,
            )
        strategy = proxy.auto_reply_strategy
        if strategy is None and proxy._default_auto_reply not in ("", None):
            from .core.replies import as_auto_reply

            strategy = as_auto_reply(proxy._default_auto_reply)
        description = proxy.description
        if built_from is not None and built_from.description is None:
            description = None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConfigWarning)  # it warned when it was built
            return _checked_form(
                cls,
                f"the proxy {proxy.name!r}",
                name=proxy.name,
                system_message=proxy.system_message,
                description=description,
                policy=proxy.policy,
                limits=proxy.limits,
                termination=None if proxy._hitl_termination is None else _describe_termination(proxy._hitl_termination),
                auto_reply=None if strategy is None else _describe_auto_reply(strategy),
                human_input=HumanInputConfig.of(proxy.human_input),
                code_execution=execution,
            )


def _checked_form(model: type[_M], what: str, **fields: Any) -> _M:
    """Build a model of a running proxy's parts; a part set in code that no field can hold is an error."""
    from pydantic import ValidationError

    try:
        return model(**fields)
    except ValidationError as exc:
        raise ConfigurationError(f"{what} has no configuration form: {exc}") from None


def load_config(source: str | os.PathLike[str] | Mapping[str, Any]) -> ProxyConfig:
    """Load and validate a [`ProxyConfig`][hitl.config.ProxyConfig] from a dict, a JSON file or a YAML file.

    YAML needs PyYAML (``pip install pyyaml``, or the project's ``yaml`` extra) and is read with
    ``yaml.safe_load``. Anchors and aliases work, within bounds: a file whose lists and mappings nest
    more than [`MAX_NESTING`][hitl.config.MAX_NESTING] deep, or whose aliases expand it to more than
    [`MAX_VALUES`][hitl.config.MAX_VALUES] values (a "billion laughs"), or that contains itself, is refused
    before it is built, naming the line and column.

    Raises:
        pydantic.ValidationError: for invalid content, naming the path of each bad field (and the file).
        ConfigurationError: for an unknown file type, a file that is not valid JSON or YAML, or is
            nested too deep or expands too far (naming the file, the line and the column), or YAML
            without PyYAML.
    """
    from pydantic import ValidationError

    if isinstance(source, Mapping):
        data = dict(source)
        _check_shape(data, "the configuration")
        return ProxyConfig.model_validate(data)
    path = Path(source)
    suffix = path.suffix.lower()
    if suffix not in (".json", ".yaml", ".yml"):
        raise ConfigurationError(f"{path}: a configuration file ends in .json, .yaml or .yml")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigurationError(f"{path} is not UTF-8 text: {exc}") from None
    data = _read_json(text, path) if suffix == ".json" else _read_yaml(text, path)
    try:
        return ProxyConfig.model_validate(data)
    except ValidationError as exc:
        if hasattr(exc, "add_note"):  # Python 3.11+
            exc.add_note(f"in {path}")
        raise


def _line_column(text: str, index: int) -> str:
    line_start = text.rfind("\n", 0, index) + 1
    return f"line {text.count(chr(10), 0, index) + 1}, column {index - line_start + 1}"


def _too_deep(where: str) -> ConfigurationError:
    return ConfigurationError(
        f"{where}: lists and mappings nest more than {MAX_NESTING} deep here; a configuration is a few levels deep"
    )


#: A JSON string (which may hold brackets), an opening or closing bracket, or a string that never ends.
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]|"')


def _read_json(text: str, path: Path) -> Any:
    depth = 0
    for token in _JSON_TOKEN.finditer(text):  # the nesting first: the JSON reader recurses on it
        bracket = token.group()
        if bracket in ("[", "{"):
            depth += 1
            if depth > MAX_NESTING:
                raise _too_deep(f"{path}, {_line_column(text, token.start())}")
        elif bracket in ("]", "}"):
            depth -= 1
        elif bracket == '"':
            break  # a string that never ends: the JSON reader says where
    try:
        return json.loads(text, object_pairs_hook=lambda pairs: _unique_keys(pairs, path))
    except json.JSONDecodeError as exc:
        raise ConfigurationError(f"{path} is not valid JSON: {exc}") from None
    except ConfigurationError:
        raise
    except (ValueError, RecursionError, OverflowError) as exc:  # a number of more digits than Python reads, say
        raise ConfigurationError(f"{path} could not be read as JSON: {exc}") from None


def _unique_keys(pairs: list[tuple[str, Any]], path: Path) -> dict[str, Any]:
    """Build a JSON object's dict, refusing a key given twice (the later one would silently win)."""
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise ConfigurationError(
                f"{path}: the key {reprlib.repr(key)} is given twice in one object, and only the last would count; "
                "keep one"
            )
        found[key] = value
    return found


def _read_yaml(text: str, path: Path) -> Any:
    try:
        import yaml  # type: ignore[import-untyped, unused-ignore]
    except ImportError:
        raise ConfigurationError(f"{path} is YAML, which needs PyYAML: pip install pyyaml") from None
    try:
        _check_yaml_shape(yaml, text, path)
        return yaml.safe_load(text)
    except ConfigurationError:
        raise
    except yaml.YAMLError as exc:
        where = str(exc).replace('"<unicode string>"', str(path))
        raise ConfigurationError(f"{path} is not valid YAML: {where}") from None
    except (ValueError, RecursionError, OverflowError) as exc:  # a value the YAML reader cannot build, say
        raise ConfigurationError(f"{path} could not be read as YAML: {exc}") from None


def _check_yaml_shape(yaml: Any, text: str, path: Path) -> None:
    """Refuse a YAML text nested too deep, or whose aliases expand it too far, from its events (no recursion)."""
    values = 0  # values so far, each alias counted as the values it stands for
    anchored: dict[str, int] = {}  # anchor -> the values of the node it names
    opened: list[tuple[str | None, int]] = []  # the lists and mappings not closed yet: anchor, values before
    keys: list[set[str] | None] = []  # for each open mapping its keys so far (None for a list)
    expect_key: list[bool] = []  # for each open mapping: whether its next node is a key
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        starts = isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent))
        if starts and keys and keys[-1] is not None:  # a node inside a mapping: a key, then its value
            is_key = expect_key[-1]
            expect_key[-1] = not is_key
            if is_key and isinstance(event, yaml.ScalarEvent):
                if event.value in keys[-1] and event.value != "<<":
                    raise ConfigurationError(
                        f"{path}, {_where(event)}: the key {reprlib.repr(event.value)} is given twice in one "
                        "mapping, and only the last would count; keep one"
                    )
                keys[-1].add(event.value)
        if (
            isinstance(event, yaml.ScalarEvent)
            and event.style is None
            and len(event.value) > _MAX_NUMBER_TEXT
            and _NUMBERISH.fullmatch(event.value)
        ):
            raise ConfigurationError(
                f"{path}, {_where(event)}: a number written with more than {_MAX_NUMBER_TEXT} characters; "
                "no setting takes one (quote it if it is meant as text)"
            )
        if isinstance(event, yaml.AliasEvent):
            if any(anchor == event.anchor for anchor, _ in opened):
                raise ConfigurationError(
                    f"{path}, {_where(event)}: the alias *{event.anchor} stands for a list or mapping that "
                    "contains it, so the configuration would contain itself; copy the values instead"
                )
            values += anchored.get(event.anchor, 0)  # an unknown anchor: safe_load says where
        elif isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            if len(opened) >= MAX_NESTING:
                raise _too_deep(f"{path}, {_where(event)}")
            opened.append((event.anchor, values))
            keys.append(set() if isinstance(event, yaml.MappingStartEvent) else None)
            expect_key.append(True)
            values += 1
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            keys.pop()
            expect_key.pop()
            anchor, before = opened.pop()
            if anchor is not None:
                anchored[anchor] = values - before
        elif isinstance(event, yaml.ScalarEvent):
            values += 1
            if event.anchor is not None:
                anchored[event.anchor] = 1
        if values > MAX_VALUES:
            raise ConfigurationError(
                f"{path}, {_where(event)}: the configuration holds more than {MAX_VALUES:,} values here, "
                "counting what each alias stands for (aliases of aliases multiply, as in a 'billion laughs'); "
                "a configuration holds a few hundred: repeat fewer values"
            )


#: How long a plain YAML scalar that looks like a number may be: PyYAML builds some number forms
#: (sexagesimal ints, say) in time that grows with the square of their length.
_MAX_NUMBER_TEXT = 100
_NUMBERISH = re.compile(r"[-+]?(?:[0-9][0-9_:.eE+-]*|\.[0-9][0-9_eE+-]*|0[xob][0-9a-fA-F_]+)")


def _where(event: Any) -> str:
    mark = event.start_mark
    return f"line {mark.line + 1}, column {mark.column + 1}"


def _check_shape(data: object, what: str) -> None:
    """Refuse data nested too deep, containing itself, or sharing parts that expand it past MAX_VALUES."""
    sizes: dict[int, int] = {}  # id of a list or dict walked -> its values, its own parts counted each time
    path: set[int] = set()  # the lists and dicts being walked: a parent of the node at hand
    pending: list[tuple[object, bool]] = [(data, False)]
    while pending:
        node, walked = pending.pop()
        parts = _parts(node)
        if parts is None:
            continue
        key = id(node)
        if walked:
            path.discard(key)
            sizes[key] = size = 1 + sum([sizes.get(id(part), 1) for part in parts])
            if size > MAX_VALUES:
                raise ConfigurationError(
                    f"{what} holds more than {MAX_VALUES:,} values, counting each shared list or dict "
                    "every time it appears; a configuration holds a few hundred"
                )
            continue
        if key in sizes:
            continue
        if key in path:
            raise ConfigurationError(f"{what} contains itself (a list or dict holds one of its parents)")
        if len(path) >= MAX_NESTING:
            raise ConfigurationError(f"{what}: lists and dicts nest more than {MAX_NESTING} deep")
        path.add(key)
        pending.append((node, True))
        pending.extend((part, False) for part in parts)


def _parts(node: object) -> list[object] | None:
    if isinstance(node, Mapping):
        return list(node.values())
    if isinstance(node, (list, tuple)):
        return list(node)
    return None


def json_schema() -> dict[str, Any]:
    """Return the JSON Schema of [`ProxyConfig`][hitl.config.ProxyConfig], for editors to complete and check files.

    Examples:
        >>> json_schema()["title"]
        'ProxyConfig'
    """
    return ProxyConfig.model_json_schema()
