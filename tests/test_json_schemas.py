"""The published JSON Schemas of the report and of the audit, generated from their shapes, are
not vacuous: they accept every real report and audit, and reject what the JSON never is."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any, get_args

import jsonschema
import pytest

import pcn_rules
from pcn_rules.audits import audit, audit_json_schema
from pcn_rules.audits.shapes import AUDIT_VERSION
from pcn_rules.report import report_json_schema
from pcn_rules.report.baseline import BaselineItem, compare
from pcn_rules.report.model import REPORT_VERSION, reports_to_json
from pcn_rules.report.shapes import FINGERPRINT_PATTERN, SummaryJSON
from pcn_rules.vocab import (
    CONFIDENCES,
    ISO_DATE_PATTERN,
    RULE_ID_PATTERN,
    SEVERITIES,
    STATUSES,
    TIMINGS,
    Status,
)

ROOT = Path(__file__).resolve().parent.parent
YEARS = {"2019-20": "2019/20", "2020-21": "2020/21"}
FIXTURES = sorted(
    (directory, path.name)
    for directory in YEARS
    for path in (ROOT / "fixtures" / directory).glob("*.json")
)


@cache
def _report_validator() -> jsonschema.Draft202012Validator:
    schema = report_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@cache
def _audit_validator() -> jsonschema.Draft202012Validator:
    schema = audit_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@cache
def _pack(year: str) -> pcn_rules.RulePack:
    return pcn_rules.load_pack(YEARS[year])


@cache
def _report(directory: str, name: str, explain: bool = False) -> pcn_rules.Report:
    path = ROOT / "fixtures" / directory / name
    return pcn_rules.check(path, pack=_pack(directory), explain=explain)


def _report_json(directory: str = "2019-20", name: str = "rural-no-waiver.json") -> Any:
    """A real report through its JSON text (a fresh copy to spoil)."""
    return json.loads(_report(directory, name).to_json())


@cache
def _audit_text(register: bool) -> str:
    result = audit(
        [ROOT / "fixtures" / "2019-20"],
        as_of="2019-06-30",
        register=ROOT / "fixtures" / "ods" / "epraccur_2019-11_slice.csv" if register else None,
    )
    return json.dumps(result.to_dict())


def _audit_json(register: bool = True) -> Any:
    return json.loads(_audit_text(register))


# --------------------------------------------------------------------------------------------
# every real report and audit is valid
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("directory", "name"), FIXTURES)
@pytest.mark.parametrize("explain", [False, True])
def test_the_report_of_every_fixture_is_valid(directory: str, name: str, explain: bool) -> None:
    report = json.loads(_report(directory, name, explain).to_json())
    _report_validator().validate(report)
    assert any("explain" in finding for finding in report["findings"]) is explain


@pytest.mark.parametrize("directory", sorted(YEARS))
def test_several_reports_with_a_baseline_are_valid(directory: str) -> None:
    reports = [_report(directory, name) for d, name in FIXTURES if d == directory]
    failing = [report for report in reports if not report.compliant]
    # as if an earlier report had the unmet findings of the first network failing, and one more
    earlier = {item.fingerprint: item for item in compare(failing[:1], {}, "earlier.json").new}
    gone = BaselineItem("0123456789abcdef0123", "U00000", "POP-MIN", None, "since resolved")
    earlier[gone.fingerprint] = gone
    diff = compare(reports, earlier, "earlier.json")
    payload = json.loads(reports_to_json(reports, baseline=diff.to_dict()))
    assert len(payload["reports"]) == len(reports) > 1
    assert payload["baseline"]["unchanged"]
    assert payload["baseline"]["resolved"]
    _report_validator().validate(payload)
    one = json.loads(reports_to_json(reports[:1], baseline=diff.to_dict()))
    _report_validator().validate(one)


@pytest.mark.parametrize("register", [False, True])
def test_audits_are_valid(register: bool) -> None:
    data = _audit_json(register)
    assert (data["register"] is not None) is register
    assert data["actions"]
    assert data["milestones"]
    assert data["networks"]
    _audit_validator().validate(data)


def test_an_audit_with_unreadable_submissions_and_data_gaps_is_valid(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    document = json.loads((ROOT / "fixtures" / "2019-20" / "compliant.json").read_text("utf-8"))
    for practice in document["practices"]:
        practice.pop("contract_type", None)
    (tmp_path / "gaps.json").write_text(json.dumps(document), encoding="utf-8")
    data = json.loads(json.dumps(audit([tmp_path], as_of="2019-06-30").to_dict()))
    assert data["unreadable"]
    assert data["gaps"]
    _audit_validator().validate(data)


# --------------------------------------------------------------------------------------------
# what the JSON never is, the schemas reject
# --------------------------------------------------------------------------------------------


def _invalid(validator: jsonschema.Draft202012Validator, document: Any) -> bool:
    return not validator.is_valid(document)


def test_the_report_schema_rejects_an_unknown_status() -> None:
    report = _report_json()
    report["findings"][0]["status"] = "fine"
    assert _invalid(_report_validator(), report)
    several = {"report_version": REPORT_VERSION, "reports": [_report_json(), report]}
    assert _invalid(_report_validator(), several)


@pytest.mark.parametrize(
    "key",
    [
        "report_version",
        "tool",
        "pack",
        "as_of",
        "network",
        "source",
        "verdict",
        "horizon",
        "summary",
        "milestones",
        "findings",
    ],
)
def test_the_report_schema_rejects_a_report_missing_a_required_key(key: str) -> None:
    report = _report_json()
    del report[key]
    assert _invalid(_report_validator(), report)


@pytest.mark.parametrize("key", ["status", "rule_id", "waiver", "fingerprint", "days_late"])
def test_the_report_schema_rejects_a_finding_missing_a_required_key(key: str) -> None:
    report = _report_json()
    del report["findings"][0][key]
    assert _invalid(_report_validator(), report)


@pytest.mark.parametrize(
    ("where", "closed"),
    [
        ((), True),
        (("findings", 0), True),
        (("findings", 0, "due"), True),
        (("findings", 0, "source"), True),
        (("summary",), True),
        (("milestones", 0), True),
        (("horizon",), True),
        # open, as they have been since report 1.0
        (("tool",), False),
        (("pack",), False),
        (("network",), False),
    ],
)
def test_the_report_schema_rejects_unknown_keys_where_it_is_closed(
    where: tuple[str | int, ...], closed: bool
) -> None:
    report = _report_json()
    node = report
    for step in where:
        node = node[step]
    assert isinstance(node, dict), where
    node["surprise"] = 1
    assert _invalid(_report_validator(), report) is closed


def test_the_report_schema_rejects_wrong_values() -> None:
    spoilers = [
        ("severity", "fatal"),
        ("timing", "soon"),
        ("rule_id", "pop-min"),
        ("fingerprint", "not-hex"),
        ("evidence_date", "28/06/2019"),
        ("days_late", 0),
        ("blocking", "yes"),
    ]
    for key, value in spoilers:
        report = _report_json()
        report["findings"][0][key] = value
        assert _invalid(_report_validator(), report), key
    report = _report_json()
    report["findings"][0]["source"]["confidence"] = "maybe"
    assert _invalid(_report_validator(), report)
    report = _report_json()
    report["report_version"] = "1.1"
    assert _invalid(_report_validator(), report)
    report = _report_json()
    report["summary"]["met"] = -1
    assert _invalid(_report_validator(), report)


def test_the_report_schema_rejects_a_mix_of_the_two_forms() -> None:
    report = _report_json()
    report["reports"] = [_report_json()]
    assert _invalid(_report_validator(), report)
    assert _invalid(_report_validator(), {"report_version": REPORT_VERSION})


def test_the_audit_schema_rejects_a_milestone_without_networks_not_ready() -> None:
    data = _audit_json()
    del data["milestones"][0]["networks_not_ready"]
    assert _invalid(_audit_validator(), data)


def test_the_audit_schema_rejects_bad_findings_and_unknown_keys() -> None:
    data = _audit_json()
    data["networks"][0]["findings"][0]["status"] = "fine"
    assert _invalid(_audit_validator(), data)
    data = _audit_json()
    data["batch_findings"][0]["surprise"] = 1
    assert _invalid(_audit_validator(), data)
    for where in ("milestones", "actions", "gaps", "networks"):
        data = _audit_json()
        if data[where]:
            data[where][0]["surprise"] = 1
            assert _invalid(_audit_validator(), data), where
    data = _audit_json()
    data["surprise"] = 1
    assert _invalid(_audit_validator(), data)
    data = _audit_json()
    del data["stats"]["by_rule"]
    assert _invalid(_audit_validator(), data)
    data = _audit_json()
    data["audit_version"] = "1.0"
    assert _invalid(_audit_validator(), data)


# --------------------------------------------------------------------------------------------
# the schemas say what the shared vocabulary says
# --------------------------------------------------------------------------------------------


def test_the_schemas_take_their_words_from_the_vocabulary() -> None:
    report = report_json_schema()
    defs = report["$defs"]
    assert list(defs) == ["report", "finding", "baseline", "baseline_item"]
    assert report["$id"] == f"urn:pcn-rules:report:{REPORT_VERSION}"
    finding = defs["finding"]["properties"]
    assert finding["status"]["enum"] == list(STATUSES)
    assert finding["severity"]["enum"] == list(SEVERITIES)
    assert finding["timing"]["enum"] == list(TIMINGS)
    assert finding["source"]["properties"]["confidence"]["enum"] == list(CONFIDENCES)
    assert finding["rule_id"]["pattern"] == RULE_ID_PATTERN
    assert finding["fingerprint"]["pattern"] == FINGERPRINT_PATTERN
    assert defs["report"]["properties"]["as_of"]["pattern"] == ISO_DATE_PATTERN
    assert defs["report"]["properties"]["report_version"]["const"] == REPORT_VERSION
    summary = defs["report"]["properties"]["summary"]
    assert summary["required"] == [*STATUSES, "total", "blocking"]
    assert list(SummaryJSON.__annotations__) == [*get_args(Status), "total", "blocking"]

    audited = audit_json_schema()
    assert audited["$id"] == f"urn:pcn-rules:audit:{AUDIT_VERSION}"
    assert audited["properties"]["audit_version"]["const"] == AUDIT_VERSION
    assert audited["$defs"] == {"finding": defs["finding"]}


def test_the_schemas_keep_nothing_of_their_making() -> None:
    """No pydantic titles or docstrings, and every reference resolves."""
    for schema in (report_json_schema(), audit_json_schema()):
        text = json.dumps(schema)
        assert text.count('"title": "') == 1, "only the schema's own title"
        assert '"description"' not in text
        assert set(re.findall(r'"\$ref": "#/\$defs/(\w+)"', text)) == set(schema["$defs"])
