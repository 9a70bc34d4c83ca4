"""The register of practices an audit checks coverage against.

Two inputs are accepted:

- the ODS ``epraccur`` CSV as NHS Digital publishes it (27 columns, no header), or the same with a
  header row; GP practices are the rows with status ``A`` (active) and prescribing setting ``4``;
- a simple CSV with a header: ``ods_code,name,commissioner,list_size`` (list_size may be empty).

A register that lists no practice (empty, a header row alone, no active GP practice) is an
error: coverage checked against it would be an empty "all clear".  The file is read within
:data:`~pcn_rules.ingest.files.REGISTER_LIMIT` (see :mod:`pcn_rules.ingest.tables`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pcn_rules.errors import InputError
from pcn_rules.ingest.files import REGISTER_LIMIT
from pcn_rules.ingest.tables import Row, read_rows, whole_number

# Positions in NHS Digital's headerless epraccur file (ODS specification, 27 columns).
_EPRACCUR_POSITIONS = {"code": 0, "name": 1, "status": 12, "commissioner": 14, "setting": 25}
_EPRACCUR_HEADERS = {
    "code": "Organisation Code",
    "name": "Name",
    "status": "Status Code",
    "commissioner": "Commissioner",
    "setting": "Prescribing Setting",
}


def _error(source: str, problems: Sequence[tuple[str, str]]) -> InputError:
    """An input error naming this kind of file."""
    return InputError(source, problems, kind="register")


@dataclass(frozen=True, slots=True)
class RegisterPractice:
    ods_code: str
    name: str | None
    commissioner: str | None
    list_size: int | None


@dataclass(frozen=True, slots=True)
class Register:
    source: str
    kind: str  # "epraccur" or "simple"
    practices: tuple[RegisterPractice, ...]


def load_register(path: str | Path) -> Register:
    """Read a register file, or raise :class:`InputError` naming the file and line."""
    source = str(path)
    rows = read_rows(Path(path), REGISTER_LIMIT, _error, "a register", "register file not found")
    if not rows:
        raise _error(source, [("", "register file is empty")])
    header = [cell.strip() for cell in rows[0]]
    lowered = [h.lower() for h in header]
    if "ods_code" in lowered:
        return _listed(_simple(source, lowered, rows[1:]), "no practice after the header row")
    if _EPRACCUR_HEADERS["code"] in header:
        missing = [h for h in _EPRACCUR_HEADERS.values() if h not in header]
        if missing:
            raise _error(
                source, [(f"line {rows[0].line}", f"epraccur header lacks {', '.join(missing)}")]
            )
        positions = {k: header.index(v) for k, v in _EPRACCUR_HEADERS.items()}
        if len(rows) == 1:
            raise _error(source, [("", "no practice after the header row")])
        return _listed(_epraccur(source, positions, rows[1:]), _NO_GP_PRACTICE)
    if len(rows[0]) >= 26:
        return _listed(_epraccur(source, _EPRACCUR_POSITIONS, rows), _NO_GP_PRACTICE)
    raise _error(
        source,
        [
            (
                "line 1",
                "not a register: expected NHS Digital's epraccur CSV (27 columns, with or without "
                "header) or a CSV with the header ods_code,name,commissioner,list_size",
            )
        ],
    )


_NO_GP_PRACTICE = "no active GP practice (status A, prescribing setting 4) in the register"


def _listed(register: Register, problem: str) -> Register:
    """The register, unless it lists no practice at all."""
    if not register.practices:
        raise _error(register.source, [("", problem)])
    return register


def _epraccur(source: str, positions: dict[str, int], rows: list[Row]) -> Register:
    practices: list[RegisterPractice] = []
    width = max(positions.values()) + 1
    for row in rows:
        number = row.line
        if len(row) < width:
            raise _error(source, [(f"line {number}", f"expected {width}+ columns, got {len(row)}")])
        status = row[positions["status"]].strip()
        setting = row[positions["setting"]].strip()
        if status != "A" or setting != "4":
            continue
        practices.append(
            RegisterPractice(
                ods_code=row[positions["code"]].strip(),
                name=row[positions["name"]].strip() or None,
                commissioner=row[positions["commissioner"]].strip() or None,
                list_size=None,
            )
        )
    return Register(source, "epraccur", tuple(practices))


def _simple(source: str, header: list[str], rows: list[Row]) -> Register:
    columns = ("ods_code", "name", "commissioner", "list_size")
    index: dict[str, int] = {name: header.index(name) for name in columns if name in header}
    practices: list[RegisterPractice] = []
    for row in rows:
        number = row.line

        def cell(name: str, row: list[str] = row) -> str:
            i = index.get(name)
            return row[i].strip() if i is not None and i < len(row) else ""

        code = cell("ods_code")
        if not code:
            raise _error(source, [(f"line {number}, column ods_code", "empty ODS code")])
        size_text = cell("list_size")
        size: int | None = None
        if size_text:
            number_or_problem = whole_number(size_text)
            if isinstance(number_or_problem, str):
                raise _error(source, [(f"line {number}, column list_size", number_or_problem)])
            size = number_or_problem
        practices.append(
            RegisterPractice(code, cell("name") or None, cell("commissioner") or None, size)
        )
    return Register(source, "simple", tuple(practices))
