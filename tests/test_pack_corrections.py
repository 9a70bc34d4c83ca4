"""The packs say what the corrected catalogue says (issue: rule packs that say what the DES
says): funding figures, additional roles, the three 2020/21 service specifications, severities,
all-year requirements, membership changes, and examples on each pack's own base."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from pcn_rules import check
from pcn_rules.cli import main
from pcn_rules.facts.parts import _year_share
from pcn_rules.packs.load import load_pack
from pcn_rules.report.model import Finding

ROOT = Path(__file__).resolve().parent.parent
F19 = ROOT / "fixtures" / "2019-20"
F20 = ROOT / "fixtures" / "2020-21"


def _doc(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _findings(doc: dict[str, Any], rule_id: str, **kwargs: Any) -> list[Finding]:
    return [f for f in check(doc, **kwargs).findings if f.rule_id == rule_id]


def _cli_json(args: list[str], capsys: pytest.CaptureFixture[str]) -> Any:
    assert main(args) == 0
    return json.loads(capsys.readouterr().out)


# ------------------------------------------------------------------------------------------------
# funding and additional roles
# ------------------------------------------------------------------------------------------------


def test_2020_entitlements_give_the_care_home_premium_and_the_support_payment(
    capsys: pytest.CaptureFixture[str],
) -> None:
    report = _cli_json([str(F20 / "compliant.json"), "--format", "json"], capsys)
    (fund,) = [f for f in report["findings"] if f["rule_id"] == "FUND-ENTITLEMENTS"]
    assert fund["status"] == "met"
    assert (
        "care home premium £3,900.00 for 1 August 2020 to 31 March 2021 for 65 beds"
        in (fund["message"])
    )
    # 43,000 weighted patients at £0.27
    assert "PCN support payment £11,610.00 for April to September 2020" in fund["message"]


def test_2019_extended_hours_funding_is_for_nine_months() -> None:
    (fund,) = _findings(_doc(F19 / "compliant.json"), "FUND-ENTITLEMENTS")
    # 40,156 patients at £1.45 a year, for July 2019 to March 2020
    assert "extended hours £43,669.65 for July 2019 to March 2020" in fund.message


def test_a_nursing_associate_from_october_is_reimbursable_and_a_care_coordinator_above_the_maximum_is_not() -> (  # noqa: E501
    None
):
    doc = _doc(F20 / "compliant.json")
    roles = [r["role"] for r in doc["additional_roles"]]
    assert "nursing_associate" in roles
    (sum_finding,) = _findings(doc, "ARRS-2020-SUM")
    assert sum_finding.status == "met"

    doc["additional_roles"].append(
        {"role": "care_coordinator", "wte": 1.0, "annual_cost": 30400.0, "claim": 30400.0}
    )
    (over,) = _findings(doc, "ARRS-2020-SUM")
    assert over.status == "not_met"
    assert "care_coordinator#1" in over.message

    early = _doc(F20 / "compliant.json")
    early["additional_roles"][-1]["starts_on"] = "2020-07-01"
    (finding,) = _findings(early, "ARRS-2020-SUM")
    assert finding.status == "not_met"
    assert "reimbursable from 1 October 2020" in finding.message


def test_two_half_time_pharmacists_are_one_whole_time_equivalent() -> None:
    doc = _doc(F19 / "compliant.json")
    pharmacist = {
        "role": "clinical_pharmacist",
        "wte": 0.5,
        "annual_cost": 26000.0,
        "claim": 13650.0,
        "additional_to_baseline": True,
    }
    doc["additional_roles"] = [pharmacist, dict(pharmacist)]
    findings = _findings(doc, "ARRS-2019-ROLES")
    assert [f.status for f in findings] == ["met", "met"]
    doc["additional_roles"][1]["wte"] = 0.6
    assert {f.status for f in _findings(doc, "ARRS-2019-ROLES")} == {"not_met"}


@pytest.mark.parametrize(("patients", "status"), [(100_000, "not_met"), (100_001, "met")])
def test_two_whole_time_equivalents_only_above_100000(patients: int, status: str) -> None:
    doc = _doc(F19 / "compliant.json")
    others = sum(p["list_size"] for p in doc["practices"][1:])
    doc["practices"][0]["list_size"] = patients - others
    doc["network"]["declared_list_size"] = patients
    doc["additional_roles"][1] = dict(doc["additional_roles"][0])
    findings = _findings(doc, "ARRS-2019-ROLES")
    assert {f.status for f in findings} == {status}


@pytest.mark.parametrize(
    ("start", "share"),
    [
        (dt.date(2020, 4, 1), 1.0),
        (dt.date(2020, 10, 1), 0.5),
        (dt.date(2021, 3, 1), round(1 / 12, 6)),
        (dt.date(2021, 3, 31), round(1 / 31 / 12, 6)),
        (dt.date(2019, 7, 1), 0.75),
    ],
)
def test_the_share_of_the_year_from_a_first_day_in_post(start: dt.date, share: float) -> None:
    assert _year_share(start) == pytest.approx(share)


# ------------------------------------------------------------------------------------------------
# rules, severities and deadlines
# ------------------------------------------------------------------------------------------------


def test_rules_list_shows_the_corrected_severities(capsys: pytest.CaptureFixture[str]) -> None:
    rules_2020 = {
        r["id"]: r
        for r in _cli_json(["rules", "list", "--pack", "2020/21", "--format", "json"], capsys)
    }
    for rule_id in ("SVC-SMR", "SVC-EHCH", "SVC-CANCER"):
        assert rules_2020[rule_id]["severity"] == "error"
    assert "SVC-SPECS" not in rules_2020
    assert rules_2020["COLLAB-WIDER"]["severity"] == "warning"
    rules_2019 = {
        r["id"]: r
        for r in _cli_json(["rules", "list", "--pack", "2019/20", "--format", "json"], capsys)
    }
    assert rules_2019["CD-CLINICIAN"]["severity"] == "error"
    assert rules_2019["MEMB-CHANGE"]["severity"] == "warning"
    assert "MEMB-CHANGE" not in rules_2020


def test_all_year_requirements_are_due_from_the_first_day_of_2020_21() -> None:
    pack = load_pack("2020/21")
    for rule_id in ("EHA-MINUTES", "CD-IN-POST", "NA-DATA-SHARING", "CD-CLINICIAN"):
        due = pack.rule(rule_id).due
        assert due is not None
        assert (due.key, due.date) == ("year_start", dt.date(2020, 4, 1)), rule_id
    assert "amended_des_opt_out" not in {m.key for m in pack.milestones}
    # in April 2020 they are judged, not "due in N days"
    report = check(_doc(F20 / "compliant.json"), as_of="2020-04-15")
    timing = {f.rule_id: f.timing for f in report.findings}
    assert timing["EHA-MINUTES"] == timing["CD-IN-POST"] == "passed"


def test_the_care_home_team_is_judged_against_30_september() -> None:
    doc = _doc(F20 / "compliant.json")
    doc["care_homes"][0]["mdt_agreed_on"] = "2020-10-01"
    late = [f for f in _findings(doc, "SVC-EHCH") if f.entity == "1-100000001"]
    assert [(f.status, f.days_late) for f in late] == [("met_late", 1)]
    assert "deadline of 30 September 2020" in late[0].message
    due = late[0].due
    assert due is not None
    assert due.date == dt.date(2020, 10, 1)  # the service itself starts on 1 October


def test_a_care_home_lead_who_is_not_a_gp_needs_the_agreement() -> None:
    doc = _doc(F20 / "compliant.json")
    doc["care_homes"][1]["clinical_lead_profession"] = "pharmacist"
    finding = next(f for f in _findings(doc, "CH-ALIGNED") if f.entity == "1-100000002")
    assert finding.status == "not_met"
    assert "is not a GP (pharmacist)" in finding.message


def test_extended_hours_count_the_patients_of_1_april_2019_only() -> None:
    doc = _doc(F19 / "compliant.json")
    doc["extended_hours"]["population"] = 40500
    (finding,) = _findings(doc, "EHA-MINUTES")
    assert finding.status == "met"
    assert "40,500 registered patients at 1 April 2019" in finding.message
    # the 1 January list size does not stand in for the 1 April count: not evidenced, not met
    del doc["extended_hours"]["population"]
    (finding,) = _findings(doc, "EHA-MINUTES")
    assert (finding.status, finding.missing) == ("not_evidenced", ("extended_hours.population",))
    assert check(doc, as_of="2019-07-01").verdict != "compliant"
    # nor does a population counted on another day
    doc["extended_hours"].update(population=40500, population_date="2019-05-01")
    (finding,) = _findings(doc, "EHA-MINUTES")
    assert (finding.status, finding.missing) == ("not_evidenced", ("extended_hours.population",))
    # one counted after the as-of date has not been counted yet: not met as of then
    doc["extended_hours"]["population_date"] = "2019-04-01"
    (finding,) = _findings(doc, "EHA-MINUTES", as_of="2019-03-31")
    assert finding.status == "not_met"
    assert "dated later" in finding.message or "after the as-of date" in finding.message


def test_membership_change_needs_notice_approval_and_a_quarter_start() -> None:
    doc = _doc(F19 / "compliant.json")
    approval = {"approved_by": "Gloucestershire CCG", "approved_on": "2019-09-02", "reason": "r"}
    doc["membership_changes"] = [
        {
            "practice_ods_code": "L84999",
            "kind": "joining",
            "notified_on": "2019-08-15",
            "effective_on": "2019-10-01",
            "approval": approval,
        }
    ]
    (finding,) = _findings(doc, "MEMB-CHANGE", as_of="2019-12-31")
    assert finding.status == "met"
    short = copy.deepcopy(doc)
    short["membership_changes"][0]["notified_on"] = "2019-09-20"
    (finding,) = _findings(short, "MEMB-CHANGE", as_of="2019-12-31")
    assert finding.status == "not_met"
    assert "11 days before" in finding.message
    # notified after the as-of date: not yet a change to judge
    (finding,) = _findings(doc, "MEMB-CHANGE", as_of="2019-08-01")
    assert finding.status == "not_applicable"


# ------------------------------------------------------------------------------------------------
# examples, retirements and diffs
# ------------------------------------------------------------------------------------------------

#: Rules that cannot be "not met" given a schema-valid submission: the fact they check can only
#: be present (and then holds) or absent (not evidenced).
ONLY_ABSENCE_FAILS = {
    "REG-MAP": "the schema refuses an empty map reference",
    "REG-CLINICAL-DIRECTOR": "the schema refuses an empty name",
}


@pytest.mark.parametrize("pack_id", ["2019/20", "2020/21"])
def test_every_rule_has_met_and_not_met_examples_on_its_own_pack_base(pack_id: str) -> None:
    pack = load_pack(pack_id)
    own_base = ROOT / "rules" / pack_id.replace("/", "-") / "examples" / "base.json"
    for rule in pack.rules:
        kinds = {e.expect for e in rule.examples}
        failing = {"not_met"} if rule.id not in ONLY_ABSENCE_FAILS else {"not_evidenced"}
        assert "met" in kinds, rule.id
        assert failing <= kinds, rule.id
        assert {e.base.resolve() for e in rule.examples} == {own_base.resolve()}, rule.id


def test_a_retired_rule_is_explained_not_unknown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    audit = ["audit", str(F20 / "compliant.json"), "--as-of", "2020-10-20"]
    code = main([*audit, "--select", "SVC-SPECS"])
    assert code == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "SVC-SPECS is retired in pack 2020/21 (release 2020.2)" in err
    assert "replaced by SVC-SMR, SVC-EHCH, SVC-CANCER" in err
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        "version: 1\nwaivers:\n"
        "  - {rule: SVC-SPECS, reason: r, approved_by: CCG, approved_on: 2020-09-01}\n",
        encoding="utf-8",
    )
    code = main([str(F20 / "compliant.json"), "--waivers", str(waivers)])
    assert code == 3  # an unusable waivers file, like an unreadable submission
    err = " ".join(capsys.readouterr().err.split())
    assert "waivers[0].rule" in err
    assert "SVC-SPECS is retired" in err


def test_rules_diff_lists_the_changes_between_the_years(
    capsys: pytest.CaptureFixture[str],
) -> None:
    diff = _cli_json(["rules", "diff", "2019/20", "2020/21", "--format", "json"], capsys)
    text = json.dumps(diff)
    for rule_id in ("SVC-SMR", "SVC-EHCH", "SVC-CANCER", "ARRS-2020-SUM"):
        assert rule_id in text
    retired = {r["id"] for r in diff["rules"]["retired"]}
    assert {"ARRS-2019-ROLES", "MEMB-CHANGE"} <= retired
    assert "year_start" in text


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("    evidence_due: registration\n", "only a rule with an `evidence_date` has one"),
        (
            "    evidence_date: network.commissioner.area_approved_on\n    evidence_due: go_live\n",
            "evidence can only be due earlier",
        ),
    ],
)
def test_evidence_due_is_checked_at_load(
    tmp_path: Path, extra: str, expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "pack.yaml").write_text(
        'version: 1\nid: "2099/00"\ntitle: T\nrelease: "t"\ncontract_year: "2099/00"\n'
        "effective: {from: 2019-04-01, to: 2020-03-31}\nmilestones:\n"
        "  registration: {date: 2019-05-15, title: R}\n  go_live: {date: 2019-07-01, title: G}\n",
        encoding="utf-8",
    )
    (pack / "rules.yaml").write_text(
        "version: 1\nrules:\n  - id: AREA-OK\n    title: t\n    scope: network\n"
        "    severity: error\n    due: registration\n"
        "    expect: network.commissioner.area_approved_on <= as_of\n    message: m\n"
        f"{extra}    remediation: [r]\n    source: {{document: d, confidence: UNV}}\n",
        encoding="utf-8",
    )
    assert main(["rules", "lint", str(pack)]) == 3
    assert expected in " ".join(capsys.readouterr().err.split())


@pytest.mark.parametrize("pack_id", ["2019/20", "2020/21"])
def test_figures_in_rule_texts_come_from_the_parameters(pack_id: str) -> None:
    """A threshold or amount written into a title, description, message or remediation step
    would disagree with the rule the day its parameter changes."""
    pack = load_pack(pack_id)
    figures: set[str] = set()

    def collect(value: Any) -> None:
        if isinstance(value, dict):
            for item in value.values():
                collect(item)
        elif isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 1000:
            figures.update({f"{value:,.0f}", f"{value:.0f}"})

    collect(dict(pack.parameters))
    keys = ("title", "description", "message", "met_message", "remediation", "expect")
    for rule in pack.rules:
        texts: list[str] = []
        for key in keys:
            value = rule.spec.get(key)
            if isinstance(value, str):
                texts.append(value)
            elif isinstance(value, list):
                texts += [v if isinstance(v, str) else str(v.get("message", "")) for v in value]
        written = " ".join(texts)
        assert not [f for f in sorted(figures) if f in written], rule.id


def test_the_care_home_team_blocks_from_30_september() -> None:
    doc = _doc(F20 / "compliant.json")
    assert check(doc, as_of="2020-09-30").verdict == "compliant"
    del doc["care_homes"][0]["mdt_agreed_on"]
    report = check(doc, as_of="2020-09-30")
    (finding,) = [f for f in report.findings if f.rule_id == "SVC-EHCH" and f.blocking]
    assert finding.status == "not_evidenced"
    assert report.verdict == "not_compliant"  # the team is due on 30 September, not 1 October


def test_a_care_home_lead_who_is_not_a_clinician_is_not_met_whatever_is_agreed() -> None:
    doc = _doc(F20 / "compliant.json")
    home = doc["care_homes"][1]
    home["clinical_lead_profession"] = "non_clinical"
    home["non_gp_lead_agreement"] = {
        "approved_by": "NHS Example CCG",
        "approved_on": "2020-10-05",
        "reason": "Agreed locally",
    }
    finding = next(
        f for f in _findings(doc, "CH-ALIGNED", as_of="2020-11-01") if f.entity == "1-100000002"
    )
    assert finding.status == "not_met"
    assert "is not a clinician" in finding.message


def test_a_practice_that_opted_out_is_no_longer_counted_as_a_member() -> None:
    doc = _doc(F20 / "compliant.json")
    gone = doc["practices"][0]
    doc["participation"]["opt_outs"] = [
        {
            "practice_ods_code": gone["ods_code"],
            "notified_on": "2020-04-20",
            "effective_on": "2020-06-01",
        }
    ]
    before = check(doc, as_of="2020-05-31")
    assert gone["ods_code"] in {f.entity for f in before.findings if f.scope == "practice"}
    report = check(doc, as_of="2020-07-01")
    assert gone["ods_code"] not in {f.entity for f in report.findings if f.scope == "practice"}
    assert any(gone["ods_code"] in w and "opted out from 1 June 2020" in w for w in report.warnings)
    (part,) = [f for f in report.findings if f.rule_id == "PART-CONFIRM"]
    assert part.status == "not_met"
    assert "still listed as members" in part.message
