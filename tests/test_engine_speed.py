"""The machinery that makes checks and audits faster changes no output: the indented JSON writer
is ``json.dumps(indent=2)`` character for character, and the reports it writes are those of the
reference way of deciding conditions (one by one)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pcn_rules
from pcn_rules.audits import audit
from pcn_rules.ingest.ods import import_ods
from pcn_rules.render.json import indented_json, render_audit_json, render_json
from pcn_rules.vocab import FrozenDict

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = sorted((ROOT / "fixtures").glob("20*/*.json"))
ODS = ROOT / "fixtures" / "ods"

_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
)
_KEYS = st.text(max_size=8) | st.integers(-5, 5) | st.booleans() | st.none() | st.floats(-2, 2)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(inner, max_size=3).map(tuple)
        | st.dictionaries(_KEYS, inner, max_size=4)
        | st.dictionaries(st.text(max_size=6), inner, max_size=3).map(FrozenDict)
    ),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(_VALUES)
def test_the_indented_json_writer_is_json_dumps(value: Any) -> None:
    assert indented_json(value) == json.dumps(value, indent=2, ensure_ascii=False)


@pytest.mark.parametrize(
    "value",
    [{"a": {1, 2}}, [object()], {(1, 2): "key"}],
    ids=["a set", "an object", "a tuple key"],
)
def test_a_value_json_cannot_hold_fails_as_json_dumps_fails(value: Any) -> None:
    with pytest.raises(TypeError) as expected:
        json.dumps(value, indent=2, ensure_ascii=False)
    with pytest.raises(TypeError) as got:
        indented_json(value)
    assert str(got.value) == str(expected.value)


@pytest.mark.parametrize("path", FIXTURES, ids=[f"{p.parent.name}/{p.name}" for p in FIXTURES])
def test_every_fixture_report_is_written_as_json_dumps_writes_it(path: Path) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    try:
        report = pcn_rules.check(doc, as_of=dt.date(2019, 6, 30) if "2019" in str(path) else None)
    except pcn_rules.PcnRulesError:
        pytest.skip("not a submission the library checks on its own")
    text = render_json([report])
    assert text == _standard(report.to_dict())
    reference = pcn_rules.check(doc, as_of=report.as_of, decide="one_by_one")
    assert text == render_json([reference])


def test_an_audit_is_written_as_json_dumps_writes_it() -> None:
    imported = import_ods(
        [ODS / "epcn_2019-12_pcn_details_slice.csv", ODS / "epcn_2019-12_core_partners_slice.csv"],
        ODS / "qof_1819_practice_list_size_slice.csv",
    )
    report = audit(
        list(imported.submissions.values()),
        as_of=dt.date(2019, 6, 30),
        register=ODS / "epraccur_2019-11_slice.csv",
    )
    assert render_audit_json(report) == _standard(dict(report.to_dict()))


def _standard(payload: Any) -> str:
    from pcn_rules.render.safe import json_escaped

    return json_escaped(json.dumps(payload, indent=2, ensure_ascii=False)) + "\n"


def test_an_audit_leaves_the_cycle_collector_as_it_found_it() -> None:
    import gc

    docs = [json.loads((ROOT / "fixtures" / "2019-20" / "compliant.json").read_text("utf-8"))]
    assert gc.isenabled()
    report = audit(docs, as_of=dt.date(2019, 6, 30))
    render_audit_json(report)
    assert gc.isenabled()
    with pytest.raises(pcn_rules.UsageError):
        audit(docs, as_of=None)
    assert gc.isenabled()
    gc.disable()
    try:
        audit(docs, as_of=dt.date(2019, 6, 30))
        assert not gc.isenabled()  # the caller's choice stands
    finally:
        gc.enable()


def test_findings_made_the_quick_way_are_those_the_dataclass_makes() -> None:
    import dataclasses
    import pickle

    from pcn_rules.report.model import Finding, finding_of

    doc = json.loads((ROOT / "fixtures" / "2019-20" / "compliant.json").read_text("utf-8"))
    report = pcn_rules.check(doc, as_of=dt.date(2019, 6, 30), explain=True)
    for found in report.findings:
        values = [getattr(found, field.name) for field in dataclasses.fields(Finding)]
        made = Finding(*values)
        assert found == made == finding_of(*values)
        assert repr(found) == repr(made)
        assert pickle.loads(pickle.dumps(found)) == made
        with pytest.raises(dataclasses.FrozenInstanceError):
            found.status = "met"  # type: ignore[misc]
    with pytest.raises(TypeError):
        finding_of("too", "few")
