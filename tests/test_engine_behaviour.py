"""Library behaviour of check(): inputs, dates, statuses, horizon, determinism, immutability."""

from __future__ import annotations

import dataclasses
import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

import pcn_rules
from pcn_rules.submission.read import read_submission

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "rules" / "2019-20" / "examples" / "base.json"
COMPLIANT = ROOT / "fixtures" / "2019-20" / "compliant.json"


@pytest.fixture(scope="module")
def pack() -> pcn_rules.RulePack:
    return pcn_rules.load_pack("2019/20")


def base() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(BASE.read_text(encoding="utf-8"))
    return doc


def finding(report: pcn_rules.Report, rule_id: str, entity: str | None = None) -> Any:
    found = [
        f
        for f in report.findings
        if f.rule_id == rule_id and (entity is None or f.entity == entity)
    ]
    assert len(found) == 1, found
    return found[0]


def test_dict_model_and_path_give_the_same_report(pack: pcn_rules.RulePack) -> None:
    as_dict = pcn_rules.check(json.loads(COMPLIANT.read_text(encoding="utf-8")), pack=pack)
    as_model = pcn_rules.check(read_submission(COMPLIANT), pack=pack)
    as_path = pcn_rules.check(COMPLIANT, pack=pack)
    assert as_dict.findings == as_model.findings == as_path.findings
    assert as_path.source == str(COMPLIANT)


def test_as_of_defaults_to_the_submission_date(pack: pcn_rules.RulePack) -> None:
    report = pcn_rules.check(base(), pack=pack)
    assert report.as_of.isoformat() == "2019-06-28"
    assert pcn_rules.check(base(), pack=pack, as_of="2019-05-01").as_of.isoformat() == "2019-05-01"


def test_no_date_anywhere_is_a_usage_error(pack: pcn_rules.RulePack) -> None:
    doc = base()
    del doc["submission"]["submitted_on"]
    with pytest.raises(pcn_rules.UsageError, match="as-of date is needed"):
        pcn_rules.check(doc, pack=pack)
    with pytest.raises(pcn_rules.UsageError, match="YYYY-MM-DD"):
        pcn_rules.check(base(), pack=pack, as_of="28/06/2019")


def test_pack_chosen_from_contract_year() -> None:
    doc = base()
    assert pcn_rules.check(doc).pack_id == "2019/20"
    doc["contract_year"] = "2031/32"
    with pytest.raises(pcn_rules.UsageError, match="2031/32"):
        pcn_rules.check(doc)


def test_practice_rules_give_one_finding_per_practice(pack: pcn_rules.RulePack) -> None:
    report = pcn_rules.check(base(), pack=pack)
    contract = [f for f in report.findings if f.rule_id == "CORE-CONTRACT"]
    assert [f.entity for f in contract] == ["Z99001", "Z99002", "Z99003", "Z99004", "Z99005"]
    assert {f.entity_name for f in contract} >= {"Riverside Surgery", "Valley Health Centre"}


def test_missing_fact_is_not_evidenced_not_a_crash(pack: pcn_rules.RulePack) -> None:
    doc = base()
    del doc["extended_hours"]
    del doc["practices"][2]["contract_type"]
    report = pcn_rules.check(doc, pack=pack, as_of="2019-07-01")
    eha = finding(report, "EHA-MINUTES")
    assert eha.status == "not_evidenced"
    assert "Not evidenced in the submission: extended_hours" in eha.message
    contract = finding(report, "CORE-CONTRACT", "Z99003")
    assert contract.status == "not_evidenced"
    assert contract.missing == ("practices[2].contract_type",)
    assert "practices[2].contract_type" in contract.message
    assert not report.compliant


def _custom_pack(tmp_path: Path, expect: str, severity: str = "error", due: str = "first") -> Path:
    pack_dir = tmp_path / "pack"
    (pack_dir / "examples").mkdir(parents=True)
    (pack_dir / "pack.yaml").write_text(
        textwrap.dedent(
            """\
            version: 1
            id: "2019/20"
            title: Test pack
            release: "0"
            contract_year: "2019/20"
            effective: {from: 2019-04-01, to: 2020-03-31}
            milestones:
              first: {date: 2019-05-15, title: First}
              second: {date: 2019-06-30, title: Second}
            """
        ),
        encoding="utf-8",
    )
    (pack_dir / "rules.yaml").write_text(
        textwrap.dedent(
            f"""\
            version: 1
            rules:
              - id: TEST-RULE
                title: A test rule
                scope: network
                severity: {severity}
                due: {due}
                expect: "{expect}"
                message: It does not hold.
                remediation: [Fix it.]
                source: {{document: test, confidence: UNV}}
              - id: TEST-WHEN
                title: Only for registrations
                scope: network
                severity: error
                due: first
                when: submission.type == 'registration'
                expect: "false"
                message: Never holds.
                remediation: [Fix it.]
                source: {{document: test, confidence: UNV}}
            """
        ),
        encoding="utf-8",
    )
    return pack_dir


def test_evaluation_error_is_an_error_finding_not_a_pass(tmp_path: Path) -> None:
    pack = pcn_rules.load_pack(_custom_pack(tmp_path, "network.name < 3"))
    report = pcn_rules.check(base(), pack=pack, as_of="2019-05-01")
    broken = finding(report, "TEST-RULE")
    assert broken.status == "error"
    assert "TEST-RULE" in broken.message
    assert "No matching overloads" in broken.message
    assert broken.blocking
    assert not report.compliant


def test_false_when_gives_not_applicable(tmp_path: Path) -> None:
    pack = pcn_rules.load_pack(_custom_pack(tmp_path, "true"))
    report = pcn_rules.check(base(), pack=pack, as_of="2019-05-01")  # an "update" submission
    assert finding(report, "TEST-WHEN").status == "not_applicable"
    assert report.compliant


def test_horizon_only_next_milestone_and_overdue_ones_block(tmp_path: Path) -> None:
    later = pcn_rules.load_pack(_custom_pack(tmp_path / "a", "false", due="second"))
    report = pcn_rules.check(base(), pack=later, as_of="2019-05-01")
    rule = finding(report, "TEST-RULE")
    assert rule.status == "not_met"
    assert not rule.blocking, "due at the milestone after next: upcoming, not blocking"
    assert rule.days_left == 60
    assert report.compliant

    report = pcn_rules.check(base(), pack=later, as_of="2019-05-16")
    assert finding(report, "TEST-RULE").blocking, "second is now the next milestone"
    assert not report.compliant

    warning = pcn_rules.load_pack(_custom_pack(tmp_path / "b", "false", severity="warning"))
    report = pcn_rules.check(base(), pack=warning, as_of="2019-07-01")
    assert finding(report, "TEST-RULE").status == "not_met"
    assert report.compliant, "warnings never fail a network"


def test_reports_are_deterministic_and_sorted(pack: pcn_rules.RulePack) -> None:
    first = pcn_rules.check(base(), pack=pack).to_json()
    second = pcn_rules.check(base(), pack=pack).to_json()
    assert first == second
    report = pcn_rules.check(base(), pack=pack)
    keys = [f.sort_key() for f in report.findings]
    assert keys == sorted(keys)


def test_findings_and_reports_are_immutable(pack: pcn_rules.RulePack) -> None:
    report = pcn_rules.check(base(), pack=pack)
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.findings[0].status = "met"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.as_of = report.as_of  # type: ignore[misc]


@pytest.mark.parametrize(("patients", "required"), [(42000, 1260), (31234, 930), (50000, 1500)])
def test_extended_hours_quarter_hour_rounding(
    pack: pcn_rules.RulePack, patients: int, required: int
) -> None:
    doc = base()
    doc["practices"] = doc["practices"][:1]
    doc["practices"][0]["list_size"] = patients
    doc["network"]["declared_list_size"] = patients
    report = pcn_rules.check(doc, pack=pack, as_of="2019-07-01")
    assert finding(report, "EHA-MINUTES").evidence["derived.required_minutes"] == required


def test_waiver_keeps_evidence_and_names_approver(pack: pcn_rules.RulePack) -> None:
    report = pcn_rules.check(ROOT / "fixtures" / "2019-20" / "rural-waiver.json", pack=pack)
    pop = finding(report, "POP-MIN")
    assert pop.status == "waived"
    assert pop.waiver is not None
    assert pop.waiver.approved_by
    assert "rural" in pop.waiver.reason.lower()
    assert pop.evidence["network.list_size"] == 17623
    assert report.compliant


def test_fund_entitlements_carry_amounts(pack: pcn_rules.RulePack) -> None:
    fund = finding(pcn_rules.check(base(), pack=pack), "FUND-ENTITLEMENTS")
    assert fund.status == "met"
    assert fund.severity == "info"
    assert fund.evidence["derived.core_funding"] == pytest.approx(63000.0)
    assert fund.evidence["derived.clinical_director"] == pytest.approx(42000 * 0.5143)
    assert "£63,000.00" in fund.message


def test_collaboration_is_advisory_in_2019(pack: pcn_rules.RulePack) -> None:
    doc = base()
    doc["non_gp_providers"] = []
    report = pcn_rules.check(doc, pack=pack)
    collab = finding(report, "COLLAB-EXPECTED")
    assert (collab.status, collab.severity, collab.blocking) == ("not_met", "info", False)
    assert report.compliant
