"""The audit's JSON shapes: what :meth:`AuditReport.to_dict` returns, key by key.

Built like the report's (:mod:`pcn_rules.report.shapes`): mypy checks the ``to_dict`` methods
against them and pydantic generates the published JSON Schema from them
(:mod:`pcn_rules.audits.schema`).  Where the published schema says less than the type (the
figures, a network's summary, an action's due date), :class:`Loosely` gives what it says.
"""

from __future__ import annotations

from typing import Annotated, Final, Literal, NotRequired

# pydantic reads a TypedDict's fields only from typing_extensions' TypedDict before Python 3.12
from typing_extensions import TypedDict

from pcn_rules.report.shapes import (
    Count,
    FindingJSON,
    Keywords,
    Loosely,
    SummaryJSON,
    Verdict,
    closed,
    open_ended,
)
from pcn_rules.vocab import ISO_DATE_PATTERN, Severity

#: The version of the audit's JSON (``audit_version``); a change of what the schema accepts
#: changes it.
AuditVersion = Literal["2.1"]
AUDIT_VERSION: Final[AuditVersion] = "2.1"
#: How much an audit's JSON holds: every finding, or verdicts, counts and the action plan.
Detail = Literal["full", "summary"]

#: ``YYYY-MM-DD`` (without the report's ``"format": "date"``)
AuditDate = Annotated[str, Keywords(pattern=ISO_DATE_PATTERN)]
#: 1 or more
Some = Annotated[int, Keywords(minimum=1)]


@open_ended
class DueDateJSON(TypedDict):
    """When an action or a data gap is due: the milestone and its date."""

    milestone: str
    date: str


#: The schema says only "an object, or null".
Due = Annotated[DueDateJSON | None, Loosely(type=["object", "null"])]


@open_ended
class AuditPackJSON(TypedDict):
    id: str
    release: str


@open_ended
class RegisterJSON(TypedDict):
    source: str
    practices: Count


@open_ended
class MetLateJSON(TypedDict):
    """Requirements met after their deadline: findings, networks and rule IDs."""

    findings: int
    networks: int
    rules: list[str]


@open_ended
class StatsJSON(TypedDict):
    """The area in figures."""

    networks: int
    networks_with_complete_list_sizes: int
    networks_with_list_size_gaps: int
    below_min_complete: int
    above_typical_max_complete: int
    below_min_with_gaps: int
    above_typical_max_with_gaps: int
    population_min: int
    population_typical_max: int
    single_practice_networks: int
    memberships: int
    memberships_crossing_ccg: int
    #: these three are null without a register
    register_practices: int | None
    register_practices_in_no_network: int | None
    patients_in_uncovered_practices: int | None
    practices_in_two_networks: int
    #: every network's list size (or the sum of those given), smallest first
    list_sizes: list[int]
    #: rule ID → status → findings
    by_rule: dict[str, dict[str, int]]
    met_late: MetLateJSON


#: The schema requires these figures, and says nothing more of them.
_STATS_REQUIRED = [
    "networks",
    "below_min_complete",
    "above_typical_max_complete",
    "below_min_with_gaps",
    "above_typical_max_with_gaps",
    "single_practice_networks",
    "memberships_crossing_ccg",
    "register_practices_in_no_network",
    "list_sizes",
    "by_rule",
]


@closed
class MilestoneReadinessJSON(TypedDict):
    key: str
    date: AuditDate
    title: str
    days_left: int
    networks_not_ready: list[str]
    #: the actions of the plan due here (one per requirement)
    actions: Count
    #: their findings (one about a practice in two networks counts once); always written, optional
    #: so that audits written before it was added still validate
    findings: NotRequired[Count]
    networks_not_evidenced: list[str]
    not_evidenced: Count


@closed
class ActionJSON(TypedDict):
    rule_id: str
    title: str
    severity: Severity
    due: Due
    days_left: int | None
    remediation: list[str]
    networks: list[str]
    findings: Some


@closed
class DataGapJSON(TypedDict):
    path: str
    places: Some
    unit: str
    sentence: str
    note: str | None
    rules: list[str]
    severity: Severity
    due: Due
    days_left: int | None
    networks: list[str]
    findings: Some


@closed
class LeadJSON(TypedDict):
    """A network's lead commissioner (CCG)."""

    ods_code: str
    name: str | None


@closed
class UncoveredJSON(TypedDict):
    """A register practice in no network (COV-FULL not met), with its registered patients
    where known."""

    ods_code: str
    name: str | None
    commissioner: str | None
    list_size: int | None


@closed
class NetworkReportJSON(TypedDict):
    """One network of the audit: its lead commissioner, verdict, counts and (in the full
    detail) its findings."""

    label: str
    source: str | None
    lead_commissioner: LeadJSON | None
    #: the audit's verdict: its own findings (``summary``) and those across networks that
    #: concern it (``batch_blocking``)
    verdict: Verdict
    #: its own findings, as checked alone (the findings across networks are not counted here)
    summary: Annotated[SummaryJSON, Loosely(type="object")]
    #: blocking findings of ``batch_findings`` that concern it (a practice it shares with another
    #: network); always written, optional so that audits written before it was added still
    #: validate
    batch_blocking: NotRequired[Count]
    findings: NotRequired[list[FindingJSON]]


@open_ended
class UnreadableJSON(TypedDict):
    """A submission the audit could not read, and why."""

    source: str
    problem: str


@closed
class SkippedJSON(TypedDict):
    """A JSON file the audit did not read as a submission (e.g. a report), and why."""

    source: str
    reason: str


@closed
class AuditJSON(TypedDict):
    audit_version: AuditVersion
    detail: Detail
    as_of: AuditDate
    pack: AuditPackJSON
    headline: str
    verdict: Verdict
    register: RegisterJSON | None
    stats: Annotated[StatsJSON, Loosely(type="object", required=_STATS_REQUIRED)]
    milestones: list[MilestoneReadinessJSON]
    gaps: list[DataGapJSON]
    actions: list[ActionJSON]
    #: the lead commissioners the audit is scoped to (empty: every network read)
    commissioners: list[str]
    uncovered: list[UncoveredJSON]
    networks: list[NetworkReportJSON]
    #: in the full detail only
    batch_findings: NotRequired[list[FindingJSON]]
    unreadable: list[UnreadableJSON]
    skipped: list[SkippedJSON]
    #: only with ``--payments``
    payments: NotRequired[PaymentsJSON]


#: Why a practice's participation payment differs from weighted patients times the rate.
PaymentReason = Literal[
    "not_in_payments", "paid_nothing", "part_year", "list_change", "other_network", "no_note"
]
#: Pounds (to the penny).
Pounds = float


@closed
class PracticePaymentJSON(TypedDict):
    """A practice whose participation payment differs from its weighted patients times the rate
    for a known reason."""

    ods_code: str
    weighted: float | None
    #: weighted times the pack's rate; null without a weighted list size
    expected: Pounds | None
    #: the "PCN Participation" paid; null when the practice is in no payments file
    paid: Pounds | None
    reason: PaymentReason
    #: the PCN the payments file names for it, when not the audited one
    payments_network: str | None


@closed
class NetworkPaymentsJSON(TypedDict):
    """One network's participation entitlement (the pack's) against what its practices were
    paid."""

    label: str
    ods_code: str | None
    #: null when the pack could not compute it (``not_computed`` says why)
    entitlement: Pounds | None
    not_computed: str | None
    paid: Pounds
    #: paid minus entitlement
    difference: Pounds | None
    practices: Count
    explained: list[PracticePaymentJSON]
    #: practices the payments file places in this network that are not among its members
    paid_to_non_members: list[PracticePaymentJSON]


@closed
class PaymentReasonJSON(TypedDict):
    """Every practice of the networks with an entitlement under one reason, with their part
    of the difference."""

    reason: PaymentReason
    words: str
    practices: Count
    expected: Pounds
    paid: Pounds
    difference: Pounds


@closed
class PaymentsJSON(TypedDict):
    """The participation payment reconciled (``audit --payments``)."""

    sources: list[str]
    rate_per_weighted_patient: float
    #: over the networks whose entitlement the pack computed
    entitlement: Pounds
    paid: Pounds
    difference: Pounds
    networks_not_computed: Count
    paid_in_networks_not_computed: Pounds
    paid_to_non_members: Pounds
    reasons: list[PaymentReasonJSON]
    networks: list[NetworkPaymentsJSON]
