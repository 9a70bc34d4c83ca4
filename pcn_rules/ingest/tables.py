"""Rows of a CSV file read within limits, and whole numbers read from its cells.

- The file is read by :func:`~pcn_rules.ingest.files.read_limited` (a regular file, within its
  size limit), as UTF-8 (a byte order mark allowed) or, failing that, Windows-1252, as NHS
  Digital's older files are.
- A field longer than :data:`MAX_FIELD` characters is refused naming its line (no register or
  ODS file has one; Python's ``csv`` module stops there).
- Blank rows are left out; each row keeps the number of the line it ends on (``Row.line``), for
  messages.
- :func:`whole_number` accepts ASCII digits only (``²`` is a digit to Python's ``isdigit()``
  but not a number) and at most :data:`MAX_DIGITS` of them.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path

from pcn_rules.errors import InputError
from pcn_rules.ingest.files import FileRefused, read_limited

#: The longest field accepted (Python's ``csv`` default limit).
MAX_FIELD = 131_072
#: The most digits a count (a list size) may have: 999,999,999 patients.
MAX_DIGITS = 9

_WHOLE = re.compile(r"[0-9]+")

MakeError = Callable[[str, list[tuple[str, str]]], InputError]


class Row(list[str]):
    """The cells of one CSV row, with the number of the line it ends on."""

    __slots__ = ("line",)

    def __init__(self, cells: list[str], line: int) -> None:
        super().__init__(cells)
        self.line = line


def read_bytes(path: Path, limit: int, error: MakeError, missing: str = "file not found") -> bytes:
    """The file's bytes within ``limit``, or ``error(source, problems)`` saying why not."""
    try:
        return read_limited(path, limit)
    except FileRefused as exc:
        raise error(str(path), [("", missing if exc.missing else str(exc))]) from None


def decode(raw: bytes) -> str:
    """UTF-8 (with or without a byte order mark), else Windows-1252."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def parse_rows(text: str, source: str, error: MakeError, what: str) -> list[Row]:
    """The non-blank rows of CSV text; a field over :data:`MAX_FIELD` characters (or any other
    CSV problem) is ``error`` naming the line."""
    reader = csv.reader(io.StringIO(text))
    rows: list[Row] = []
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                rows.append(Row(cells, reader.line_num))
    except csv.Error as exc:
        line = f"line {reader.line_num}"
        if "field larger than field limit" in str(exc):
            message = f"a field is longer than {MAX_FIELD:,} characters; not {what}"
        else:
            message = f"not a CSV file ({exc})"
        raise error(source, [(line, message)]) from None
    return rows


def read_rows(path: Path, limit: int, error: MakeError, what: str, missing: str) -> list[Row]:
    """:func:`parse_rows` of the file at ``path`` (read within ``limit``)."""
    return parse_rows(decode(read_bytes(path, limit, error, missing)), str(path), error, what)


def whole_number(text: str) -> int | str:
    """The count written in ``text`` (commas between digit groups allowed), or why it is not
    one."""
    digits = text.replace(",", "")
    if not _WHOLE.fullmatch(digits):
        return f"expected a whole number, got {text[:40]!r}"
    if len(digits.lstrip("0")) > MAX_DIGITS:
        shown = digits if len(digits) <= 12 else f"{digits[:12]}..."
        return f"the number {shown} ({len(digits):,} digits) is too large for a count"
    return int(digits)
