"""Verdicts people can act on: as of a date, later facts do not exist yet; a deadline is judged on
dated evidence (met, met late, not met); a missing fact is not evidenced, never met and never a
false statement about the network; selectors fail closed; a green verdict never hides a failure
days away."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from cli_runner import run

import pcn_rules
from pcn_rules.audits import audit, audit_json_schema
from pcn_rules.errors import UsageError
from pcn_rules.report import Finding, Report, report_json_schema

ROOT = Path(__file__).resolve().parent.parent
F20 = ROOT / "fixtures" / "2020-21"
Loader = Callable[[str], dict[str, Any]]


def only(report: Report, rule_id: str, entity: str | None = None) -> Finding:
    found = [
        f
        for f in report.findings
        if f.rule_id == rule_id and (entity is None or f.entity == entity)
    ]
    assert len(found) == 1, [f.entity for f in found]
    return found[0]


def _write(tmp_path: Path, doc: dict[str, Any], name: str = "submission.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


# --------------------------------------------------------------------------------------------
# Dated evidence and the as-of view
# --------------------------------------------------------------------------------------------


def test_a_signature_after_the_deadline_is_not_met_then_met_late(
    load_fixture: Loader, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = load_fixture("compliant.json")
    doc["practices"][3]["network_agreement_signed_on"] = "2019-07-01"  # also a listed signatory
    path = _write(tmp_path, doc)

    code, out, _ = run([path, "--as-of", "2019-06-30", "--format", "json"], capsys)
    assert code == 1
    (na_full,) = [f for f in json.loads(out)["findings"] if f["rule_id"] == "NA-FULL"]
    assert na_full["status"] == "not_met"
    assert na_full["blocking"] is True
    assert "L84025" in na_full["message"]
    assert "1 July 2019, after the as-of date" in na_full["message"]

    code, out, _ = run([path, "--as-of", "2019-07-05", "--format", "json"], capsys)
    assert code == 0  # met late does not fail the network by default...
    (na_full,) = [f for f in json.loads(out)["findings"] if f["rule_id"] == "NA-FULL"]
    assert na_full["status"] == "met_late"
    assert (na_full["days_late"], na_full["evidence_date"]) == (1, "2019-07-01")
    assert "1 day late" in na_full["message"]
    assert na_full["blocking"] is False

    code, out, _ = run([path, "--as-of", "2019-07-05", "--fail-on-late", "-q"], capsys)
    assert code == 1  # ...unless asked to, and then the verdict says it is late, not unmet
    assert "NA-FULL met late (met late blocks this verdict)" in out
    assert "not met" not in out
    assert "overdue" not in out
    report = pcn_rules.check(doc, as_of="2019-07-05", late_blocks=True)
    assert only(report, "NA-FULL").blocking


def test_the_text_report_says_met_late_with_the_days(
    load_fixture: Loader, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = load_fixture("compliant.json")
    doc["network_agreement"]["data_sharing"]["signed_on"] = "2019-09-01"
    code, out, _ = run([_write(tmp_path, doc), "--as-of", "2019-09-05"], capsys)
    assert code == 0
    assert "NA-DATA-SHARING met late" in out  # in the verdict line
    assert "✓ met late    NA-DATA-SHARING [error] · 62 days late" in out
    assert "1 met late" in out


@pytest.mark.parametrize(
    ("as_of", "status"),
    [("2019-05-14", "not_met"), ("2019-05-20", "met_late")],
)
def test_initial_agreement_signatures_are_judged_against_15_may(
    load_fixture: Loader, as_of: str, status: str
) -> None:
    doc = load_fixture("registration-2019-05-10.json")
    doc["submission"]["submitted_on"] = "2019-05-14"
    doc["practices"][1]["initial_agreement_signed_on"] = "2019-05-17"
    finding = only(pcn_rules.check(doc, as_of=as_of), "REG-INITIAL-AGREEMENT")
    assert finding.status == status
    if status == "met_late":
        assert finding.days_late == 2


def test_community_services_agreed_after_30_september(tmp_path: Path) -> None:
    doc = json.loads((F20 / "community-services-recorded.json").read_text(encoding="utf-8"))
    doc["non_gp_providers"][0]["agreed_on"] = "2020-10-02"
    before = pcn_rules.check(doc, as_of="2020-09-30")
    finding = only(before, "COLLAB-COMMUNITY-SERVICES")
    assert finding.status == "not_met"
    assert not before.compliant
    assert "2 October 2020, after the as-of date" in finding.message
    after = only(pcn_rules.check(doc, as_of="2020-10-05"), "COLLAB-COMMUNITY-SERVICES")
    assert (after.status, after.days_late) == ("met_late", 2)


def test_a_fact_dated_later_is_named_and_a_fact_never_given_is_not_evidenced(
    load_fixture: Loader,
) -> None:
    doc = load_fixture("compliant.json")
    doc["clinical_director"]["start_date"] = "2019-07-01"
    report = pcn_rules.check(doc, as_of="2019-06-28")
    cd = only(report, "CD-IN-POST")
    assert cd.status == "not_met"  # as of 28 June not yet in post...
    assert "clinical_director.start_date is 1 July 2019" in cd.message
    assert "not after the 1 July 2019 deadline" in cd.message  # ...but on course
    assert cd.missing == ()  # it is not missing from the submission
    del doc["clinical_director"]["start_date"]
    cd = only(pcn_rules.check(doc, as_of="2019-06-28"), "CD-IN-POST")
    assert cd.status == "not_evidenced"
    assert cd.missing == ("clinical_director.start_date",)


def test_a_fact_dated_later_is_named_only_by_the_rules_that_read_it(
    load_fixture: Loader,
) -> None:
    doc = load_fixture("compliant.json")
    doc["network"]["declared_list_size"] = 45000  # REG-LIST-SIZE not met, for another reason
    report = pcn_rules.check(doc, as_of="2019-05-15")  # the full agreement is signed in June
    na_full = only(report, "NA-FULL")
    assert "network_agreement_signed_on is" in na_full.message
    assert "after the as-of date" in na_full.message
    list_size = only(report, "REG-LIST-SIZE")
    assert list_size.status == "not_met"
    assert "after the as-of date" not in list_size.message  # it reads no signature


def test_a_provider_agreed_later_does_not_count_as_working_with_the_network(
    load_fixture: Loader,
) -> None:
    doc = load_fixture("compliant.json")
    for provider in doc["non_gp_providers"]:
        provider["agreed_on"] = "2019-09-01"
    before = only(pcn_rules.check(doc, as_of="2019-07-01"), "COLLAB-EXPECTED")
    assert before.status == "not_met"
    assert before.message.startswith(
        "As of 1 July 2019, the network records no arrangement with a non-GP provider."
    )
    assert "non_gp_providers[0].agreed_on is 1 September 2019, after the as-of date" in (
        before.message
    )
    after = only(pcn_rules.check(doc, as_of="2019-09-01"), "COLLAB-EXPECTED")
    assert after.status == "met"
    assert after.message.startswith("Works with 3 non-GP providers")
    del doc["non_gp_providers"][1]["agreed_on"]  # undated: the list says the network works with it
    partly = only(pcn_rules.check(doc, as_of="2019-07-01"), "COLLAB-EXPECTED")
    assert partly.status == "met"
    assert partly.message == "Works with 1 non-GP provider: community_services."


def test_a_sub_contract_that_has_not_started_has_nothing_to_approve_yet() -> None:
    doc = json.loads((F20 / "compliant.json").read_text(encoding="utf-8"))
    contract = doc["sub_contracts"][0]
    contract["starts_on"] = "2020-12-01"
    contract["approval"]["approved_on"] = "2020-11-15"
    before = pcn_rules.check(doc, as_of="2020-05-31")
    finding = only(before, "SUB-CONTRACT")
    assert finding.status == "not_applicable"  # not failed: the prior approval can still come
    assert not finding.blocking
    assert "sub_contracts[0].starts_on is 1 December 2020, after the as-of date" in finding.message
    assert before.compliant
    assert only(pcn_rules.check(doc, as_of="2020-12-01"), "SUB-CONTRACT").status == "met"
    # once it has started, an approval after the start is not prior approval
    contract["approval"]["approved_on"] = "2020-12-10"
    late = only(pcn_rules.check(doc, as_of="2020-12-15"), "SUB-CONTRACT")
    assert late.status == "not_met"
    assert "before the commissioner approved it on 10 December 2020" in late.message
    # with no start date given, it is judged on its approval alone
    del contract["starts_on"]
    del contract["approval"]
    undated = only(pcn_rules.check(doc, as_of="2020-05-31"), "SUB-CONTRACT")
    assert undated.status == "not_evidenced"
    assert undated.missing == ("sub_contracts[0].approval",)


def test_a_decision_approved_later_has_not_been_made(load_fixture: Loader) -> None:
    doc = load_fixture("rural-waiver.json")
    approved = doc["commissioner"]["population_waiver"]["approved_on"]
    before = only(pcn_rules.check(doc, as_of="2019-05-28"), "POP-MIN")
    assert approved == "2019-05-29"
    assert before.status == "not_met"
    assert "commissioner.population_waiver is 29 May 2019" in before.message
    assert only(pcn_rules.check(doc, as_of="2019-05-29"), "POP-MIN").status == "waived"


def test_care_home_alignment_needs_its_date() -> None:
    doc = json.loads((F20 / "compliant.json").read_text(encoding="utf-8"))
    del doc["care_homes"][0]["aligned_on"]
    finding = only(pcn_rules.check(doc), "CH-ALIGNED", doc["care_homes"][0]["cqc_location_id"])
    assert finding.status == "not_evidenced"
    assert finding.missing == ("care_homes[0].aligned_on",)


def test_declared_minutes_with_no_schedule_are_not_evidence_of_the_blocks(
    load_fixture: Loader,
) -> None:
    doc = load_fixture("compliant.json")
    del doc["extended_hours"]["blocks"]
    finding = only(pcn_rules.check(doc, as_of="2019-07-01"), "EHA-MINUTES")
    assert finding.status == "not_evidenced"
    assert finding.missing == ("extended_hours.blocks",)


# --------------------------------------------------------------------------------------------
# Absent is not false: messages never assert what the data does not say
# --------------------------------------------------------------------------------------------


def test_missing_contract_types_are_not_a_network_without_gp_practices(
    load_fixture: Loader,
) -> None:
    doc = load_fixture("compliant.json")
    for practice in doc["practices"]:
        del practice["contract_type"]
    finding = only(pcn_rules.check(doc), "CORE-GP-LED")
    assert finding.status == "not_evidenced"
    assert "no core GP practice" not in finding.message
    assert finding.missing == tuple(f"practices[{i}].contract_type" for i in range(5))
    doc["practices"][2]["contract_type"] = "PMS"  # one known GP practice decides it
    assert only(pcn_rules.check(doc), "CORE-GP-LED").status == "met"


def test_an_unknown_signature_is_not_an_unsigned_practice(load_fixture: Loader) -> None:
    doc = load_fixture("compliant.json")
    del doc["network_agreement"]["signatories"]
    del doc["practices"][1]["network_agreement_signed_on"]
    finding = only(pcn_rules.check(doc), "NA-FULL")
    assert finding.status == "not_evidenced"
    assert "has not been signed" not in finding.message
    assert finding.missing == ("practices[1].network_agreement_signed_on",)


def test_list_sizes_given_decide_what_they_can(load_fixture: Loader) -> None:
    doc = load_fixture("compliant.json")  # 40,156 patients in five practices
    del doc["practices"][0]["list_size"]  # 7,643: the rest add up to 32,513
    report = pcn_rules.check(doc)
    assert only(report, "POP-MIN").status == "met"  # at least 32,513
    assert only(report, "POP-TYPICAL-MAX").status == "not_evidenced"
    assert only(report, "REG-LIST-SIZE").missing == ("practices[0].list_size",)
    doc["practices"][1]["list_size"] = 52000
    report = pcn_rules.check(doc)
    above = only(report, "POP-TYPICAL-MAX")
    assert above.status == "not_met"  # the sizes given already exceed 50,000
    assert above.missing == ("practices[0].list_size",)
    doc["practices"][1]["list_size"] = 1000
    doc["practices"][2]["list_size"] = 1000
    assert only(pcn_rules.check(doc), "POP-MIN").status == "not_evidenced"


# --------------------------------------------------------------------------------------------
# The verdict never hides a failure days away; met findings are never "overdue"
# --------------------------------------------------------------------------------------------


def test_a_green_verdict_names_what_fails_at_the_next_milestones(
    fixtures_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run([fixtures_dir / "short-extended-hours.json"], capsys)
    assert code == 0
    panel = out.split("╰", 1)[0]
    assert "COMPLIANT as of 28 June 2019" in panel
    assert "Not yet met at later milestones: EHA-MINUTES (not met), due 1 July 2019, in 3 days" in (
        " ".join(panel.replace("│", " ").split())
    )


def test_met_findings_are_never_overdue(
    fixtures_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run([fixtures_dir / "compliant.json", "--as-of", "2019-07-05"], capsys)
    assert code == 0
    assert "overdue" not in out
    code, out, _ = run(
        [fixtures_dir / "compliant.json", "--as-of", "2019-07-05", "--format", "json"], capsys
    )
    findings = json.loads(out)["findings"]
    past = [f for f in findings if f["days_left"] is not None and f["days_left"] < 0]
    assert past
    assert {f["timing"] for f in past} == {"passed"}


def test_an_unmet_finding_past_its_deadline_is_overdue(
    fixtures_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [fixtures_dir / "short-extended-hours.json", "--as-of", "2019-07-03"]
    code, out, _ = run([*args, "--format", "json"], capsys)
    assert code == 1
    (eha,) = [f for f in json.loads(out)["findings"] if f["rule_id"] == "EHA-MINUTES"]
    assert (eha["status"], eha["timing"], eha["days_left"]) == ("not_met", "overdue", -2)


@pytest.mark.parametrize("as_of", ["2019-05-10", "2019-05-31", "2019-06-30", "2019-07-02"])
def test_the_audit_headline_does_not_contradict_itself(fixtures_dir: Path, as_of: str) -> None:
    result = audit([fixtures_dir], as_of=as_of)  # a directory: every submission in it
    assert len(result.reports) == len(list(fixtures_dir.glob("*.json")))
    networks = range(len(result.reports))
    # a network's verdict counts the findings across networks that concern it (the fixtures
    # are variants of a few networks: they list the same practices)
    ready = sum(1 for i in networks if result.network_compliant(i))
    says_all_ready = f"all {len(result.reports)} networks ready" in result.headline
    assert says_all_ready == (ready == len(result.reports)), result.headline
    assert says_all_ready == result.compliant
    if not says_all_ready:
        not_ready = sum(
            1
            for i in networks
            if any(
                f.blocking and f.status != "not_evidenced"
                for f in (*result.reports[i].findings, *result.batch_findings_of(i))
            )
        )
        assert f"{not_ready} of {len(result.reports)} networks not ready" in result.headline


# --------------------------------------------------------------------------------------------
# Fail closed on selectors
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("option", ["--select", "--ignore"])
def test_an_unknown_rule_id_or_prefix_is_a_usage_error(
    fixtures_dir: Path, option: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["audit", fixtures_dir, "--as-of", "2019-06-30", option, "POP-MNI"]
    code, out, err = run(args, capsys)
    assert code == 2
    assert "POP-MNI" in err
    assert "did you mean POP-MIN" in err
    assert "ready" not in out
    code, _, err = run(["audit", fixtures_dir, "--as-of", "2019-06-30", option, "RGE"], capsys)
    assert code == 2
    assert "did you mean REG" in err


def test_known_selectors_and_prefixes_still_work(fixtures_dir: Path) -> None:
    result = audit([fixtures_dir], as_of="2019-06-30", select=["POP", "NA-FULL"])
    rules = {f.rule_id for r in result.reports for f in r.findings}
    assert rules == {"POP-MIN", "POP-TYPICAL-MAX", "NA-FULL"}
    with pytest.raises(UsageError, match="POP-MNI"):
        audit([fixtures_dir], as_of="2019-06-30", select=["POP-MNI"])


# --------------------------------------------------------------------------------------------
# Every format carries not_evidenced (and met late)
# --------------------------------------------------------------------------------------------


@pytest.fixture
def unevidenced(load_fixture: Loader, tmp_path: Path) -> Path:
    doc = load_fixture("compliant.json")
    del doc["network"]["area"]["map_reference"]  # REG-MAP: not evidenced, blocking
    doc["commissioner"]["area_approved_on"] = "2019-06-03"  # COM-APPROVAL: met 3 days late
    return _write(tmp_path, doc, "unevidenced.json")


def test_json_report_carries_missing_paths(
    unevidenced: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run([unevidenced, "--format", "json"], capsys)
    assert code == 1
    report = json.loads(out)
    jsonschema.Draft202012Validator(report_json_schema()).validate(report)
    (reg_map,) = [f for f in report["findings"] if f["rule_id"] == "REG-MAP"]
    assert reg_map["status"] == "not_evidenced"
    assert reg_map["missing"] == ["network.area.map_reference"]
    assert reg_map["blocking"] is True
    assert report["summary"]["not_evidenced"] == 1
    assert report["summary"]["met_late"] == 1


def test_text_junit_sarif_csv_carry_not_evidenced(
    unevidenced: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run([unevidenced], capsys)
    assert code == 1
    assert "1 not evidenced (REG-MAP)" in out
    assert "? no evidence REG-MAP" in out

    junit = tmp_path / "junit.xml"
    assert run([unevidenced, "--format", "junit", "--output", junit], capsys)[0] == 1
    cases = {c.get("name", "").split(":")[0]: c for c in ET.parse(junit).iter("testcase")}
    failure = cases["REG-MAP"].find("failure")
    assert failure is not None
    assert failure.get("type") == "error: not_evidenced"
    assert "network.area.map_reference" in (failure.text or "")
    assert cases["COM-APPROVAL"].find("failure") is None
    assert "3 days late" in (cases["COM-APPROVAL"].findtext("system-out") or "")

    sarif = tmp_path / "report.sarif"
    assert run([unevidenced, "--format", "sarif", "--output", sarif], capsys)[0] == 1
    results = json.loads(sarif.read_text(encoding="utf-8"))["runs"][0]["results"]
    by_rule = {r["ruleId"]: r for r in results}
    assert by_rule["REG-MAP"]["properties"]["status"] == "not_evidenced"
    assert by_rule["REG-MAP"]["properties"]["missing"] == ["network.area.map_reference"]
    assert by_rule["REG-MAP"]["kind"] == "fail"
    assert (by_rule["COM-APPROVAL"]["kind"], by_rule["COM-APPROVAL"]["level"]) == ("pass", "none")

    table = tmp_path / "report.csv"
    assert run([unevidenced, "--format", "csv", "--output", table], capsys)[0] == 1
    rows = {r["rule_id"]: r for r in csv.DictReader(io.StringIO(table.read_text("utf-8")))}
    assert rows["REG-MAP"]["status"] == "not_evidenced"
    assert rows["REG-MAP"]["missing"] == "network.area.map_reference"
    assert (rows["COM-APPROVAL"]["status"], rows["COM-APPROVAL"]["days_late"]) == ("met_late", "3")


def test_audit_formats_report_not_evidenced_apart(
    unevidenced: Path, fixtures_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["audit", unevidenced, fixtures_dir / "rural-waiver.json", "--as-of", "2019-06-28"]
    code, out, _ = run(args, capsys)
    assert code == 1
    assert "0 of 2 networks not ready on the evidence; 1 more with requirements not evidenced" in (
        " ".join(out.replace("│", " ").split())
    )
    assert "Data gaps" in out
    assert "1 finding in 1 network (COM-APPROVAL)" in out  # met late, counted apart
    assert "`network.area.map_reference` is missing for 1 network" in out

    code, out, _ = run([*args, "--format", "json"], capsys)
    data = json.loads(out)
    jsonschema.Draft202012Validator(audit_json_schema()).validate(data)
    assert data["actions"] == []
    (gap,) = data["gaps"]
    assert (gap["path"], gap["places"], gap["rules"]) == (
        "network.area.map_reference",
        1,
        ["REG-MAP"],
    )
    assert data["stats"]["by_rule"]["REG-MAP"] == {"met": 1, "not_evidenced": 1}
    assert data["stats"]["met_late"] == {"findings": 1, "networks": 1, "rules": ["COM-APPROVAL"]}

    page = tmp_path / "audit.html"
    assert run([*args, "--format", "html", "--output", page], capsys)[0] == 1
    html = page.read_text(encoding="utf-8")
    assert "class='not_evidenced'" in html
    assert 'id="gaps"' in html


def _with_change(doc: dict[str, Any], code: str, kind: str, effective_on: str) -> None:
    approval = {"approved_by": "NHS Example CCG", "approved_on": "2019-08-01", "reason": "r"}
    doc["membership_changes"] = [
        {
            "practice_ods_code": code,
            "kind": kind,
            "notified_on": "2019-07-15",
            "effective_on": effective_on,
            "approval": approval,
        }
    ]


def test_a_practice_joining_later_is_not_a_member_yet(load_fixture: Loader) -> None:
    doc = load_fixture("compliant.json")
    joiner = doc["practices"][-1]
    _with_change(doc, joiner["ods_code"], "joining", "2019-10-01")
    before = pcn_rules.check(doc, as_of="2019-08-20")
    assert joiner["ods_code"] not in {f.entity for f in before.findings if f.scope == "practice"}
    pop = only(before, "POP-MIN")
    total = sum(p["list_size"] for p in doc["practices"])
    assert f"{total - joiner['list_size']:,}" in pop.message  # counted without the joiner
    assert any(
        joiner["ods_code"] in w and "joins the network only on 1 October 2019" in w
        for w in before.warnings
    )
    # the practices after it keep their places in the submission
    paths = {f.entity: f.evidence for f in before.findings if f.rule_id == "CORE-CONTRACT"}
    assert len(paths) == len(doc["practices"]) - 1
    after = pcn_rules.check(doc, as_of="2019-10-02")
    assert joiner["ods_code"] in {f.entity for f in after.findings if f.scope == "practice"}
    assert not any("joins the network" in w for w in after.warnings)


def test_a_practice_that_left_is_no_longer_a_member(load_fixture: Loader) -> None:
    doc = load_fixture("compliant.json")
    leaver = doc["practices"][0]
    _with_change(doc, leaver["ods_code"], "leaving", "2019-10-01")
    still = pcn_rules.check(doc, as_of="2019-09-30")
    assert leaver["ods_code"] in {f.entity for f in still.findings if f.scope == "practice"}
    gone = pcn_rules.check(doc, as_of="2019-10-01")
    assert leaver["ods_code"] not in {f.entity for f in gone.findings if f.scope == "practice"}
    assert any("left the network on 1 October 2019" in w for w in gone.warnings)
    # the total declared with every practice listed still adds up, as does one of the members
    assert doc["network"]["declared_list_size"] == sum(p["list_size"] for p in doc["practices"])
    assert only(gone, "REG-LIST-SIZE").status == "met"
    doc["network"]["declared_list_size"] -= leaver["list_size"]
    assert only(pcn_rules.check(doc, as_of="2019-10-01"), "REG-LIST-SIZE").status == "met"
    # a finding about a practice after it still names its own place in the submission
    doc["practices"][2].pop("contract_type")
    finding = only(
        pcn_rules.check(doc, as_of="2019-10-01"), "CORE-CONTRACT", doc["practices"][2]["ods_code"]
    )
    assert finding.missing == ("practices[2].contract_type",)


def test_an_agreement_dated_later_is_named_on_the_practice_it_concerns(
    load_fixture: Loader,
) -> None:
    doc = load_fixture("cross-ccg-practice.json")
    doc["commissioner"]["cross_boundary_agreements"] = [
        {
            "practice_ods_code": "L84005",
            "approved_by": "NHS Bristol and NHS Gloucestershire CCGs",
            "approved_on": "2019-07-15",
            "reason": "Patients of the practice live in the network's area",
        }
    ]
    finding = only(pcn_rules.check(doc, as_of="2019-06-30"), "GEO-CROSS-CCG", "L84005")
    assert finding.status == "not_met"
    assert "commissioner.cross_boundary_agreements[0] is 15 July 2019, after the as-of date" in (
        finding.message
    )
    others = [
        f
        for f in pcn_rules.check(doc, as_of="2019-06-30").findings
        if f.rule_id == "GEO-CROSS-CCG" and f.entity != "L84005"
    ]
    assert others
    assert not any("cross_boundary_agreements" in f.message for f in others)
    assert only(pcn_rules.check(doc, as_of="2019-07-15"), "GEO-CROSS-CCG", "L84005").status == (
        "met_late"
    )


def test_a_compliant_verdict_names_the_warnings_it_does_not_count(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = ROOT / "fixtures" / "2019-20" / "cross-ccg-practice.json"
    code, out, _ = run([path, "-q"], capsys)
    assert code == 0
    flat = " ".join(out.split())
    assert "COMPLIANT" in flat
    assert "is met, except GEO-CROSS-CCG (not met), which does not block the verdict." in flat


def test_a_practice_that_joined_later_is_on_time_if_it_signed_by_the_day_it_joined(
    load_fixture: Loader,
) -> None:
    doc = load_fixture("compliant.json")
    joiner = doc["practices"][-1]
    _with_change(doc, joiner["ods_code"], "joining", "2019-10-01")
    joiner["initial_agreement_signed_on"] = joiner["network_agreement_signed_on"] = "2019-09-20"
    report = pcn_rules.check(doc, as_of="2019-10-02")
    assert only(report, "NA-FULL").status == "met"  # not "met 82 days late"
    assert only(report, "REG-INITIAL-AGREEMENT").status == "met"
    # signing after the day it joined is late
    joiner["network_agreement_signed_on"] = "2019-10-10"
    late = only(pcn_rules.check(doc, as_of="2019-10-15"), "NA-FULL")
    assert late.status == "met_late"
    assert late.evidence_date == "2019-10-10"
