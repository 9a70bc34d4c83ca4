"""pcn-check on the bundled fixtures: exit codes, what a PCN manager sees, the JSON report."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from cli_runner import run

from pcn_rules.report import report_json_schema
from pcn_rules.report.model import REPORT_VERSION

ROOT = Path(__file__).resolve().parent.parent
F19 = ROOT / "fixtures" / "2019-20"
VALIDATOR = jsonschema.Draft202012Validator(report_json_schema())


# (fixture, extra args, exit code, texts that must be on screen)
CASES = [
    ("compliant.json", [], 0, ["COMPLIANT", "Stroud Cotswold PCN", "28 requirements: 24 met"]),
    (
        "registration-2019-05-10.json",
        [],
        0,
        ["COMPLIANT as of 10 May 2019", "due in 5 days", "upcoming: does not affect the verdict"],
    ),
    ("rural-waiver.json", [], 0, ["waived", "POP-MIN", "Waived by"]),
    (
        "rural-no-waiver.json",
        [],
        1,
        ["NOT COMPLIANT", "POP-MIN", "17,623", "How to fix:", "ask the commissioner for a waiver"],
    ),
    ("rural-waiver-expired.json", [], 1, ["POP-MIN", "expired on 15 June 2019"]),
    (
        "missing-clinical-director.json",
        [],
        1,
        ["REG-CLINICAL-DIRECTOR", "Not evidenced in the submission: clinical_director"],
    ),
    ("unsigned-practice.json", [], 1, ["NA-FULL", "L84025"]),
    ("duplicate-practice.json", [], 1, ["CORE-ONE-NETWORK", "L84016", "2 times"]),
    ("non-gp-only.json", [], 1, ["CORE-GP-LED", "no core GP practice"]),
    # received 5 days late: met late (not a failure by itself); as of 20 May the commissioner's
    # confirmation, due on 31 May (the next milestone), is not evidenced, which blocks
    (
        "late-registration.json",
        [],
        1,
        ["REG-ON-TIME", "Met 5 days late", "20 May 2019", "1 not evidenced (COM-APPROVAL)"],
    ),
    ("late-registration.json", ["--fail-on-late"], 1, ["REG-ON-TIME met late"]),
    # as of its own date (28 June) the go-live items are the milestone after next: upcoming
    ("short-extended-hours.json", [], 0, ["EHA-MINUTES", "upcoming"]),
    (
        "short-extended-hours.json",
        ["--as-of", "2019-07-01"],
        1,
        ["EHA-MINUTES", "1,200 minutes required", "shorter than 30"],
    ),
    # GEO-CROSS-CCG is a warning: shown, but never fails the network
    ("cross-ccg-practice.json", [], 0, ["GEO-CROSS-CCG", "15C", "not met"]),
]


@pytest.mark.parametrize(
    ("name", "extra", "code", "texts"), CASES, ids=[f"{c[0]}{' '.join(c[1])}" for c in CASES]
)
def test_fixture_through_the_cli(
    name: str, extra: list[str], code: int, texts: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    got, out, err = run([str(F19 / name), *extra], capsys)
    assert got == code, out + err
    for text in texts:
        assert text in out, f"{text!r} not on screen:\n{out}"


def test_json_report_validates_single_and_multi(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([str(F19 / "rural-no-waiver.json"), "--format", "json"], capsys)
    assert code == 1
    report = json.loads(out)
    VALIDATOR.validate(report)
    assert report["report_version"] == REPORT_VERSION
    assert report["verdict"] == "not_compliant"
    pop = next(f for f in report["findings"] if f["rule_id"] == "POP-MIN")
    assert pop["status"] == "not_met"
    assert pop["evidence"]["network.list_size"] == 17623
    assert pop["due"] == {
        "milestone": "commissioner_confirmation",
        "date": "2019-05-31",
        "title": pop["due"]["title"],
    }
    assert pop["days_left"] == -28
    assert pop["blocking"] is True
    assert pop["remediation"]

    code, out, _ = run(
        [str(F19 / "compliant.json"), str(F19 / "rural-waiver.json"), "--format", "json"], capsys
    )
    assert code == 0
    multi = json.loads(out)
    VALIDATOR.validate(multi)
    assert [r["network"]["ods_code"] for r in multi["reports"]] == ["U23862", "U59980"]


def test_output_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "report.json"
    code, out, _ = run([str(F19 / "compliant.json"), "-f", "json", "-o", str(target)], capsys)
    assert code == 0
    assert out == ""
    VALIDATOR.validate(json.loads(target.read_text(encoding="utf-8")))
    text_target = tmp_path / "report.txt"
    code, _, _ = run([str(F19 / "rural-no-waiver.json"), "-o", str(text_target)], capsys)
    assert code == 1
    assert "POP-MIN" in text_target.read_text(encoding="utf-8")


def test_as_of_moves_deadlines(capsys: pytest.CaptureFixture[str]) -> None:
    registration = F19 / "registration-2019-05-10.json"
    code, out, _ = run([str(registration), "--format", "json", "--as-of", "2019-05-10"], capsys)
    assert code == 0
    report = json.loads(out)
    assert report["horizon"]["milestone"] == "registration"
    reg = next(f for f in report["findings"] if f["rule_id"] == "REG-MAP")
    assert reg["days_left"] == 5
    assert reg["timing"] == "upcoming"
    na_full = next(f for f in report["findings"] if f["rule_id"] == "NA-FULL")
    assert na_full["status"] == "not_evidenced"  # no one's signature of it is given yet...
    assert na_full["blocking"] is False  # ...but it is due on 30 June, not by the next deadline

    late = F19 / "late-registration.json"
    code, out, _ = run([str(late), "--format", "json", "--as-of", "2019-05-16"], capsys)
    assert code == 1
    on_time = next(f for f in json.loads(out)["findings"] if f["rule_id"] == "REG-ON-TIME")
    assert on_time["status"] == "not_met"
    assert on_time["days_left"] == -1
    assert on_time["timing"] == "overdue"


def test_directory_argument_checks_every_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([str(F19)], capsys)
    assert code == 1
    count = len(list(F19.glob("*.json")))
    assert f"{count} submissions:" in out


def test_installed_console_script() -> None:
    beside = Path(sys.executable).parent / "pcn-check"
    exe = str(beside) if beside.is_file() else shutil.which("pcn-check")
    if exe is None:
        pytest.skip("no pcn-check script beside this Python or on PATH (package not installed)")
    done = subprocess.run(
        [exe, str(F19 / "rural-no-waiver.json")], capture_output=True, text=True, check=False
    )
    assert done.returncode == 1
    assert "POP-MIN" in done.stdout


def test_python_dash_m() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pcn_rules", str(F19 / "compliant.json")],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert "COMPLIANT" in done.stdout
