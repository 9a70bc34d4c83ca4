"""What an audit found: each milestone's readiness, the action plan, the data gaps, and the
:class:`AuditReport` that holds them with every network's report; its JSON (``audit_version``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from pcn_rules.audits.shapes import (
    AUDIT_VERSION,
    ActionJSON,
    AuditJSON,
    DataGapJSON,
    DueDateJSON,
    LeadJSON,
    MilestoneReadinessJSON,
    NetworkReportJSON,
    StatsJSON,
    UncoveredJSON,
)
from pcn_rules.report.model import Finding, Report
from pcn_rules.report.shapes import SummaryJSON, Verdict
from pcn_rules.vocab import Severity

if TYPE_CHECKING:
    from pcn_rules.audits.payments import PaymentsReconciliation


@dataclass(frozen=True, slots=True)
class MilestoneReadiness:
    key: str
    date: dt.date
    title: str
    days_left: int
    #: networks with an error-severity requirement due here that the evidence shows unmet
    #: (or that could not be evaluated)
    networks_not_ready: tuple[str, ...]
    #: actions of the plan due here (one per requirement)
    actions: int
    #: other networks with an error-severity requirement due here that is not evidenced
    networks_not_evidenced: tuple[str, ...] = ()
    #: findings due here that are not evidenced
    not_evidenced: int = 0
    #: findings of those actions (a finding about a practice in two networks counts once)
    findings: int = 0

    def to_dict(self) -> MilestoneReadinessJSON:
        return {
            "key": self.key,
            "date": self.date.isoformat(),
            "title": self.title,
            "days_left": self.days_left,
            "networks_not_ready": list(self.networks_not_ready),
            "actions": self.actions,
            "findings": self.findings,
            "networks_not_evidenced": list(self.networks_not_evidenced),
            "not_evidenced": self.not_evidenced,
        }


@dataclass(frozen=True, slots=True)
class Action:
    """One requirement the evidence shows unmet, with every network (and entity) it concerns."""

    rule_id: str
    title: str
    severity: Severity
    due_milestone: str | None
    due_date: dt.date | None
    days_left: int | None
    remediation: tuple[str, ...]
    networks: tuple[str, ...]
    #: its findings (a finding about a practice in two networks counts once)
    findings: int

    def to_dict(self) -> ActionJSON:
        return {
            "rule_id": self.rule_id,
            "title": self.title,
            "severity": self.severity,
            "due": _due(self.due_milestone, self.due_date),
            "days_left": self.days_left,
            "remediation": list(self.remediation),
            "networks": list(self.networks),
            "findings": self.findings,
        }


@dataclass(frozen=True, slots=True)
class DataGap:
    """A fact the submissions do not give, with every requirement it leaves not evidenced."""

    #: the submission path with list indices left out, e.g. ``practices[].contract_type``
    path: str
    #: how many places it is missing from (e.g. practices, across every network)
    places: int
    #: what a place is ("member practices", "networks"...)
    unit: str
    networks: tuple[str, ...]
    rules: tuple[str, ...]
    severity: Severity
    due_milestone: str | None
    due_date: dt.date | None
    days_left: int | None
    findings: int
    #: why it is missing, where that is known (e.g. "ODS does not hold it")
    note: str | None = None

    @property
    def sentence(self) -> str:
        """ "`practices[].contract_type` is missing for 6,757 member practices: ODS does not
        hold it"."""
        unit = self.unit[:-1] if self.places == 1 and self.unit.endswith("s") else self.unit
        text = f"`{self.path}` is missing for {self.places:,} {unit}"
        return f"{text}: {self.note}" if self.note else text

    def to_dict(self) -> DataGapJSON:
        return {
            "path": self.path,
            "places": self.places,
            "unit": self.unit,
            "sentence": self.sentence,
            "note": self.note,
            "rules": list(self.rules),
            "severity": self.severity,
            "due": _due(self.due_milestone, self.due_date),
            "days_left": self.days_left,
            "networks": list(self.networks),
            "findings": self.findings,
        }


@dataclass(frozen=True, slots=True)
class Lead:
    """A network's lead commissioner (CCG): its ODS code and, where given, its name."""

    code: str
    name: str | None = None

    def to_dict(self) -> LeadJSON:
        return {"ods_code": self.code, "name": self.name}

    @property
    def phrase(self) -> str:
        """ "08J NHS KINGSTON CCG", or the code alone."""
        return f"{self.code} {self.name}" if self.name else self.code


@dataclass(frozen=True, slots=True)
class Uncovered:
    """A register practice in no network, and no network covers its patients (COV-FULL)."""

    code: str
    name: str | None
    commissioner: str | None
    #: registered patients, where the register or the list-size file gives them
    list_size: int | None

    def to_dict(self) -> UncoveredJSON:
        return {
            "ods_code": self.code,
            "name": self.name,
            "commissioner": self.commissioner,
            "list_size": self.list_size,
        }


@dataclass(frozen=True, slots=True)
class AuditReport:
    as_of: dt.date
    pack_id: str
    pack_release: str
    register_source: str | None
    register_practices: int
    reports: tuple[Report, ...]
    labels: tuple[str, ...]
    batch_findings: tuple[Finding, ...]
    unreadable: tuple[tuple[str, str], ...]
    milestones: tuple[MilestoneReadiness, ...]
    actions: tuple[Action, ...]
    stats: StatsJSON
    headline: str
    gaps: tuple[DataGap, ...] = ()
    #: JSON files read that are not submissions (a report written among them), and why
    skipped: tuple[tuple[str, str], ...] = ()
    #: the participation payment reconciled with a payments file (``payments=``)
    payments: PaymentsReconciliation | None = None

    def __repr__(self) -> str:
        verdict = "compliant" if self.compliant else "not_compliant"
        failing = sum(1 for i in range(len(self.reports)) if not self.network_compliant(i))
        return (
            f"<AuditReport pack {self.pack_id} as of {self.as_of.isoformat()}: {verdict}; "
            f"{len(self.reports)} networks, {failing} not compliant, "
            f"{len(self.unreadable)} unreadable>"
        )

    #: each network's lead commissioner (None where its submission names none), as ``reports``
    leads: tuple[Lead | None, ...] = ()
    #: the commissioners the audit is scoped to (``--commissioner``); empty: every network read
    commissioners: tuple[str, ...] = ()
    #: the register practices in no network (COV-FULL not met), by commissioner then code
    uncovered: tuple[Uncovered, ...] = ()
    #: for each of ``reports``, the findings of ``batch_findings`` that concern that network
    #: (a practice it lists that another network lists too): they count in its verdict
    batch_by_network: tuple[tuple[Finding, ...], ...] = ()

    def lead(self, index: int) -> Lead | None:
        """The lead commissioner of the network at INDEX (of ``reports``)."""
        return self.leads[index] if index < len(self.leads) else None

    def batch_findings_of(self, index: int) -> tuple[Finding, ...]:
        """The findings across networks (``batch_findings``) that concern the network at INDEX
        (of ``reports``), such as CORE-ONE-NETWORK for a practice it shares with another."""
        return self.batch_by_network[index] if index < len(self.batch_by_network) else ()

    def network_compliant(self, index: int) -> bool:
        """The audit's verdict on the network at INDEX (of ``reports``): its own report is
        compliant and no blocking finding across networks concerns it.  (``reports[index]``
        is the network checked alone, which cannot see the other networks.)"""
        return self.reports[index].compliant and not any(
            f.blocking for f in self.batch_findings_of(index)
        )

    def network_verdict(self, index: int) -> Verdict:
        """``"compliant"`` or ``"not_compliant"``: :meth:`network_compliant` in words."""
        return "compliant" if self.network_compliant(index) else "not_compliant"

    @property
    def compliant(self) -> bool:
        """Every network compliant, no blocking finding across networks, and every submission
        read: an audit that could not read one is never an all-clear (fail closed)."""
        return (
            not self.unreadable
            and all(self.network_compliant(i) for i in range(len(self.reports)))
            and not any(f.blocking for f in self.batch_findings)
        )

    def to_dict(self, findings: bool = True) -> AuditJSON:
        """The audit as JSON data: every finding of every network, or (``findings=False``)
        each network's verdict and counts alone."""
        networks: list[NetworkReportJSON] = []
        for index, (label, r) in enumerate(zip(self.labels, self.reports, strict=True)):
            lead = self.lead(index)
            network: NetworkReportJSON = {
                "label": label,
                "source": r.source,
                "lead_commissioner": lead.to_dict() if lead else None,
                "verdict": self.network_verdict(index),
                "summary": cast(SummaryJSON, r.summary()),  # a count for each status
                "batch_blocking": sum(1 for f in self.batch_findings_of(index) if f.blocking),
            }
            if findings:
                network["findings"] = [f.to_dict() for f in r.findings]
            networks.append(network)
        out: AuditJSON = {
            "audit_version": AUDIT_VERSION,
            "detail": "full" if findings else "summary",
            "as_of": self.as_of.isoformat(),
            "pack": {"id": self.pack_id, "release": self.pack_release},
            "headline": self.headline,
            "verdict": "compliant" if self.compliant else "not_compliant",
            "register": (
                {"source": self.register_source, "practices": self.register_practices}
                if self.register_source
                else None
            ),
            "stats": self.stats.copy(),
            "milestones": [m.to_dict() for m in self.milestones],
            "gaps": [g.to_dict() for g in self.gaps],
            "actions": [a.to_dict() for a in self.actions],
            "commissioners": list(self.commissioners),
            "uncovered": [u.to_dict() for u in self.uncovered],
            "networks": networks,
            "unreadable": [{"source": s, "problem": p} for s, p in self.unreadable],
            "skipped": [{"source": s, "reason": r} for s, r in self.skipped],
        }
        if self.payments is not None:
            out["payments"] = self.payments.to_dict()
        if findings:
            out["batch_findings"] = [f.to_dict() for f in self.batch_findings]
        return out


def _due(milestone: str | None, date: dt.date | None) -> DueDateJSON | None:
    return {"milestone": milestone or "", "date": date.isoformat()} if date else None
