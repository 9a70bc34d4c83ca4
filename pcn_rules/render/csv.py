"""CSV for spreadsheets: one row per finding, with the network's identity on every row."""

from __future__ import annotations

import csv
import io

from ..report import Report

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
)


def render_csv(reports: list[Report]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
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
                    f.due.milestone if f.due else "",
                    f.due.date.isoformat() if f.due else "",
                    "" if f.days_left is None else f.days_left,
                    f.message,
                    " | ".join(f.remediation),
                    f.waiver.approved_by if f.waiver else "",
                    f.fingerprint,
                )
            )
    return out.getvalue()
