"""Import from NHS Digital's ODS data: one submission per PCN, with only the facts ODS holds.

Inputs:

- the ePCN workbook (``.xlsx`` as downloaded, read with the standard library) or its two sheets
  as CSV: "PCN Details" (PCN code, name, lead CCG) and "PCN Core Partner Details" (one row per
  practice-PCN relationship, with the practice's CCG and the relationship's end date);
- a list-size file: QOF-style (``PRACTICE_CODE, LIST_SIZE_TOTAL, LIST_SIZE_AS_AT``) or NHS
  Digital's "Patients Registered at a GP Practice" (``CODE, EXTRACT_DATE, SEX=ALL, AGE=ALL,
  NUMBER_OF_PATIENTS``);
- optionally, NHS Digital's "NHS Payments to General Practice" CSVs
  (:mod:`pcn_rules.ingest.payments`): each member practice's contract type, whether it is a GP
  practice with a registered list (its contract then covers in-hours services), its rurality
  and its weighted list size (the year's last known figure).  A practice in no payments file
  given, or one whose contract type the file gives as UNKNOWN, is left without them.

Facts ODS does not hold (Clinical Director, payee, agreements, extended hours...) are left out;
the audit reports them as "not evidenced" rather than inventing them.  Files are read within
limits (:mod:`pcn_rules.ingest.tables`, :mod:`pcn_rules.ingest.xlsx`); a list size that is not
a whole number is an error naming its line, not a practice silently left without one.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pcn_rules.errors import InputError
from pcn_rules.ingest.files import ODS_CSV_LIMIT
from pcn_rules.ingest.payments import GP_PRACTICE, Payments, find, load_payments
from pcn_rules.ingest.tables import Row, read_rows, whole_number
from pcn_rules.ingest.xlsx import read_xlsx

if TYPE_CHECKING:
    from pcn_rules.submission.model import Submission

_PRACTICE = re.compile(r"^[A-Z][0-9]{5}$")
_PCN = re.compile(r"^U[0-9]{5}$")

Table = list[list[str]]

#: ``submission.submitted_by`` of every imported submission: what it lacks, ODS does not hold.
IMPORTED_BY = "imported from NHS Digital ODS"
#: Facts an import takes from the list-size file, not from ODS (a gap there is the file's).
FROM_LIST_SIZES = frozenset({"practices[].list_size", "practices[].list_size_date"})


def _error(source: str, problems: Sequence[tuple[str, str]]) -> InputError:
    """An input error naming this kind of file."""
    return InputError(source, problems, kind="ODS file")


@dataclass(frozen=True, slots=True)
class Rejected:
    """A row of the ePCN tables the import left out, and why."""

    #: the file (and sheet) and the row's line in it
    source: str
    line: int
    pcn: str
    #: the practice, for a row of the core partners table
    practice: str
    reason: str

    @property
    def sentence(self) -> str:
        """ "A81001 → U12345: relationship ended", or "PCN U12345: closed"."""
        what = f"{self.practice} → {self.pcn}" if self.practice else f"PCN {self.pcn}"
        return f"{what}: {self.reason}"


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What :func:`import_ods` built: one submission document per PCN, and what it left out."""

    submissions: dict[str, dict[str, Any]]  # PCN code -> submission document
    list_size_date: dt.date
    memberships: int
    practices_without_list_size: int
    skipped: tuple[str, ...]  # relationships or rows left out, and why
    #: the payments files read (``payments=``), in the order given
    payments_sources: tuple[str, ...] = ()
    #: member practices in none of the payments files given
    not_in_payments: tuple[str, ...] = ()
    #: member practices a payments file lists with an UNKNOWN contract type
    contract_type_unknown: tuple[str, ...] = ()

    def models(self) -> dict[str, Submission]:
        """Each submission as a validated :class:`~pcn_rules.submission.model.Submission`, by
        PCN code; an :class:`~pcn_rules.errors.InputError` naming the first network that the
        submission format refuses."""
        from pcn_rules.submission.read import validate_submission

        return {
            code: validate_submission(doc, f"<import {code}>")
            for code, doc in sorted(self.submissions.items())
        }

    def __repr__(self) -> str:
        return (
            f"ImportResult(networks={len(self.submissions)}, memberships={self.memberships}, "
            f"list_size_date={self.list_size_date.isoformat()}, skipped={len(self.skipped)}, "
            f"not_in_payments={len(self.not_in_payments)})"
        )

    #: the same rows, each with its file and line
    rejected: tuple[Rejected, ...] = ()

    @property
    def contract_year(self) -> str:
        """The contract year of every submission written (from the list sizes' date)."""
        return _contract_year(self.list_size_date)


def _read_csv(path: Path) -> Table:
    return list(read_rows(path, ODS_CSV_LIMIT, _error, "an ODS file", "file not found"))


def _tables(paths: list[Path]) -> list[tuple[str, Table]]:
    tables: list[tuple[str, Table]] = []
    for path in paths:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            tables.extend((f"{path} → {name}", rows) for name, rows in read_xlsx(path).items())
        else:
            tables.append((str(path), _read_csv(path)))
    return tables


def _header(rows: Table, required: str) -> tuple[int, dict[str, int]] | None:
    """The header row (the first row naming ``required``) and its column positions."""
    for number, row in enumerate(rows[:20]):
        names = [c.strip() for c in row]
        if required in names:
            return number, {name: i for i, name in enumerate(names)}
    return None


def _cell(row: list[str], columns: dict[str, int], name: str) -> str:
    i = columns.get(name)
    return row[i].strip() if i is not None and i < len(row) else ""


def read_list_sizes(path: Path) -> tuple[dict[str, int], dt.date]:
    """Practice code → registered patients from a list-size file, and the date they are at."""
    rows = _read_csv(path)
    source = str(path)
    qof = _header(rows, "PRACTICE_CODE")
    if qof is not None:
        start, cols = qof
        sizes: dict[str, int] = {}
        dates: set[str] = set()
        for row in rows[start + 1 :]:
            code, size = _cell(row, cols, "PRACTICE_CODE"), _cell(row, cols, "LIST_SIZE_TOTAL")
            if code and size:
                sizes[code] = _size(row, size, source, "LIST_SIZE_TOTAL")
                dates.add(_cell(row, cols, "LIST_SIZE_AS_AT"))
        return sizes, _one_date(dates, source, "LIST_SIZE_AS_AT")
    digital = _header(rows, "NUMBER_OF_PATIENTS")
    if digital is not None:
        start, cols = digital
        sizes = {}
        dates = set()
        for row in rows[start + 1 :]:
            if _cell(row, cols, "SEX") not in ("ALL", "") or _cell(row, cols, "AGE") not in (
                "ALL",
                "",
            ):
                continue
            code, size = _cell(row, cols, "CODE"), _cell(row, cols, "NUMBER_OF_PATIENTS")
            if code and size:
                sizes[code] = _size(row, size, source, "NUMBER_OF_PATIENTS")
                dates.add(_cell(row, cols, "EXTRACT_DATE"))
        return sizes, _one_date(dates, source, "EXTRACT_DATE")
    raise _error(
        source,
        [
            (
                "line 1",
                "not a list-size file: expected QOF columns PRACTICE_CODE, LIST_SIZE_TOTAL, "
                "LIST_SIZE_AS_AT or NHS Digital's CODE, NUMBER_OF_PATIENTS, EXTRACT_DATE",
            )
        ],
    )


def _size(row: list[str], text: str, source: str, column: str) -> int:
    found = whole_number(text)
    if isinstance(found, str):
        line = f"line {row.line}, " if isinstance(row, Row) else ""
        raise _error(source, [(f"{line}column {column}", found)])
    return found


def _one_date(values: set[str], source: str, column: str) -> dt.date:
    parsed: set[dt.date] = set()
    for value in values:
        for fmt in ("%Y-%m-%d", "%d%b%Y", "%Y%m%d", "%d/%m/%Y"):
            try:
                parsed.add(dt.datetime.strptime(value.strip().title(), fmt).date())
                break
            except ValueError:
                continue
        else:
            raise _error(source, [(column, f"unrecognised date {value!r}")])
    if len(parsed) != 1:
        shown = ", ".join(sorted(d.isoformat() for d in parsed)) or "none"
        raise _error(source, [(column, f"expected one list-size date, found {shown}")])
    return parsed.pop()


def _shown_date(text: str) -> str:
    """An ePCN date (``20191001``) as "1 October 2019"; anything else as it is."""
    try:
        day = dt.datetime.strptime(text.strip(), "%Y%m%d").date()
    except ValueError:
        return text
    return f"{day.day} {day:%B %Y}"


def _contract_year(day: dt.date) -> str:
    """List sizes at 1 January YYYY are the basis of the contract year YYYY/YY+1."""
    return f"{day.year}/{(day.year + 1) % 100:02d}"


def _paths(given: Sequence[str | Path] | str | Path) -> list[Path]:
    return [Path(given)] if isinstance(given, str | Path) else [Path(p) for p in given]


def import_ods(
    epcn: Sequence[str | Path] | str | Path,
    list_sizes: str | Path,
    payments: Sequence[str | Path | Payments] | str | Path | Payments = (),
) -> ImportResult:
    """Build one submission per PCN from the ePCN tables (the workbook, or its two sheets as
    CSV files) and a list-size file; with ``payments`` (NHS Digital's "NHS Payments to General
    Practice" CSVs, the contract year's own first), fill each member practice's contract type,
    rurality and weighted list size.  Prints nothing; a file that cannot be read, or is not
    what it should be, raises :class:`~pcn_rules.errors.InputError` naming it."""
    tables = _paths(epcn)
    given = [payments] if isinstance(payments, str | Path | Payments) else list(payments)
    paid = [p if isinstance(p, Payments) else load_payments(p) for p in given]
    details: tuple[str, Table, dict[str, int], int] | None = None
    partners: tuple[str, Table, dict[str, int], int] | None = None
    for name, rows in _tables(tables):
        found = _header(rows, "Partner Organisation Code")
        if found is not None:
            partners = (name, rows, found[1], found[0])
            continue
        found = _header(rows, "PCN Code")
        if found is not None and details is None:
            details = (name, rows, found[1], found[0])
    if details is None or partners is None:
        missing = "PCN Details" if details is None else "PCN Core Partner Details"
        raise _error(
            ", ".join(map(str, tables)),
            [("", f"no {missing} table found (give the ePCN .xlsx, or both of its sheets as CSV)")],
        )
    sizes, size_date = read_list_sizes(Path(list_sizes))
    rejected: list[Rejected] = []

    source, rows, cols, start = details
    pcns: dict[str, dict[str, Any]] = {}
    for number, row in enumerate(rows[start + 1 :], start=start + 2):
        code = _cell(row, cols, "PCN Code")
        line = row.line if isinstance(row, Row) else number
        if not _PCN.match(code):
            if code:
                rejected.append(Rejected(source, line, code, "", "not a PCN ODS code"))
            continue
        if _cell(row, cols, "Close Date"):
            closed = _cell(row, cols, "Close Date")
            rejected.append(Rejected(source, line, code, "", f"closed ({_shown_date(closed)})"))
            continue
        network: dict[str, Any] = {"name": _cell(row, cols, "PCN Name") or code}
        network["ods_code"] = code
        ccg = _cell(row, cols, "Current Clinical Commissioning Group Code")
        if ccg:
            network["lead_commissioner"] = {
                "ods_code": ccg,
                "name": _cell(row, cols, "Clinical Commissioning Group Name") or None,
            }
            if network["lead_commissioner"]["name"] is None:
                del network["lead_commissioner"]["name"]
        pcns[code] = {
            "format_version": 1,
            "contract_year": _contract_year(size_date),
            "submission": {"type": "update", "submitted_by": IMPORTED_BY},
            "network": network,
            "practices": [],
        }

    source, rows, cols, start = partners
    memberships = 0
    without_size = 0
    not_in_payments: list[str] = []
    contract_unknown: list[str] = []
    closed_pcns = {r.pcn for r in rejected}
    for number, row in enumerate(rows[start + 1 :], start=start + 2):
        practice = _cell(row, cols, "Partner Organisation Code")
        pcn = _cell(row, cols, "PCN Code")
        line = row.line if isinstance(row, Row) else number
        if not practice and not pcn:
            continue  # a blank row
        ended = _cell(row, cols, "Practice to PCN Relationship End Date")
        why = None
        if ended:
            why = f"relationship ended ({_shown_date(ended)})"
        elif pcn not in pcns:
            why = (
                "its PCN is left out (see the PCN's row)"
                if pcn in closed_pcns
                else "PCN not in the PCN details"
            )
        elif not _PRACTICE.match(practice):
            why = "not a GP practice ODS code"
        if why is not None:
            rejected.append(Rejected(source, line, pcn, practice or "(none)", why))
            continue
        entry: dict[str, Any] = {"ods_code": practice}
        name = _cell(row, cols, "Partner Name")
        if name:
            entry["name"] = name
        ccg = _cell(row, cols, "Practice Parent CCG Code")
        if ccg:
            entry["ccg"] = ccg
        if practice in sizes:
            entry["list_size"] = sizes[practice]
            entry["list_size_date"] = size_date.isoformat()
        else:
            without_size += 1
        if paid:
            pay = find(paid, practice)
            if pay is None:
                not_in_payments.append(practice)
            else:
                if pay.contract_type is not None:
                    entry["contract_type"] = pay.contract_type
                else:
                    contract_unknown.append(practice)
                if pay.practice_type == GP_PRACTICE:
                    # a practice with a registered list, not a walk-in or out-of-hours centre
                    entry["in_hours_contract"] = True
                if pay.rurality is not None:
                    entry["rurality"] = pay.rurality
                if pay.weighted_patients is not None and pay.weighted_patients >= 0:
                    entry["weighted_list_size"] = pay.weighted_patients
        pcns[pcn]["practices"].append(entry)
        memberships += 1
    return ImportResult(
        submissions=pcns,
        list_size_date=size_date,
        memberships=memberships,
        practices_without_list_size=without_size,
        skipped=tuple(r.sentence for r in rejected),
        rejected=tuple(rejected),
        payments_sources=tuple(p.source for p in paid),
        not_in_payments=tuple(sorted(set(not_in_payments))),
        contract_type_unknown=tuple(sorted(set(contract_unknown))),
    )
