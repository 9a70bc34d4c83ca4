"""Words for people, shared by the spreadsheet and page formats: a status in words ("not met",
not ``not_met``), a date as "15 May 2019", a count with thousands separators."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from pcn_rules.vocab import human_date

#: Each status of a finding, in words.
STATUS_WORDS: dict[str, str] = {
    "met": "met",
    "met_late": "met late",
    "not_met": "not met",
    "not_evidenced": "not evidenced",
    "waived": "waived",
    "not_applicable": "not applicable",
    "error": "could not be evaluated",
}


def status_words(status: str) -> str:
    """STATUS in words ("not met"); an unknown status as itself, its underscores as spaces."""
    return STATUS_WORDS.get(status, status.replace("_", " "))


def long_date(day: dt.date) -> str:
    """ "15 May 2019" (no leading zero): the project's one date style."""
    return human_date(day)


def count(number: int) -> str:
    """ "6,830"."""
    return f"{number:,}"


__all__ = ["STATUS_WORDS", "count", "long_date", "status_words"]


def numbered_steps(steps: Iterable[str]) -> str:
    """Remediation steps as text: one a line, numbered ("1. ...")."""
    return "\n".join(f"{n}. {step}" for n, step in enumerate(steps, start=1))
