"""A loaded rule pack: rules ready to evaluate, with their milestones, parameters and examples.
Immutable; share it freely between threads."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from pcn_rules import cel as celexpr
from pcn_rules.errors import UsageError
from pcn_rules.vocab import Milestone, Severity, Status, human_date, plural


@dataclass(frozen=True, slots=True)
class Template:
    """A message template such as ``"List size is {network.list_size:,}."``."""

    text: str
    fields: tuple[tuple[str, str], ...]  # (path, format spec) in order of appearance
    #: (literal text, placeholder path or None, format spec), parsed once at load
    parts: tuple[tuple[str, str | None, str], ...] = ()

    def render(self, data: Mapping[str, Any]) -> str:
        """Fill the template from nested dicts; a path that is absent reads "(not evidenced)"."""
        out: list[str] = []
        for literal, name, spec in self.parts:
            out.append(literal)
            if name is None:
                continue
            value: Any = data
            for key in path_keys(name):
                if type(value) is not dict and not isinstance(value, Mapping):
                    value = _ABSENT
                    break
                value = value.get(key, _ABSENT)
                if value is _ABSENT:
                    break
            out.append("(not evidenced)" if value is _ABSENT else _format_value(value, spec))
        # one date style in every message, also within values built by a condition
        # ("on the 2019-01-01 list"): "1 January 2019"
        return _human_dates("".join(out))


_ABSENT: Any = object()


@cache
def path_keys(path: str) -> tuple[str, ...]:
    """``"network.list_size"`` → ``("network", "list_size")`` (memoised: paths come from packs)."""
    return tuple(path.split("."))


_ISO_DATE = re.compile(r"(?<![0-9-])[0-9]{4}-[0-9]{2}-[0-9]{2}(?![0-9-])")


@lru_cache(maxsize=4096)
def _human_dates(text: str) -> str:
    """``text`` with its ISO dates written for people (memoised: most messages recur)."""
    return _ISO_DATE.sub(_human, text) if "-" in text else text


def _human(match: re.Match[str]) -> str:
    try:
        return human_date(dt.date.fromisoformat(match.group(0)))
    except ValueError:
        return match.group(0)


#: A format spec that writes a count with its noun: ``{n:plural block}`` → "1 block", "3 blocks".
_PLURAL = "plural "


def _format_value(value: Any, spec: str) -> str:
    """A value in a message: numbers with thousands separators (unless the spec says
    otherwise), lists joined, booleans as yes or no, ``plural NOUN`` a count with its noun."""
    kind = type(value)
    if spec.startswith(_PLURAL) and kind is int:
        return plural(value, spec[len(_PLURAL) :])
    if kind is str and not spec:
        return value  # type: ignore[no-any-return]
    if kind is list and value and not spec and all(type(v) is str for v in value):
        return ", ".join(value)
    if isinstance(value, list):
        return ", ".join(_format_value(v, spec) for v in value) if value else "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and not spec and value.is_integer():
        value = int(value)
    if not spec and isinstance(value, int | float):
        spec = ","
    try:
        return format(value, spec)
    except (ValueError, TypeError):
        return str(value)


@dataclass(frozen=True, slots=True)
class Check:
    condition: celexpr.Compiled
    message: Template


@dataclass(frozen=True, slots=True)
class Example:
    expect: Status
    name: str
    base: Path
    set: Mapping[str, Any]
    delete: tuple[str, ...]
    as_of: dt.date | None
    entity: str | None
    message_contains: str | None
    register: tuple[tuple[str, str | None, str | None, int | None], ...] = ()


@dataclass(frozen=True, slots=True)
class Rule:
    """One requirement, ready to evaluate."""

    id: str
    title: str
    description: str | None
    scope: str
    severity: Severity
    due: Milestone | None
    when: celexpr.Compiled | None
    derive: tuple[tuple[str, celexpr.Compiled], ...]
    checks: tuple[Check, ...]
    met_message: Template
    waiver: celexpr.Compiled | None
    remediation: tuple[str, ...]
    source: Mapping[str, str]
    evidence_paths: tuple[str, ...]
    #: Top-level network facts the conditions select (None: the whole network may be read).
    network_keys: frozenset[str] | None
    examples: tuple[Example, ...]
    origin: str
    #: The rule's fields as written (after inheritance and overrides), for ``rules diff``.
    spec: Mapping[str, Any] = field(default_factory=dict, compare=False)
    #: The pack this rule was first defined in (this pack's ID for a rule it adds).
    defined_in: str | None = None
    #: Fields this pack overrides on an inherited rule.
    overridden: tuple[str, ...] = ()
    #: False for requirements the catalogue treats as absolute: no waiver can cover them.
    waivable: bool = True
    #: The date its evidence carries (a date, or dates of which the latest counts): met on or
    #: before the deadline is ``met``, after it ``met_late``.
    evidence_date: celexpr.Compiled | None = None
    #: The milestone the evidence date is judged against when earlier than ``due`` (e.g. a
    #: team agreed by 30 September for a service starting on 1 October); None: ``due``.
    evidence_due: Milestone | None = None
    #: Why a rule with a deadline has no evidence date (e.g. "a state, not an event").
    undated: str | None = None
    #: Submission paths the rule reads that may be absent while it is met, with the reason.
    optional: Mapping[str, str] = field(default_factory=dict)
    #: Submission JSON paths (``practices[].list_size``) of the facts its conditions read.
    reads: tuple[str, ...] = ()
    #: Those its ``when`` reads (a not-applicable finding names any of them dated later).
    when_reads: tuple[str, ...] = ()

    def conditions(self) -> list[tuple[str, str]]:
        """(label, CEL source) of every condition, for display."""
        out: list[tuple[str, str]] = []
        if self.when is not None:
            out.append(("when", self.when.source))
        out.extend((f"derive {name}", c.source) for name, c in self.derive)
        out.extend(("expect", c.condition.source) for c in self.checks)
        if self.evidence_date is not None:
            out.append(("evidence date", self.evidence_date.source))
        if self.waiver is not None:
            out.append(("waiver", self.waiver.source))
        return out


@dataclass(frozen=True, slots=True)
class Retirement:
    """A rule of the parent pack that this pack no longer has (or, with ``withdrawn_in``, a
    rule an earlier release of this pack had)."""

    id: str
    reason: str | None
    replaced_by: tuple[str, ...]
    withdrawn_in: str | None = None

    def describe(self, pack_id: str) -> str:
        """ "SVC-SPECS is retired in pack 2020/21 (release 2020.2): …; replaced by …"."""
        release = f" (release {self.withdrawn_in})" if self.withdrawn_in else ""
        text = f"{self.id} is retired in pack {pack_id}{release}"
        if self.reason:
            text += f": {self.reason.rstrip('.')}"
        if self.replaced_by:
            text += f"; replaced by {', '.join(self.replaced_by)}"
        return text


@dataclass(frozen=True, slots=True, weakref_slot=True)
class RulePack:
    """A loaded, validated rule pack.  Immutable; share it freely between threads."""

    id: str
    title: str
    release: str
    contract_year: str
    effective_from: dt.date
    effective_to: dt.date
    description: str | None
    milestones: tuple[Milestone, ...]
    parameters: Mapping[str, Any]
    rules: tuple[Rule, ...]
    directory: Path
    environment: celexpr.Environment = field(repr=False, compare=False)
    #: The pack this one ``extends`` (its ID), if any.
    extends: str | None = None
    #: Rules of the parent pack this pack retires.
    retired: tuple[Retirement, ...] = ()

    def __repr__(self) -> str:
        return (
            f"<RulePack {self.id} {self.title!r}: contract year {self.contract_year}, release "
            f"{self.release}, {len(self.rules)} rules, from {self.directory.name}>"
        )

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        gone = next((r for r in self.retired if r.id == rule_id), None)
        if gone is not None:
            raise UsageError(gone.describe(self.id))
        close = difflib.get_close_matches(rule_id, [r.id for r in self.rules], n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]}?" if close else ""
        raise UsageError(
            f"rule {rule_id!r} is not in pack {self.id}{hint} (`pcn-check rules list` shows its "
            "rules)"
        )

    def milestone(self, key: str) -> Milestone:
        for milestone in self.milestones:
            if milestone.key == key:
                return milestone
        raise KeyError(key)

    def horizon(self, as_of: dt.date) -> Milestone | None:
        """The next milestone on or after ``as_of`` (None once every milestone has passed)."""
        for milestone in self.milestones:
            if milestone.date >= as_of:
                return milestone
        return None
