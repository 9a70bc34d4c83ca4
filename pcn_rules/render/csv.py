"""CSV for spreadsheets: one row per finding, with the network's identity on every row.

A spreadsheet takes a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
return before one) for a formula: every text cell that starts so is written with a single quote
before it, as OWASP's guidance on CSV injection advises, so that a network or practice name is
shown, never run.  Numbers (days left, counts) are written by pcn-check itself and stay numbers;
control characters in text are shown as U+FFFD.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from pcn_rules.render.safe import visible
from pcn_rules.report.model import Finding, Report
from pcn_rules.vocab import STATUS_RANK

if TYPE_CHECKING:
    from pcn_rules.audits.run import AuditReport

#: What a spreadsheet may read as the start of a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """VALUE as a CSV cell: text that a spreadsheet would take for a formula is quoted with a
    leading ``'``; numbers are kept."""
    if not isinstance(value, str):
        return value
    text = visible(value)
    return f"'{text}" if text.startswith(FORMULA_START) else text


class _Writer:
    """A CSV writer that writes each cell through :func:`cell`."""

    def __init__(self, out: io.StringIO) -> None:
        self._writer = csv.writer(out, lineterminator="\n")

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([cell(value) for value in row])


COLUMNS = (
    "source",
    "network",
    "network_ods_code",
    "as_of",
    "rule_id",
    "title",
    "severity",
    "status",
    "blocking",
    "scope",
    "entity",
    "entity_name",
    "due_milestone",
    "due_date",
    "days_left",
    "message",
    "remediation",
    "waived_by",
    "fingerprint",
    "missing",
    "evidence_date",
    "days_late",
)


def render_csv(reports: list[Report]) -> str:
    out = io.StringIO()
    writer = _Writer(out)
    writer.writerow(COLUMNS)
    for report in reports:
        for f in report.findings:
            writer.writerow(
                (
                    report.source or "",
                    report.network_name,
                    report.network_ods_code or "",
                    report.as_of.isoformat(),
                    f.rule_id,
                    f.title,
                    f.severity,
                    f.status,
                    "yes" if f.blocking else "no",
                    f.scope,
                    f.entity or "",
                    f.entity_name or "",
                    f.due.key if f.due else "",
                    f.due.date.isoformat() if f.due else "",
                    "" if f.days_left is None else f.days_left,
                    f.message,
                    " | ".join(f.remediation),
                    f.waiver.approved_by if f.waiver else "",
                    f.fingerprint,
                    " | ".join(f.missing),
                    f.evidence_date or "",
                    "" if f.days_late is None else f.days_late,
                )
            )
    return out.getvalue()


AUDIT_COLUMNS = (
    "network",
    "network_ods_code",
    "source",
    "rule_id",
    "title",
    "severity",
    "status",
    "findings",
    "blocking",
    "due_milestone",
    "due_date",
    "days_left",
    "message",
)


def render_audit_csv(report: AuditReport) -> str:
    """One row per network and requirement (the worst status over its entities), then the
    batch requirements (one row per practice concerned)."""
    out = io.StringIO()
    writer = _Writer(out)
    writer.writerow(AUDIT_COLUMNS)
    for r in report.reports:
        by_rule: dict[str, list[Finding]] = {}
        for f in r.findings:
            by_rule.setdefault(f.rule_id, []).append(f)
        for rule_id, findings in by_rule.items():
            worst = min(findings, key=lambda f: STATUS_RANK[f.status])
            failing = [f for f in findings if f.failed]
            writer.writerow(
                (
                    r.network_name,
                    r.network_ods_code or "",
                    r.source or "",
                    rule_id,
                    worst.title,
                    worst.severity,
                    worst.status,
                    len(findings),
                    "yes" if any(f.blocking for f in findings) else "no",
                    worst.due.key if worst.due else "",
                    worst.due.date.isoformat() if worst.due else "",
                    "" if worst.days_left is None else worst.days_left,
                    " | ".join(f.message for f in failing) or worst.message,
                )
            )
    for f in report.batch_findings:
        if f.status in ("met", "not_applicable"):
            continue
        writer.writerow(
            (
                "(all networks)",
                "",
                "",
                f.rule_id,
                f.title,
                f.severity,
                f.status,
                1,
                "yes" if f.blocking else "no",
                f.due.key if f.due else "",
                f.due.date.isoformat() if f.due else "",
                "" if f.days_left is None else f.days_left,
                f.message,
            )
        )
    return out.getvalue()
