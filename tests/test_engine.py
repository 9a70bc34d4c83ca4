"""Library-level behaviour of ``pcn_rules.check`` and the engine."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

import pcn_rules
from pcn_rules import Finding, Report, RulePack, Submission, UsageError

DocLoader = Callable[[str], dict[str, Any]]


def only(report: Report, rule_id: str) -> Finding:
    found = [f for f in report.findings if f.rule_id == rule_id]
    assert len(found) == 1, f"{rule_id}: {len(found)} findings"
    return found[0]


def without_source(report: Report) -> dict[str, Any]:
    data = report.to_dict()
    data.pop("source")
    return data


# ------------------------------------------------------------------------------------------------
# Inputs and defaults
# ------------------------------------------------------------------------------------------------


def test_dict_model_and_path_give_equal_reports(
    fixtures_dir: Path, compliant_doc: dict[str, Any], pack_2019: RulePack
) -> None:
    path = fixtures_dir / "compliant.json"
    from_dict = pcn_rules.check(compliant_doc, pack=pack_2019)
    from_model = pcn_rules.check(Submission.model_validate(compliant_doc), pack=pack_2019)
    from_path = pcn_rules.check(path, pack=pack_2019)
    from_str = pcn_rules.check(str(path), pack=pack_2019)
    assert from_dict.findings == from_model.findings == from_path.findings == from_str.findings
    assert without_source(from_dict) == without_source(from_model) == without_source(from_path)
    assert from_path.source == str(path)
    assert from_dict.source is None


def test_as_of_defaults_to_the_submission_date(compliant_doc: dict[str, Any]) -> None:
    report = pcn_rules.check(compliant_doc)
    assert report.as_of == dt.date(2019, 6, 28)
    assert report.pack_id == "2019/20"  # chosen from contract_year
    assert report.horizon is not None
    assert report.horizon.key == "network_agreement"
    later = pcn_rules.check(compliant_doc, as_of=dt.date(2019, 7, 2))
    assert later.as_of == dt.date(2019, 7, 2)
    assert only(later, "NA-FULL").days_left == -2


def test_no_submission_date_and_no_as_of_is_a_usage_error(
    compliant_doc: dict[str, Any], pack_2019: RulePack
) -> None:
    del compliant_doc["submission"]["submitted_on"]
    with pytest.raises(UsageError, match=r"as-of|as_of"):
        pcn_rules.check(compliant_doc, pack=pack_2019)
    # with a date it is checked
    report = pcn_rules.check(compliant_doc, pack=pack_2019, as_of="2019-06-28")
    assert report.compliant


# ------------------------------------------------------------------------------------------------
# Findings: order, determinism, scope, missing facts, applicability
# ------------------------------------------------------------------------------------------------


def test_findings_are_sorted_and_runs_are_byte_identical(
    fixtures_dir: Path, pack_2019: RulePack
) -> None:
    path = fixtures_dir / "late-registration.json"
    first = pcn_rules.check(path, pack=pack_2019)
    second = pcn_rules.check(path, pack=pack_2019)
    fresh = pcn_rules.check(path, pack=pcn_rules.load_pack("2019/20"))
    assert list(first.findings) == sorted(first.findings, key=Finding.sort_key)
    dates = [f.due.date if f.due else dt.date.max for f in first.findings]
    assert dates == sorted(dates)  # earliest deadline first, open-ended last
    assert first.to_json() == second.to_json() == fresh.to_json()


def test_order_of_practices_in_the_input_does_not_change_the_order_of_findings(
    compliant_doc: dict[str, Any], pack_2019: RulePack
) -> None:
    forward = pcn_rules.check(compliant_doc, pack=pack_2019)
    compliant_doc["practices"].reverse()
    backward = pcn_rules.check(compliant_doc, pack=pack_2019)
    key = [(f.rule_id, f.entity, f.status) for f in forward.findings]
    assert key == [(f.rule_id, f.entity, f.status) for f in backward.findings]


def test_practice_scoped_rule_gives_one_finding_per_practice(
    compliant_doc: dict[str, Any], pack_2019: RulePack
) -> None:
    compliant_doc["practices"][3]["contract_type"] = "other"
    report = pcn_rules.check(compliant_doc, pack=pack_2019)
    contract = [f for f in report.findings if f.rule_id == "CORE-CONTRACT"]
    codes = [p["ods_code"] for p in compliant_doc["practices"]]
    assert sorted(f.entity for f in contract) == sorted(codes)
    assert all(f.scope == "practice" for f in contract)
    bad = [f for f in contract if f.status == "not_met"]
    assert [f.entity for f in bad] == [codes[3]]
    assert codes[3] in bad[0].message
    assert bad[0].entity_name == compliant_doc["practices"][3]["name"]


def test_a_missing_optional_fact_is_not_evidenced_not_a_crash(
    compliant_doc: dict[str, Any], pack_2019: RulePack
) -> None:
    del compliant_doc["extended_hours"]
    report = pcn_rules.check(compliant_doc, pack=pack_2019, as_of="2019-07-01")
    eha = only(report, "EHA-MINUTES")
    assert eha.status == "not_evidenced"  # the data lacks the fact: not a breach, not met
    assert "Not evidenced in the submission" in eha.message
    assert eha.missing == ("extended_hours",)
    assert eha.blocking  # due today: fail closed
    assert not report.compliant


def test_a_false_when_makes_the_rule_not_applicable(
    compliant_doc: dict[str, Any], pack_2019: RulePack
) -> None:
    assert compliant_doc["submission"]["type"] == "update"
    on_time = only(pcn_rules.check(compliant_doc, pack=pack_2019), "REG-ON-TIME")
    assert on_time.status == "not_applicable"
    assert not on_time.blocking
    compliant_doc["submission"]["type"] = "registration"
    on_time = only(pcn_rules.check(compliant_doc, pack=pack_2019), "REG-ON-TIME")
    assert on_time.status == "met_late"  # submitted 28 June, 44 days after 15 May
    assert on_time.days_late == 44


# ------------------------------------------------------------------------------------------------
# A tiny custom pack: evaluation errors and the compliance horizon
# ------------------------------------------------------------------------------------------------

PACK_YAML = """\
version: 1
id: "2099/00"
title: Test pack
release: "test.1"
contract_year: "2099/00"
effective: {from: 2019-04-01, to: 2020-03-31}
milestones:
  first: {date: 2019-06-01, title: The first deadline}
  second: {date: 2019-09-01, title: The second deadline}
"""


def make_pack(
    directory: Path,
    expect: str,
    *,
    severity: str = "error",
    due: str | None = "first",
    when: str | None = None,
) -> RulePack:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "pack.yaml").write_text(PACK_YAML, encoding="utf-8")
    lines = [
        "version: 1",
        "rules:",
        "  - id: TEST-RULE",
        "    title: A rule for testing",
        "    scope: network",
        f"    severity: {severity}",
        f"    due: {due or 'null'}",
        *([f"    when: {json.dumps(when)}"] if when else []),
        f"    expect: {json.dumps(expect)}",
        '    message: "The network is called {network.name}."',
        "    remediation: [Change the name.]",
        "    source: {document: The tests, confidence: UNV}",
    ]
    rule = "\n".join(lines) + "\n"
    (directory / "rules.yaml").write_text(rule, encoding="utf-8")
    return pcn_rules.load_pack(directory)


AS_OF = dt.date(2019, 5, 1)  # before both milestones: the horizon is "first"
UNMET = "network.name == 'Nobody PCN'"


def test_a_condition_that_fails_to_evaluate_is_an_error_finding(
    tmp_path: Path, compliant_doc: dict[str, Any]
) -> None:
    pack = make_pack(tmp_path / "p", "network.name < 3")  # a string compared with an int
    report = pcn_rules.check(compliant_doc, pack=pack, as_of=AS_OF)
    finding = only(report, "TEST-RULE")
    assert finding.status == "error"
    assert "TEST-RULE" in finding.message
    assert "could not be evaluated" in finding.message
    assert finding.blocking
    assert not report.compliant
    assert report.summary()["error"] == 1


def test_an_error_finding_fails_even_when_due_later(
    tmp_path: Path, compliant_doc: dict[str, Any]
) -> None:
    # a rule that cannot be evaluated never silently passes, whatever its deadline or severity
    pack = make_pack(tmp_path / "p", "network.name < 3", severity="warning", due="second")
    report = pcn_rules.check(compliant_doc, pack=pack, as_of=AS_OF)
    assert only(report, "TEST-RULE").status == "error"
    assert not report.compliant


def test_the_control_rule_is_met(tmp_path: Path, compliant_doc: dict[str, Any]) -> None:
    pack = make_pack(tmp_path / "p", "network.name == 'Stroud Cotswold PCN'")
    report = pcn_rules.check(compliant_doc, pack=pack, as_of=AS_OF)
    assert only(report, "TEST-RULE").status == "met"
    assert report.compliant


def test_unmet_at_the_next_milestone_is_not_compliant(
    tmp_path: Path, compliant_doc: dict[str, Any]
) -> None:
    pack = make_pack(tmp_path / "p", UNMET, due="first")
    report = pcn_rules.check(compliant_doc, pack=pack, as_of=AS_OF)
    finding = only(report, "TEST-RULE")
    assert finding.status == "not_met"
    assert finding.blocking
    assert finding.days_left == 31
    assert not report.compliant
    assert report.verdict == "not_compliant"


def test_unmet_at_a_milestone_after_the_next_is_still_compliant(
    tmp_path: Path, compliant_doc: dict[str, Any]
) -> None:
    pack = make_pack(tmp_path / "p", UNMET, due="second")
    report = pcn_rules.check(compliant_doc, pack=pack, as_of=AS_OF)
    finding = only(report, "TEST-RULE")
    assert finding.status == "not_met"
    assert finding.timing == "upcoming"
    assert not finding.blocking
    assert report.compliant
    # ...until the first milestone has passed: then "second" is the next one
    later = pcn_rules.check(compliant_doc, pack=pack, as_of=dt.date(2019, 6, 2))
    assert not later.compliant


def test_unmet_on_the_deadline_day_is_not_compliant(
    tmp_path: Path, compliant_doc: dict[str, Any]
) -> None:
    pack = make_pack(tmp_path / "p", UNMET, due="first")
    report = pcn_rules.check(compliant_doc, pack=pack, as_of=dt.date(2019, 6, 1))
    finding = only(report, "TEST-RULE")
    assert (finding.days_left, finding.timing) == (0, "due_today")
    assert not report.compliant


@pytest.mark.parametrize("severity", ["warning", "info"])
@pytest.mark.parametrize("as_of", [AS_OF, dt.date(2019, 12, 1)], ids=["due next", "overdue"])
def test_warnings_and_info_never_make_it_non_compliant(
    tmp_path: Path, compliant_doc: dict[str, Any], severity: str, as_of: dt.date
) -> None:
    pack = make_pack(tmp_path / "p", UNMET, severity=severity, due="first")
    report = pcn_rules.check(compliant_doc, pack=pack, as_of=as_of)
    finding = only(report, "TEST-RULE")
    assert finding.status == "not_met"
    assert not finding.blocking
    assert report.compliant


def test_a_false_when_in_a_custom_pack_is_not_applicable(
    tmp_path: Path, compliant_doc: dict[str, Any]
) -> None:
    pack = make_pack(tmp_path / "p", UNMET, when="submission.type == 'registration'")
    report = pcn_rules.check(compliant_doc, pack=pack, as_of=AS_OF)
    assert only(report, "TEST-RULE").status == "not_applicable"
    assert report.compliant


# ------------------------------------------------------------------------------------------------
# Immutability and threads
# ------------------------------------------------------------------------------------------------


def test_findings_and_reports_are_frozen(fixtures_dir: Path, pack_2019: RulePack) -> None:
    report = pcn_rules.check(fixtures_dir / "rural-no-waiver.json", pack=pack_2019)
    finding = only(report, "POP-MIN")
    with pytest.raises(dataclasses.FrozenInstanceError):
        finding.status = "met"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.findings = ()  # type: ignore[misc]
    assert isinstance(report.findings, tuple)
    assert isinstance(finding.remediation, tuple)
    assert only(report, "POP-MIN").status == "not_met"
    assert not report.compliant


def test_eight_threads_give_the_reports_one_thread_gives(
    fixtures_dir: Path, pack_2019: RulePack
) -> None:
    jobs = [
        (path, as_of)
        for path in sorted(fixtures_dir.glob("*.json"))
        for as_of in ("2019-05-10", "2019-05-31", "2019-06-28", "2019-07-01")
    ] * 2

    def run(job: tuple[Path, str]) -> str:
        path, as_of = job
        return pcn_rules.check(path, pack=pack_2019, as_of=as_of).to_json()

    expected = [run(job) for job in jobs]
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(run, jobs))
    assert got == expected
    assert len(set(expected)) >= 30  # genuinely different submissions and dates


# ------------------------------------------------------------------------------------------------
# Particular rules
# ------------------------------------------------------------------------------------------------


def _with_list_sizes(doc: dict[str, Any], sizes: list[int]) -> dict[str, Any]:
    assert len(sizes) == len(doc["practices"])
    for practice, size in zip(doc["practices"], sizes, strict=True):
        practice["list_size"] = size
    doc["network"]["declared_list_size"] = sum(sizes)
    return doc


@pytest.mark.parametrize(
    ("sizes", "required"),
    [
        ([8400] * 5, 1260),  # 42,000 patients: 1,260 minutes exactly
        ([6246, 6247, 6247, 6247, 6247], 930),  # 31,234: 937.02 rounds to 930
        ([8031, 8031, 8031, 8031, 8032], 1200),  # 40,156 (the fixture): 1,204.68 rounds to 1,200
    ],
    ids=["42000", "31234", "40156"],
)
def test_extended_hours_round_to_the_quarter_hour(
    compliant_doc: dict[str, Any], pack_2019: RulePack, sizes: list[int], required: int
) -> None:
    doc = _with_list_sizes(compliant_doc, sizes)
    eha = only(pcn_rules.check(doc, pack=pack_2019), "EHA-MINUTES")
    assert eha.evidence["derived.required_minutes"] == required
    offered = doc["extended_hours"]["minutes_per_week"]
    assert eha.status == ("met" if offered >= required else "not_met")


def test_extended_hours_below_the_required_minutes(
    compliant_doc: dict[str, Any], pack_2019: RulePack
) -> None:
    doc = _with_list_sizes(compliant_doc, [8400] * 5)
    doc["extended_hours"]["minutes_per_week"] = 1245  # one quarter hour short of 1,260
    eha = only(pcn_rules.check(doc, pack=pack_2019), "EHA-MINUTES")
    assert eha.status == "not_met"
    assert "1260 minutes required" in eha.message


def test_pop_min_waiver_is_carried_and_the_network_is_compliant(
    fixtures_dir: Path, pack_2019: RulePack
) -> None:
    report = pcn_rules.check(fixtures_dir / "rural-waiver.json", pack=pack_2019)
    pop = only(report, "POP-MIN")
    assert pop.status == "waived"
    assert pop.waiver is not None
    assert pop.waiver.approved_by.startswith("H. Sample")
    assert "low population density" in pop.waiver.reason
    assert pop.waiver.approved_on == "2019-05-29"
    assert not pop.blocking
    assert report.compliant
    assert report.to_dict()["findings"][report.findings.index(pop)]["waiver"]["reason"] == (
        pop.waiver.reason
    )


def test_ignore_waivers_shows_the_full_picture(fixtures_dir: Path, pack_2019: RulePack) -> None:
    report = pcn_rules.check(
        fixtures_dir / "rural-waiver.json", pack=pack_2019, ignore_waivers=True
    )
    assert only(report, "POP-MIN").status == "not_met"
    assert not report.compliant


def test_rural_waiver_extended_hours_requirement(fixtures_dir: Path, pack_2019: RulePack) -> None:
    # fixtures/README.md: 17,623 patients need 525 minutes (528.69 before rounding); 540 offered
    eha = only(pcn_rules.check(fixtures_dir / "rural-waiver.json", pack=pack_2019), "EHA-MINUTES")
    assert eha.evidence["derived.required_minutes"] == 525
    assert eha.status == "met"


def test_load_fixture_gives_independent_copies(load_fixture: DocLoader) -> None:
    first = load_fixture("compliant.json")
    first["practices"].clear()
    assert load_fixture("compliant.json")["practices"]
