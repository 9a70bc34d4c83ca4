"""The shared vocabulary, defined once: statuses, severities, confidence codes, timings, rule IDs,
dates, how days are said, and how a validation problem is put in words."""

from __future__ import annotations

import copy
import datetime as dt
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, NoReturn, TypeVar

_K = TypeVar("_K")
_V = TypeVar("_V")

#: met: holds (on time, where it has a deadline); met_late: holds, but its dated evidence is
#: after the deadline; not_met: the evidence contradicts it; not_evidenced: a fact it needs is
#: absent; waived: not met (or not evidenced) but covered by a valid commissioner waiver;
#: not_applicable: does not apply; error: could not be evaluated.
Status = Literal["met", "met_late", "not_met", "not_evidenced", "waived", "not_applicable", "error"]
STATUSES: tuple[Status, ...] = (
    "met",
    "met_late",
    "not_met",
    "not_evidenced",
    "waived",
    "not_applicable",
    "error",
)
#: Statuses that leave a requirement unsettled: it is not shown to hold.
UNSETTLED: frozenset[str] = frozenset({"not_met", "not_evidenced", "error"})
#: Worst first: the order findings of one rule are shown in.
STATUS_RANK: dict[str, int] = {
    status: rank
    for rank, status in enumerate(
        ("error", "not_met", "not_evidenced", "met_late", "waived", "met", "not_applicable")
    )
}

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
SEVERITY_RANK: dict[str, int] = {severity: rank for rank, severity in enumerate(SEVERITIES)}

#: OFF official; SEC+ two or more independent secondary sources; SEC one; UNV unconfirmed.
Confidence = Literal["OFF", "SEC+", "SEC", "UNV"]
CONFIDENCES: tuple[Confidence, ...] = ("OFF", "SEC+", "SEC", "UNV")

#: overdue: unsettled and its deadline has passed; passed: settled, deadline passed.
Timing = Literal["overdue", "due_today", "upcoming", "passed", "no_deadline"]
TIMINGS: tuple[Timing, ...] = ("overdue", "due_today", "upcoming", "passed", "no_deadline")

#: A requirement ID of the catalogue's form: POP-MIN, REG-LIST-SIZE.
RULE_ID_PATTERN = r"^[A-Z]{2,}(?:-[A-Z0-9]+)+$"
RULE_ID = re.compile(RULE_ID_PATTERN)


#: How a value still to be filled in starts (``pcn-check init`` writes them): the submission
#: format accepts it where it accepts text, and the facts leave it out (not evidenced).
PLACEHOLDER = "REPLACE:"


def is_placeholder(value: Any) -> bool:
    """Whether VALUE is a template's placeholder text (``"REPLACE: the network's name"``)."""
    return type(value) is str and value.startswith(PLACEHOLDER)


class FrozenDict(dict[_K, _V]):
    """A dict that refuses every change once made: a finding's evidence, a rule's source.

    Unlike a ``MappingProxyType`` it pickles, deep-copies and goes through
    ``dataclasses.asdict`` and ``json.dumps`` as the dict it is, and it equals a plain dict
    with the same items (so a report read back from its JSON equals the report).
    """

    __slots__ = ()

    def _read_only(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError(f"{type(self).__name__} cannot be changed")

    __setitem__ = __delitem__ = _read_only
    clear = pop = popitem = setdefault = update = _read_only
    __ior__ = _read_only

    def __reduce__(self) -> tuple[type[FrozenDict[_K, _V]], tuple[dict[_K, _V]]]:
        return type(self), (dict(self),)

    def __copy__(self) -> FrozenDict[_K, _V]:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> FrozenDict[_K, _V]:
        return type(self)({k: copy.deepcopy(v, memo) for k, v in self.items()})

    def __repr__(self) -> str:
        return f"FrozenDict({dict.__repr__(self)})"


@dataclass(frozen=True, slots=True)
class Milestone:
    """A dated step of a contract year (``network_agreement``: 30 June 2019); the deadline a
    requirement is due by."""

    key: str
    date: dt.date
    title: str


ISO_DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
#: The same, in ASCII digits only and to the very end (``$`` alone allows a final newline).
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_date(text: str) -> dt.date:
    """A ``YYYY-MM-DD`` date (ASCII digits, nothing before or after); a :class:`ValueError` that
    says what was expected otherwise."""
    if not _ISO_DATE.fullmatch(text):
        raise ValueError(f"expected a date as YYYY-MM-DD, got {text!r}")
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a real calendar date ({exc})") from None


def to_date(value: Any) -> Any:
    """For a validator: a ``YYYY-MM-DD`` string becomes a date; a date is kept; anything else is
    left for the validator to refuse."""
    if isinstance(value, dt.datetime):
        raise ValueError("expected a date (YYYY-MM-DD), got a date and time")
    if isinstance(value, str):
        return parse_date(value)
    return value


@functools.lru_cache(maxsize=4096)
def human_date(day: dt.date) -> str:
    """The one way dates are written for people: "15 May 2019", "1 July 2019" (memoised: a few
    dates recur in every message)."""
    return f"{day.day} {day:%B %Y}"


def plural(count: int, word: str) -> str:
    """``plural(1, "day")`` → "1 day"; ``plural(1250, "network")`` → "1,250 networks"."""
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def days_phrase(days: int) -> str:
    """Days left until a deadline, in words: "due in 3 days", "due today", "overdue by 1 day"."""
    if days < 0:
        return f"overdue by {plural(-days, 'day')}"
    if days == 0:
        return "due today"
    return f"due in {plural(days, 'day')}"


def days_ago(days: int) -> str:
    """How long ago a date passed: "1 day ago", "30 days ago"."""
    return f"{plural(days, 'day')} ago"


def milestone_phrase(days_left: int) -> str:
    """When a milestone is, from a date: "due in 3 days", "due today", "30 days ago"."""
    return days_ago(-days_left) if days_left < 0 else days_phrase(days_left)


def json_path(loc: Iterable[int | str]) -> str:
    """A validation error location as a JSON path, e.g. ``practices[2].name``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def validation_problem(err: Mapping[str, Any], *, noun: str = "field") -> tuple[str, str]:
    """(JSON path, message) for one pydantic validation error, in plain words."""
    path = json_path(err["loc"])
    kind = err["type"]
    if kind == "extra_forbidden":
        return path, f"unknown {noun}"
    if kind == "missing":
        return path, f"required {noun} is missing"
    if kind in ("dict_type", "model_type"):
        return path, "expected a mapping (key: value pairs)"
    if kind == "list_type":
        return path, "expected a list"
    return path, str(err.get("msg", "invalid value")).removeprefix("Value error, ")
