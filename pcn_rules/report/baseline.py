"""Comparing a run with an earlier JSON report: which unmet findings are new, resolved, unchanged.

Findings are matched by fingerprint (contract year, network, rule ID, scope and entity), so a
reworded message or a new pack release does not make an old finding look new.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pcn_rules.errors import InputError
from pcn_rules.report.model import Report
from pcn_rules.report.shapes import BaselineItemJSON, BaselineJSON
from pcn_rules.submission.read import loads_json
from pcn_rules.vocab import UNSETTLED

FAILING = UNSETTLED


def _error(source: str, problems: list[tuple[str, str]]) -> InputError:
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


def _from_report_dict(report: Mapping[str, Any]) -> dict[str, BaselineItem]:
    network = report["network"]
    name = str(network.get("ods_code") or network["name"])
    items: dict[str, BaselineItem] = {}
    for finding in report["findings"]:
        if finding["status"] in FAILING:
            items[finding["fingerprint"]] = BaselineItem(
                finding["fingerprint"],
                name,
                finding["rule_id"],
                finding["entity"],
                finding["message"],
            )
    return items


def load_baseline(path: str | Path) -> dict[str, BaselineItem]:
    """The failing findings of an earlier JSON report (single or multi-report form)."""
    source = str(path)
    try:
        data = loads_json(Path(path).read_text(encoding="utf-8"), source)
    except FileNotFoundError:
        raise _error(source, [("", "baseline file not found")]) from None
    except RecursionError:
        raise _error(source, [("", "JSON nests too deeply; not a pcn-check report")]) from None
    except (OSError, ValueError) as exc:
        raise _error(source, [("", f"not a JSON report written by pcn-check ({exc})")]) from None
    reports = data.get("reports") if isinstance(data, dict) else None
    if reports is None and isinstance(data, dict) and "findings" in data:
        reports = [data]
    if not isinstance(reports, list):
        raise _error(source, [("", "not a JSON report written by `pcn-check --format json`")])
    items: dict[str, BaselineItem] = {}
    try:
        for report in reports:
            items.update(_from_report_dict(report))
    except (KeyError, TypeError) as exc:
        raise _error(
            source, [("", f"not a pcn-check JSON report of version 1.1 or later (no {exc})")]
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
