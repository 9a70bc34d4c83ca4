"""What changed between two rule packs: rules added, retired and changed, milestones, parameters.

:func:`diff_packs` returns plain data (no printing); ``pcn-check rules diff`` renders it for the
terminal or as JSON.  Rules are matched by requirement ID, so a rule carried into a later year is
"changed" only where its fields differ (severity, deadline, conditions, messages, source...).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pcn_rules.packs.model import Rule, RulePack

#: Rule fields compared, in display order.  Examples are the pack's own tests, not the rule.
COMPARED_FIELDS = (
    "title",
    "description",
    "scope",
    "severity",
    "due",
    "when",
    "derive",
    "expect",
    "message",
    "met_message",
    "waiver",
    "waivable",
    "remediation",
    "source",
)


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str
    old: Any
    new: Any


@dataclass(frozen=True, slots=True)
class RuleSummary:
    id: str
    title: str
    severity: str
    due: str | None  # "milestone (YYYY-MM-DD)"


@dataclass(frozen=True, slots=True)
class RetiredRule:
    id: str
    title: str
    severity: str
    due: str | None
    reason: str | None
    replaced_by: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ChangedRule:
    id: str
    title: str
    changes: tuple[FieldChange, ...]


@dataclass(frozen=True, slots=True)
class MilestoneChange:
    key: str
    title: str
    old_date: str | None
    new_date: str | None


@dataclass(frozen=True, slots=True)
class ParameterChange:
    name: str
    old: Any
    new: Any


@dataclass(frozen=True, slots=True)
class PackDiff:
    old: str
    new: str
    old_release: str
    new_release: str
    new_extends_old: bool
    added: tuple[RuleSummary, ...]
    retired: tuple[RetiredRule, ...]
    changed: tuple[ChangedRule, ...]
    unchanged: tuple[str, ...]
    milestones_added: tuple[MilestoneChange, ...]
    milestones_removed: tuple[MilestoneChange, ...]
    milestones_moved: tuple[MilestoneChange, ...]
    parameters: tuple[ParameterChange, ...]

    def to_dict(self) -> dict[str, Any]:
        def rule(r: RuleSummary) -> dict[str, Any]:
            return {"id": r.id, "title": r.title, "severity": r.severity, "due": r.due}

        def milestone(m: MilestoneChange) -> dict[str, Any]:
            return {"key": m.key, "title": m.title, "old_date": m.old_date, "new_date": m.new_date}

        return {
            "diff_version": "1.0",
            "old": {"pack": self.old, "release": self.old_release},
            "new": {"pack": self.new, "release": self.new_release},
            "new_extends_old": self.new_extends_old,
            "summary": {
                "added": len(self.added),
                "retired": len(self.retired),
                "changed": len(self.changed),
                "unchanged": len(self.unchanged),
            },
            "rules": {
                "added": [rule(r) for r in self.added],
                "retired": [
                    {
                        "id": r.id,
                        "title": r.title,
                        "severity": r.severity,
                        "due": r.due,
                        "reason": r.reason,
                        "replaced_by": list(r.replaced_by),
                    }
                    for r in self.retired
                ],
                "changed": [
                    {
                        "id": c.id,
                        "title": c.title,
                        "fields": [
                            {"field": f.field, "old": f.old, "new": f.new} for f in c.changes
                        ],
                    }
                    for c in self.changed
                ],
                "unchanged": list(self.unchanged),
            },
            "milestones": {
                "added": [milestone(m) for m in self.milestones_added],
                "removed": [milestone(m) for m in self.milestones_removed],
                "moved": [milestone(m) for m in self.milestones_moved],
            },
            "parameters": [{"name": p.name, "old": p.old, "new": p.new} for p in self.parameters],
        }


def _due(rule: Rule) -> str | None:
    return f"{rule.due.key} ({rule.due.date.isoformat()})" if rule.due else None


def _summary(rule: Rule) -> RuleSummary:
    return RuleSummary(rule.id, rule.title, rule.severity, _due(rule))


def _field(rule: Rule, name: str) -> Any:
    if name == "due":
        return _due(rule)
    value = rule.spec.get(name)
    if isinstance(value, Mapping) and name == "source":
        return {k: v for k, v in value.items() if v is not None}
    return value


def _order(rule: Rule) -> tuple[str, str]:
    return (rule.due.date.isoformat() if rule.due else "9999", rule.id)


def diff_packs(old: RulePack, new: RulePack) -> PackDiff:
    """Compare two loaded packs (normally consecutive contract years)."""
    old_rules = {r.id: r for r in old.rules}
    new_rules = {r.id: r for r in new.rules}
    reasons = {r.id: r for r in new.retired} if new.extends == old.id else {}

    added = tuple(_summary(r) for r in sorted(new.rules, key=_order) if r.id not in old_rules)
    retired = tuple(
        RetiredRule(
            r.id,
            r.title,
            r.severity,
            _due(r),
            reasons[r.id].reason if r.id in reasons else None,
            reasons[r.id].replaced_by if r.id in reasons else (),
        )
        for r in sorted(old.rules, key=_order)
        if r.id not in new_rules
    )
    changed: list[ChangedRule] = []
    unchanged: list[str] = []
    for rule in sorted(new.rules, key=_order):
        before = old_rules.get(rule.id)
        if before is None:
            continue
        changes = tuple(
            FieldChange(name, _field(before, name), _field(rule, name))
            for name in COMPARED_FIELDS
            if _field(before, name) != _field(rule, name)
        )
        if changes:
            changed.append(ChangedRule(rule.id, rule.title, changes))
        else:
            unchanged.append(rule.id)

    old_ms = {m.key: m for m in old.milestones}
    new_ms = {m.key: m for m in new.milestones}
    ms_added = tuple(
        MilestoneChange(m.key, m.title, None, m.date.isoformat())
        for m in new.milestones
        if m.key not in old_ms
    )
    ms_removed = tuple(
        MilestoneChange(m.key, m.title, m.date.isoformat(), None)
        for m in old.milestones
        if m.key not in new_ms
    )
    ms_moved = tuple(
        MilestoneChange(m.key, m.title, old_ms[m.key].date.isoformat(), m.date.isoformat())
        for m in new.milestones
        if m.key in old_ms and old_ms[m.key].date != m.date
    )
    names = sorted(set(old.parameters) | set(new.parameters))
    parameters = tuple(
        ParameterChange(n, old.parameters.get(n), new.parameters.get(n))
        for n in names
        if old.parameters.get(n) != new.parameters.get(n)
    )
    return PackDiff(
        old=old.id,
        new=new.id,
        old_release=old.release,
        new_release=new.release,
        new_extends_old=new.extends == old.id,
        added=added,
        retired=retired,
        changed=tuple(changed),
        unchanged=tuple(unchanged),
        milestones_added=ms_added,
        milestones_removed=ms_removed,
        milestones_moved=ms_moved,
        parameters=parameters,
    )
