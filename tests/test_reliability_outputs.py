"""Reliability (issue 14), outputs: nothing lost (an output that is an input, a write that fails
part way, ``import-ods --out``, reports among submissions), clear errors when one of several
files is bad, ``--as-of`` and ``--baseline`` checked.  Injection is in
``test_reliability_injection.py``."""

from __future__ import annotations

import contextlib
import copy
import csv
import errno
import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from cli_runner import run

import pcn_rules
from pcn_rules.audits import audit, audit_json_schema

ROOT = Path(__file__).resolve().parent.parent
F19 = ROOT / "fixtures" / "2019-20"
ODS = ROOT / "fixtures" / "ods"
COMPLIANT = F19 / "compliant.json"
RURAL = F19 / "rural-no-waiver.json"
DETAILS = ODS / "epcn_2019-12_pcn_details_slice.csv"
PARTNERS = ODS / "epcn_2019-12_core_partners_slice.csv"
SIZES = ODS / "qof_1819_practice_list_size_slice.csv"


def _doc(path: Path = COMPLIANT) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def _save(path: Path, doc: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


# ------------------------------------------------------------------------------------------------
# An output that is one of the inputs is refused (exit 2); the input is left as it was
# ------------------------------------------------------------------------------------------------


def _alias(tmp_path: Path, original: Path, how: str) -> Path:
    if how == "the same path":
        return original
    if how == "another spelling":
        return original.parent / "." / original.name
    if how == "a symbolic link":
        link = tmp_path / "link.json"
        link.symlink_to(original)
        return link
    hard = tmp_path / "hard.json"
    os.link(original, hard)
    return hard


HOWS = ["the same path", "another spelling", "a symbolic link", "a hard link"]


@pytest.mark.parametrize("how", HOWS)
def test_check_refuses_to_write_its_report_over_the_submission(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], how: str
) -> None:
    submission = tmp_path / "sub.json"
    submission.write_bytes(COMPLIANT.read_bytes())
    output = _alias(tmp_path, submission, how)
    code, _out, err = run([submission, "--format", "json", "--output", output], capsys)
    assert code == 2, err
    assert f"--output {output} is one of the input files" in err
    assert submission.read_bytes() == COMPLIANT.read_bytes()


@pytest.mark.parametrize("how", HOWS)
def test_audit_refuses_to_write_over_a_submission_of_its_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], how: str
) -> None:
    folder = tmp_path / "subs"
    folder.mkdir()
    submission = folder / "sub.json"
    submission.write_bytes(COMPLIANT.read_bytes())
    output = _alias(tmp_path, submission, how)
    args = ["audit", folder, "--as-of", "2019-06-30", "-f", "json", "-o", output]
    code, _, err = run(args, capsys)
    assert code == 2, err
    assert "is one of the input files" in err
    assert submission.read_bytes() == COMPLIANT.read_bytes()


@pytest.mark.parametrize("option", ["--baseline", "--waivers", "--register"])
def test_an_output_over_a_baseline_waivers_or_register_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str
) -> None:
    other = tmp_path / "other.file"
    if option == "--baseline":
        assert run([RURAL, "-f", "json", "-o", other], capsys)[0] == 1
        args: list[Any] = [RURAL, "--baseline", other, "-f", "json", "-o", other]
    elif option == "--waivers":
        other.write_text("version: 1\nwaivers: []\n", encoding="utf-8")
        args = [RURAL, "--waivers", other, "-o", other]
    else:
        other.write_bytes((ODS / "epraccur_2019-11_slice.csv").read_bytes())
        args = ["audit", COMPLIANT, "--as-of", "2019-06-30", "--register", other, "-o", other]
    before = other.read_bytes()
    code, _, err = run(args, capsys)
    assert code == 2, err
    assert "is one of the input files" in err
    assert other.read_bytes() == before


# ------------------------------------------------------------------------------------------------
# A write that fails part way leaves the old report as it was (exit 2, saying why)
# ------------------------------------------------------------------------------------------------

WRITERS = [
    ("check json", [COMPLIANT, "-f", "json"]),
    ("check text", [RURAL]),
    ("audit html", ["audit", F19, "--as-of", "2019-06-30", "-f", "html"]),
]


@pytest.mark.parametrize("args", [w[1] for w in WRITERS], ids=[w[0] for w in WRITERS])
def test_a_full_disk_leaves_the_old_report_intact(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[Any],
) -> None:
    target = tmp_path / "report.out"
    target.write_text("the old report\n", encoding="utf-8")

    def full_disk(fd: int, data: bytes) -> None:
        os.write(fd, bytes(data[:100]))  # some of it, then the disk is full
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("pcn_rules.cli.output._write_all", full_disk)
    code, _out, err = run([*args, "--output", target], capsys)
    assert code == 2, err
    assert f"--output {target} cannot be written: {os.strerror(errno.ENOSPC)}" in err
    assert target.read_text(encoding="utf-8") == "the old report\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.out"], "a temporary file is left"


@pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX resource limits")
def test_a_write_cut_short_by_the_file_size_limit_leaves_the_old_report(tmp_path: Path) -> None:
    """A real failing write: the process may not write a file over 4 KiB (RLIMIT_FSIZE), and
    the JSON report is larger.  Before: the old report was replaced by 4 KiB of the new one."""
    target = tmp_path / "report.json"
    target.write_text("the old report\n", encoding="utf-8")
    code = (
        "import resource, signal, sys\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))\n"
        "from pcn_rules.cli import main\n"
        f"sys.exit(main([{str(COMPLIANT)!r}, '-f', 'json', '-o', {str(target)!r}]))\n"
    )
    env = {**os.environ, "PCN_RULES_NO_CACHE": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=False,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert "cannot be written" in done.stderr
    assert target.read_text(encoding="utf-8") == "the old report\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_a_report_keeps_the_permissions_of_the_file_it_replaces(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "report.json"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o640)
    assert run([COMPLIANT, "-f", "json", "-o", target], capsys)[0] == 0
    assert json.loads(target.read_text(encoding="utf-8"))["verdict"] == "compliant"
    assert target.stat().st_mode & 0o777 == 0o640


def test_an_output_through_a_link_replaces_the_file_it_points_to(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    real = tmp_path / "real.json"
    real.write_text("old\n", encoding="utf-8")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    assert run([COMPLIANT, "-f", "json", "-o", link], capsys)[0] == 0
    assert link.is_symlink()
    assert json.loads(real.read_text(encoding="utf-8"))["verdict"] == "compliant"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_an_output_to_a_pipe_is_written_to_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # a pipe or a device (/dev/stdout) has nothing to replace: it is written to, as before
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received: list[str] = []

    def read() -> None:
        with pipe.open(encoding="utf-8") as stream:
            received.append(stream.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    code = run([COMPLIANT, "-f", "json", "-o", pipe], capsys)[0]
    if reader.is_alive() and not received:  # never opened for writing: let the reader go
        with contextlib.suppress(OSError):
            os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))
    reader.join(timeout=30)
    assert code == 0
    assert stat.S_ISFIFO(os.lstat(pipe).st_mode), "the pipe was replaced"
    assert json.loads(received[0])["verdict"] == "compliant"


# ------------------------------------------------------------------------------------------------
# import-ods --out: a directory that is not empty, --force, links, what the model refuses
# ------------------------------------------------------------------------------------------------


def _import(
    capsys: pytest.CaptureFixture[str],
    out: Path,
    *extra: str,
    details: Path = DETAILS,
    sizes: Path = SIZES,
) -> tuple[int, str, str]:
    args: list[Any] = ["import-ods", "--epcn", details, PARTNERS, "--list-sizes", sizes]
    return run([*args, "--out", out, *extra], capsys)


def test_import_refuses_a_directory_that_is_not_empty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "subs"
    out.mkdir()
    mine = out / "U59980.json"
    mine.write_text('{"edited": "by hand"}\n', encoding="utf-8")
    code, stdout, err = _import(capsys, out)
    assert code == 2, err
    assert f"--out {out} is not empty" in err
    assert "--force" in err
    assert stdout == ""
    assert mine.read_text(encoding="utf-8") == '{"edited": "by hand"}\n'
    assert [p.name for p in out.iterdir()] == ["U59980.json"]


def test_import_with_force_replaces_its_files_removes_stale_imports_and_names_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "subs"
    assert _import(capsys, out)[0] == 0
    written = sorted(p.name for p in out.iterdir())
    assert len(written) == 19
    stale = out / "U00001.json"  # a network of an earlier import that this one does not have
    stale.write_bytes((out / "U59980.json").read_bytes())
    edited = _doc(out / "U59570.json")
    edited["clinical_director"] = {"name": "Dr A. Example"}
    _save(out / "U00002.json", edited)  # an earlier import a user has added facts to
    (out / "notes.txt").write_text("kept\n", encoding="utf-8")
    (out / "U59980.json").write_text("{}", encoding="utf-8")  # replaced: --force says so
    code, stdout, err = _import(capsys, out, "--force")
    assert code == 0, err
    assert not stale.exists()
    assert "Removed 1 file of an earlier import: U00001.json" in stdout
    assert (out / "U00002.json").exists()
    assert "U00002.json" in stdout
    assert "read by the next audit" in " ".join(stdout.split())
    assert (out / "notes.txt").read_text(encoding="utf-8") == "kept\n"
    assert _doc(out / "U59980.json")["network"]["name"] == "WESTERN DALES PCN"
    assert sorted(p.name for p in out.glob("U*.json")) == sorted([*written, "U00002.json"])
    assert not [p for p in out.iterdir() if p.name.startswith(".")], "a temporary file is left"


def test_import_never_writes_through_a_link(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "subs"
    out.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("not yours\n", encoding="utf-8")
    (out / "U59980.json").symlink_to(secret)
    code, _, err = _import(capsys, out, "--force")
    assert code == 2, err
    assert "U59980.json is a symbolic link" in err
    assert secret.read_text(encoding="utf-8") == "not yours\n"
    assert [p.name for p in out.iterdir()] == ["U59980.json"], "nothing is written"


def test_import_writes_every_file_or_none(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from pcn_rules.cli import output

    calls = []
    real = output._write_all

    def fails_on_the_fifth(fd: int, data: bytes) -> None:
        calls.append(fd)
        if len(calls) == 5:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(fd, data)

    monkeypatch.setattr(output, "_write_all", fails_on_the_fifth)
    out = tmp_path / "subs"
    code, _, err = _import(capsys, out)
    assert code == 2, err
    assert os.strerror(errno.ENOSPC) in err
    assert list(out.iterdir()) == []


def _bad_details(tmp_path: Path) -> Path:
    with DETAILS.open(encoding="utf-8", newline="") as source:
        rows = list(csv.reader(source))
    header = rows[0]
    name, ccg = header.index("PCN Name"), header.index("Current Clinical Commissioning Group Code")
    codes = {row[0]: row for row in rows[1:]}
    codes["U59980"][name] = "N" * 600
    codes["U59570"][ccg] = "11m"
    path = tmp_path / "details.csv"
    with path.open("w", encoding="utf-8", newline="") as target:
        csv.writer(target).writerows(rows)
    return path


def test_import_writes_only_submissions_the_format_accepts_and_names_the_others(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "subs"
    code, _stdout, err = _import(capsys, out, details=_bad_details(tmp_path))
    assert code == 3, err
    flat = " ".join(err.split())
    assert "network U59980 (NNNN" in flat
    assert "network.name" in flat
    assert "at most 500 characters" in flat
    assert "network U59570 (GRANGE AND LAKES PCN)" in flat
    assert "'11m'" in flat
    names = {p.name for p in out.iterdir()}
    assert len(names) == 17
    assert not {"U59980.json", "U59570.json"} & names
    for path in out.iterdir():
        pcn_rules.check(path, as_of="2019-06-30")  # each file written reads back


def test_import_refuses_a_contract_year_the_format_does_not_have(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sizes = tmp_path / "sizes.csv"
    sizes.write_text(
        SIZES.read_text(encoding="utf-8").replace("2019-01-01", "9999-01-01"), encoding="utf-8"
    )
    out = tmp_path / "subs"
    code, _, err = _import(capsys, out, sizes=sizes)
    assert code == 3, err
    assert "contract_year" in err
    assert "'9999/00'" in err
    assert list(out.iterdir()) == []


# ------------------------------------------------------------------------------------------------
# A report written among the submissions is skipped, and said so; an invalid submission is not
# ------------------------------------------------------------------------------------------------


def test_an_audit_report_in_the_submissions_directory_is_skipped_with_a_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "subs"
    folder.mkdir()
    (folder / "a.json").write_bytes(COMPLIANT.read_bytes())
    args: list[Any] = ["audit", folder, "--as-of", "2019-06-30"]
    assert run([*args, "-f", "json", "-o", folder / "audit.json"], capsys)[0] == 0
    assert run([COMPLIANT, "-f", "json", "-o", folder / "report.json"], capsys)[0] == 0
    code, out, err = run(args, capsys)
    assert code == 0, err
    flat = " ".join(out.split())
    assert "skipped 2 JSON files" in flat
    assert "audit.json: a pcn-check audit report" in flat
    assert "report.json: a pcn-check report" in flat
    code, out, err = run([*args, "-f", "json"], capsys)
    assert code == 0, err
    data = json.loads(out)
    jsonschema.validate(data, audit_json_schema())
    assert [s["source"] for s in data["skipped"]] == [
        str(folder / "audit.json"),
        str(folder / "report.json"),
    ]
    assert len(data["networks"]) == 1
    code, out, err = run([*args, "-f", "csv"], capsys)
    assert code == 0, err
    assert "skipped 2 JSON files" in " ".join(err.split())


def test_check_of_a_directory_skips_a_report_in_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "subs"
    folder.mkdir()
    (folder / "a.json").write_bytes(COMPLIANT.read_bytes())
    assert run([folder, "-f", "json", "-o", folder / "report.json"], capsys)[0] == 0
    code, out, err = run([folder, "-f", "json"], capsys)
    assert code == 0, err
    assert json.loads(out)["verdict"] == "compliant"
    assert "skipped 1 JSON file" in err
    assert "report.json" in err


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ({**_doc(), "format_version": 2}, "format_version 2 is not supported"),
        ({k: v for k, v in _doc().items() if k != "format_version"}, "format_version"),
        ({"format_version": 1, "report_version": "2.0"}, "required field is missing"),
    ],
    ids=["wrong format version", "no format version", "a report with a format version"],
)
def test_a_file_that_claims_to_be_a_submission_is_still_unreadable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: dict[str, Any], expected: str
) -> None:
    folder = tmp_path / "subs"
    _save(folder / "a.json", _doc())
    _save(folder / "b.json", content)
    code, _, err = run(["audit", folder, "--as-of", "2019-06-30"], capsys)
    assert code == 3, err
    assert "b.json" in err
    assert expected in err
    assert "skipped" not in err


def test_a_directory_of_reports_only_is_no_all_clear(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "subs"
    folder.mkdir()
    assert run([COMPLIANT, "-f", "json", "-o", folder / "report.json"], capsys)[0] == 0
    for args in (["audit", folder, "--as-of", "2019-06-30"], [folder]):
        code, out, err = run(args, capsys)
        assert code == 3, err
        assert "report.json" in err
        assert "nothing to" in err
        assert "COMPLIANT" not in out


# ------------------------------------------------------------------------------------------------
# Several files where one is bad: the file is named, the others reported, exit 3
# ------------------------------------------------------------------------------------------------


def _outside_every_pack(tmp_path: Path) -> Path:
    doc = _doc()
    del doc["contract_year"]
    doc["submission"]["submitted_on"] = "2015-05-10"
    return _save(tmp_path / "old.json", doc)


def _unknown_year(tmp_path: Path) -> Path:
    return _save(tmp_path / "future.json", {**_doc(), "contract_year": "2031/32"})


@pytest.mark.parametrize(
    ("make", "field"),
    [(_outside_every_pack, "submission.submitted_on"), (_unknown_year, "contract_year")],
    ids=["a date outside every pack", "a contract year no pack has"],
)
def test_one_file_no_pack_fits_among_several_is_named_and_the_others_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make: Any, field: str
) -> None:
    bad = make(tmp_path)
    code, out, err = run([COMPLIANT, bad], capsys)
    assert code == 3, err
    assert "Stroud Cotswold PCN" in out, "the readable file is still reported"
    assert f"{bad} at {field}: no bundled rule pack" in " ".join(err.split())
    code, _, err = run([bad], capsys)
    assert code == 3, err
    assert f"{bad} at {field}" in " ".join(err.split())


def test_audit_of_different_contract_years_names_the_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old, future = _outside_every_pack(tmp_path), _unknown_year(tmp_path)
    code, _, err = run(["audit", COMPLIANT, old, future, "--as-of", "2019-06-30"], capsys)
    assert code == 2, err
    flat = " ".join(err.split())
    assert "different contract years" in flat
    assert f"2019/20: {COMPLIANT}" in flat
    assert f"2031/32: {future}" in flat
    assert f"none given: {old}" in flat


def test_audit_of_a_contract_year_no_pack_has_is_an_input_error_naming_the_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    future = _unknown_year(tmp_path)
    code, _, err = run(["audit", future, "--as-of", "2019-06-30"], capsys)
    assert code == 3, err
    assert f"{future} at contract_year: no bundled rule pack for contract year 2031/32" in " ".join(
        err.split()
    )


def test_copies_of_a_network_in_different_folders_get_distinct_labels(tmp_path: Path) -> None:
    first = _save(tmp_path / "may" / "stroud.json", _doc())
    second = _save(tmp_path / "june" / "stroud.json", _doc())
    third = _save(tmp_path / "june" / "stroud-draft.json", _doc())
    # the same file given twice is audited once (not two networks listing the same practices)
    result = audit([first, second, third, first], as_of="2019-06-30")
    assert len(set(result.labels)) == 3, result.labels
    assert result.labels[0].endswith("[may/stroud.json]")
    assert result.labels[1].endswith("[june/stroud.json]")
    assert result.labels[2].endswith("[june/stroud-draft.json]")
    copy_two = copy.deepcopy(_doc())
    dicts = audit([_doc(), copy_two], as_of="2019-06-30")
    assert len(set(dicts.labels)) == 2, dicts.labels


# ------------------------------------------------------------------------------------------------
# --as-of is YYYY-MM-DD only; --baseline only where the format can show it
# ------------------------------------------------------------------------------------------------

#: the date in full-width digits, which Python's str.isdigit() and re's \d also accept
FULL_WIDTH = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in "2019-06-30")
NOT_DATES = ["2019-6-30", "20190630", "2019-06-30T00:00", "2019-06-30\n", FULL_WIDTH]


@pytest.mark.parametrize("value", NOT_DATES, ids=repr)
def test_as_of_accepts_only_yyyy_mm_dd(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    for args in ([COMPLIANT], ["audit", COMPLIANT]):
        code, _, err = run([*args, "--as-of", value], capsys)
        assert code == 2, err
        assert "expected a date as YYYY-MM-DD" in err
    with pytest.raises(pcn_rules.UsageError, match="YYYY-MM-DD"):
        pcn_rules.check(COMPLIANT, as_of=value)


@pytest.mark.parametrize("name", ["junit", "sarif", "csv"])
def test_baseline_with_a_format_that_cannot_show_it_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    baseline = tmp_path / "may.json"
    assert run([RURAL, "-f", "json", "-o", baseline], capsys)[0] == 1
    code, out, err = run([RURAL, "--baseline", baseline, "-f", name], capsys)
    assert code == 2, err
    assert out == ""
    assert f"--baseline: the {name} format cannot show" in err
    for shown in ("text", "json"):
        assert run([RURAL, "--baseline", baseline, "-f", shown], capsys)[0] == 1
