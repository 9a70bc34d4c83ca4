"""The as-of view, in one place: a fact dated after the as-of date has not happened yet, and a
commissioner decision past its last valid day is no longer in force."""

from __future__ import annotations

import datetime as dt

from pcn_rules.facts.model import Facts, Postponed, iso, put
from pcn_rules.submission.network import Decision


class AsOf:
    """The as-of view: a dated fact after the date is left out, and remembered."""

    def __init__(self, as_of: dt.date | None) -> None:
        self.as_of = as_of
        self.postponed: list[Postponed] = []
        self.dated: list[Postponed] = []

    def later(self, day: dt.date | None) -> bool:
        return day is not None and self.as_of is not None and day > self.as_of

    def seen(self, day: dt.date | None, path: str, label: str | None = None) -> dt.date | None:
        """``day`` if it is on or before the as-of date; None (recorded) if it is after."""
        if day is None:
            return None
        fact = Postponed(path, day.isoformat(), label)
        if self.later(day):
            self.postponed.append(fact)
            return None
        self.dated.append(fact)
        return day

    def decision(
        self, decision: Decision | None, path: str, label: str | None = None
    ) -> Decision | None:
        """A commissioner decision approved after the as-of date has not been made yet."""
        if decision is not None and self.seen(decision.approved_on, path, label) is None:
            return None
        return decision

    def in_force(self, decision: Decision) -> bool:
        """Whether a decision made by the as-of date is still in force then: ``expires_on`` is
        its last valid day, so one that expired before the date no longer counts (with no
        as-of date, every decision is taken as in force)."""
        expires = decision.expires_on
        return expires is None or self.as_of is None or expires >= self.as_of

    def decision_facts(self, decision: Decision | None) -> Facts | None:
        """The facts of a decision made by the as-of date, with whether it is still in force
        then (``in_force``: a rule that relies on the decision reads it)."""
        if decision is None:
            return None
        out: Facts = {
            "approved_by": decision.approved_by,
            "approved_on": decision.approved_on.isoformat(),
            "reason": decision.reason,
        }
        put(out, "expires_on", iso(decision.expires_on))
        out["in_force"] = self.in_force(decision)
        return out
