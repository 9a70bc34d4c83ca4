"""CSV for spreadsheets: one row per finding, with the network's identity on every row.

A spreadsheet takes a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
return before one) for a formula: every text cell that starts so is written with a single quote
before it, as OWASP's guidance on CSV injection advises, so that a network or practice name is
shown, never run.  Numbers (days left, counts) are written by pcn-check itself and stay numbers;
control characters in text are shown as U+FFFD.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from pcn_rules.render.safe import visible
from pcn_rules.render.words import numbered_steps, status_words
from pcn_rules.report.model import Finding, Report

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


#: The byte-order mark that tells Excel a CSV file is UTF-8 (without it, "£" shows as "Â£").
BOM = "\ufeff"


def render_csv(reports: list[Report], bom: bool = True) -> str:
    """One row per finding; with a byte-order mark first (so that Excel reads UTF-8) unless BOM
    is false."""
    out = io.StringIO()
    if bom:
        out.write(BOM)
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


#: The columns of the audit's CSV (and of the findings sheet of its spreadsheet): one row per
#: finding, with the network's lead commissioner, and a practice's code in its own column.
AUDIT_COLUMNS = (
    "lead_commissioner",
    "lead_commissioner_name",
    "network",
    "network_ods_code",
    "rule_id",
    "title",
    "severity",
    "status",
    "blocking",
    "scope",
    "practice_code",
    "entity",
    "entity_name",
    "due_milestone",
    "due_date",
    "days_left",
    "message",
    "remediation",
    "missing",
    "source",
)
#: The scopes whose entity is a GP practice.
PRACTICE_SCOPES = frozenset({"practice", "register_practice", "covered_practice"})


#: Statuses of the findings across networks that the rows leave out (nothing to act on).
_SETTLED = ("met", "not_applicable")


def audit_rows(report: AuditReport) -> Iterator[tuple[Any, ...]]:
    """Every finding of the audit as a row of :data:`AUDIT_COLUMNS`: each network's, with the
    findings across networks that concern it (a practice it shares with another network: under
    each of them), then the other findings across networks (a practice in no network is under
    its own commissioner).  Dates are dates and counts are numbers; several steps or paths in
    one cell are one a line."""
    shown: set[int] = set()
    for index, r in enumerate(report.reports):
        lead = report.lead(index)
        across = [f for f in report.batch_findings_of(index) if f.status not in _SETTLED]
        shown.update(id(f) for f in across)
        for f in (*r.findings, *across):
            yield _row(
                f,
                lead.code if lead else "",
                (lead.name or "") if lead else "",
                report.labels[index],
                r.network_ods_code or "",
                r.source or "",
            )
    commissioners = {u.code: u.commissioner or "" for u in report.uncovered}
    for f in report.batch_findings:
        if f.status in _SETTLED or id(f) in shown:
            continue
        yield _row(f, commissioners.get(f.entity or "", ""), "", "(across networks)", "", "")


def finding_cells(f: Finding) -> tuple[Any, ...]:
    """A finding's cells in a spreadsheet row (the audit's CSV and findings sheet, the check's
    findings sheet): rule, title, severity, status in words, blocking, scope, practice code,
    entity and its name, due milestone and date (a date), days left, message, numbered
    remediation, missing facts (one a line)."""
    return (
        f.rule_id,
        f.title,
        f.severity,
        status_words(f.status),
        "yes" if f.blocking else "no",
        f.scope,
        (f.entity or "") if f.scope in PRACTICE_SCOPES else "",
        f.entity or "",
        f.entity_name or "",
        f.due.key if f.due else "",
        f.due.date if f.due else None,
        f.days_left,
        f.message,
        numbered_steps(f.remediation),
        "\n".join(f.missing),
    )


def _row(
    f: Finding, lead: str, lead_name: str, network: str, code: str, source: str
) -> tuple[Any, ...]:
    return (lead, lead_name, network, code, *finding_cells(f), source)


def render_audit_csv(report: AuditReport, bom: bool = True) -> str:
    """One row per finding (:func:`audit_rows`); with a byte-order mark first unless BOM is
    false."""
    out = io.StringIO()
    if bom:
        out.write(BOM)
    writer = _Writer(out)
    writer.writerow(AUDIT_COLUMNS)
    for row in audit_rows(report):
        writer.writerow(
            "" if v is None else v.isoformat() if isinstance(v, dt.date) else v for v in row
        )
    return out.getvalue()
