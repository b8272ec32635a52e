"""The auto-reply in a configuration: a fixed text, or first-match rules over condition expressions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field, StrictStr, field_validator

from ..core.errors import ConfigurationError
from ._model import Model, canonical_condition

if TYPE_CHECKING:
    from ..core.replies import AutoReply


class StaticAutoReply(Model):
    """Always the same auto-reply (AutoGen's ``default_auto_reply``)."""

    kind: Literal["static"] = "static"
    message: StrictStr


class AutoReplyRule(Model):
    """One rule: when the condition ``when`` holds, reply ``reply`` (``null`` sends nothing, ending the chat)."""

    when: StrictStr
    reply: StrictStr | None

    @field_validator("when")
    @classmethod
    def _parses(cls, value: str) -> str:
        return canonical_condition(value)


class RulesAutoReply(Model):
    """First-match rules with a default (see [`FirstMatch`][hitl.core.replies.FirstMatch])."""

    kind: Literal["rules"] = "rules"
    rules: list[AutoReplyRule]
    default: StrictStr | None = ""


#: An auto-reply strategy: a fixed text, or first-match rules.
AutoReplyConfig = Annotated[StaticAutoReply | RulesAutoReply, Field(discriminator="kind")]


def build_auto_reply(config: StaticAutoReply | RulesAutoReply) -> AutoReply:
    """Make the auto-reply strategy an auto-reply configuration describes."""
    from ..core.replies import FirstMatch, StaticReply
    from ..core.spec import parse_condition

    if isinstance(config, StaticAutoReply):
        return StaticReply(config.message)
    return FirstMatch([(parse_condition(rule.when), rule.reply) for rule in config.rules], default=config.default)


def describe_auto_reply(strategy: object) -> StaticAutoReply | RulesAutoReply:
    """Describe a proxy's auto-reply strategy; raises ConfigurationError for one set in code only."""
    from ..core.conditions import Condition
    from ..core.replies import FirstMatch, StaticReply
    from ..core.spec import format_condition

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
