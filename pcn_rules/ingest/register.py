"""The register of practices an audit checks coverage against.

Two inputs are accepted:

- the ODS ``epraccur`` CSV as NHS Digital publishes it (27 columns, no header), or the same with a
  header row; GP practices are the rows with status ``A`` (active) and prescribing setting ``4``;
- a simple CSV with a header: ``ods_code,name,commissioner,list_size`` (list_size may be empty).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from pcn_rules.errors import InputError

# Positions in NHS Digital's headerless epraccur file (ODS specification, 27 columns).
_EPRACCUR_POSITIONS = {"code": 0, "name": 1, "status": 12, "commissioner": 14, "setting": 25}
_EPRACCUR_HEADERS = {
    "code": "Organisation Code",
    "name": "Name",
    "status": "Status Code",
    "commissioner": "Commissioner",
    "setting": "Prescribing Setting",
}


def _error(source: str, problems: list[tuple[str, str]]) -> InputError:
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


def _text(path: Path, source: str) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise _error(source, [("", "register file not found")]) from None
    except OSError as exc:
        raise _error(source, [("", f"cannot be read ({exc.strerror})")]) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def load_register(path: str | Path) -> Register:
    """Read a register file, or raise :class:`InputError` naming the file and line."""
    source = str(path)
    rows = list(csv.reader(io.StringIO(_text(Path(path), source))))
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise _error(source, [("", "register file is empty")])
    header = [cell.strip() for cell in rows[0]]
    lowered = [h.lower() for h in header]
    if "ods_code" in lowered:
        return _simple(source, lowered, rows[1:])
    if _EPRACCUR_HEADERS["code"] in header:
        missing = [h for h in _EPRACCUR_HEADERS.values() if h not in header]
        if missing:
            raise _error(source, [("line 1", f"epraccur header lacks {', '.join(missing)}")])
        positions = {k: header.index(v) for k, v in _EPRACCUR_HEADERS.items()}
        return _epraccur(source, positions, rows[1:], first_line=2)
    if len(rows[0]) >= 26:
        return _epraccur(source, _EPRACCUR_POSITIONS, rows, first_line=1)
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


def _epraccur(
    source: str, positions: dict[str, int], rows: list[list[str]], first_line: int
) -> Register:
    practices: list[RegisterPractice] = []
    width = max(positions.values()) + 1
    for number, row in enumerate(rows, start=first_line):
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


def _simple(source: str, header: list[str], rows: list[list[str]]) -> Register:
    columns = ("ods_code", "name", "commissioner", "list_size")
    index: dict[str, int] = {name: header.index(name) for name in columns if name in header}
    practices: list[RegisterPractice] = []
    for number, row in enumerate(rows, start=2):

        def cell(name: str, row: list[str] = row) -> str:
            i = index.get(name)
            return row[i].strip() if i is not None and i < len(row) else ""

        code = cell("ods_code")
        if not code:
            raise _error(source, [(f"line {number}, column ods_code", "empty ODS code")])
        size_text = cell("list_size").replace(",", "")
        size: int | None = None
        if size_text:
            if not size_text.isdigit():
                raise _error(
                    source,
                    [
                        (
                            f"line {number}, column list_size",
                            f"expected a whole number, got {size_text!r}",
                        )
                    ],
                )
            size = int(size_text)
        practices.append(
            RegisterPractice(code, cell("name") or None, cell("commissioner") or None, size)
        )
    return Register(source, "simple", tuple(practices))
