"""What the library returns can go where a commissioner system sends it: a process pool or a task
queue (pickle), a cache (deep copy), a database row (dataclasses.asdict, JSON and back), a log
line (a short repr); and `pcn_rules.audit` / `pcn_rules.import_ods` are library calls that
print nothing and raise the library's errors."""

from __future__ import annotations

import copy
import dataclasses
import json
import pickle
from pathlib import Path

import pytest

import pcn_rules
from pcn_rules import InputError, Report, UsageError, check, load_pack
from pcn_rules.report.model import Finding
from pcn_rules.vocab import FrozenDict

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = sorted((ROOT / "fixtures").glob("20*/*.json"))
ODS = ROOT / "fixtures" / "ods"
EPCN = [ODS / "epcn_2019-12_pcn_details_slice.csv", ODS / "epcn_2019-12_core_partners_slice.csv"]
SIZES = ODS / "qof_1819_practice_list_size_slice.csv"
PAYMENTS = ROOT / "fixtures" / "payments" / "nhs_payments_to_general_practice_2019-20_slice.csv"


#: every bundled fixture's report, as of its own date, without and with `explain`
REPORTS = [check(path, explain=explain) for path in FIXTURES for explain in (False, True)]


def test_every_bundled_fixture_is_round_tripped() -> None:
    assert len(FIXTURES) >= 17
    assert {r.contract_year for r in REPORTS} == {"2019/20", "2020/21"}


@pytest.mark.parametrize("report", REPORTS, ids=lambda r: f"{r.source}")
def test_a_report_survives_pickle_deepcopy_asdict_and_json(report: Report) -> None:
    again = pickle.loads(pickle.dumps(report))
    assert again == report
    assert again.to_json() == report.to_json()
    copied = copy.deepcopy(report)
    assert copied == report
    as_dict = dataclasses.asdict(report)
    assert as_dict["findings"][0]["rule_id"] == report.findings[0].rule_id
    json.dumps(as_dict, default=str)  # plain data all the way down
    back = Report.from_json(report.to_json())
    assert back == report
    assert back.to_json() == report.to_json()
    assert Report.from_dict(report.to_dict()) == report


def test_a_finding_stays_read_only_and_pickles_alone() -> None:
    report = check(ROOT / "fixtures" / "2019-20" / "rural-no-waiver.json")
    finding = next(f for f in report.findings if f.rule_id == "POP-MIN")
    assert pickle.loads(pickle.dumps(finding)) == finding
    assert isinstance(finding.evidence, FrozenDict)
    assert finding.evidence  # the list size it read
    with pytest.raises(TypeError):
        finding.evidence["network.list_size"] = 1  # type: ignore[index]
    with pytest.raises(TypeError):
        finding.source["document"] = "mine"  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        finding.status = "met"  # type: ignore[misc]
    # a copy taken from a deep copy is still read-only, and separate
    copied = copy.deepcopy(finding)
    assert copied == finding
    with pytest.raises(TypeError):
        copied.evidence.clear()
    assert Finding.from_dict(finding.to_dict()) == finding


def test_report_json_that_is_not_a_report_is_an_input_error() -> None:
    report = check(ROOT / "fixtures" / "2019-20" / "compliant.json")
    data = report.to_dict()
    del data["findings"][0]["rule_id"]  # type: ignore[misc]
    with pytest.raises(InputError, match="no key 'rule_id'"):
        Report.from_dict(data, "stored.json")
    with pytest.raises(InputError, match="not JSON"):
        Report.from_json("{", "stored.json")
    with pytest.raises(InputError, match="report_version"):
        Report.from_json('{"report_version": "1.0"}')
    with pytest.raises(InputError, match="several reports"):
        Report.from_json('{"report_version": "2.0", "reports": []}')


def test_reprs_are_one_short_line() -> None:
    pack = load_pack("2019/20")
    text = repr(pack)
    assert "\n" not in text
    assert len(text) < 200
    for part in ("2019/20", pack.release, f"{len(pack.rules)} rules"):
        assert part in text
    report = check(ROOT / "fixtures" / "2019-20" / "rural-no-waiver.json")
    text = repr(report)
    assert len(text) < 300
    assert "Western Dales" in text.title()
    assert "not_compliant" in text
    assert f"{len(report.findings)} findings" in text
    assert "1 blocking" in text
    finding = next(f for f in report.findings if f.rule_id == "POP-MIN")
    assert repr(finding) == "<Finding POP-MIN network U59980: not_met (error, blocking)>"


def test_audit_and_import_are_library_calls(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    imported = pcn_rules.import_ods(EPCN, SIZES, payments=PAYMENTS)
    assert len(imported.submissions) == 19
    assert "networks=19" in repr(imported)
    models = imported.models()
    assert sorted(models) == sorted(imported.submissions)
    audited = pcn_rules.audit(
        models.values(), as_of="2019-06-30", register=ODS / "epraccur_2019-11_slice.csv"
    )
    assert capsys.readouterr() == ("", "")  # nothing printed
    assert len(audited.reports) == 19
    assert len(repr(audited)) < 200
    assert "19 networks" in repr(audited)
    # an audit report goes through a process pool or a cache too
    assert pickle.loads(pickle.dumps(audited)) == audited
    assert copy.deepcopy(audited) == audited
    assert dataclasses.asdict(audited)["pack_id"] == "2019/20"
    with_payments = pcn_rules.audit(models.values(), as_of="2019-06-30", payments=PAYMENTS)
    assert pickle.loads(pickle.dumps(with_payments)) == with_payments
    # the library's errors, never a traceback of another kind
    with pytest.raises(InputError, match="file not found"):
        pcn_rules.import_ods(EPCN, tmp_path / "absent.csv")
    with pytest.raises(InputError, match=r"absent\.csv"):
        pcn_rules.import_ods(EPCN, SIZES, payments=tmp_path / "absent.csv")
    with pytest.raises(UsageError, match="as-of date"):
        pcn_rules.audit(models.values(), as_of=None)
    with pytest.raises(UsageError, match="YYYY-MM-DD"):
        pcn_rules.audit(models.values(), as_of="30/06/2019")
