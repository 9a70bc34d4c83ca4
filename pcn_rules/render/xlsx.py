"""Excel workbooks (``--format xlsx``) of an audit and of checked submissions, written with
XlsxWriter (the optional extra ``pcn-rules[xlsx]``).

An audit's workbook has a sheet for the summary (headline and figures), the milestones, the
action plan, the networks (with their lead commissioner), every finding (one a row, a
practice's code in its own column), the data gaps and the register practices in no network.
A check's has the reports, the findings and the action plan.  On every sheet the header row is
frozen and filtered; columns are as wide as their content (within limits); numbers are numbers
and dates are dates.  Text is always written as text: a name starting with ``=`` is shown, never
run as a formula; control characters are shown as U+FFFD.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from pcn_rules.render.csv import AUDIT_COLUMNS, audit_rows, finding_cells
from pcn_rules.render.safe import visible
from pcn_rules.render.words import numbered_steps, status_words
from pcn_rules.vocab import STATUSES

if TYPE_CHECKING:  # only for annotations
    from pcn_rules.audits import AuditReport
    from pcn_rules.report import Report

#: Excel's limit on the characters of one cell.
_CELL_LIMIT = 32_767
#: Column widths, in characters: at least, and at most (longer text wraps).
_MIN_WIDTH, _MAX_WIDTH = 6, 70
#: Rows looked at to size a column (a national findings sheet has tens of thousands).
_SIZED_ROWS = 2_000


class _Book:
    """A workbook being written: its formats, and a sheet at a time."""

    def __init__(self) -> None:
        import xlsxwriter

        self.buffer = io.BytesIO()
        self.book = xlsxwriter.Workbook(
            self.buffer, {"in_memory": True, "strings_to_numbers": False}
        )
        self.bold = self.book.add_format({"bold": True, "bg_color": "#E8EDEE", "bottom": 1})
        self.date = self.book.add_format({"num_format": "d mmm yyyy", "align": "left"})
        self.number = self.book.add_format({"num_format": "#,##0"})
        self.wrap = self.book.add_format({"text_wrap": True, "valign": "top"})

    def sheet(self, name: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """A sheet called NAME: the HEADER row (frozen, with filters) and ROWS."""
        sheet = self.book.add_worksheet(name)
        widths = [len(h) for h in header]
        sheet.write_row(0, 0, header, self.bold)
        count = 0
        for count, row in enumerate(rows, start=1):
            for col, value in enumerate(row):
                self._cell(sheet, count, col, value)
                if count <= _SIZED_ROWS:
                    widths[col] = max(widths[col], _width(value))
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(count, 1), len(header) - 1)
        for col, width in enumerate(widths):
            size = min(max(width + 2, _MIN_WIDTH), _MAX_WIDTH)  # longer text wraps
            sheet.set_column(col, col, size, self.wrap if width > _MAX_WIDTH else None)

    def _cell(self, sheet: Any, row: int, col: int, value: Any) -> None:
        if value is None or value == "":
            return
        if isinstance(value, bool):
            sheet.write_string(row, col, "yes" if value else "no")
        elif isinstance(value, int | float):
            sheet.write_number(row, col, value, self.number if isinstance(value, int) else None)
        elif isinstance(value, dt.date):
            when = dt.datetime.combine(value, dt.time()) if type(value) is dt.date else value
            sheet.write_datetime(row, col, when, self.date)
        else:
            text = visible(str(value))[:_CELL_LIMIT]
            sheet.write_string(row, col, text)

    def close(self) -> bytes:
        self.book.close()
        return self.buffer.getvalue()


def _width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, dt.date):
        return 11
    if isinstance(value, int):
        return len(f"{value:,}")
    return max((len(line) for line in str(value).splitlines()), default=0)


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def render_audit_xlsx(report: AuditReport) -> bytes:
    """The audit as an Excel workbook (see the module's description)."""
    book = _Book()
    s = report.stats
    summary: list[tuple[str, Any]] = [
        ("Audit as of", report.as_of),
        ("Rule pack", f"{report.pack_id} (release {report.pack_release})"),
        ("Headline", report.headline),
        ("Verdict", "compliant" if report.compliant else "not compliant"),
        ("Lead commissioners audited", ", ".join(report.commissioners) or "every network read"),
        ("Register", report.register_source or "none given"),
        ("Register practices", report.register_practices if report.register_source else None),
        ("Networks audited", s["networks"]),
        ("Networks with complete list sizes", s["networks_with_complete_list_sizes"]),
        ("Networks with list-size gaps", s["networks_with_list_size_gaps"]),
        (f"Below {s['population_min']:,} (complete list sizes)", s["below_min_complete"]),
        (
            f"Above {s['population_typical_max']:,} (complete list sizes)",
            s["above_typical_max_complete"],
        ),
        ("Single-practice networks", s["single_practice_networks"]),
        ("Practice memberships", s["memberships"]),
        ("Memberships crossing CCG boundaries", s["memberships_crossing_ccg"]),
        ("Practices in two networks", s["practices_in_two_networks"]),
        ("Register practices in no network", s["register_practices_in_no_network"]),
        ("Patients of practices in no network", s["patients_in_uncovered_practices"]),
        ("Findings of requirements met late", s["met_late"]["findings"]),
        ("Actions", len(report.actions)),
        ("Findings of the actions", sum(a.findings for a in report.actions)),
        ("Data gaps", len(report.gaps)),
    ]
    book.sheet("Summary", ("Item", "Value"), summary)
    book.sheet(
        "Milestones",
        (
            "Date",
            "Milestone",
            "Key",
            "Days left",
            "Networks not ready",
            "Actions",
            "Findings of the actions",
            "More networks not evidenced",
            "Findings not evidenced",
        ),
        (
            (
                m.date,
                m.title,
                m.key,
                m.days_left,
                len(m.networks_not_ready),
                m.actions,
                m.findings,
                len(m.networks_not_evidenced),
                m.not_evidenced,
            )
            for m in report.milestones
        ),
    )
    book.sheet(
        "Action plan",
        (
            "Order",
            "Rule",
            "Requirement",
            "Severity",
            "Due milestone",
            "Due date",
            "Days left",
            "Networks",
            "Findings",
            "Networks concerned",
            "How to fix",
        ),
        (
            (
                number,
                a.rule_id,
                a.title,
                a.severity,
                a.due_milestone or "",
                a.due_date,
                a.days_left,
                len(a.networks),
                a.findings,
                "\n".join(a.networks),
                numbered_steps(a.remediation),
            )
            for number, a in enumerate(report.actions, start=1)
        ),
    )
    statuses = [status for status in STATUSES if status != "not_applicable"]
    networks = []
    for index, (label, r) in enumerate(zip(report.labels, report.reports, strict=True)):
        lead = report.lead(index)
        counts = r.summary()
        networks.append(
            (
                lead.code if lead else "",
                (lead.name or "") if lead else "",
                label,
                r.network_ods_code or "",
                "compliant" if report.network_compliant(index) else "not compliant",
                counts["blocking"],
                sum(1 for f in report.batch_findings_of(index) if f.blocking),
                *(counts[status] for status in statuses),
                r.source or "",
            )
        )
    networks.sort(key=lambda row: (row[0], row[2]))
    book.sheet(
        "Networks",
        (
            "Lead commissioner",
            "Lead commissioner name",
            "Network",
            "Network ODS code",
            "Verdict",
            "Blocking",
            "Blocking across networks",
            *(status_words(status).capitalize() for status in statuses),
            "Source",
        ),
        networks,
    )
    book.sheet("Findings", _headings(AUDIT_COLUMNS), audit_rows(report))
    book.sheet(
        "Data gaps",
        (
            "Fact",
            "Missing for",
            "Of",
            "Why",
            "Requirements left not evidenced",
            "Needed by",
            "Networks",
            "Findings",
        ),
        (
            (
                g.path,
                g.places,
                g.unit,
                g.note or "",
                ", ".join(g.rules),
                g.due_date,
                len(g.networks),
                g.findings,
            )
            for g in report.gaps
        ),
    )
    book.sheet(
        "Practices in no network",
        ("Commissioner", "Practice code", "Practice", "List size"),
        ((u.commissioner or "", u.code, u.name or "", u.list_size) for u in report.uncovered),
    )
    return book.close()


def _headings(columns: Sequence[str]) -> list[str]:
    """``due_date`` as "Due date"."""
    return [column.replace("_", " ").capitalize() for column in columns]


#: The findings sheet of a check's workbook.
_CHECK_COLUMNS = (
    "Network",
    "Network ODS code",
    "Rule",
    "Requirement",
    "Severity",
    "Status",
    "Blocking",
    "Scope",
    "Practice code",
    "Entity",
    "Entity name",
    "Due milestone",
    "Due date",
    "Days left",
    "Finding",
    "How to fix",
    "Missing",
    "Waived by",
    "Evidence date",
    "Days late",
)


def render_check_xlsx(reports: Sequence[Report]) -> bytes:
    """Checked submissions as an Excel workbook: one row per report, one per finding, and the
    action plan (the findings not shown to hold, by due date)."""
    book = _Book()
    statuses = [status for status in STATUSES if status != "not_applicable"]
    book.sheet(
        "Summary",
        (
            "Network",
            "Network ODS code",
            "As of",
            "Rule pack",
            "Contract year",
            "Verdict",
            "Blocking",
            *(status_words(status).capitalize() for status in statuses),
            "Source",
        ),
        (
            (
                r.network_name,
                r.network_ods_code or "",
                r.as_of,
                f"{r.pack_id} (release {r.pack_release})",
                r.contract_year,
                "compliant" if r.compliant else "not compliant",
                r.summary()["blocking"],
                *(r.summary()[status] for status in statuses),
                r.source or "",
            )
            for r in reports
        ),
    )
    book.sheet(
        "Findings",
        _CHECK_COLUMNS,
        (
            (
                r.network_name,
                r.network_ods_code or "",
                *finding_cells(f),
                f.waiver.approved_by if f.waiver else "",
                _date(f.evidence_date),
                f.days_late,
            )
            for r in reports
            for f in r.findings
        ),
    )
    unsettled = sorted(
        ((r, f) for r in reports for f in r.findings if f.failed),
        key=lambda item: (
            item[1].due.date if item[1].due else dt.date.max,
            not item[1].blocking,
            item[1].rule_id,
        ),
    )
    book.sheet(
        "Action plan",
        (
            "Network",
            "Rule",
            "Requirement",
            "Status",
            "Blocking",
            "Practice or entity",
            "Due date",
            "Days left",
            "Finding",
            "How to fix",
        ),
        (
            (
                r.network_name,
                f.rule_id,
                f.title,
                status_words(f.status),
                "yes" if f.blocking else "no",
                f.entity or "",
                f.due.date if f.due else None,
                f.days_left,
                f.message,
                numbered_steps(f.remediation),
            )
            for r, f in unsettled
        ),
    )
    return book.close()


__all__ = ["render_audit_xlsx", "render_check_xlsx"]
