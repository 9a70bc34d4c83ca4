"""The YAML shapes of a rule pack (validated with pydantic; unknown keys are errors)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from pcn_rules.vocab import Confidence, Severity, Status, to_date


class _Spec(BaseModel):
    # defer_build: validators are built when a pack is first loaded from YAML, not at import (a
    # pack read from the cache never needs them)
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class MilestoneSpec(_Spec):
    date: dt.date
    title: str = Field(min_length=1)

    _date = field_validator("date", mode="before")(to_date)


class EffectiveSpec(_Spec):
    start: dt.date = Field(alias="from")
    end: dt.date = Field(alias="to")

    _dates = field_validator("start", "end", mode="before")(to_date)


class RetireSpec(_Spec):
    id: str
    reason: str | None = None
    replaced_by: list[str] = Field(default_factory=list)
    #: the release of this pack that withdrew an ID it had defined itself (not the parent's)
    withdrawn_in: str | None = Field(default=None, min_length=1)


class PackSpec(_Spec):
    version: Literal[1]
    id: str = Field(pattern=r"^20[0-9]{2}/[0-9]{2}$")
    extends: str | None = Field(default=None, min_length=1)
    retire: list[str | RetireSpec] = Field(default_factory=list)
    title: str = Field(min_length=1)
    release: str = Field(min_length=1)
    contract_year: str = Field(pattern=r"^20[0-9]{2}/[0-9]{2}$")
    effective: EffectiveSpec
    description: str | None = None
    milestones: dict[str, MilestoneSpec] = Field(min_length=1)
    parameters: dict[
        str, int | float | str | bool | list[str] | dict[str, int | float] | dict[str, str]
    ] = Field(default_factory=dict)


class SourceSpec(_Spec):
    document: str = Field(min_length=1)
    confidence: Confidence
    url: str | None = None
    note: str | None = None


class CheckSpec(_Spec):
    check: str = Field(min_length=1)
    message: str = Field(min_length=1)


class RegisterRowSpec(_Spec):
    ods_code: str
    name: str | None = None
    commissioner: str | None = None
    list_size: int | None = None


class ExampleSpec(_Spec):
    expect: Status
    name: str | None = None
    base: str = "base.json"
    set: dict[str, Any] = Field(default_factory=dict)
    delete: list[str] = Field(default_factory=list)
    as_of: dt.date | None = None
    entity: str | None = None
    message_contains: str | None = None
    #: practices of a register: the example is then run as an audit of the one network
    register_rows: list[RegisterRowSpec] = Field(default_factory=list, alias="register")

    _date = field_validator("as_of", mode="before")(to_date)


class RuleSpec(_Spec):
    id: str
    title: str = Field(min_length=1)
    description: str | None = None
    scope: str
    severity: Severity
    due: str | None
    when: str | None = None
    derive: dict[str, str] = Field(default_factory=dict)
    expect: str | list[CheckSpec]
    message: str | None = None
    met_message: str | None = None
    waiver: str | None = None
    waivable: bool = True
    #: the date the evidence carries (a date, or a list of dates of which the latest counts)
    evidence_date: str | None = Field(default=None, min_length=1)
    #: the milestone the evidence date is judged against, when it is earlier than `due`
    evidence_due: str | None = Field(default=None, min_length=1)
    #: why a rule with a deadline has no evidence date
    undated: str | None = Field(default=None, min_length=1)
    #: submission paths the rule reads that may be absent without making it unmet, and why
    optional: dict[str, str] = Field(default_factory=dict)
    remediation: list[str] = Field(min_length=1)
    source: SourceSpec
    examples: list[ExampleSpec] = Field(default_factory=list)


class RuleFileSpec(_Spec):
    version: Literal[1]
    rules: list[Any] = Field(default_factory=list)
    overrides: list[Any] = Field(default_factory=list)
