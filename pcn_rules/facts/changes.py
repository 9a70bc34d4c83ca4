"""Building the facts of membership changes after go-live: a practice joining or leaving the
network, with the notice given, the commissioner's approval and the day it takes effect."""

from __future__ import annotations

import datetime as dt

from pcn_rules.facts.asof import AsOf
from pcn_rules.facts.model import Facts, put
from pcn_rules.submission.model import Submission

#: The months a quarter of the financial year starts in (April, July, October, January).
QUARTER_MONTHS = (1, 4, 7, 10)


def _quarter_start(day: dt.date) -> dt.date:
    """The first day of the quarter of the financial year that ``day`` falls in."""
    month = max(m for m in QUARTER_MONTHS if m <= day.month)
    return dt.date(day.year, month, 1)


def membership_changes(sub: Submission, view: AsOf, network: Facts) -> list[Facts]:
    """The facts of each membership change notified by the as-of date (one notified later has
    not been notified yet)."""
    changes: list[Facts] = []
    for index, change in enumerate(sub.membership_changes or []):
        path = f"membership_changes[{index}]"
        code = change.practice_ods_code
        if view.seen(change.notified_on, f"{path}.notified_on", code) is None:
            continue
        effective = change.effective_on
        cf: Facts = {
            "index": index,
            "practice_ods_code": code,
            "kind": change.kind,
            "notified_on": change.notified_on.isoformat(),
            "effective_on": effective.isoformat(),
            "notice_days": (effective - change.notified_on).days,
            "starts_a_quarter": effective == _quarter_start(effective),
            "later_quarter": _quarter_start(effective) > _quarter_start(change.notified_on),
        }
        approval = view.decision(change.approval, f"{path}.approval", code)
        put(cf, "approval", view.decision_facts(approval))
        changes.append(cf)
    if sub.membership_changes is not None:  # no list: whether anything changed is not stated
        network["membership_change_count"] = len(changes)
    return changes
