"""Property-based tests: submissions generated from the submission format's own JSON Schema.

Invariants, for valid, slightly invalid and arbitrary inputs:
- nothing raises except the documented pcn-rules exceptions;
- every report validates against the published report schema;
- the same input gives a byte-identical JSON report.

Profiles: ``ci`` (the default, a few hundred examples) and ``long`` (10,000 examples per test)::

    HYPOTHESIS_PROFILE=long python -m pytest tests/test_properties.py -q -p no:cacheprovider
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import string
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pcn_rules
from pcn_rules.report import report_json_schema
from pcn_rules.submission.model import submission_json_schema
from pcn_rules.submission.read import parse_json_bytes, validate_submission

settings.register_profile(
    "ci", max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "long", max_examples=10_000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

SCHEMA = submission_json_schema(placeholders=False)  # placeholders are tested apart
REPORT_VALIDATOR = jsonschema.Draft202012Validator(report_json_schema())
PACKS = {"2019/20": pcn_rules.load_pack("2019/20"), "2020/21": pcn_rules.load_pack("2020/21")}


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if ref is None:
        return node
    name = ref.rsplit("/", 1)[-1]
    return _resolve(SCHEMA["$defs"][name])


_TEXT = st.text(alphabet=string.ascii_letters + string.digits + " -'&", min_size=1, max_size=30)


def from_schema(node: dict[str, Any], depth: int = 0) -> st.SearchStrategy[Any]:
    """A strategy for JSON values valid against one node of the submission schema.

    Covers the subset of JSON Schema the pydantic models produce: objects, arrays, anyOf,
    enums/consts, patterns, numeric bounds and dates.
    """
    node = _resolve(node)
    if "anyOf" in node:
        return st.one_of([from_schema(option, depth) for option in node["anyOf"]])
    if "const" in node:
        return st.just(node["const"])
    if "enum" in node:
        return st.sampled_from(node["enum"])
    kind = node.get("type")
    if kind == "null":
        return st.none()
    if kind == "boolean":
        return st.booleans()
    if kind == "integer":
        return st.integers(
            min_value=node.get("minimum", -1000), max_value=node.get("maximum", 200_000)
        )
    if kind == "number":
        low = node.get("minimum", node.get("exclusiveMinimum", -1000.0))
        high = node.get("maximum", 200_000.0)
        values = st.floats(min_value=low, max_value=high, allow_nan=False, allow_infinity=False)
        if "exclusiveMinimum" in node:
            values = values.filter(lambda v: v > node["exclusiveMinimum"])
        return values
    if kind == "string":
        if node.get("format") == "date":
            return st.dates(dt.date(2018, 1, 1), dt.date(2022, 12, 31)).map(dt.date.isoformat)
        if "pattern" in node:
            return st.from_regex(node["pattern"], fullmatch=True)
        return _TEXT
    if kind == "array":
        items = from_schema(node.get("items", {}), depth + 1)
        return st.lists(items, max_size=0 if depth > 3 else 6)
    if kind == "object":
        properties: dict[str, Any] = node.get("properties", {})
        required = set(node.get("required", []))
        fixed = {k: from_schema(v, depth + 1) for k, v in properties.items() if k in required}
        optional = {
            k: from_schema(v, depth + 1) for k, v in properties.items() if k not in required
        }
        return st.fixed_dictionaries(fixed, optional=optional)
    return st.none()


SUBMISSIONS = from_schema(SCHEMA)


def _check(doc: dict[str, Any], pack_id: str) -> pcn_rules.Report | None:
    """Check a document; a documented input error is acceptable, anything else fails the test."""
    try:
        return pcn_rules.check(doc, pack=PACKS[pack_id], as_of="2019-06-30", allow_other_year=True)
    except pcn_rules.InputError as exc:
        problems = exc.problems
    assert problems, "an InputError must say what is wrong"
    return None


@given(doc=SUBMISSIONS, pack_id=st.sampled_from(sorted(PACKS)))
def test_generated_submissions_give_valid_deterministic_reports(
    doc: dict[str, Any], pack_id: str
) -> None:
    report = _check(doc, pack_id)
    if report is None:
        # the schema cannot express every model constraint (unique schedule numbers); such
        # documents must still be refused with a documented error, which _check asserted
        return
    first = report.to_json()
    REPORT_VALIDATOR.validate(json.loads(first))
    again = pcn_rules.check(
        json.loads(json.dumps(doc)), pack=PACKS[pack_id], as_of="2019-06-30", allow_other_year=True
    )
    assert again.to_json() == first, "same input must give a byte-identical JSON report"
    assert all(f.status != "error" for f in report.findings), [
        (f.rule_id, f.message) for f in report.findings if f.status == "error"
    ]


@given(doc=SUBMISSIONS, pack_id=st.sampled_from(sorted(PACKS)))
def test_bundled_conditions_decide_as_each_condition_alone(
    doc: dict[str, Any], pack_id: str
) -> None:
    report = _check(doc, pack_id)
    if report is None:
        return
    alone = pcn_rules.check(
        doc, pack=PACKS[pack_id], as_of="2019-06-30", decide="one_by_one", allow_other_year=True
    )
    assert alone.to_json() == report.to_json()


_MUTATIONS = st.sampled_from(["drop-required", "unknown-field", "wrong-type", "bad-date"])


def _mutate(doc: dict[str, Any], how: str, key_index: int) -> dict[str, Any] | None:
    broken = json.loads(json.dumps(doc))
    if how == "drop-required":
        broken.pop(["format_version", "submission", "network", "practices"][key_index % 4])
    elif how == "unknown-field":
        broken["network"]["nickname"] = "x"
    elif how == "wrong-type":
        if not broken["practices"]:
            return None
        broken["practices"][0]["ods_code"] = 12345
    elif how == "bad-date":
        broken["submission"]["submitted_on"] = "31/05/2019"
    return broken


@given(doc=SUBMISSIONS, how=_MUTATIONS, key_index=st.integers(0, 3))
def test_slightly_invalid_submissions_are_refused_with_a_path(
    doc: dict[str, Any], how: str, key_index: int
) -> None:
    broken = _mutate(doc, how, key_index)
    if broken is None:
        return
    with pytest.raises(pcn_rules.InputError) as raised:
        pcn_rules.check(broken, pack=PACKS["2019/20"], as_of="2019-06-30")
    assert any(path for path, _ in raised.value.problems), raised.value.problems


@given(data=st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_arbitrary_bytes_never_crash(data: bytes) -> None:
    message = "fuzz.json"
    try:
        parsed = parse_json_bytes(data, "fuzz.json")
        validate_submission(parsed, "fuzz.json")
    except pcn_rules.InputError as exc:
        message = str(exc)
    assert message.startswith("fuzz.json"), "every input error names its source"


@given(
    doc=st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=10),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(st.text(max_size=8), children, max_size=4)
        ),
        max_leaves=20,
    )
)
def test_arbitrary_json_values_never_crash(doc: Any) -> None:
    with contextlib.suppress(pcn_rules.InputError):
        pcn_rules.check(doc, pack=PACKS["2019/20"], as_of="2019-06-30")


def _nesting_by_hand(text: str, limit: int) -> bool:
    """The nesting rule spelt out character by character (brackets in strings do not count)."""
    depth, in_string, escaped = 0, False, False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


@given(text=st.text(alphabet='[]{}"\\a,: \n', max_size=80), limit=st.integers(0, 6))
def test_the_nesting_limit_counts_brackets_outside_strings(text: str, limit: int) -> None:
    from pcn_rules.submission.jsontext import depth_exceeds

    assert depth_exceeds(text, limit) == _nesting_by_hand(text, limit)
