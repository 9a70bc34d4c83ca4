"""When a finding counts: its timing against the as-of date, and whether it blocks the verdict."""

from __future__ import annotations

import datetime as dt

from pcn_rules.packs.model import Rule, RulePack
from pcn_rules.vocab import (
    SEVERITY_RANK,
    UNSETTLED,
    Milestone,
    Severity,
    Status,
    Timing,
    human_date,
)


def timing(due: Milestone | None, as_of: dt.date, status: Status) -> tuple[int | None, Timing]:
    """Days left until the deadline, and the timing: a requirement not shown to hold after its
    deadline is ``overdue``; one that holds has ``passed`` it, never "overdue"."""
    if due is None:
        return None, "no_deadline"
    days = (due.date - as_of).days
    if days < 0:
        return days, "overdue" if status in UNSETTLED else "passed"
    if days == 0:
        return days, "due_today"
    return days, "upcoming"


def blocking(
    rule: Rule,
    status: Status,
    horizon: Milestone | None,
    *,
    late_blocks: bool = False,
    fail_on: Severity = "error",
) -> bool:
    """Whether a finding makes the network not compliant now: a requirement of severity
    ``fail_on`` or above (by default errors only) not met or not evidenced (or met late, with
    ``late_blocks``) that is due by the next milestone on or after the as-of date
    (``horizon``), or has no deadline; and any evaluation error."""
    if status == "error":
        return True
    if SEVERITY_RANK[rule.severity] > SEVERITY_RANK[fail_on]:
        return False
    if status not in ("not_met", "not_evidenced") and not (status == "met_late" and late_blocks):
        return False
    if rule.due is None or horizon is None:
        return True
    # a rule whose evidence is due before the rule (SVC-EHCH: the care home team by 30
    # September, the rounds from 1 October) blocks from the earlier deadline
    due = rule.due.date
    if rule.evidence_due is not None and rule.evidence_due.date < due:
        due = rule.evidence_due.date
    return due <= horizon.date


def year_warnings(pack: RulePack, as_of: dt.date) -> tuple[str, ...]:
    """A warning when the as-of date is outside the pack's contract year: its milestones are
    that year's, so every deadline is judged as long past, or not yet near."""
    if pack.effective_from <= as_of <= pack.effective_to:
        return ()
    return (
        f"The as-of date, {human_date(as_of)}, is outside contract year {pack.contract_year} "
        f"({human_date(pack.effective_from)} to {human_date(pack.effective_to)}) of pack "
        f"{pack.id}: its deadlines are judged from a date the pack does not cover.",
    )
