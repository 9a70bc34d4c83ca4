"""Comparing a run with an earlier JSON report: which unmet findings are new, resolved, unchanged.

Findings are matched by fingerprint (contract year, network, rule ID, scope and entity), so a
reworded message or a new pack release does not make an old finding look new.  The earlier
report is read within :data:`~pcn_rules.ingest.files.BASELINE_LIMIT` and every field used is
checked for its type: a report that is not pcn-check's is an input error naming the JSON path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pcn_rules.errors import InputError
from pcn_rules.ingest.files import BASELINE_LIMIT, FileRefused, read_limited
from pcn_rules.report.model import Report
from pcn_rules.report.shapes import BaselineItemJSON, BaselineJSON
from pcn_rules.submission.jsontext import loads_json
from pcn_rules.vocab import UNSETTLED

FAILING = UNSETTLED


def _error(source: str, problems: Sequence[tuple[str, str]]) -> InputError:
    """An input error naming this kind of file."""
    return InputError(source, problems, kind="baseline report")


@dataclass(frozen=True, slots=True)
class BaselineItem:
    fingerprint: str
    network: str
    rule_id: str
    entity: str | None
    message: str

    def to_dict(self) -> BaselineItemJSON:
        return {
            "fingerprint": self.fingerprint,
            "network": self.network,
            "rule_id": self.rule_id,
            "entity": self.entity,
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class BaselineDiff:
    file: str
    new: tuple[BaselineItem, ...]
    resolved: tuple[BaselineItem, ...]
    unchanged: tuple[BaselineItem, ...]

    def to_dict(self) -> BaselineJSON:
        return {
            "file": self.file,
            "new": [i.to_dict() for i in self.new],
            "resolved": [i.to_dict() for i in self.resolved],
            "unchanged": [i.to_dict() for i in self.unchanged],
        }


class _Malformed(Exception):
    """(JSON path, what is wrong) in an earlier report."""


_KINDS = {dict: "an object", list: "a list", str: "a string", bool: "true or false"}


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return _KINDS.get(type(value), "a number" if isinstance(value, int | float) else "a value")


def _field(record: Mapping[str, Any], name: str, where: str, want: type, null: bool = False) -> Any:
    value = record.get(name)
    if (value is None and null) or type(value) is want:
        return value
    expected = _kind(want()) + (" or null" if null else "")
    got = "nothing" if name not in record else _kind(value)
    raise _Malformed(f"{where}.{name}" if where else name, f"expected {expected}, got {got}")


def _from_report_dict(report: Any, where: str = "") -> dict[str, BaselineItem]:
    if not isinstance(report, dict):
        raise _Malformed(where, f"expected a report (an object), got {_kind(report)}")
    network = _field(report, "network", where, dict)
    here = f"{where}.network" if where else "network"
    name = _field(network, "ods_code", here, str, null=True) or _field(network, "name", here, str)
    items: dict[str, BaselineItem] = {}
    for i, finding in enumerate(_field(report, "findings", where, list)):
        at = f"{where}.findings[{i}]" if where else f"findings[{i}]"
        if not isinstance(finding, dict):
            raise _Malformed(at, f"expected a finding (an object), got {_kind(finding)}")
        if _field(finding, "status", at, str) in FAILING:
            fingerprint = _field(finding, "fingerprint", at, str)
            items[fingerprint] = BaselineItem(
                fingerprint,
                name,
                _field(finding, "rule_id", at, str),
                _field(finding, "entity", at, str, null=True),
                _field(finding, "message", at, str),
            )
    return items


def load_baseline(path: str | Path) -> dict[str, BaselineItem]:
    """The failing findings of an earlier JSON report (single or multi-report form)."""
    source = str(path)
    try:
        text = read_limited(path, BASELINE_LIMIT).decode("utf-8")
        data = loads_json(text, source)
    except FileRefused as exc:
        raise _error(
            source, [("", "baseline file not found" if exc.missing else str(exc))]
        ) from None
    except RecursionError:
        raise _error(source, [("", "JSON nests too deeply; not a pcn-check report")]) from None
    except InputError as exc:  # NaN, Infinity, a number too long (a ValueError too: first)
        raise _error(source, exc.problems) from None
    except ValueError as exc:
        raise _error(source, [("", f"not a JSON report written by pcn-check ({exc})")]) from None
    reports = data.get("reports") if isinstance(data, dict) else None
    if reports is None and isinstance(data, dict) and "findings" in data:
        reports = [data]
        single = True
    else:
        single = False
    if not isinstance(reports, list):
        raise _error(source, [("", "not a JSON report written by `pcn-check --format json`")])
    items: dict[str, BaselineItem] = {}
    try:
        for i, report in enumerate(reports):
            items.update(_from_report_dict(report, "" if single else f"reports[{i}]"))
    except _Malformed as exc:
        where, problem = exc.args
        raise _error(
            source, [(where, f"{problem} (not a pcn-check JSON report of version 1.1 or later)")]
        ) from None
    return items


def compare(reports: list[Report], baseline: dict[str, BaselineItem], file: str) -> BaselineDiff:
    current: dict[str, BaselineItem] = {}
    for report in reports:
        current.update(_from_report_dict(report.to_dict()))
    return BaselineDiff(
        file=file,
        new=tuple(current[k] for k in sorted(current.keys() - baseline.keys())),
        resolved=tuple(baseline[k] for k in sorted(baseline.keys() - current.keys())),
        unchanged=tuple(current[k] for k in sorted(current.keys() & baseline.keys())),
    )
