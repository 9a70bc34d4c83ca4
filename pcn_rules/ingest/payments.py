"""NHS Digital's "NHS Payments to General Practice" CSV: one row per practice and year.

What it gives that ODS does not: each practice's contract type (GMS, PMS, APMS or UNKNOWN), its
rurality, its weighted (Carr-Hill) patients (the last figure known in the year), and what it
was paid, line by line, including from 2019/20 "PCN Participation" (the Network Participation
Payment actually paid to the practice).  :func:`load_payments` reads it within limits; a
figure that is not a number, a practice code that is not one or a practice listed twice is an
error naming its line, not a row silently left out.

- ``import-ods --payments`` fills each member practice's ``contract_type``, ``rurality`` and
  ``weighted_list_size`` from it (:func:`pcn_rules.ingest.ods.import_ods`);
- ``audit --payments`` sets the participation entitlement the pack computes against what was paid
  (:mod:`pcn_rules.audits.payments`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pcn_rules.errors import InputError
from pcn_rules.ingest.files import ODS_CSV_LIMIT
from pcn_rules.ingest.tables import Row, read_rows
from pcn_rules.vocab import FrozenDict

_PRACTICE = re.compile(r"^[A-Z][0-9]{5}$")
_PCN = re.compile(r"^U[0-9]{5}$")
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")

CODE = "Practice Code"
CONTRACT = "Contract Type"
PRACTICE_TYPE = "Practice Type"
RURALITY = "Practice Rurality"
ATYPICAL = "Atypical Characteristics"
REGISTERED = "Number of Registered Patients (Last Known Figure)"
WEIGHTED = "Number of Weighted Patients (Last Known Figure)"
PCN_CODE = "PCN Code"
PARTICIPATION = "PCN Participation"
#: The columns every year's file has, and that an import reads.
REQUIRED = (CODE, CONTRACT, RURALITY, WEIGHTED)

#: NHS Digital's contract types that are contracts for primary medical services.
_CONTRACTS: dict[str, Literal["GMS", "PMS", "APMS"]] = {"GMS": "GMS", "PMS": "PMS", "APMS": "APMS"}
_RURALITY: dict[str, Literal["urban", "rural"]] = {"URBAN": "urban", "RURAL": "rural"}
#: The practice type of a practice with a registered list (not a walk-in or out-of-hours
#: centre): its contract covers in-hours essential services.
GP_PRACTICE = "GP practice"

#: The largest amount or patient figure believed (far beyond any real practice).
_MAX_FIGURE = 1e9


def _error(source: str, problems: Sequence[tuple[str, str]]) -> InputError:
    return InputError(source, problems, kind="payments file")


@dataclass(frozen=True, slots=True)
class PracticePayments:
    """One practice's row of the payments file."""

    ods_code: str
    #: GMS, PMS or APMS; None where the file says UNKNOWN
    contract_type: Literal["GMS", "PMS", "APMS"] | None
    #: "GP practice", "Walk in centre"...
    practice_type: str
    rurality: Literal["urban", "rural"] | None
    #: the year's last known figures (NHS Digital averages them, so they may have a fraction)
    registered_patients: float | None
    weighted_patients: float | None
    #: the PCN the file names (2019/20 onwards), and the Network Participation Payment paid
    pcn_code: str | None
    participation_paid: float | None
    #: NHS Digital's notes: "Part year of data", "Large fluctuation in patients"...
    atypical: tuple[str, ...]
    #: the line of the file
    line: int

    @property
    def part_year(self) -> bool:
        return "Part year of data" in self.atypical

    @property
    def list_changed(self) -> bool:
        return "Large fluctuation in patients" in self.atypical


@dataclass(frozen=True, slots=True)
class Payments:
    """A payments file, read: every practice by ODS code."""

    source: str
    practices: Mapping[str, PracticePayments]
    #: whether the file has the "PCN Participation" column (2019/20 onwards)
    has_participation: bool

    def __repr__(self) -> str:
        return f"Payments({self.source!r}, practices={len(self.practices)})"


def _figure(row: Row, columns: dict[str, int], name: str, source: str) -> float | None:
    i = columns.get(name)
    text = row[i].strip().replace(",", "") if i is not None and i < len(row) else ""
    if not text:
        return None
    value = float(text) if _NUMBER.fullmatch(text) else math.nan
    if not math.isfinite(value) or abs(value) > _MAX_FIGURE:
        raise _error(
            source, [(f"line {row.line}, column {name}", f"expected a number, got {text[:40]!r}")]
        )
    return value


def _cell(row: Row, columns: dict[str, int], name: str) -> str:
    i = columns.get(name)
    return row[i].strip() if i is not None and i < len(row) else ""


def load_payments(path: str | Path) -> Payments:
    """Read one "NHS Payments to General Practice" CSV (any year's)."""
    path = Path(path)
    source = str(path)
    rows = read_rows(path, ODS_CSV_LIMIT, _error, "a payments file", "file not found")
    header = next((i for i, row in enumerate(rows[:20]) if CODE in [c.strip() for c in row]), None)
    if header is None:
        raise _error(
            source,
            [
                (
                    "line 1",
                    "not an NHS Payments to General Practice file: expected the columns "
                    + ", ".join(REQUIRED),
                )
            ],
        )
    columns = {name.strip(): i for i, name in enumerate(rows[header])}
    absent = [name for name in REQUIRED if name not in columns]
    if absent:
        raise _error(
            source,
            [(f"line {rows[header].line}", "no column " + ", ".join(repr(a) for a in absent))],
        )
    practices: dict[str, PracticePayments] = {}
    has_participation = PARTICIPATION in columns
    for row in rows[header + 1 :]:
        code = _cell(row, columns, CODE)
        if not _PRACTICE.match(code):
            raise _error(
                source,
                [
                    (
                        f"line {row.line}, column {CODE}",
                        f"expected a GP practice ODS code (a capital letter and five digits), "
                        f"got {code[:40]!r}",
                    )
                ],
            )
        if code in practices:
            raise _error(
                source,
                [
                    (
                        f"line {row.line}, column {CODE}",
                        f"{code} is listed twice (also on line {practices[code].line})",
                    )
                ],
            )
        pcn = _cell(row, columns, PCN_CODE)
        notes = _cell(row, columns, ATYPICAL).split("|")
        practices[code] = PracticePayments(
            ods_code=code,
            contract_type=_CONTRACTS.get(_cell(row, columns, CONTRACT).upper()),
            practice_type=_cell(row, columns, PRACTICE_TYPE),
            rurality=_RURALITY.get(_cell(row, columns, RURALITY).upper()),
            registered_patients=_figure(row, columns, REGISTERED, source),
            weighted_patients=_figure(row, columns, WEIGHTED, source),
            pcn_code=pcn if _PCN.match(pcn) else None,
            participation_paid=(
                _figure(row, columns, PARTICIPATION, source) if has_participation else None
            ),
            atypical=tuple(n.strip() for n in notes if n.strip()),
            line=row.line,
        )
    return Payments(source, FrozenDict(practices), has_participation)


def find(payments: Sequence[Payments], code: str) -> PracticePayments | None:
    """The practice's row in the first file that has it (the files in the order given)."""
    for each in payments:
        found = each.practices.get(code)
        if found is not None:
            return found
    return None
