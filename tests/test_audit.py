"""Audits: import from ODS, registers, batch rules, outputs; on a slice of real data from the
clone, and on the national data in ../shared/data where it is present."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
from cli_runner import run

import pcn_rules
from pcn_rules.audits import audit, audit_json_schema
from pcn_rules.cli import main
from pcn_rules.ingest.register import load_register

ROOT = Path(__file__).resolve().parent.parent
ODS = ROOT / "fixtures" / "ods"
F19 = ROOT / "fixtures" / "2019-20"
SHARED = ROOT.parent / "shared" / "data"


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
            str(ODS / "qof_1819_practice_list_size_slice.csv"),
            "--out",
            str(out),
        ]
    )
    assert code == 0
    return out


def test_import_writes_one_submission_per_pcn_with_only_ods_facts(imported: Path) -> None:
    files = sorted(imported.glob("*.json"))
    assert len(files) == 19
    doc = json.loads((imported / "U59980.json").read_text(encoding="utf-8"))
    assert doc["network"]["name"] == "WESTERN DALES PCN"
    assert doc["network"]["lead_commissioner"]["ods_code"] == "01K"
    assert doc["contract_year"] == "2019/20"
    assert "submitted_on" not in doc["submission"]
    assert {p["ods_code"] for p in doc["practices"]} == {"A82030", "A82608", "B82061"}
    assert all(p["list_size_date"] == "2019-01-01" for p in doc["practices"])
    # nothing ODS does not hold is invented
    for absent in ("clinical_director", "nominated_payee", "network_agreement", "extended_hours"):
        assert absent not in doc
    report = pcn_rules.check(imported / "U59980.json", as_of="2019-06-30")
    cd = next(f for f in report.findings if f.rule_id == "REG-CLINICAL-DIRECTOR")
    assert "Not evidenced in the submission: clinical_director" in cd.message


def test_audit_counts_on_the_real_slice(imported: Path) -> None:
    result = audit(
        sorted(imported.glob("*.json")),
        as_of="2019-06-30",
        register=ODS / "epraccur_2019-11_slice.csv",
    )
    s = result.stats
    # expected figures computed independently from the slice's CSV files
    assert s["networks"] == 19
    assert (s["below_min_complete"], s["above_typical_max_complete"]) == (3, 6)
    assert s["networks_with_list_size_gaps"] == 1
    assert (s["below_min_with_gaps"], s["above_typical_max_with_gaps"]) == (0, 1)
    assert s["single_practice_networks"] == 2
    assert s["memberships_crossing_ccg"] == 4
    assert s["register_practices"] == 94
    assert s["register_practices_in_no_network"] == 6
    uncovered = [
        f for f in result.batch_findings if f.rule_id == "COV-FULL" and f.status == "not_met"
    ]
    assert len(uncovered) == 6
    assert all("in no network" in f.message for f in uncovered)


def test_audit_cli_outputs(
    imported: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    register = str(ODS / "epraccur_2019-11_slice.csv")
    args = ["audit", str(imported), "--register", register, "--as-of", "2019-06-30"]
    code, out, _ = run(args, capsys)
    assert code == 1
    assert "networks not ready" in out or "area" in out
    assert "register practices in no network" in out
    assert "Action plan" in out

    code, out, _ = run([*args, "--format", "json"], capsys)
    data = json.loads(out)
    jsonschema.Draft202012Validator(audit_json_schema()).validate(data)
    assert data["stats"]["register_practices_in_no_network"] == 6
    dates = [a["due"]["date"] for a in data["actions"] if a["due"]]
    assert dates == sorted(dates), "the action plan is ordered by due date"

    code, out, _ = run([*args, "--format", "csv"], capsys)
    rows = list(csv.DictReader(io.StringIO(out)))
    networks = {r["network_ods_code"] for r in rows if r["network_ods_code"]}
    assert len(networks) == 19
    assert {r["rule_id"] for r in rows} >= {"POP-MIN", "COV-FULL"}

    html_file = tmp_path / "audit.html"
    code, _, _ = run([*args, "--format", "html", "--output", str(html_file)], capsys)
    html = html_file.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "<svg" in html
    assert "30,000" in html
    assert "50,000" in html
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")


def test_select_and_ignore(imported: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["audit", str(imported), "--as-of", "2019-06-30", "--format", "json", "--detail", "full"]
    _, out, _ = run([*base, "--select", "POP"], capsys)
    rules = {f["rule_id"] for n in json.loads(out)["networks"] for f in n["findings"]}
    assert rules == {"POP-MIN", "POP-TYPICAL-MAX"}
    _, out, _ = run([*base, "--ignore", "REG,CORE-CONTRACT"], capsys)
    rules = {f["rule_id"] for n in json.loads(out)["networks"] for f in n["findings"]}
    assert not any(r.startswith("REG-") for r in rules)
    assert "CORE-CONTRACT" not in rules
    assert "POP-MIN" in rules


def test_bundled_fixtures_before_and_after_15_may(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["audit", str(F19), "--as-of", "2019-05-10", "--format", "json"], capsys)
    assert code == 1
    data = json.loads(out)
    registration = next(m for m in data["milestones"] if m["key"] == "registration")
    assert registration["days_left"] == 5
    assert registration["networks_not_ready"], "some 15 May items are unmet"
    assert data["headline"].startswith(
        "15 May 2019 (PCN registration form reaches the commissioner)"
    )
    assert "due in 5 days" in data["headline"]
    code, out, _ = run(["audit", str(F19), "--as-of", "2019-05-16", "--format", "json"], capsys)
    assert code == 1
    data = json.loads(out)
    registration = next(m for m in data["milestones"] if m["key"] == "registration")
    assert registration["days_left"] == -1
    reg_actions = [
        a for a in data["actions"] if a["due"] and a["due"]["milestone"] == "registration"
    ]
    assert reg_actions
    assert all(a["days_left"] == -1 for a in reg_actions)


def test_practice_in_two_networks_reported_once_naming_both(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = json.loads((ROOT / "rules" / "2019-20" / "examples" / "base.json").read_text("utf-8"))
    other = json.loads(json.dumps(base))
    other["network"]["name"] = "Hill Country PCN"
    other["network"]["ods_code"] = "U99002"
    for i, practice in enumerate(other["practices"]):
        practice["ods_code"] = f"Z9810{i}"
    other["practices"][0]["ods_code"] = "Z99003"  # also a member of Example Valley PCN
    (tmp_path / "a.json").write_text(json.dumps(base), encoding="utf-8")
    (tmp_path / "b.json").write_text(json.dumps(other), encoding="utf-8")
    result = audit([tmp_path / "a.json", tmp_path / "b.json"], as_of="2019-06-28")
    twice = [
        f
        for f in result.batch_findings
        if f.rule_id == "CORE-ONE-NETWORK" and f.status == "not_met"
    ]
    assert len(twice) == 1
    assert twice[0].entity == "Z99003"
    assert "Example Valley PCN (U99001)" in twice[0].message
    assert "Hill Country PCN (U99002)" in twice[0].message
    assert result.stats["practices_in_two_networks"] == 1
    # each network's own report does not repeat the batch finding
    assert all(
        f.rule_id != "CORE-ONE-NETWORK" or f.status != "not_met"
        for r in result.reports
        for f in r.findings
    )


def test_registers(tmp_path: Path) -> None:
    full = load_register(ODS / "epraccur_2019-11_slice.csv")
    assert full.kind == "epraccur"
    assert len(full.practices) == 94
    headerless = tmp_path / "epraccur.csv"
    with (ODS / "epraccur_2019-11_slice.csv").open(encoding="utf-8") as src:
        rows = list(csv.reader(src))[1:]
    # NHS Digital's original layout: 27 columns, no header (nulls at 19-21, 23, 25, 27)
    with headerless.open("w", encoding="utf-8", newline="") as dst:
        writer = csv.writer(dst)
        for r in rows:
            writer.writerow([*r[:18], "", "", "", r[18], "", r[19], "", r[20], ""])
    assert load_register(headerless).practices == full.practices
    simple = tmp_path / "simple.csv"
    simple.write_text("ods_code,name,commissioner,list_size\nA82030,Lunesdale,01K,6183\n", "utf-8")
    assert load_register(simple).practices[0].list_size == 6183
    bad = tmp_path / "bad.csv"
    bad.write_text("ods_code,list_size\nA82030,lots\n", "utf-8")
    with pytest.raises(pcn_rules.InputError, match="line 2, column list_size"):
        load_register(bad)
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n", "utf-8")
    with pytest.raises(pcn_rules.InputError, match="not a register"):
        load_register(other)


def test_audit_needs_a_date_and_reports_unreadable_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["audit", str(F19)], capsys)
    assert code == 2
    assert "--as-of" in err
    shutil.copy(F19 / "compliant.json", tmp_path / "good.json")
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    code, out, err = run(["audit", str(tmp_path), "--as-of", "2019-06-28"], capsys)
    assert code == 3
    assert "broken.json" in err
    # the readable one is reported, and the headline says one could not be read
    assert "1 network ready; 1 submission could not be read" in " ".join(out.split())


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def test_html_renders_in_a_headless_browser(imported: Path, tmp_path: Path) -> None:
    browser = _chromium()
    if browser is None:
        pytest.skip("no chromium on this machine (.ci/run installs Debian's chromium when it can)")
    page = tmp_path / "audit.html"
    result = audit(sorted(imported.glob("*.json")), as_of="2019-06-30")
    from pcn_rules.render.html import render_audit_html

    page.write_text(render_audit_html(result), encoding="utf-8")
    done = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    assert 'id="headline"' in dom
    assert "<svg" in dom
    assert "Action plan" in dom


@pytest.mark.skipif(not (SHARED / "ods").is_dir(), reason="../shared/data is not beside the clone")
def test_national_import_and_audit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "national"
    code, _, _ = run(
        [
            "import-ods",
            "--epcn",
            str(SHARED / "ods" / "ePCN_2019-12-04.xlsx"),
            "--list-sizes",
            str(SHARED / "list_sizes" / "qof_1819_practice_list_size.csv"),
            "--out",
            str(out),
        ],
        capsys,
    )
    assert code == 0
    assert len(list(out.glob("*.json"))) == 1250
    code, text, _ = run(
        [
            "audit",
            str(out),
            "--register",
            str(SHARED / "ods" / "epraccur_2019-11.csv"),
            "--as-of",
            "2019-06-30",
            "--format",
            "json",
            "--detail",
            "full",
        ],
        capsys,
    )
    data = json.loads(text)
    s = data["stats"]
    # the same figures, computed independently from the CSV files, are in the closing note
    assert (s["below_min_complete"], s["above_typical_max_complete"]) == (105, 393)
    assert s["networks_with_list_size_gaps"] == 37
    assert (s["below_min_with_gaps"], s["above_typical_max_with_gaps"]) == (14, 12)
    assert s["register_practices_in_no_network"] == 118
    assert s["memberships_crossing_ccg"] == 30
    assert s["single_practice_networks"] == 34

    # the verdicts follow the evidence: a list-size gap is not evidence of "too small" and "too
    # large" at once; a partial sum already above 50,000 is evidence of "above"
    by_rule = s["by_rule"]
    assert by_rule["POP-MIN"] == {"met": 1131, "not_evidenced": 14, "not_met": 105}
    assert by_rule["POP-TYPICAL-MAX"]["not_met"] == 393 + 12
    assert by_rule["COV-FULL"]["not_met"] == 118
    assert by_rule["GEO-CROSS-CCG"]["not_met"] == 30
    # what ODS does not hold is not evidenced, never a breach
    assert by_rule["CORE-GP-LED"] == {"not_evidenced": 1250}
    assert by_rule["NA-FULL"] == {"not_evidenced": 1250}
    failing = {
        n["label"]
        for n in data["networks"]
        if any(f["blocking"] and f["status"] in ("not_met", "error") for f in n["findings"])
    }
    assert len(failing) == 105 < 1250 / 2
    assert data["headline"].startswith(
        "30 June 2019 (Full Network Agreement signed; 100% population coverage): 105 of 1,250 "
        "networks not ready on the evidence"
    )
    assert "1,145 more with requirements not evidenced" in data["headline"]
    gaps = {g["path"]: g for g in data["gaps"]}
    assert gaps["practices[].contract_type"]["sentence"] == (
        "`practices[].contract_type` is missing for 6,757 member practices: ODS does not hold it"
    )
    assert gaps["practices[].list_size"]["places"] == 64
    assert len(data["actions"]) < 10  # one per requirement the evidence shows unmet


def test_the_ods_slice_is_judged_on_evidence(imported: Path) -> None:
    register = ODS / "epraccur_2019-11_slice.csv"
    result = audit([imported], as_of="2019-06-30", register=register)
    by_rule = result.stats["by_rule"]
    # no requirement is failed only because ODS does not hold a fact
    for rule_id in ("CORE-CONTRACT", "CORE-GP-LED", "REG-MAP", "NA-FULL", "EHA-MINUTES"):
        assert set(by_rule[rule_id]) == {"not_evidenced"}, rule_id
    assert {a.rule_id for a in result.actions} <= {
        "POP-MIN",
        "POP-TYPICAL-MAX",
        "GEO-CROSS-CCG",
        "COV-FULL",
        "SINGLE-PRACTICE",
        "CORE-ONE-NETWORK",
    }
    contract = next(g for g in result.gaps if g.path == "practices[].contract_type")
    assert contract.places == 88
    assert contract.note == "ODS does not hold it"
    assert contract.rules == ("CORE-CONTRACT", "CORE-GP-LED")
