"""Clear errors for inputs that used to crash or pass silently (issue 14): integers too long to
convert, digits that are not numbers, CSV fields past the csv module's limit, a directory given
for a file, malformed baselines, a register with no practice, editor files in a pack directory,
a contract year no pack covers, waivers that expire before approval or give another version."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from cli_runner import run

import pcn_rules
from pcn_rules.errors import InputError, PackError
from pcn_rules.ingest.ods import import_ods
from pcn_rules.ingest.register import load_register
from pcn_rules.ingest.waivers import load_waivers
from pcn_rules.packs.discover import resolve_pack_dir
from pcn_rules.report.baseline import load_baseline

ROOT = Path(__file__).resolve().parent.parent
ODS = ROOT / "fixtures" / "ods"
F19 = ROOT / "fixtures" / "2019-20"
DETAILS = ODS / "epcn_2019-12_pcn_details_slice.csv"
PARTNERS = ODS / "epcn_2019-12_core_partners_slice.csv"
SIZES = ODS / "qof_1819_practice_list_size_slice.csv"
WAIVERS = ROOT / "fixtures" / "waivers" / "rural-population.yaml"
LONG = "9" * 5000  # more digits than Python converts to an int (4,300)


def cli(args: list[Any], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code, out, err = run(args, capsys)
    return code, out + err


# --------------------------------------------------------------------------------------------
# Integers too long, digits that are not numbers, long CSV fields
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["yaml", "json"])
def test_a_waivers_integer_of_5000_digits(
    suffix: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / f"waivers.{suffix}"
    path.write_text(
        f"version: {LONG}\nwaivers: []\n" if suffix == "yaml" else f'{{"version": {LONG}}}',
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="too large") as raised:
        load_waivers(path)
    assert raised.value.kind == "waivers file"
    assert "line 1" in str(raised.value)
    code, text = cli([F19 / "rural-no-waiver.json", "--waivers", path], capsys)
    assert code == 3
    assert f"waivers.{suffix}" in text


def test_a_pack_integer_of_5000_digits(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(resolve_pack_dir("2019/20"), pack)
    pack_yaml = pack / "pack.yaml"
    text = pack_yaml.read_text(encoding="utf-8")
    assert "  population_min: 30000\n" in text
    pack_yaml.write_text(text.replace("30000\n", f"{LONG}\n", 1), encoding="utf-8")
    with pytest.raises(PackError, match=r"pack\.yaml.*too large \(line \d+\)"):
        pcn_rules.load_pack(pack)
    code, text = cli([F19 / "compliant.json", "--pack", pack], capsys)
    assert code == 3
    assert "pack.yaml" in text


def test_a_pack_integer_beyond_64_bits(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(resolve_pack_dir("2019/20"), pack)
    pack_yaml = pack / "pack.yaml"
    text = pack_yaml.read_text(encoding="utf-8")
    pack_yaml.write_text(text.replace("30000\n", f"{2**63}\n", 1), encoding="utf-8")
    with pytest.raises(PackError, match="does not fit in 64 bits"):
        pcn_rules.load_pack(pack)


def test_a_baseline_integer_of_5000_digits(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "baseline.json"
    path.write_text(f'{{"findings": [], "network": {{"name": {LONG}}}}}', encoding="utf-8")
    with pytest.raises(InputError, match="5,000 digits") as raised:
        load_baseline(path)
    assert raised.value.problems[0][0] == "network.name"
    code, text = cli([F19 / "compliant.json", "--baseline", path], capsys)
    assert code == 3
    assert "baseline.json" in text


@pytest.mark.parametrize(
    ("size", "problem"),
    [("²", "expected a whole number"), ("١٢", "expected a whole number"), (LONG, "too large")],
)
def test_a_register_list_size_that_is_not_a_count(size: str, problem: str, tmp_path: Path) -> None:
    path = tmp_path / "register.csv"
    path.write_text(f"ods_code,name,list_size\nA12345,One,12\nB12345,Two,{size}\n", "utf-8")
    with pytest.raises(InputError, match=problem) as raised:
        load_register(path)
    assert raised.value.problems[0][0] == "line 3, column list_size"


@pytest.mark.parametrize("size", ["²", "12x", LONG])
def test_an_ods_list_size_that_is_not_a_count(
    size: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = SIZES.read_text(encoding="utf-8").splitlines()
    code = lines[2].split(",")[0]
    lines[2] = f"{code},{size},2019-01-01"
    path = tmp_path / "sizes.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as raised:
        import_ods([DETAILS, PARTNERS], path)
    assert raised.value.problems[0][0] == "line 3, column LIST_SIZE_TOTAL"
    args = [
        "import-ods",
        "--epcn",
        DETAILS,
        PARTNERS,
        "--list-sizes",
        path,
        "--out",
        tmp_path / "o",
    ]
    exit_code, text = cli(args, capsys)
    assert exit_code == 3
    assert "sizes.csv" in text


def _long_field(path: Path, header: str) -> Path:
    path.write_text(f"{header}\n" + "x" * 200_000 + ",1\n", encoding="utf-8")
    return path


def test_a_register_field_past_the_csv_limit(tmp_path: Path) -> None:
    path = _long_field(tmp_path / "register.csv", "ods_code,list_size")
    with pytest.raises(InputError, match="longer than 131,072 characters") as raised:
        load_register(path)
    assert raised.value.problems[0][0] == "line 2"


@pytest.mark.parametrize("which", ["epcn", "list sizes"])
def test_an_ods_field_past_the_csv_limit(
    which: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _long_field(tmp_path / "long.csv", "PCN Code,PCN Name")
    epcn, sizes = ([path, PARTNERS], SIZES) if which == "epcn" else ([DETAILS, PARTNERS], path)
    with pytest.raises(InputError, match="longer than 131,072 characters") as raised:
        import_ods(epcn, sizes)
    assert raised.value.problems[0][0] == "line 2"
    args = ["import-ods", "--epcn", *epcn, "--list-sizes", sizes, "--out", tmp_path / "out"]
    code, text = cli(args, capsys)
    assert code == 3
    assert "long.csv" in text


@pytest.mark.parametrize("option", ["--epcn", "--list-sizes"])
def test_a_directory_where_an_ods_file_is_expected(
    option: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "a-folder"
    folder.mkdir()
    files = {"--epcn": [DETAILS, PARTNERS], "--list-sizes": [SIZES]}
    files[option] = [folder]
    args = ["import-ods", "--epcn", *files["--epcn"], "--list-sizes", *files["--list-sizes"]]
    code, text = cli([*args, "--out", tmp_path / "out"], capsys)
    assert code == 3
    assert f"{folder}: is a directory, not a file" in text.replace("\n", "")


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_a_directory_named_like_a_workbook(suffix: str, tmp_path: Path) -> None:
    folder = tmp_path / f"epcn{suffix}"
    folder.mkdir()
    with pytest.raises(InputError, match="is a directory"):
        import_ods([folder], SIZES)


# --------------------------------------------------------------------------------------------
# Baselines
# --------------------------------------------------------------------------------------------


def _report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    path = tmp_path / "report.json"
    code, _, _ = run([F19 / "rural-no-waiver.json", "-f", "json", "-o", path], capsys)
    assert code == 1
    report: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    assert any(f["status"] == "not_met" for f in report["findings"])
    return report


def _first_failing(report: dict[str, Any]) -> int:
    return next(i for i, f in enumerate(report["findings"]) if f["status"] == "not_met")


@pytest.mark.parametrize(
    ("damage", "where"),
    [
        (lambda r, i: r.update(network=[]), "network"),
        (lambda r, i: r["findings"][i].update(fingerprint=12), "findings[{i}].fingerprint"),
        (lambda r, i: r["findings"][i].update(message={"a": 1}), "findings[{i}].message"),
        (lambda r, i: r["findings"][i].update(entity=[1]), "findings[{i}].entity"),
        (lambda r, i: r["findings"][i].update(status=None), "findings[{i}].status"),
        (lambda r, i: r.update(findings={"a": 1}), "findings"),
        (lambda r, i: r["findings"].append("x"), "findings[{n}]"),
    ],
)
def test_a_malformed_baseline_is_an_input_error(
    damage: Any, where: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = _report(tmp_path, capsys)
    index = _first_failing(report)
    count = len(report["findings"])
    damage(report, index)
    path = tmp_path / "baseline.json"
    path.write_text(json.dumps(report), encoding="utf-8")
    with pytest.raises(InputError) as raised:
        load_baseline(path)
    assert raised.value.problems[0][0] == where.format(i=index, n=count)
    code, text = cli([F19 / "rural-no-waiver.json", "--baseline", path], capsys)
    assert code == 3
    assert "baseline.json" in text


def test_mixed_fingerprints_in_a_multi_report_baseline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = _report(tmp_path, capsys)
    other = json.loads(json.dumps(report))
    other["findings"][_first_failing(other)]["fingerprint"] = 7
    path = tmp_path / "baseline.json"
    path.write_text(json.dumps({"reports": [report, other]}), encoding="utf-8")
    with pytest.raises(InputError, match="expected a string, got a number") as raised:
        load_baseline(path)
    assert raised.value.problems[0][0].startswith("reports[1].findings[")


# --------------------------------------------------------------------------------------------
# Registers, packs, contract years, waivers
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "ods_code,name,commissioner,list_size",
        (ODS / "epraccur_2019-11_slice.csv").read_text(encoding="utf-8").splitlines()[0],
    ],
)
def test_a_register_with_only_a_header_is_an_error(
    header: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "register.csv"
    path.write_text(header + "\n\n", encoding="utf-8")
    with pytest.raises(InputError, match="no practice after the header row"):
        load_register(path)
    code, text = cli(["audit", F19, "--register", path, "--as-of", "2019-06-30"], capsys)
    assert code == 3
    assert "register.csv" in text


def test_a_register_without_an_active_gp_practice_is_an_error(tmp_path: Path) -> None:
    lines = (ODS / "epraccur_2019-11_slice.csv").read_text(encoding="utf-8").splitlines()
    closed = [line.replace(",A,", ",C,", 1) for line in lines[1:]]
    path = tmp_path / "register.csv"
    path.write_text("\n".join([lines[0], *closed]) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="no active GP practice"):
        load_register(path)


EDITOR_FILES = [".#population.yaml", "population.yaml~", ".population.yaml.swp", "#x.yaml#"]


def test_editor_files_in_a_pack_directory_are_ignored(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(resolve_pack_dir("2019/20"), pack)
    before = [r.id for r in pcn_rules.load_pack(pack).rules]
    # an Emacs lock is a link to nowhere; the others hold whatever the editor wrote
    os.symlink("root@host.1234:1700000000", pack / ".#population.yaml")
    for name in [*EDITOR_FILES[1:], "._population.yaml"]:
        (pack / name).write_text("not: [a rule file\n", encoding="utf-8")
    assert [r.id for r in pcn_rules.load_pack(pack).rules] == before


def test_a_pack_directory_that_cannot_be_listed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(resolve_pack_dir("2019/20"), pack)

    def refused(self: Path) -> Any:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "iterdir", refused)
    with pytest.raises(PackError, match="cannot be listed"):
        pcn_rules.load_pack(pack)


def test_a_contract_year_no_pack_covers_is_exit_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = json.loads((F19 / "compliant.json").read_text(encoding="utf-8"))
    doc["contract_year"] = "2031/32"
    path = tmp_path / "future.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    code, text = cli([path], capsys)
    assert code == 3
    assert "contract_year" in text
    assert "2031/32" in text
    with pytest.raises(InputError, match="2031/32"):
        pcn_rules.check(path)


def _waivers(tmp_path: Path, old: str, new: str) -> Path:
    text = WAIVERS.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "waivers.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_a_waiver_that_expires_before_it_was_approved(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _waivers(tmp_path, "expires_on: 2020-03-31", "expires_on: 2019-05-01")
    with pytest.raises(InputError, match="before the waiver was approved") as raised:
        load_waivers(path)
    assert raised.value.problems[0][0] == "waivers[0].expires_on"
    code, text = cli([F19 / "rural-no-waiver.json", "--waivers", path], capsys)
    assert code == 3
    assert "waivers.yaml" in text


@pytest.mark.parametrize("version", ["true", "1.0", '"1"', "0x1"])
def test_a_waivers_version_that_is_not_the_integer_1(
    version: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _waivers(tmp_path, "version: 1\n", f"version: {version}\n")
    if version == "0x1":  # YAML's hexadecimal 1 is the integer 1: accepted
        assert load_waivers(path).entries
        return
    with pytest.raises(InputError, match="version: 1") as raised:
        load_waivers(path)
    assert raised.value.problems[0][0] == "version"
    code, text = cli([F19 / "rural-no-waiver.json", "--waivers", path], capsys)
    assert code == 3
    assert "waivers.yaml" in text


def test_a_huge_integer_where_text_is_expected_is_named_not_printed() -> None:
    """Through the library, an integer of 4,301 digits in a text field is an InputError that
    says what it is (printing it would pass Python's limit on long integers as text)."""
    root = Path(__file__).resolve().parent.parent
    doc = json.loads((root / "fixtures" / "2019-20" / "compliant.json").read_text("utf-8"))
    doc["network"]["name"] = 10**4300
    with pytest.raises(InputError) as raised:
        pcn_rules.check(doc)
    assert raised.value.problems[0][0] == "network.name"
    assert "a number of about 4,301 digits" in raised.value.problems[0][1]
