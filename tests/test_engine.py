"""Library behaviour of ``pcn_rules.check`` and the engine: inputs, dates, statuses, the
compliance horizon, determinism, immutability and particular rules."""

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
from pcn_rules import Finding, InputError, Report, RulePack, Submission, UsageError
from pcn_rules.submission.read import read_submission

DocLoader = Callable[[str], dict[str, Any]]

ROOT = Path(__file__).resolve().parent.parent
#: Two complete 2019/20 submissions dated 28 June 2019: a real network and the pack's example.
DOCS = {
    "compliant": ROOT / "fixtures" / "2019-20" / "compliant.json",
    "base": ROOT / "rules" / "2019-20" / "examples" / "base.json",
}


def load(name: str) -> dict[str, Any]:
    """A fresh dict (safe to change) of one of :data:`DOCS`."""
    doc: dict[str, Any] = json.loads(DOCS[name].read_text(encoding="utf-8"))
    return doc


def only(report: Report, rule_id: str, entity: str | None = None) -> Finding:
    found = [
        f
        for f in report.findings
        if f.rule_id == rule_id and (entity is None or f.entity == entity)
    ]
    assert len(found) == 1, f"{rule_id}: {len(found)} findings"
    return found[0]


def without_source(report: Report) -> dict[str, Any]:
    data = report.to_dict()
    data.pop("source")
    return data


# ------------------------------------------------------------------------------------------------
# Inputs and defaults
# ------------------------------------------------------------------------------------------------

#: The ways to give check() a submission → (the submission, the report's ``source``).
FORMS: dict[str, Callable[[Path], tuple[Any, str | None]]] = {
    "dict": lambda path: (json.loads(path.read_text(encoding="utf-8")), None),
    "model": lambda path: (
        Submission.model_validate(json.loads(path.read_text(encoding="utf-8"))),
        None,
    ),
    "read_submission": lambda path: (read_submission(path), None),
    "path": lambda path: (path, str(path)),
    "str": lambda path: (str(path), str(path)),
}


@pytest.mark.parametrize("form", FORMS)
def test_every_form_of_a_submission_gives_the_same_report(pack_2019: RulePack, form: str) -> None:
    path = DOCS["compliant"]
    reference = pcn_rules.check(load("compliant"), pack=pack_2019)
    submission, source = FORMS[form](path)
    report = pcn_rules.check(submission, pack=pack_2019)
    assert report.findings == reference.findings
    assert without_source(report) == without_source(reference)
    assert report.source == source


@pytest.mark.parametrize("name", DOCS)
def test_as_of_defaults_to_the_submission_date(name: str) -> None:
    report = pcn_rules.check(load(name))
    assert report.as_of == dt.date(2019, 6, 28)
    assert report.pack_id == "2019/20"  # chosen from contract_year
    assert report.horizon is not None
    assert report.horizon.key == "network_agreement"


@pytest.mark.parametrize(
    ("as_of", "day", "days_left"),
    [
        (dt.date(2019, 7, 2), dt.date(2019, 7, 2), -2),
        ("2019-07-02", dt.date(2019, 7, 2), -2),
        ("2019-05-01", dt.date(2019, 5, 1), 60),
    ],
    ids=["date", "text", "earlier text"],
)
def test_as_of_given_as_a_date_or_as_text(
    compliant_doc: dict[str, Any],
    pack_2019: RulePack,
    as_of: dt.date | str,
    day: dt.date,
    days_left: int,
) -> None:
    report = pcn_rules.check(compliant_doc, pack=pack_2019, as_of=as_of)
    assert report.as_of == day
    assert only(report, "NA-FULL").days_left == days_left  # due 30 June 2019


def test_no_submission_date_and_no_as_of_is_a_usage_error(
    compliant_doc: dict[str, Any], pack_2019: RulePack
) -> None:
    del compliant_doc["submission"]["submitted_on"]
    with pytest.raises(UsageError, match="as-of date is needed"):
        pcn_rules.check(compliant_doc, pack=pack_2019)
    # with a date it is checked
    report = pcn_rules.check(compliant_doc, pack=pack_2019, as_of="2019-06-28")
    assert report.compliant


def test_an_as_of_not_in_iso_form_is_a_usage_error(
    compliant_doc: dict[str, Any], pack_2019: RulePack
) -> None:
    with pytest.raises(UsageError, match="YYYY-MM-DD"):
        pcn_rules.check(compliant_doc, pack=pack_2019, as_of="28/06/2019")


def test_a_contract_year_without_a_pack_is_an_input_error(compliant_doc: dict[str, Any]) -> None:
    # the submission's own contract year: its problem (exit 3), like a date outside every pack
    compliant_doc["contract_year"] = "2031/32"
    with pytest.raises(InputError, match="2031/32") as raised:
        pcn_rules.check(compliant_doc)
    assert raised.value.problems[0][0] == "contract_year"


# ------------------------------------------------------------------------------------------------
# Findings: order, determinism, scope, missing facts, applicability
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [ROOT / "fixtures" / "2019-20" / "late-registration.json", DOCS["base"]],
    ids=lambda p: p.name,
)
def test_findings_are_sorted_and_runs_are_byte_identical(path: Path, pack_2019: RulePack) -> None:
    first = pcn_rules.check(path, pack=pack_2019)
    second = pcn_rules.check(path, pack=pack_2019)
    fresh = pcn_rules.check(path, pack=pcn_rules.load_pack("2019/20"))
    assert list(first.findings) == sorted(first.findings, key=Finding.sort_key)
    dates = [f.due.date if f.due else dt.date.max for f in first.findings]
    assert dates == sorted(dates)  # earliest deadline first, open-ended last
    assert first.to_json() == second.to_json() == fresh.to_json()


@pytest.mark.parametrize("name", DOCS)
def test_order_of_practices_in_the_input_does_not_change_the_order_of_findings(
    name: str, pack_2019: RulePack
) -> None:
    doc = load(name)
    forward = pcn_rules.check(doc, pack=pack_2019)
    doc["practices"].reverse()
    backward = pcn_rules.check(doc, pack=pack_2019)
    key = [(f.rule_id, f.entity, f.status) for f in forward.findings]
    assert key == [(f.rule_id, f.entity, f.status) for f in backward.findings]


@pytest.mark.parametrize("name", DOCS)
def test_practice_scoped_rule_gives_one_finding_per_practice(
    name: str, pack_2019: RulePack
) -> None:
    doc = load(name)
    codes = [p["ods_code"] for p in doc["practices"]]
    names = {p["ods_code"]: p["name"] for p in doc["practices"]}
    report = pcn_rules.check(doc, pack=pack_2019)
    contract = [f for f in report.findings if f.rule_id == "CORE-CONTRACT"]
    assert [f.entity for f in contract] == sorted(codes)  # all met: in order of ODS code
    assert all(f.entity_name == names[f.entity] for f in contract if f.entity is not None)
    doc["practices"][3]["contract_type"] = "other"
    report = pcn_rules.check(doc, pack=pack_2019)
    contract = [f for f in report.findings if f.rule_id == "CORE-CONTRACT"]
    assert sorted(f.entity for f in contract if f.entity is not None) == sorted(codes)
    assert all(f.scope == "practice" for f in contract)
    bad = [f for f in contract if f.status == "not_met"]
    assert [f.entity for f in bad] == [codes[3]]
    assert codes[3] in bad[0].message
    assert bad[0].entity_name == names[codes[3]]


@pytest.mark.parametrize("name", DOCS)
def test_a_missing_fact_is_not_evidenced_not_a_crash(name: str, pack_2019: RulePack) -> None:
    doc = load(name)
    del doc["extended_hours"]
    del doc["practices"][2]["contract_type"]
    report = pcn_rules.check(doc, pack=pack_2019, as_of="2019-07-01")
    eha = only(report, "EHA-MINUTES")
    assert eha.status == "not_evidenced"  # the data lacks the fact: not a breach, not met
    assert "Not evidenced in the submission: extended_hours" in eha.message
    assert eha.missing == ("extended_hours",)
    assert eha.blocking  # due today: fail closed
    contract = only(report, "CORE-CONTRACT", doc["practices"][2]["ods_code"])
    assert contract.status == "not_evidenced"
    assert contract.missing == ("practices[2].contract_type",)
    assert "practices[2].contract_type" in contract.message
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


@pytest.mark.parametrize(
    ("severity", "due"),
    [("error", "first"), ("warning", "second")],
    ids=["error due next", "warning due later"],
)
def test_a_condition_that_fails_to_evaluate_is_an_error_finding(
    tmp_path: Path, compliant_doc: dict[str, Any], severity: str, due: str
) -> None:
    # a rule that cannot be evaluated never silently passes, whatever its deadline or severity
    pack = make_pack(tmp_path / "p", "network.name < 3", severity=severity, due=due)
    report = pcn_rules.check(
        compliant_doc, pack=pack, as_of=AS_OF, allow_other_year=True
    )  # a string compared with 3
    finding = only(report, "TEST-RULE")
    assert finding.status == "error"
    assert "TEST-RULE" in finding.message
    assert "could not be evaluated" in finding.message
    assert "No matching overloads" in finding.message
    assert finding.blocking
    assert not report.compliant
    assert report.summary()["error"] == 1


def test_the_control_rule_is_met(tmp_path: Path, compliant_doc: dict[str, Any]) -> None:
    pack = make_pack(tmp_path / "p", "network.name == 'Stroud Cotswold PCN'")
    report = pcn_rules.check(compliant_doc, pack=pack, as_of=AS_OF, allow_other_year=True)
    assert only(report, "TEST-RULE").status == "met"
    assert report.compliant


def test_unmet_at_the_next_milestone_is_not_compliant(
    tmp_path: Path, compliant_doc: dict[str, Any]
) -> None:
    pack = make_pack(tmp_path / "p", UNMET, due="first")
    report = pcn_rules.check(compliant_doc, pack=pack, as_of=AS_OF, allow_other_year=True)
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
    report = pcn_rules.check(compliant_doc, pack=pack, as_of=AS_OF, allow_other_year=True)
    finding = only(report, "TEST-RULE")
    assert finding.status == "not_met"
    assert finding.timing == "upcoming"
    assert not finding.blocking
    assert finding.days_left == 123  # 1 May to 1 September
    assert report.compliant
    # ...until the first milestone has passed: then "second" is the next one
    later = pcn_rules.check(
        compliant_doc, pack=pack, as_of=dt.date(2019, 6, 2), allow_other_year=True
    )
    assert only(later, "TEST-RULE").blocking
    assert not later.compliant


def test_unmet_on_the_deadline_day_is_not_compliant(
    tmp_path: Path, compliant_doc: dict[str, Any]
) -> None:
    pack = make_pack(tmp_path / "p", UNMET, due="first")
    report = pcn_rules.check(
        compliant_doc, pack=pack, as_of=dt.date(2019, 6, 1), allow_other_year=True
    )
    finding = only(report, "TEST-RULE")
    assert (finding.days_left, finding.timing) == (0, "due_today")
    assert not report.compliant


@pytest.mark.parametrize("severity", ["warning", "info"])
@pytest.mark.parametrize("as_of", [AS_OF, dt.date(2019, 12, 1)], ids=["due next", "overdue"])
def test_warnings_and_info_never_make_it_non_compliant(
    tmp_path: Path, compliant_doc: dict[str, Any], severity: str, as_of: dt.date
) -> None:
    pack = make_pack(tmp_path / "p", UNMET, severity=severity, due="first")
    report = pcn_rules.check(compliant_doc, pack=pack, as_of=as_of, allow_other_year=True)
    finding = only(report, "TEST-RULE")
    assert finding.status == "not_met"
    assert not finding.blocking
    assert report.compliant


def test_a_false_when_in_a_custom_pack_is_not_applicable(
    tmp_path: Path, compliant_doc: dict[str, Any]
) -> None:
    pack = make_pack(tmp_path / "p", UNMET, when="submission.type == 'registration'")
    report = pcn_rules.check(compliant_doc, pack=pack, as_of=AS_OF, allow_other_year=True)
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
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.as_of = report.as_of  # type: ignore[misc]
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
    assert len(sizes) <= len(doc["practices"])
    doc["practices"] = doc["practices"][: len(sizes)]
    for practice, size in zip(doc["practices"], sizes, strict=True):
        practice["list_size"] = size
    doc["network"]["declared_list_size"] = sum(sizes)
    if "extended_hours" in doc:  # counted again at 1 April 2019, as extended hours need
        doc["extended_hours"]["population"] = sum(sizes)
    return doc


@pytest.mark.parametrize(
    ("sizes", "required"),
    [
        ([8400] * 5, 1260),  # 42,000 patients: 1,260 minutes exactly
        ([6246, 6247, 6247, 6247, 6247], 930),  # 31,234: 937.02 rounds to 930
        ([8031, 8031, 8031, 8031, 8032], 1200),  # 40,156 (the fixture): 1,204.68 rounds to 1,200
        ([50000], 1500),  # one practice of 50,000: 1,500 minutes exactly
    ],
    ids=["42000", "31234", "40156", "50000 in one practice"],
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
    assert "1,260 minutes required" in eha.message


def test_pop_min_waiver_is_carried_and_the_network_is_compliant(
    fixtures_dir: Path, pack_2019: RulePack
) -> None:
    report = pcn_rules.check(fixtures_dir / "rural-waiver.json", pack=pack_2019)
    pop = only(report, "POP-MIN")
    assert pop.status == "waived"
    assert pop.waiver is not None
    assert pop.waiver.approved_by.startswith("H. Sample")
    assert "low population density" in pop.waiver.reason
    assert "rural" in pop.waiver.reason
    assert pop.waiver.approved_on == "2019-05-29"
    assert pop.evidence["network.list_size"] == 17623  # a waived finding keeps its evidence
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


def test_fund_entitlements_carry_amounts(pack_2019: RulePack) -> None:
    fund = only(pcn_rules.check(load("base"), pack=pack_2019), "FUND-ENTITLEMENTS")
    assert fund.status == "met"
    assert fund.severity == "info"
    assert fund.evidence["derived.core_funding"] == pytest.approx(63000.0)  # £1.50 a patient
    assert fund.evidence["derived.clinical_director"] == pytest.approx(42000 * 0.5143)
    assert "£63,000.00" in fund.message


def test_collaboration_is_advisory_in_2019(pack_2019: RulePack) -> None:
    doc = load("base")
    doc["non_gp_providers"] = []
    report = pcn_rules.check(doc, pack=pack_2019)
    collab = only(report, "COLLAB-EXPECTED")
    assert (collab.status, collab.severity, collab.blocking) == ("not_met", "info", False)
    assert report.compliant


def test_load_fixture_gives_independent_copies(load_fixture: DocLoader) -> None:
    first = load_fixture("compliant.json")
    first["practices"].clear()
    assert load_fixture("compliant.json")["practices"]
