"""``pcn-check FILE`` on each bundled 2019/20 fixture: the exit code and what is on screen; the JSON
report against its published schema; ``--output``; as-of semantics; directories."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from cli_runner import run


def report_validator(capsys: pytest.CaptureFixture[str]) -> jsonschema.Draft202012Validator:
    code, out, _ = run(["schema", "--report"], capsys)
    assert code == 0
    schema = json.loads(out)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def findings(report: dict[str, Any], rule_id: str) -> list[dict[str, Any]]:
    found = [f for f in report["findings"] if f["rule_id"] == rule_id]
    assert found, f"no finding for {rule_id}"
    return found


def section(out: str, heading: str) -> str:
    """The text of one milestone section of the terminal report (up to the next blank line)."""
    start = out.index(heading)
    end = out.find("\n\n", start)
    return out[start : end if end != -1 else len(out)]


# ------------------------------------------------------------------------------------------------
# Each fixture through the CLI, as of its own date unless stated
# ------------------------------------------------------------------------------------------------

# (fixture, extra arguments, exit code, texts that must be on screen)
CASES = [
    (
        "compliant.json",
        [],
        0,
        ["COMPLIANT as of 28 June 2019", "Stroud Cotswold PCN", "0 blocking the verdict"],
    ),
    ("rural-waiver.json", [], 0, ["waived", "POP-MIN", "Waived by H. Sample"]),
    (
        "rural-no-waiver.json",
        [],
        1,
        [
            "NOT COMPLIANT",
            "POP-MIN",
            "17,623, below the 30,000 minimum",
            "How to fix:",
            "ask the commissioner for a waiver",
        ],
    ),
    ("rural-waiver-expired.json", [], 1, ["POP-MIN", "expired on 15 June 2019"]),
    (
        "missing-clinical-director.json",
        [],
        1,
        [
            "REG-CLINICAL-DIRECTOR",
            "Not evidenced in the submission: clinical_director",
            "How to fix:",
        ],
    ),
    (
        "unsigned-practice.json",
        [],
        1,
        ["NA-FULL", "has not been signed by: L84025", "How to fix:"],
    ),
    ("duplicate-practice.json", [], 1, ["CORE-ONE-NETWORK", "L84016", "2 times"]),
    ("non-gp-only.json", [], 1, ["CORE-GP-LED", "no core GP practice", "How to fix:"]),
    # received 5 days after 15 May: met late; as of its date the commissioner's confirmation
    # (due 31 May, the next milestone) is not evidenced, and that blocks
    (
        "late-registration.json",
        [],
        1,
        ["REG-ON-TIME", "✓ met late", "5 days late", "20 May 2019", "? no evidence COM-APPROVAL"],
    ),
    # signed a day after 30 June, checked on 5 July: met late, which does not fail the network
    ("signed-late.json", [], 0, ["COMPLIANT", "NA-FULL met late", "Met 1 day late", "L84025"]),
    ("signed-late.json", ["--fail-on-late"], 1, ["NOT COMPLIANT", "NA-FULL met late"]),
    # ...and as of 30 June that signature has not happened yet
    (
        "signed-late.json",
        ["--as-of", "2019-06-30"],
        1,
        ["NA-FULL", "has not been signed by: L84025", "1 July 2019, after the as-of date"],
    ),
    # As of its own date (28 June) the go-live items (1 July) are due at the milestone after the
    # next one (30 June), so the short extended hours are listed as upcoming and do not fail it.
    ("short-extended-hours.json", [], 0, ["EHA-MINUTES", "720 minutes", "upcoming"]),
    (
        "short-extended-hours.json",
        ["--as-of", "2019-07-01"],
        1,
        ["EHA-MINUTES", "1,200 minutes required", "shorter than 30", "How to fix:"],
    ),
    # GEO-CROSS-CCG is a warning: shown as not met, but it never fails the network
    ("cross-ccg-practice.json", [], 0, ["GEO-CROSS-CCG", "not met", "15C", "[warning]"]),
]


@pytest.mark.parametrize(
    ("name", "extra", "code", "texts"),
    CASES,
    ids=[f"{c[0]}{' ' + ' '.join(c[1]) if c[1] else ''}" for c in CASES],
)
def test_fixture_exit_code_and_screen(
    fixtures_dir: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    extra: list[str],
    code: int,
    texts: list[str],
) -> None:
    got, out, err = run([fixtures_dir / name, *extra], capsys)
    assert got == code, out + err
    for text in texts:
        assert text in out, f"{text!r} not on screen for {name}:\n{out}"
    verdict = "NOT COMPLIANT" if code else "COMPLIANT"
    assert verdict in out
    if code == 0:
        assert "NOT COMPLIANT" not in out


def test_every_fixture_has_a_case(fixtures_dir: Path) -> None:
    covered = {c[0] for c in CASES} | {"registration-2019-05-10.json"}
    assert {p.name for p in fixtures_dir.glob("*.json")} == covered


def test_registration_lists_later_milestones_as_upcoming(
    fixtures_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run([fixtures_dir / "registration-2019-05-10.json"], capsys)
    assert code == 0
    assert "COMPLIANT as of 10 May 2019" in out
    registration = section(out, "15 May 2019 ·")
    assert "due in 5 days" in registration
    assert "upcoming" not in registration  # the next deadline counts
    for later in ("31 May 2019 ·", "30 June 2019 ·", "1 July 2019 ·"):
        assert "upcoming: does not affect the verdict" in section(out, later), later
    # the unmet 30 June item is shown, with its days left
    assert "NA-FULL" in section(out, "30 June 2019 ·")
    assert "due in 51 days" in section(out, "30 June 2019 ·")


def test_compliant_fixture_has_no_error_or_warning_findings(
    fixtures_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run([fixtures_dir / "compliant.json", "--format", "json"], capsys)
    assert code == 0
    report = json.loads(out)
    failing = [
        (f["rule_id"], f["status"])
        for f in report["findings"]
        if f["status"] in ("not_met", "error") and f["severity"] in ("error", "warning")
    ]
    assert failing == []
    assert report["verdict"] == "compliant"


# ------------------------------------------------------------------------------------------------
# JSON report
# ------------------------------------------------------------------------------------------------


def test_json_report_validates_against_the_published_schema(
    fixtures_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    validator = report_validator(capsys)
    code, out, _ = run([fixtures_dir / "rural-no-waiver.json", "--format", "json"], capsys)
    assert code == 1
    report = json.loads(out)
    validator.validate(report)
    assert report["verdict"] == "not_compliant"
    assert report["pack"]["id"] == "2019/20"
    assert report["as_of"] == "2019-06-28"
    (pop,) = findings(report, "POP-MIN")
    assert pop["status"] == "not_met"
    assert pop["severity"] == "error"
    assert pop["blocking"] is True
    assert pop["due"] == {
        "milestone": "commissioner_confirmation",
        "date": "2019-05-31",
        "title": pop["due"]["title"],
    }
    assert pop["days_left"] == -28
    assert pop["evidence"]["network.list_size"] == 17623
    assert any("waiver" in step for step in pop["remediation"])
    assert pop["source"]["confidence"] == "OFF"


def test_json_report_for_two_files_is_the_multi_report_form(
    fixtures_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    validator = report_validator(capsys)
    code, out, _ = run(
        [
            fixtures_dir / "compliant.json",
            fixtures_dir / "unsigned-practice.json",
            "--format",
            "json",
        ],
        capsys,
    )
    assert code == 1  # one of the two is not compliant
    payload = json.loads(out)
    validator.validate(payload)
    assert [r["verdict"] for r in payload["reports"]] == ["compliant", "not_compliant"]
    assert [Path(r["source"]).name for r in payload["reports"]] == [
        "compliant.json",
        "unsigned-practice.json",
    ]


def test_a_schema_violation_would_be_caught(
    fixtures_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the schema is not vacuous: a report with a made-up status does not validate
    validator = report_validator(capsys)
    _, out, _ = run([fixtures_dir / "compliant.json", "--format", "json"], capsys)
    report = json.loads(out)
    report["findings"][0]["status"] = "fine"
    assert not validator.is_valid(report)


def test_output_file(
    fixtures_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "report.json"
    code, out, _ = run(
        [fixtures_dir / "unsigned-practice.json", "--format", "json", "--output", target], capsys
    )
    assert code == 1
    assert out == ""  # the report went to the file
    report = json.loads(target.read_text(encoding="utf-8"))
    report_validator(capsys).validate(report)
    assert findings(report, "NA-FULL")[0]["status"] == "not_met"

    text_target = tmp_path / "report.txt"
    code, out, _ = run([fixtures_dir / "compliant.json", "-o", text_target], capsys)
    assert code == 0
    assert "COMPLIANT" not in out
    written = text_target.read_text(encoding="utf-8")
    assert "COMPLIANT as of 28 June 2019" in written
    assert "\x1b[" not in written  # no colour codes in a file


# ------------------------------------------------------------------------------------------------
# As-of semantics
# ------------------------------------------------------------------------------------------------


def test_as_of_five_days_before_registration(
    fixtures_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        [
            fixtures_dir / "registration-2019-05-10.json",
            "--as-of",
            "2019-05-10",
            "--format",
            "json",
        ],
        capsys,
    )
    assert code == 0
    report = json.loads(out)
    assert report["as_of"] == "2019-05-10"
    assert report["horizon"]["milestone"] == "registration"
    registration = [
        f for f in report["findings"] if f["due"] and f["due"]["milestone"] == "registration"
    ]
    assert {f["rule_id"] for f in registration} >= {"REG-PRACTICES", "REG-ON-TIME", "REG-MAP"}
    for finding in registration:
        assert finding["days_left"] == 5, finding["rule_id"]
        assert finding["timing"] == "upcoming"
    june = [
        f for f in report["findings"] if f["due"] and f["due"]["milestone"] == "network_agreement"
    ]
    assert june
    assert all(f["blocking"] is False for f in june)
    # ...even though no signature of the full Network Agreement is given yet
    (na_full,) = findings(report, "NA-FULL")
    assert na_full["status"] == "not_evidenced"
    assert na_full["days_left"] == 51


def test_as_of_after_the_deadline_gives_negative_days_left(
    fixtures_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        [fixtures_dir / "late-registration.json", "--as-of", "2019-05-16", "--format", "json"],
        capsys,
    )
    assert code == 1
    report = json.loads(out)
    (on_time,) = findings(report, "REG-ON-TIME")
    assert on_time["status"] == "not_met"
    assert on_time["days_left"] == -1
    assert on_time["timing"] == "overdue"
    assert on_time["blocking"] is True
    assert report["verdict"] == "not_compliant"


def test_days_left_count_down_past_the_deadline(
    fixtures_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], load_fixture: Any
) -> None:
    # a registration that misses the 15 May deadline: fine five days before it, overdue after
    doc = load_fixture("registration-2019-05-10.json")
    del doc["clinical_director"]
    path = tmp_path / "no-cd.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    before, out_before, _ = run([path, "--as-of", "2019-05-10", "--format", "json"], capsys)
    after, out_after, _ = run([path, "--as-of", "2019-05-16", "--format", "json"], capsys)
    assert (before, after) == (1, 1)  # due by the next milestone in both cases
    days = [
        findings(json.loads(o), "REG-CLINICAL-DIRECTOR")[0]["days_left"]
        for o in (out_before, out_after)
    ]
    assert days == [5, -1]


# ------------------------------------------------------------------------------------------------
# Directories and many files
# ------------------------------------------------------------------------------------------------


def test_a_directory_argument_checks_every_json_file(
    fixtures_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "submissions"
    folder.mkdir()
    for name in ("compliant.json", "rural-waiver.json", "rural-no-waiver.json"):
        shutil.copy(fixtures_dir / name, folder / name)
    (folder / "notes.txt").write_text("not a submission", encoding="utf-8")
    code, out, _ = run([folder, "--format", "json"], capsys)
    assert code == 1
    reports = json.loads(out)["reports"]
    assert sorted(Path(r["source"]).name for r in reports) == [
        "compliant.json",
        "rural-no-waiver.json",
        "rural-waiver.json",
    ]
    code, out, _ = run([folder], capsys)
    assert code == 1
    assert "3 submissions: 2 compliant, 1 not compliant." in out


def test_a_directory_of_compliant_files_exits_0(
    fixtures_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "ok"
    folder.mkdir()
    for name in ("compliant.json", "rural-waiver.json", "cross-ccg-practice.json"):
        shutil.copy(fixtures_dir / name, folder / name)
    code, out, _ = run([folder], capsys)
    assert code == 0
    assert "3 submissions: 3 compliant, 0 not compliant." in out


# ------------------------------------------------------------------------------------------------
# The installed entry points
# ------------------------------------------------------------------------------------------------


def _env() -> dict[str, str]:
    return {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}


def test_installed_console_script(fixtures_dir: Path) -> None:
    search = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    exe = shutil.which("pcn-check", path=search)
    if exe is None:
        pytest.skip("the pcn-check console script is not installed in this environment")
    ok = subprocess.run(
        [exe, str(fixtures_dir / "compliant.json")],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=60,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    assert "COMPLIANT" in ok.stdout
    bad = subprocess.run(
        [exe, str(fixtures_dir / "rural-no-waiver.json")],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=60,
        check=False,
    )
    assert bad.returncode == 1, bad.stderr
    assert "POP-MIN" in bad.stdout


def test_python_dash_m(fixtures_dir: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pcn_rules", str(fixtures_dir / "unsigned-practice.json")],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=60,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert "NA-FULL" in done.stdout
    assert "Traceback" not in done.stderr
    assert "L84025" in done.stdout
