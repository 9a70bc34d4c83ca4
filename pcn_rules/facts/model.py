"""What facts are: plain values per entity, and the dated facts the as-of view left out.

Rules read facts; they never recompute aggregates.  Facts are plain JSON-like values (str, int,
float, bool, list, dict) so that any CEL runtime can read them.  Dates are ISO ``YYYY-MM-DD``
strings, which compare correctly as strings.

A fact the submission does not evidence is *absent* from its dict (never ``null``): a condition
that reads it fails with "not evidenced in the submission" instead of comparing against a default.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pcn_rules.vocab import is_placeholder

Facts = dict[str, Any]

#: Lists of the submission → the entity scope of their items.
LIST_SCOPES: dict[str, str] = {
    "practices": "practice",
    "non_gp_providers": "provider",
    "covered_practices": "covered_practice",
    "additional_roles": "role",
    "care_homes": "care_home",
    "sub_contracts": "sub_contract",
    "membership_changes": "membership_change",
}

_INDEX = re.compile(r"\[\d+\]")


@dataclass(frozen=True, slots=True)
class Entity:
    """One thing a rule is evaluated for: its scope, identifier, display name and facts."""

    scope: str
    id: str
    name: str | None
    facts: Facts
    #: Where the entity is in the submission, e.g. ``practices[3]`` (None: the whole submission,
    #: or an entity of a batch that no one submission holds).
    path: str | None = None


@dataclass(frozen=True, slots=True)
class Postponed:
    """A dated fact of the submission.  One dated after the as-of date has not happened as of
    then (not yet signed, agreed, approved or in post), so it is left out of the facts (it is
    *postponed*), and findings say so; one on or before it can make a requirement late."""

    #: JSON path in the submission, e.g. ``practices[3].network_agreement_signed_on``
    path: str
    #: the date it carries (ISO)
    date: str
    #: the entity it belongs to, for messages (e.g. the practice's ODS code)
    label: str | None = None

    @property
    def pattern(self) -> str:
        """The path with list indices left out: ``practices[].network_agreement_signed_on``."""
        return _INDEX.sub("[]", self.path)


#: The dated fields whose date, when after the as-of date, leaves their whole item out of its
#: list (a change notified later has not been notified): a rule that reads the list reads them.
#: Any other dated field is left out alone, and concerns only the rules that read it.
LEAVES_ITEM_OUT = frozenset(
    {
        "membership_changes[].notified_on",
        "participation.changes[].notified_on",
        "participation.opt_outs[]",
    }
)


@dataclass(frozen=True, slots=True)
class SubmissionFacts:
    """All facts of one submission, grouped by scope, as of a date."""

    submission: Facts
    network: Facts
    entities: dict[str, tuple[Entity, ...]]
    #: The as-of date the facts were built for (ISO; None: every dated fact is included).
    as_of: str | None = None
    #: Facts left out because they are dated after ``as_of``.
    postponed: tuple[Postponed, ...] = ()
    #: Every dated fact of the submission that is counted (on or before ``as_of``), to name
    #: the one that makes a requirement late.
    dated: tuple[Postponed, ...] = ()
    #: The same submission with nothing left out (only when something was): the engine reads
    #: it to tell a fact that is not yet true from one the submission does not give.
    unfiltered: SubmissionFacts | None = None
    #: JSON paths of the submission's placeholder values still to fill in (``pcn-check init``).
    placeholders: tuple[str, ...] = ()
    #: What the reader of a report on these facts should know, e.g. a boundary that could not
    #: be checked (the geo extra is not installed).
    warnings: tuple[str, ...] = ()


def put(target: Facts, key: str, value: Any) -> None:
    """Set a fact only when the submission evidences it (a template's placeholder text, such
    as ``"REPLACE: the area map's file name"``, evidences nothing)."""
    if value is not None and not is_placeholder(value):
        target[key] = value


def iso(value: Any) -> Any:
    return value.isoformat() if value is not None else None
