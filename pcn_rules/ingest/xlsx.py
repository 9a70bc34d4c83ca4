"""Reading an .xlsx workbook with the standard library, within limits.

A workbook is a zip archive of XML parts.  It is read as bytes within
:data:`~pcn_rules.ingest.files.XLSX_LIMIT`; then each part is unpacked only if it says it is at
most :data:`MAX_PART_BYTES` and no more than that is ever unpacked from it (a "zip bomb" that
claims less and holds more fails its checksum), nor more than :data:`MAX_UNPACKED_BYTES` from
all parts together; no sheet may span more than :data:`MAX_CELLS` cells.  In the sheets, every
cell reference must be a cell of a worksheet (columns ``A`` to ``XFD``, rows 1 to 1,048,576)
and every shared-string index a string the workbook has: anything else is an error naming the
sheet and the cell, never a guess.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Sequence
from pathlib import Path

from pcn_rules.errors import InputError
from pcn_rules.ingest.files import XLSX_LIMIT
from pcn_rules.ingest.tables import read_bytes

#: The most one part of a workbook (a sheet's XML) may unpack to.
MAX_PART_BYTES = 64 * 1024 * 1024
#: The most all the parts read may unpack to together.
MAX_UNPACKED_BYTES = 128 * 1024 * 1024
#: Excel's limits: columns A to XFD, rows 1 to 1,048,576.
MAX_COLUMNS = 16_384
MAX_ROWS = 1_048_576
#: The most cells the rows of one sheet may span (an ePCN sheet has some 100,000).
MAX_CELLS = 10_000_000

_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
_T = f"{{{_NS['m']}}}t"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_CELL = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")
_INDEX = re.compile(r"[0-9]{1,10}")

Table = list[list[str]]


class _Problem(Exception):
    """A problem in a workbook: (where, what)."""


def _error(source: str, problems: Sequence[tuple[str, str]]) -> InputError:
    return InputError(source, problems, kind="ODS file")


class _Parts:
    """The workbook's parts, unpacked within the limits."""

    def __init__(self, book: zipfile.ZipFile) -> None:
        self.book = book
        self.unpacked = 0

    def names(self) -> list[str]:
        return self.book.namelist()

    def xml(self, name: str) -> ET.Element:
        info = self.book.getinfo(name)  # KeyError: no such part
        room = min(MAX_PART_BYTES, MAX_UNPACKED_BYTES - self.unpacked)
        if info.file_size > room:
            raise _Problem(name, _too_large(info.file_size))
        with self.book.open(info) as part:
            data = part.read(room + 1)
        if len(data) > room:
            raise _Problem(name, _too_large(len(data)))
        self.unpacked += len(data)
        return ET.fromstring(data)


def _too_large(size: int) -> str:
    return (
        f"unpacks to {size:,} bytes or more; the limits are {MAX_PART_BYTES:,} bytes a part "
        f"and {MAX_UNPACKED_BYTES:,} in all (not an ePCN workbook)"
    )


def read_xlsx(path: Path) -> dict[str, Table]:
    """Every sheet of a workbook as rows of strings."""
    source = str(path)
    data = read_bytes(path, XLSX_LIMIT, _error)
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError) as exc:
        raise _error(source, [("", f"not an .xlsx workbook ({exc})")]) from None
    with book:
        parts = _Parts(book)
        try:
            strings: list[str] = []
            if "xl/sharedStrings.xml" in parts.names():
                root = parts.xml("xl/sharedStrings.xml")
                for item in root.findall("m:si", _NS):
                    strings.append("".join(t.text or "" for t in item.iter(_T)))
            workbook = parts.xml("xl/workbook.xml")
            rels = parts.xml("xl/_rels/workbook.xml.rels")
            targets = {r.get("Id"): r.get("Target", "") for r in rels}
            sheets: dict[str, Table] = {}
            for sheet in workbook.iterfind("m:sheets/m:sheet", _NS):
                target = targets.get(sheet.get(_REL_NS), "")
                name = "xl/" + target.lstrip("/").removeprefix("xl/")
                title = sheet.get("name", "")
                try:
                    sheets[title] = _sheet_rows(parts.xml(name), strings)
                except _Problem as problem:
                    where, what = problem.args
                    raise _Problem(f"sheet {title!r} → {where}", what) from None
        except _Problem as problem:
            raise _error(source, [problem.args]) from None
        except (KeyError, ET.ParseError, zipfile.BadZipFile, EOFError) as exc:
            raise _error(source, [("", f"workbook cannot be read ({exc})")]) from None
    return sheets


def _position(ref: str | None, previous: int) -> int:
    """The column (from 0) of a cell reference such as ``B7``; a cell without one follows the
    previous cell of its row."""
    if ref is None:
        column = previous + 1
    else:
        match = _CELL.fullmatch(ref)
        if match is None:
            raise _Problem(f"cell {ref[:20]!r}", "not a cell reference such as B7")
        letters, row = match.groups()
        column = 0
        for ch in letters:
            column = column * 26 + (ord(ch) - 64)
        column -= 1
        if column >= MAX_COLUMNS or not 1 <= int(row) <= MAX_ROWS:
            raise _Problem(
                f"cell {ref}",
                f"outside a worksheet (columns A to XFD, rows 1 to {MAX_ROWS:,})",
            )
    if column >= MAX_COLUMNS:
        raise _Problem(f"cell after column {previous + 1}", "outside a worksheet")
    return column


def _shared(text: str, strings: list[str], ref: str) -> str:
    if not _INDEX.fullmatch(text) or int(text) >= len(strings):
        raise _Problem(
            f"cell {ref}",
            f"refers to shared string {text[:20]!r}, but the workbook has "
            f"{len(strings):,} (numbered from 0)",
        )
    return strings[int(text)]


def _sheet_rows(root: ET.Element, strings: list[str]) -> Table:
    rows: Table = []
    spanned = 0
    for row in root.iterfind("m:sheetData/m:row", _NS):
        cells: dict[int, str] = {}
        column = -1
        for cell in row.iterfind("m:c", _NS):
            ref = cell.get("r")
            column = _position(ref, column)
            kind = cell.get("t")
            value = cell.find("m:v", _NS)
            if kind == "s" and value is not None and value.text is not None:
                text = _shared(value.text.strip(), strings, ref or f"#{column + 1}")
            elif kind == "inlineStr":
                text = "".join(t.text or "" for t in cell.iter(_T))
            else:
                text = value.text if value is not None and value.text is not None else ""
                if text.endswith(".0") and text[:-2].isascii() and text[:-2].isdigit():
                    text = text[:-2]
            cells[column] = text.strip()
        if cells:
            width = max(cells) + 1
            spanned += width
            if spanned > MAX_CELLS:
                raise _Problem("", f"the sheet spans more than {MAX_CELLS:,} cells")
            rows.append([cells.get(i, "") for i in range(width)])
    return rows
