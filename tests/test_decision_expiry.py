"""Commissioner decisions past their last valid day no longer count.

A decision in a submission (an approval, agreement or waiver) carries ``expires_on``, its last
valid day.  As of a later date it is no longer in force: a requirement that relies on it is not
met, and the message says when it expired.  On its last day it still counts.  Every decision
field of the submission format is read by some rule, and every rule that reads one has a pack
example of it expired.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cli_runner import run
from pydantic import BaseModel

import pcn_rules
from pcn_rules.report import Finding, Report
from pcn_rules.submission.model import Submission
from pcn_rules.submission.network import Decision

ROOT = Path(__file__).resolve().parent.parent
Doc = dict[str, Any]


def _fixture(year: str) -> Doc:
    path = ROOT / "fixtures" / year / "compliant.json"
    doc: Doc = json.loads(path.read_text(encoding="utf-8"))
    return doc


def _decision(approved_on: str, expires_on: str) -> Doc:
    return {
        "approved_by": "NHS Example CCG",
        "approved_on": approved_on,
        "reason": "Agreed locally",
        "expires_on": expires_on,
    }


def _covered_practice(doc: Doc) -> None:
    doc["covered_practices"] = [
        {
            "ods_code": "L84100",
            "name": "Lone Surgery",
            "list_size": 3000,
            "local_agreement": _decision("2019-06-20", "2019-09-30"),
        }
    ]


def _over_50k(doc: Doc) -> None:
    doc["practices"][1]["list_size"] += 12000
    doc["network"]["declared_list_size"] += 12000
    doc["commissioner"]["over_50k_agreement"] = _decision("2019-05-24", "2019-09-30")


def _cross_ccg(doc: Doc) -> None:
    doc["practices"][1]["ccg"] = "12X"
    doc["commissioner"]["cross_boundary_agreements"] = [
        {"practice_ods_code": "L84007", **_decision("2019-05-20", "2019-09-30")}
    ]


def _nurse_lead(doc: Doc) -> None:
    doc["care_homes"][0]["clinical_lead_profession"] = "nurse"
    doc["care_homes"][0]["non_gp_lead_agreement"] = _decision("2020-10-05", "2020-11-19")


def _pharmacy_technicians(doc: Doc) -> None:
    technician = {
        "role": "pharmacy_technician",
        "wte": 1.0,
        "annual_cost": 30000.0,
        "claim": 30000.0,
        "additional_to_baseline": True,
    }
    doc["additional_roles"] += [technician, dict(technician)]
    doc["commissioner"] = {"pharmacy_technician_supply": _decision("2020-05-01", "2020-11-19")}


def _sub_contract(doc: Doc) -> None:
    doc["sub_contracts"][0]["approval"]["expires_on"] = "2020-11-19"


@dataclass(frozen=True)
class Case:
    """A decision a rule relies on, which expires on ``last_day``."""

    rule_id: str
    year: str
    edit: Callable[[Doc], None]
    last_day: str
    entity: str | None = None
    #: the lowest severity that blocks the verdict (the rule's own)
    fail_on: typing.Literal["error", "warning"] = "error"

    @property
    def day_after(self) -> str:
        return (dt.date.fromisoformat(self.last_day) + dt.timedelta(days=1)).isoformat()

    def doc(self) -> Doc:
        doc = copy.deepcopy(_fixture(self.year))
        self.edit(doc)
        return doc


CASES = [
    Case("COV-NON-PARTICIPANT", "2019-20", _covered_practice, "2019-09-30", "L84100"),
    Case("POP-TYPICAL-MAX", "2019-20", _over_50k, "2019-09-30", fail_on="warning"),
    Case("GEO-CROSS-CCG", "2019-20", _cross_ccg, "2019-09-30", "L84007", fail_on="warning"),
    Case("CH-ALIGNED", "2020-21", _nurse_lead, "2020-11-19", "1-100000001"),
    Case("ARRS-2020-SUM", "2020-21", _pharmacy_technicians, "2020-11-19"),
    Case("SUB-CONTRACT", "2020-21", _sub_contract, "2020-11-19"),
]
HUMAN = {"2019-09-30": "30 September 2019", "2020-11-19": "19 November 2020"}


def only(report: Report, rule_id: str, entity: str | None) -> Finding:
    found = [
        f
        for f in report.findings
        if f.rule_id == rule_id and (entity is None or f.entity == entity)
    ]
    assert len(found) == 1, [f.entity for f in found]
    return found[0]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.rule_id)
def test_a_decision_counts_on_its_last_valid_day(case: Case) -> None:
    report = pcn_rules.check(case.doc(), as_of=case.last_day, fail_on=case.fail_on)
    finding = only(report, case.rule_id, case.entity)
    assert finding.status in ("met", "met_late"), finding.message
    assert report.compliant


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.rule_id)
def test_a_decision_past_its_last_valid_day_no_longer_counts(case: Case) -> None:
    report = pcn_rules.check(case.doc(), as_of=case.day_after, fail_on=case.fail_on)
    finding = only(report, case.rule_id, case.entity)
    assert finding.status == "not_met"
    assert finding.blocking
    assert f"expired on {HUMAN[case.last_day]}" in finding.message
    assert not report.compliant


def test_the_command_line_fails_a_network_whose_local_agreement_has_expired(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "covered.json"
    path.write_text(json.dumps(CASES[0].doc()), encoding="utf-8")

    code, out, _ = run([path, "--as-of", "2019-09-30", "--format", "json"], capsys)
    assert code == 0
    code, out, _ = run([path, "--as-of", "2019-10-01", "--format", "json"], capsys)
    assert code == 1
    (finding,) = [f for f in json.loads(out)["findings"] if f["rule_id"] == "COV-NON-PARTICIPANT"]
    assert finding["status"] == "not_met"
    assert finding["message"] == (
        "The local agreement for L84100, approved by NHS Example CCG, expired on "
        "30 September 2019; its patients are no longer covered under it."
    )


def test_a_cross_boundary_agreement_renewed_in_time_still_counts() -> None:
    doc = CASES[2].doc()
    agreements = doc["commissioner"]["cross_boundary_agreements"]
    agreements.append({"practice_ods_code": "L84007", **_decision("2019-09-20", "2020-03-31")})
    finding = only(pcn_rules.check(doc, as_of="2019-10-01"), "GEO-CROSS-CCG", "L84007")
    assert finding.status == "met_late"  # judged on the agreement in force, approved 20 September
    assert finding.evidence_date == "2019-09-20"


def test_a_membership_change_needs_an_approval_in_force_on_the_day_it_takes_effect() -> None:
    doc = _fixture("2019-20")
    change = {
        "practice_ods_code": "L84039",
        "kind": "leaving",
        "notified_on": "2019-08-15",
        "effective_on": "2019-10-01",
        "approval": _decision("2019-09-02", "2019-09-30"),
    }
    doc["membership_changes"] = [change]
    finding = only(pcn_rules.check(doc, as_of="2019-12-31"), "MEMB-CHANGE", None)
    assert finding.status == "not_met"
    assert "expires on 30 September 2019, before the change takes effect on 1 October 2019" in (
        finding.message
    )
    # an approval of one change need not stay in force after the change has taken effect
    change["approval"]["expires_on"] = "2019-10-01"
    finding = only(pcn_rules.check(doc, as_of="2019-12-31"), "MEMB-CHANGE", None)
    assert finding.status == "met"


# ------------------------------------------------------------------------------------------------
# Every decision of the submission format is covered
# ------------------------------------------------------------------------------------------------


def _decision_fields(model: type[BaseModel], prefix: str = "") -> Iterator[str]:
    """The JSON path (``[]`` for the items of a list) of every Decision in the format."""
    for name, field in model.model_fields.items():
        path = f"{prefix}{name}"
        annotation: Any = field.annotation
        # Decision | None, list[Decision] | None, list[Model] | None ...
        for arg in typing.get_args(annotation) or (annotation,):
            inner, item = arg, ""
            if typing.get_origin(arg) is list:
                (inner,) = typing.get_args(arg)
                item = "[]"
            if isinstance(inner, type) and issubclass(inner, Decision):
                yield path + item
            elif isinstance(inner, type) and issubclass(inner, BaseModel):
                yield from _decision_fields(inner, f"{path}{item}.")


DECISION_FIELDS = sorted(_decision_fields(Submission))


def test_the_decision_fields_are_found() -> None:
    # a new decision field is found here, and then needs a rule that honours its expiry
    found = set(_decision_fields(Submission))
    assert found == {
        "commissioner.cross_boundary_agreements[]",
        "commissioner.over_50k_agreement",
        "commissioner.pharmacy_technician_supply",
        "commissioner.population_waiver",
        "covered_practices[].local_agreement",
        "care_homes[].non_gp_lead_agreement",
        "membership_changes[].approval",
        "sub_contracts[].approval",
    }


def _reads_decision(reads: tuple[str, ...], field: str) -> bool:
    bare = field.replace("[]", "")
    return any(read.replace("[]", "") == bare or read.startswith(field + ".") for read in reads)


def _holds_expiry(value: Any) -> bool:
    """Whether an example's changes give some decision an expiry date."""
    if isinstance(value, dict):
        return any(
            key == "expires_on" or key.endswith(".expires_on") or _holds_expiry(item)
            for key, item in value.items()
        )
    if isinstance(value, list):
        return any(_holds_expiry(item) for item in value)
    return False


def test_every_rule_reading_a_decision_has_an_example_of_it_expired() -> None:
    readers: dict[str, list[str]] = {field: [] for field in DECISION_FIELDS}
    lacking: list[str] = []
    for pack_id in pcn_rules.available_packs():
        pack = pcn_rules.load_pack(pack_id)
        for rule in pack.rules:
            fields = [f for f in DECISION_FIELDS if _reads_decision(rule.reads, f)]
            for field in fields:
                readers[field].append(f"{pack.id} {rule.id}")
            expired = [
                e for e in rule.examples if e.expect == "not_met" and _holds_expiry(dict(e.set))
            ]
            if fields and not expired:
                lacking.append(f"{pack.id} {rule.id}")
    assert not [field for field, rules in readers.items() if not rules], readers
    assert lacking == []
