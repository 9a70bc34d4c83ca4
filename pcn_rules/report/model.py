"""The report: immutable findings, sorted deterministically, with a summary.

Renderers only format a :class:`Report`.  :meth:`Report.to_dict` is the versioned JSON report;
:func:`~pcn_rules.report.schema.report_json_schema` publishes its schema.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from pcn_rules import __version__
from pcn_rules.errors import InputError
from pcn_rules.report.schema import report_json_schema
from pcn_rules.report.shapes import (
    REPORT_VERSION,
    BaselineJSON,
    ExplainStepJSON,
    FindingJSON,
    ReportJSON,
    ReportsJSON,
    SourceJSON,
    SummaryJSON,
    Verdict,
)
from pcn_rules.vocab import (
    SEVERITY_RANK,
    STATUS_RANK,
    STATUSES,
    UNSETTLED,
    FrozenDict,
    Milestone,
    Severity,
    Status,
    Timing,
)

# report_json_schema is imported from here by the command
__all__ = [
    "REPORT_VERSION",
    "Finding",
    "MilestoneStatus",
    "Report",
    "Waiver",
    "report_json_schema",
    "reports_to_json",
]


@dataclass(frozen=True, slots=True)
class Waiver:
    """A commissioner decision that turned a not-met finding into ``waived``."""

    approved_by: str
    approved_on: str
    reason: str
    expires_on: str | None = None
    #: "submission" (a commissioner decision in the submission) or the waivers file's path
    source: str = "submission"


@dataclass(frozen=True, slots=True)
class Finding:
    """The outcome of one rule for one entity (a network, a practice, a provider, a role...)."""

    rule_id: str
    title: str
    status: Status
    severity: Severity
    scope: str
    entity: str | None
    entity_name: str | None
    message: str
    evidence: Mapping[str, Any]
    remediation: tuple[str, ...]
    due: Milestone | None
    days_left: int | None
    timing: Timing
    blocking: bool
    source: Mapping[str, str]
    waiver: Waiver | None = None
    #: Stable identity across runs: contract year, network, rule ID, scope and entity.
    fingerprint: str = ""
    #: Each condition with the values it read and its result (only when asked for).
    explain: tuple[Mapping[str, Any], ...] | None = None
    #: JSON paths of the submission facts that are absent (for ``not_evidenced``; also listed
    #: on a ``not_met`` finding whose other facts are missing too).
    missing: tuple[str, ...] = ()
    #: The date the rule's evidence carries (the latest, for a list of dates), if it has one.
    evidence_date: str | None = None
    #: Days after the deadline that the evidence is dated (``met_late`` only).
    days_late: int | None = None

    @property
    def failed(self) -> bool:
        """Not shown to hold: not met, not evidenced, or could not be evaluated."""
        return self.status in UNSETTLED

    def __repr__(self) -> str:
        about = f"{self.scope} {self.entity}" if self.entity else self.scope
        flags = f"{self.severity}, blocking" if self.blocking else self.severity
        return f"<Finding {self.rule_id} {about}: {self.status} ({flags})>"

    @classmethod
    def from_dict(cls, data: FindingJSON | Mapping[str, Any]) -> Finding:
        """The finding of a JSON report's ``findings`` (what :meth:`to_dict` gave)."""
        due = data["due"]
        waiver = data["waiver"]
        explain = data.get("explain")
        return cls(
            rule_id=data["rule_id"],
            title=data["title"],
            status=data["status"],
            severity=data["severity"],
            scope=data["scope"],
            entity=data["entity"],
            entity_name=data["entity_name"],
            message=data["message"],
            evidence=FrozenDict(data["evidence"]),
            remediation=tuple(data["remediation"]),
            due=_milestone(due) if due else None,
            days_left=data["days_left"],
            timing=data["timing"],
            blocking=data["blocking"],
            source=FrozenDict({str(k): str(v) for k, v in data["source"].items()}),
            waiver=Waiver(**waiver) if waiver else None,
            fingerprint=data["fingerprint"],
            explain=tuple(dict(step) for step in explain) if explain else None,
            missing=tuple(data["missing"]),
            evidence_date=data["evidence_date"],
            days_late=data["days_late"],
        )

    def sort_key(self) -> tuple[Any, ...]:
        return (
            self.due.date if self.due else dt.date.max,
            SEVERITY_RANK[self.severity],
            self.rule_id,
            STATUS_RANK[self.status],
            self.entity or "",
        )

    def to_dict(self) -> FindingJSON:
        out: FindingJSON = {
            "rule_id": self.rule_id,
            "title": self.title,
            "status": self.status,
            "severity": self.severity,
            "scope": self.scope,
            "entity": self.entity,
            "entity_name": self.entity_name,
            "message": self.message,
            "evidence": dict(self.evidence),
            "remediation": list(self.remediation),
            "due": (
                {
                    "milestone": self.due.key,
                    "date": self.due.date.isoformat(),
                    "title": self.due.title,
                }
                if self.due
                else None
            ),
            "days_left": self.days_left,
            "timing": self.timing,
            "blocking": self.blocking,
            # a pack's source: document and confidence, url and note when given
            "source": cast(SourceJSON, dict(self.source)),
            "waiver": (
                {
                    "approved_by": self.waiver.approved_by,
                    "approved_on": self.waiver.approved_on,
                    "reason": self.waiver.reason,
                    "expires_on": self.waiver.expires_on,
                    "source": self.waiver.source,
                }
                if self.waiver
                else None
            ),
            "fingerprint": self.fingerprint,
            "missing": list(self.missing),
            "evidence_date": self.evidence_date,
            "days_late": self.days_late,
        }
        if self.explain:
            out["explain"] = [cast(ExplainStepJSON, dict(step)) for step in self.explain]
        return out


# each field's slot, set directly: a frozen dataclass's __init__ goes through
# object.__setattr__ for each of the 21 fields, a third of making a finding
_SLOTS = tuple(getattr(Finding, f.name).__set__ for f in dataclasses.fields(Finding))
_new = object.__new__


def finding_of(*values: Any) -> Finding:
    """``Finding(*values)`` (every field, in order), made faster: the engine makes thousands."""
    if len(values) != len(_SLOTS):
        raise TypeError(f"a finding has {len(_SLOTS)} fields, got {len(values)} values")
    made: Finding = _new(Finding)
    for put, value in zip(_SLOTS, values, strict=True):
        put(made, value)
    return made


@dataclass(frozen=True, slots=True)
class MilestoneStatus:
    """One milestone of the pack, as seen from the as-of date."""

    key: str
    date: dt.date
    title: str
    days_left: int
    failed: int
    blocking: bool


@dataclass(frozen=True, slots=True)
class Report:
    """The result of checking one submission against one pack at one date."""

    pack_id: str
    pack_release: str
    contract_year: str
    as_of: dt.date
    network_name: str
    network_ods_code: str | None
    source: str | None
    horizon: Milestone | None
    findings: tuple[Finding, ...]
    milestones: tuple[MilestoneStatus, ...]
    #: JSON paths of the submission's placeholder values still to fill in (``"REPLACE: ..."``,
    #: as ``pcn-check init`` writes them): a submission holding any is not compliant.
    placeholders: tuple[str, ...] = ()
    #: What the reader should know before trusting the verdict, e.g. an as-of date outside the
    #: pack's contract year (the deadlines judged are that year's).
    warnings: tuple[str, ...] = ()

    @property
    def compliant(self) -> bool:
        """No blocking finding (nothing due by the next milestone, or overdue, is unmet) and no
        placeholder of a template left to fill in."""
        return not self.placeholders and not any(f.blocking for f in self.findings)

    def __repr__(self) -> str:
        counts = self.summary()
        shown = ", ".join(f"{counts[s]} {s}" for s in STATUSES if counts[s])
        code = f" ({self.network_ods_code})" if self.network_ods_code else ""
        return (
            f"<Report {self.network_name!r}{code}: {self.verdict}, pack {self.pack_id} as of "
            f"{self.as_of.isoformat()}; {counts['total']} findings ({shown or 'none'}), "
            f"{counts['blocking']} blocking>"
        )

    @classmethod
    def from_dict(cls, data: ReportJSON | Mapping[str, Any], source: str = "<report>") -> Report:
        """The report a JSON report holds (what :meth:`to_dict` gave): equal to the report it
        was made from.  A document that is not one report is an
        :class:`~pcn_rules.errors.InputError` naming ``source``."""
        try:
            if not isinstance(data, Mapping):
                raise TypeError(f"expected a JSON object, got {type(data).__name__}")
            if "reports" in data:
                raise ValueError("several reports: read each of its `reports` with from_dict")
            if data.get("report_version") != REPORT_VERSION:
                raise ValueError(
                    f"report_version {data.get('report_version')!r}, expected {REPORT_VERSION}"
                )
            horizon = data["horizon"]
            return cls(
                pack_id=data["pack"]["id"],
                pack_release=data["pack"]["release"],
                contract_year=data["pack"]["contract_year"],
                as_of=dt.date.fromisoformat(data["as_of"]),
                network_name=data["network"]["name"],
                network_ods_code=data["network"]["ods_code"],
                source=data["source"],
                horizon=_milestone(horizon) if horizon else None,
                findings=tuple(Finding.from_dict(f) for f in data["findings"]),
                milestones=tuple(
                    MilestoneStatus(
                        key=m["key"],
                        date=dt.date.fromisoformat(m["date"]),
                        title=m["title"],
                        days_left=m["days_left"],
                        failed=m["failed"],
                        blocking=m["blocking"],
                    )
                    for m in data["milestones"]
                ),
                placeholders=tuple(data["placeholders"]),
                warnings=tuple(data["warnings"]),
            )
        except KeyError as exc:
            raise InputError(source, [("", f"not a pcn-check report: no key {exc}")]) from None
        except (TypeError, ValueError, AttributeError) as exc:
            raise InputError(source, [("", f"not a pcn-check report: {exc}")]) from None

    @classmethod
    def from_json(cls, text: str | bytes, source: str = "<report JSON>") -> Report:
        """:meth:`from_dict` of a JSON report's text (what :meth:`to_json` gave)."""
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise InputError(source, [("", f"not JSON: {exc}")]) from None
        return cls.from_dict(data, source)

    @property
    def verdict(self) -> Verdict:
        return "compliant" if self.compliant else "not_compliant"

    def later_unsettled(self) -> list[Finding]:
        """Error-severity requirements not shown to hold that are due after the next milestone:
        they do not change the verdict yet, but a verdict must never hide them."""
        return [
            f
            for f in self.findings
            if f.failed and f.severity == "error" and not f.blocking and f.due is not None
        ]

    def summary(self) -> dict[str, int]:
        counts: dict[str, int] = dict.fromkeys(STATUSES, 0)
        for finding in self.findings:
            counts[finding.status] += 1
        counts["total"] = len(self.findings)
        counts["blocking"] = sum(1 for f in self.findings if f.blocking)
        return counts

    def by_status(self, *statuses: Status) -> list[Finding]:
        return [f for f in self.findings if f.status in statuses]

    def to_dict(self) -> ReportJSON:
        return {
            "report_version": REPORT_VERSION,
            "tool": {"name": "pcn-rules", "version": __version__},
            "pack": {
                "id": self.pack_id,
                "release": self.pack_release,
                "contract_year": self.contract_year,
            },
            "as_of": self.as_of.isoformat(),
            "network": {"name": self.network_name, "ods_code": self.network_ods_code},
            "source": self.source,
            "verdict": self.verdict,
            "horizon": (
                {
                    "milestone": self.horizon.key,
                    "date": self.horizon.date.isoformat(),
                    "title": self.horizon.title,
                }
                if self.horizon
                else None
            ),
            "summary": cast(SummaryJSON, self.summary()),  # a count for each status
            "milestones": [
                {
                    "key": m.key,
                    "date": m.date.isoformat(),
                    "title": m.title,
                    "days_left": m.days_left,
                    "failed": m.failed,
                    "blocking": m.blocking,
                }
                for m in self.milestones
            ],
            "findings": [f.to_dict() for f in self.findings],
            "placeholders": list(self.placeholders),
            "warnings": list(self.warnings),
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, sort_keys=False)


def _milestone(data: Mapping[str, Any]) -> Milestone:
    return Milestone(data["milestone"], dt.date.fromisoformat(data["date"]), data["title"])


def reports_to_json(
    reports: list[Report], indent: int | None = 2, baseline: BaselineJSON | None = None
) -> str:
    """One report as a report object; several as ``{"report_version", "reports": [...]}``.

    ``baseline`` (a comparison with an earlier report) is added at the top level.
    """
    payload: ReportJSON | ReportsJSON
    if len(reports) == 1:
        payload = reports[0].to_dict()
    else:
        payload = {"report_version": REPORT_VERSION, "reports": [r.to_dict() for r in reports]}
    if baseline is not None:
        payload["baseline"] = baseline
    return json.dumps(payload, indent=indent, ensure_ascii=False)
