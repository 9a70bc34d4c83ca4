"""Bounded reads (issue 14): every input file is read up to its limit and only if it is a regular
file -- a 2 GB sparse file, /dev/zero, a named pipe or a directory is refused at once, with the
error of its kind -- a workbook cannot unpack without limit or name a cell beyond a worksheet,
and a submission with thousands of mistakes is reported by its first hundred."""

from __future__ import annotations

import json
import os
import shutil
import threading
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cli_runner import run

import pcn_rules
from pcn_rules.errors import InputError, PackError
from pcn_rules.ingest import xlsx
from pcn_rules.ingest.files import FileRefused, read_limited
from pcn_rules.ingest.ods import import_ods
from pcn_rules.ingest.register import load_register
from pcn_rules.ingest.waivers import load_waivers
from pcn_rules.packs.discover import resolve_pack_dir
from pcn_rules.report.baseline import load_baseline
from pcn_rules.submission.read import read_submission

ROOT = Path(__file__).resolve().parent.parent
ODS = ROOT / "fixtures" / "ods"
COMPLIANT = ROOT / "fixtures" / "2019-20" / "compliant.json"
DETAILS = ODS / "epcn_2019-12_pcn_details_slice.csv"
PARTNERS = ODS / "epcn_2019-12_core_partners_slice.csv"
SIZES = ODS / "qof_1819_practice_list_size_slice.csv"

posix = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")


def in_time(work: Callable[[], object], seconds: float = 20.0) -> BaseException | None:
    """Run ``work()`` in a thread; what it raised (None if nothing), failing if it hangs."""
    raised: list[BaseException | None] = []

    def target() -> None:
        try:
            work()
            raised.append(None)
        except BaseException as exc:
            raised.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "hung"
    return raised[0]


def _pack(path: Path) -> object:
    """Load the copy of the 2019/20 pack ``path`` is a rule file of."""
    return pcn_rules.load_pack(path.parent)


#: (name of the file, how to read it, the error a bad one gives)
READERS: dict[str, tuple[str, Callable[[Path], object], type[Exception]]] = {
    "submission": ("sub.json", read_submission, InputError),
    "waivers": ("waivers.yaml", load_waivers, InputError),
    "register": ("register.csv", load_register, InputError),
    "baseline": ("baseline.json", load_baseline, InputError),
    "ePCN CSV": ("details.csv", lambda p: import_ods([p, PARTNERS], SIZES), InputError),
    "ePCN workbook": ("epcn.xlsx", lambda p: import_ods([p], SIZES), InputError),
    "list sizes": ("sizes.csv", lambda p: import_ods([DETAILS, PARTNERS], p), InputError),
    "pack YAML": ("population.yaml", _pack, PackError),
}


def _special(kind: str, path: Path) -> None:
    if kind == "sparse 2 GB":
        with open(path, "wb") as file:
            file.truncate(2 * 1024**3)
    elif kind == "named pipe":
        os.mkfifo(path)
    elif kind == "/dev/zero":
        path.symlink_to("/dev/zero")
    else:
        path.mkdir()


SPECIALS = [
    "sparse 2 GB",
    pytest.param("named pipe", marks=posix),
    pytest.param(
        "/dev/zero", marks=pytest.mark.skipif(not Path("/dev/zero").exists(), reason="none")
    ),
    "directory",
]


@pytest.mark.parametrize("special", SPECIALS)
@pytest.mark.parametrize("reader", sorted(READERS))
def test_what_is_not_a_file_within_its_limit_is_refused(
    reader: str, special: str, tmp_path: Path
) -> None:
    name, read, error = READERS[reader]
    path = tmp_path / name
    if reader == "pack YAML":
        shutil.copytree(resolve_pack_dir("2019/20"), tmp_path / "pack")
        path = tmp_path / "pack" / name
        path.unlink()
    _special(special, path)
    tracemalloc.start()
    try:
        raised = in_time(lambda: read(path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(raised, error), raised
    assert name in str(raised)
    assert any(
        words in str(raised)
        for words in ("the limit is", "not a regular file", "is a directory", "not found")
    ), raised
    assert peak < 64 * 1024 * 1024, f"{peak:,} bytes at the peak"


@posix
def test_a_named_pipe_is_refused_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pipe = tmp_path / "sub.json"
    os.mkfifo(pipe)
    code: list[int] = []
    assert in_time(lambda: code.append(run([pipe], capsys)[0])) is None
    assert code == [3]


def test_a_file_that_grows_past_its_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "growing.json"
    path.write_bytes(b"x" * 10)
    real_fstat = os.fstat
    calls: list[int] = []

    def fstat_then_grow(fd: int) -> os.stat_result:  # the size looked at, then more written
        info = real_fstat(fd)
        if not calls:
            path.write_bytes(b"x" * 100)
        calls.append(fd)
        return info

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "fstat", fstat_then_grow)
        with pytest.raises(FileRefused, match="grew past the limit of 50 bytes"):
            read_limited(path, 50)


# --------------------------------------------------------------------------------------------
# Workbooks
# --------------------------------------------------------------------------------------------

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def workbook(
    path: Path, cells: str, strings: list[str] | None = None, pad: int = 0, more: str = ""
) -> Path:
    """A one-sheet workbook whose first row holds ``cells`` (XML), then the rows ``more``;
    ``pad`` bytes of spaces are added to the sheet (they compress to almost nothing)."""
    shared = "".join(f"<si><t>{s}</t></si>" for s in strings or [])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
            '<sheet name="PCN Details" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        book.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>',
        )
        book.writestr("xl/sharedStrings.xml", f'<sst xmlns="{_MAIN}">{shared}</sst>')
        book.writestr(
            "xl/worksheets/sheet1.xml",
            f'<worksheet xmlns="{_MAIN}"><sheetData><row r="1">{cells}</row>{more}</sheetData>'
            + " " * pad
            + "</worksheet>",
        )
    return path


def test_a_workbook_reads(tmp_path: Path) -> None:
    # the control: shared strings, inline strings and numbers, cells without a reference
    book = workbook(
        tmp_path / "ok.xlsx",
        '<c r="A1" t="s"><v>1</v></c><c r="C1"><v>7.0</v></c>'
        '<c t="inlineStr"><is><t>x</t></is></c>',
        ["zero", "one"],
    )
    assert xlsx.read_xlsx(book) == {"PCN Details": [["one", "", "7", "x"]]}


@pytest.mark.parametrize("index", ["2", "-1", "x", "1.5", "99999999999999999999"])
def test_a_shared_string_the_workbook_lacks_is_an_error(index: str, tmp_path: Path) -> None:
    book = workbook(tmp_path / "bad.xlsx", f'<c r="B1" t="s"><v>{index}</v></c>', ["a", "b"])
    with pytest.raises(InputError, match="shared string") as raised:
        xlsx.read_xlsx(book)
    assert raised.value.problems[0][0] == "sheet 'PCN Details' → cell B1"
    assert "bad.xlsx" in str(raised.value)


@pytest.mark.parametrize("ref", ["ZZZZZZZ2", "XFE1", "A1048577", "A0", "1A", "B" * 5000 + "1"])
def test_a_cell_outside_a_worksheet_is_an_error(ref: str, tmp_path: Path) -> None:
    book = workbook(tmp_path / "far.xlsx", f'<c r="{ref}"><v>1</v></c>')
    raised = in_time(lambda: xlsx.read_xlsx(book))
    assert isinstance(raised, InputError), raised
    assert "cell" in raised.problems[0][0]


def test_the_last_column_of_a_worksheet_is_a_cell(tmp_path: Path) -> None:
    book = workbook(tmp_path / "wide.xlsx", '<c r="XFD1"><v>1</v></c>')
    [row] = xlsx.read_xlsx(book)["PCN Details"]
    assert len(row) == xlsx.MAX_COLUMNS
    assert row[-1] == "1"


def test_a_workbook_that_unpacks_past_the_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(xlsx, "MAX_PART_BYTES", 1024 * 1024)
    book = workbook(tmp_path / "bomb.xlsx", '<c r="A1"><v>1</v></c>', pad=4 * 1024 * 1024)
    assert book.stat().st_size < 64 * 1024  # small on disk
    with pytest.raises(InputError, match="unpacks to") as raised:
        xlsx.read_xlsx(book)
    assert "xl/worksheets/sheet1.xml" in raised.value.problems[0][0]


def test_a_workbook_that_claims_less_than_it_holds_is_refused(tmp_path: Path) -> None:
    book = workbook(tmp_path / "liar.xlsx", '<c r="A1"><v>1</v></c>', pad=200_000)
    data = bytearray(book.read_bytes())
    # the sheet's uncompressed size, in its local header and in the central directory
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = -1
        while (at := data.find(signature, at + 1)) >= 0:
            name_at = at + (30 if offset == 22 else 46)
            if data[name_at : name_at + 24] == b"xl/worksheets/sheet1.xml":
                data[at + offset : at + offset + 4] = (100).to_bytes(4, "little")
    book.write_bytes(bytes(data))
    with pytest.raises(InputError, match="cannot be read"):
        xlsx.read_xlsx(book)


def test_a_sheet_spanning_too_many_cells_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(xlsx, "MAX_CELLS", 20_000)
    rows = "".join(f'<row r="{i}"><c r="XFD{i}"><v>1</v></c></row>' for i in range(2, 4))
    book = workbook(tmp_path / "wide.xlsx", '<c r="XFD1"><v>1</v></c>', more=rows)
    with pytest.raises(InputError, match="more than 20,000 cells"):
        xlsx.read_xlsx(book)


# --------------------------------------------------------------------------------------------
# A submission with thousands of mistakes
# --------------------------------------------------------------------------------------------


def many_mistakes(tmp_path: Path, practices: int = 2_000, fields: int = 11) -> Path:
    doc: dict[str, Any] = json.loads(COMPLIANT.read_text(encoding="utf-8"))
    practice = {f"list_sise{i}": "x" for i in range(fields)}
    doc["practices"] = [{"ods_code": "A12345", **practice} for _ in range(practices)]
    path = tmp_path / "mistakes.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_the_problems_listed_for_one_submission_are_capped(tmp_path: Path) -> None:
    path = many_mistakes(tmp_path)
    with pytest.raises(InputError) as raised:
        read_submission(path)
    assert len(raised.value.problems) == 100
    more = raised.value.more
    assert more >= 2_000 * 11 - 100
    message = str(raised.value)
    assert message.startswith(f"{path}: {100 + more:,} problems")
    assert message.endswith(f"... and {more:,} more, not listed")
    assert message.count("\n") == 101


def test_a_capped_list_of_problems_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run([many_mistakes(tmp_path)], capsys)
    assert code == 3
    assert "more, not listed" in err
    assert len(out + err) < 30_000
