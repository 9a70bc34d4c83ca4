"""The commissioner's audit (issue #19, points 1 to 6): scoped to lead commissioners, in the
formats analysts use (CSV with a byte-order mark, an Excel workbook, a JSON summary, an HTML
page grouped by commissioner), and an import that lists what it left out.

On the slice of real ODS data in fixtures/ods; the expected figures are computed here from its
CSV files, independently of pcn-rules."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import jsonschema
import openpyxl
import pytest
from cli_runner import run

from pcn_rules.audits import audit, audit_json_schema
from pcn_rules.cli import main

ROOT = Path(__file__).resolve().parent.parent
ODS = ROOT / "fixtures" / "ods"
F19 = ROOT / "fixtures" / "2019-20"
REGISTER = ODS / "epraccur_2019-11_slice.csv"
SIZES = ODS / "qof_1819_practice_list_size_slice.csv"


def _csv(name: str) -> list[dict[str, str]]:
    with open(ODS / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _expected_uncovered(commissioner: str) -> dict[str, int | None]:
    """The active GP practices of COMMISSIONER in the register that are in no network (of any
    commissioner), with their list sizes where the QOF slice has them."""
    members = {
        r["Partner Organisation Code"]
        for r in _csv("epcn_2019-12_core_partners_slice.csv")
        if not r["Practice to PCN Relationship End Date"]
    }
    sizes = {r["PRACTICE_CODE"]: int(r["LIST_SIZE_TOTAL"]) for r in _csv(SIZES.name)}
    return {
        r["Organisation Code"]: sizes.get(r["Organisation Code"])
        for r in _csv(REGISTER.name)
        if r["Status Code"] == "A"
        and r["Prescribing Setting"] == "4"
        and r["Commissioner"] == commissioner
        and r["Organisation Code"] not in members
    }


def _led_by(commissioner: str) -> set[str]:
    return {
        r["PCN Code"]
        for r in _csv("epcn_2019-12_pcn_details_slice.csv")
        if r["Current Clinical Commissioning Group Code"] == commissioner
    }


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("imported")
    code = main(
        [
            "import-ods",
            "--epcn",
            str(ODS / "epcn_2019-12_pcn_details_slice.csv"),
            str(ODS / "epcn_2019-12_core_partners_slice.csv"),
            "--list-sizes",
            str(SIZES),
            "--out",
            str(out),
        ]
    )
    assert code == 0
    return out


def _args(imported: Path, *more: str) -> list[str]:
    return ["audit", str(imported), "--register", str(REGISTER), "--as-of", "2019-06-30", *more]


# --------------------------------------------------------------------------------------------
# 1. --commissioner
# --------------------------------------------------------------------------------------------


def test_an_audit_scoped_to_one_commissioner(
    imported: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = _args(imported, "--commissioner", "06t", "--list-sizes", str(SIZES), "-f", "json")
    code, out, err = run(args, capsys)
    assert code == 1, err
    data = json.loads(out)
    jsonschema.Draft202012Validator(audit_json_schema()).validate(data)
    assert data["commissioners"] == ["06T"]
    codes = {n["label"].rsplit("(", 1)[1].rstrip(")") for n in data["networks"]}
    assert codes == _led_by("06T")
    assert {n["lead_commissioner"]["ods_code"] for n in data["networks"]} == {"06T"}
    # coverage: only 06T's practices of the register, each named with its list size
    expected = _expected_uncovered("06T")
    assert expected, "the slice has practices of 06T in no network"
    assert data["register"]["practices"] == sum(
        1
        for r in _csv(REGISTER.name)
        if r["Commissioner"] == "06T"
        and r["Status Code"] == "A"
        and r["Prescribing Setting"] == "4"
    )
    found = {u["ods_code"]: u["list_size"] for u in data["uncovered"]}
    assert found == expected
    assert data["stats"]["register_practices_in_no_network"] == len(expected)
    assert data["stats"]["patients_in_uncovered_practices"] == sum(
        size for size in expected.values() if size is not None
    )

    code, out, _ = run(_args(imported, "--commissioner", "06T", "--list-sizes", str(SIZES)), capsys)
    assert "lead commissioner 06T" in out
    assert "Practices in no network" in out
    some = next(code for code, size in expected.items() if size is not None)
    assert f"{some} " in out
    assert f"{expected[some]:,} patients" in out
    # the action plan names the practices, not "area-wide (06T)"
    assert f"{some} in no network (06T)" in " ".join(out.split())
    assert "area-wide (06T)" not in out


def test_a_practice_of_the_area_in_another_commissioners_network_is_covered(
    imported: Path,
) -> None:
    # 05T's practices of the slice are all members of networks 05J leads
    report = audit([imported], as_of="2019-06-30", register=REGISTER, commissioners=["05T"])
    assert report.reports == ()
    assert report.register_practices == 4
    assert report.uncovered == ()
    # and with 05J as well, its networks are audited and no 05T practice is uncovered
    both = audit([imported], as_of="2019-06-30", register=REGISTER, commissioners=["05j", "05T"])
    assert {r.network_ods_code for r in both.reports} == _led_by("05J")
    assert both.commissioners == ("05J", "05T")


def test_list_sizes_without_a_register_is_a_usage_error(
    imported: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["audit", imported, "--as-of", "2019-06-30", "--list-sizes", SIZES]
    code, out, err = run(args, capsys)
    assert (code, out) == (2, "")
    assert "--list-sizes sizes the practices of the register: give --register too" in err


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("99Q", "--commissioner 99Q: no network read has it as lead commissioner"),
        ("0#K", "--commissioner '0#K': not a commissioner ODS code"),
    ],
)
def test_an_unknown_commissioner_is_a_usage_error(
    imported: Path, value: str, said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(_args(imported, "--commissioner", value), capsys)
    assert (code, out) == (2, "")
    assert said in err


def test_the_lead_commissioner_is_in_every_audit_format(
    imported: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = run(_args(imported, "-f", "csv"), capsys)
    rows = list(csv.DictReader(io.StringIO(out.removeprefix("\ufeff"))))
    by_network = {r["network_ods_code"]: r["lead_commissioner"] for r in rows if r["network"]}
    for ccg in ("01K", "05J", "06T"):
        assert all(by_network[code] == ccg for code in _led_by(ccg))
    page = tmp_path / "audit.html"
    run(_args(imported, "-f", "html", "-o", str(page)), capsys)
    html = page.read_text(encoding="utf-8")
    for ccg in ("01K", "05J", "06T"):
        assert f'id="commissioner-{ccg}"' in html
    _code, out, _ = run(_args(imported), capsys)
    assert "3 lead commissioners" in out


def test_the_html_page_reads_as_words_and_prints(
    imported: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import re

    page = tmp_path / "audit.html"
    run(_args(imported, "--list-sizes", str(SIZES), "-f", "html", "-o", str(page)), capsys)
    html = page.read_text(encoding="utf-8")
    assert "@media print" in html
    body = re.sub(r"<style>.*?</style>", "", html, flags=re.S)
    text = re.sub(r"<[^>]+>", "", body)
    for raw in ("not_met", "not_evidenced", "met_late", "`"):
        assert raw not in text, raw
    assert "not met" in text
    assert "<code>commissioner.over_50k_agreement</code>" in html  # remediation, rendered
    assert ">Networks</text>" in html  # the chart's axes are labelled
    assert "Network list size (registered patients" in html
    assert "30 June 2019" in text
    # the practices in no network, with their list sizes where known
    for code, size in _expected_uncovered("06T").items():
        assert code in text
        if size is not None:
            assert f"{size:,}" in text


# --------------------------------------------------------------------------------------------
# 3. CSV: one row per finding, a byte-order mark for Excel
# --------------------------------------------------------------------------------------------


def test_the_audit_csv_has_a_bom_and_one_row_per_finding(
    imported: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "audit.csv"
    code, _, _ = run(_args(imported, "-f", "csv", "-o", str(target)), capsys)
    assert code == 1
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    with open(target, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    report = audit([imported], as_of="2019-06-30", register=REGISTER)
    shown_batch = [f for f in report.batch_findings if f.status not in ("met", "not_applicable")]
    assert len(rows) == sum(len(r.findings) for r in report.reports) + len(shown_batch)
    # practice codes in their own column, one finding a row, statuses in words
    contract = [r for r in rows if r["rule_id"] == "CORE-CONTRACT"]
    partners = _csv("epcn_2019-12_core_partners_slice.csv")
    assert len(contract) == len(partners)
    assert {r["practice_code"] for r in contract} == {
        r["Partner Organisation Code"] for r in partners
    }
    assert {r["status"] for r in rows} <= {"met", "not met", "not evidenced", "not applicable"}
    assert " | " not in "".join(r["message"] for r in rows)

    code, _, _ = run(_args(imported, "-f", "csv", "--no-csv-bom", "-o", str(target)), capsys)
    assert not target.read_bytes().startswith(b"\xef\xbb\xbf")


def test_a_pound_sign_survives_the_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = json.loads((F19 / "compliant.json").read_text(encoding="utf-8"))
    doc["network"]["name"] = "Ashby £ Network"
    path = tmp_path / "pound.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    target = tmp_path / "audit.csv"
    run(["audit", path, "--as-of", "2019-06-30", "-f", "csv", "-o", target], capsys)
    raw = target.read_bytes()
    assert raw[:3] == b"\xef\xbb\xbf"
    assert "£".encode() in raw
    with open(target, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows[0]["network"].startswith("Ashby £ Network")
    assert next(iter(rows[0])) == "lead_commissioner"  # the mark is not part of the first name


# --------------------------------------------------------------------------------------------
# 4. JSON: a summary by default, every finding on request
# --------------------------------------------------------------------------------------------


def test_the_audit_json_is_a_summary_unless_full_detail_is_asked(
    imported: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    validator = jsonschema.Draft202012Validator(audit_json_schema())
    _, summary_text, _ = run(_args(imported, "-f", "json"), capsys)
    _, full_text, _ = run(_args(imported, "-f", "json", "--detail", "full"), capsys)
    summary, full = json.loads(summary_text), json.loads(full_text)
    validator.validate(summary)
    validator.validate(full)
    assert (summary["detail"], full["detail"]) == ("summary", "full")
    assert all("findings" not in n for n in summary["networks"])
    assert "batch_findings" not in summary
    assert all(n["findings"] for n in full["networks"])
    assert full["batch_findings"]
    for key in ("headline", "stats", "milestones", "actions", "gaps", "uncovered"):
        assert summary[key] == full[key], key
    assert [(n["label"], n["verdict"], n["summary"]) for n in summary["networks"]] == [
        (n["label"], n["verdict"], n["summary"]) for n in full["networks"]
    ]
    assert len(summary_text) * 5 < len(full_text)
    code, out, err = run(_args(imported, "-f", "json", "--detail", "some"), capsys)
    assert (code, out) == (2, "")
    assert "--detail must be summary or full" in err


# --------------------------------------------------------------------------------------------
# 2. xlsx
# --------------------------------------------------------------------------------------------


def _sheet_rows(sheet: object) -> list[tuple[object, ...]]:
    return list(sheet.iter_rows(values_only=True))  # type: ignore[attr-defined]


def test_the_audit_workbook_reads_back(
    imported: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "audit.xlsx"
    args = _args(imported, "--list-sizes", str(SIZES), "-f", "xlsx", "-o", str(target))
    code, out, _err = run(args, capsys)
    assert (code, out) == (1, "")
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == [
        "Summary",
        "Milestones",
        "Action plan",
        "Networks",
        "Findings",
        "Data gaps",
        "Practices in no network",
    ]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert str(sheet.auto_filter.ref).startswith("A1:"), sheet.title
        assert all(cell.font.b for cell in sheet[1]), sheet.title
    summary = dict(_sheet_rows(book["Summary"])[1:])
    assert summary["Audit as of"] == dt.datetime(2019, 6, 30)
    assert summary["Networks audited"] == 19
    assert book["Summary"]["B2"].number_format == "d mmm yyyy"

    networks = _sheet_rows(book["Networks"])
    assert networks[0][:4] == (
        "Lead commissioner",
        "Lead commissioner name",
        "Network",
        "Network ODS code",
    )
    assert {row[3] for row in networks[1:]} == set().union(
        *(_led_by(c) for c in ("01K", "05J", "06T"))
    )
    assert all(isinstance(row[5], int) for row in networks[1:])  # counts are numbers

    findings = _sheet_rows(book["Findings"])
    header = findings[0]
    practice = header.index("Practice code")
    due = header.index("Due date")
    days = header.index("Days left")
    contract = [row for row in findings[1:] if row[header.index("Rule id")] == "CORE-CONTRACT"]
    assert contract
    assert all(row[practice] for row in contract)
    dated = [row for row in findings[1:] if row[due] is not None]
    assert all(isinstance(row[due], dt.datetime) for row in dated)
    assert all(isinstance(row[days], int) for row in dated)
    width = book["Findings"].column_dimensions["Q"].width  # the message
    assert 20 < width <= 72

    uncovered = _sheet_rows(book["Practices in no network"])[1:]
    expected = {**_expected_uncovered("01K"), **_expected_uncovered("06T")}
    assert {row[1]: row[3] for row in uncovered} == expected


def test_the_check_workbook_and_where_a_binary_format_may_go(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "check.xlsx"
    code, out, _ = run([F19 / "rural-no-waiver.json", "-f", "xlsx", "-o", target], capsys)
    assert (code, out) == (1, "")
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["Summary", "Findings", "Action plan"]
    rows = _sheet_rows(book["Summary"])
    assert rows[1][0]
    assert rows[1][2] == dt.datetime(2019, 6, 28)
    plan = _sheet_rows(book["Action plan"])
    assert "POP-MIN" in {row[1] for row in plan[1:]}
    assert book["Action plan"].freeze_panes == "A2"

    # on a terminal, without --output: a usage error, never bytes on the screen
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    code, out, err = run([F19 / "compliant.json", "-f", "xlsx"], capsys)
    assert (code, out) == (2, "")
    assert "give --output FILE.xlsx" in err


def test_xlsx_without_its_extra_says_how_to_install_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "xlsxwriter" else real(name, *a),
    )
    for args in (["audit", F19, "--as-of", "2019-06-30"], [F19 / "compliant.json"]):
        code, out, err = run([*args, "-f", "xlsx", "-o", "never.xlsx"], capsys)
        assert (code, out) == (2, "")
        assert "pip install 'pcn-rules[xlsx]'" in err
    assert not Path("never.xlsx").exists()


# --------------------------------------------------------------------------------------------
# 6. import-ods: every row left out, and a contract year no pack covers
# --------------------------------------------------------------------------------------------


def _edited_slice(tmp_path: Path) -> tuple[Path, Path]:
    """The ePCN slice with four rows an import must leave out: a closed PCN, a relationship
    that ended, a member of that closed PCN, and a partner that is not a GP practice."""
    details = tmp_path / "details.csv"
    partners = tmp_path / "partners.csv"
    text = (ODS / "epcn_2019-12_pcn_details_slice.csv").read_text(encoding="utf-8")
    details.write_text(
        text + "U99999,CLOSED PCN,01K,NHS MORECAMBE BAY CCG,20191001,20191130,,,,,,\n",
        encoding="utf-8",
    )
    text = (ODS / "epcn_2019-12_core_partners_slice.csv").read_text(encoding="utf-8")
    extra = [
        "A82005,AMBLESIDE,01K,X,U25520,MID FURNESS PCN,01K,X,20191001,20191115,True",
        "A82007,DUKE STREET,01K,X,U99999,CLOSED PCN,01K,X,20191001,,True",
        "RX1,A TRUST,01K,X,U25520,MID FURNESS PCN,01K,X,20191001,,True",
    ]
    partners.write_text(text + "\n".join(extra) + "\n", encoding="utf-8")
    return details, partners


def test_import_lists_every_row_left_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    details, partners = _edited_slice(tmp_path)
    listing = tmp_path / "rejected.csv"
    args = ["import-ods", "--epcn", details, partners, "--list-sizes", SIZES]
    code, out, err = run([*args, "--out", tmp_path / "out", "--rejected", listing], capsys)
    assert code == 0, err
    assert "4 rows left out, listed in" in " ".join(out.split())
    assert err == ""  # 2019/20 has a pack: no warning
    assert listing.read_bytes().startswith(b"\xef\xbb\xbf")
    with open(listing, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    details_lines = len(details.read_text(encoding="utf-8").splitlines())
    partner_lines = len(partners.read_text(encoding="utf-8").splitlines())
    assert [(r["line"], r["pcn_code"], r["practice_code"], r["reason"]) for r in rows] == [
        (str(details_lines), "U99999", "", "closed (30 November 2019)"),
        (
            str(partner_lines - 2),
            "U25520",
            "A82005",
            "relationship ended (15 November 2019)",
        ),
        (str(partner_lines - 1), "U99999", "A82007", "its PCN is left out (see the PCN's row)"),
        (str(partner_lines), "U25520", "RX1", "not a GP practice ODS code"),
    ]
    assert rows[0]["file"] == str(details)
    assert not (tmp_path / "out" / "U99999.json").exists()
    # the listing may not replace an input
    code, _, err = run([*args, "--out", tmp_path / "again", "--rejected", partners], capsys)
    assert code == 2
    assert "--rejected" in err


def test_import_says_when_no_pack_covers_the_contract_year(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sizes = tmp_path / "sizes_2021.csv"
    sizes.write_text(
        SIZES.read_text(encoding="utf-8").replace("2019-01-01", "2021-01-01"), encoding="utf-8"
    )
    args = ["import-ods", "--epcn", ODS / "epcn_2019-12_pcn_details_slice.csv"]
    args += [ODS / "epcn_2019-12_core_partners_slice.csv", "--list-sizes", sizes]
    code, _, err = run([*args, "--out", tmp_path / "out"], capsys)
    assert code == 0  # the files are written: the warning says what will fail next
    said = " ".join(err.split())
    assert "warning: the list sizes are at 1 January 2021" in said
    assert "contract year 2021/22, and no bundled rule pack covers it (packs: 2019/20" in said


# --------------------------------------------------------------------------------------------
# 5. progress: reported by the library, drawn by the CLI on a terminal only
# --------------------------------------------------------------------------------------------


def test_progress_is_reported_and_never_drawn_off_a_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = json.loads((F19 / "compliant.json").read_text(encoding="utf-8"))
    for number in range(60):
        doc["network"]["ods_code"] = f"U{number:05d}"
        (tmp_path / f"U{number:05d}.json").write_text(json.dumps(doc), encoding="utf-8")
    steps: list[int] = []
    report = audit([tmp_path], as_of="2019-06-30", on_progress=steps.append)
    assert len(report.reports) == 60
    assert sum(steps) == 120  # each submission read, then checked
    code, out, err = run(["audit", tmp_path, "--as-of", "2019-06-30"], capsys)
    assert code == 1  # the same practices are in 60 networks
    assert err == ""  # standard error is not a terminal here: no bar, no escape codes
    assert "60 networks" in out


# --------------------------------------------------------------------------------------------
# On the national data, where it is beside the clone
# --------------------------------------------------------------------------------------------

SHARED = ROOT.parent / "shared" / "data"


@pytest.mark.skipif(not (SHARED / "ods").is_dir(), reason="../shared/data is not beside the clone")
def test_a_national_audit_scoped_to_merton(tmp_path: Path) -> None:
    from pcn_rules.ingest.ods import import_ods
    from pcn_rules.render.html import render_audit_html
    from pcn_rules.render.json import render_audit_json

    ods = SHARED / "ods"
    result = import_ods(
        [ods / "epcn_2019-12_pcn_details.csv", ods / "epcn_2019-12_core_partners.csv"],
        SHARED / "list_sizes" / "qof_1819_practice_list_size.csv",
    )
    docs = list(result.submissions.values())
    with open(ods / "epcn_2019-12_pcn_details.csv", encoding="utf-8", newline="") as f:
        merton = {
            r["PCN Code"]
            for r in csv.DictReader(f)
            if r["Current Clinical Commissioning Group Code"] == "08R" and not r["Close Date"]
        }
    with open(ods / "epcn_2019-12_core_partners.csv", encoding="utf-8", newline="") as f:
        members = {
            r["Partner Organisation Code"]
            for r in csv.DictReader(f)
            if not r["Practice to PCN Relationship End Date"]
        }
    with open(ods / "epraccur_2019-11.csv", encoding="utf-8", newline="") as f:
        practices = [
            r["Organisation Code"]
            for r in csv.DictReader(f)
            if (r["Status Code"], r["Prescribing Setting"], r["Commissioner"]) == ("A", "4", "08R")
        ]
    report = audit(
        docs, as_of="2019-06-30", register=ods / "epraccur_2019-11.csv", commissioners=["08r"]
    )
    assert {r.network_ods_code for r in report.reports} == merton
    assert len(merton) == 6
    assert report.register_practices == len(practices)
    assert {u.code for u in report.uncovered} == set(practices) - members
    assert report.stats["register_practices_in_no_network"] == len(report.uncovered)

    everything = audit(docs, as_of="2019-06-30", register=ods / "epraccur_2019-11.csv")
    page = render_audit_html(everything).encode("utf-8")
    assert len(page) < 2_000_000
    assert len(render_audit_json(everything, detail="summary").encode("utf-8")) < 3_000_000


def test_a_workbook_goes_to_standard_output_when_that_is_a_file(
    capsysbinary: pytest.CaptureFixture[bytes],
) -> None:
    code = main(["audit", str(F19), "--as-of", "2019-05-10", "-f", "xlsx"])
    out, err = capsysbinary.readouterr()
    assert code == 1
    assert err == b""
    book = openpyxl.load_workbook(io.BytesIO(out))
    assert "Findings" in book.sheetnames


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--detail", "full"], "--detail full is for --format json, not text"),
        (["--no-csv-bom", "-f", "html"], "--no-csv-bom is for --format csv, not html"),
        (["--detail", "every", "-f", "json"], "--detail must be summary or full"),
    ],
)
def test_an_option_the_format_would_ignore_is_a_usage_error(
    args: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["audit", str(F19), "--as-of", "2019-06-30", *args], capsys)
    assert code == 2
    assert out == ""
    assert said in err


def test_the_check_csv_opens_in_excel_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The check's CSV begins with a byte-order mark too (Excel then reads it as UTF-8);
    --no-csv-bom leaves it out."""
    with_bom, without = tmp_path / "bom.csv", tmp_path / "plain.csv"
    code, _, _ = run([str(F19 / "rural-no-waiver.json"), "-f", "csv", "-o", str(with_bom)], capsys)
    assert code == 1
    data = with_bom.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    header = data.decode("utf-8-sig").splitlines()[0]
    assert header.startswith("network,") or "rule_id" in header
    code, _, _ = run(
        [str(F19 / "rural-no-waiver.json"), "-f", "csv", "--no-csv-bom", "-o", str(without)],
        capsys,
    )
    assert code == 1
    assert without.read_bytes() == data[3:]
