"""JSON text of check reports and audits, from their data (``to_dict()``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pcn_rules.render.safe import json_escaped
from pcn_rules.report.model import REPORT_VERSION

if TYPE_CHECKING:  # only for annotations
    from pcn_rules.audits import AuditReport
    from pcn_rules.report import Report
    from pcn_rules.report.baseline import BaselineDiff


def render_json(reports: Sequence[Report], baseline: BaselineDiff | None = None) -> str:
    """One report as a report object; several as ``{"report_version", "reports": [...]}``; the
    comparison with an earlier report (``baseline``), if any, at the top level."""
    payload: dict[str, Any]
    if len(reports) == 1:
        payload = dict(reports[0].to_dict())
    else:
        payload = {"report_version": REPORT_VERSION, "reports": [r.to_dict() for r in reports]}
    if baseline is not None:
        payload["baseline"] = baseline.to_dict()
    return _dumps(payload)


def render_audit_json(report: AuditReport, detail: str = "full") -> str:
    """The audit's JSON: every finding (``detail="full"``), or verdicts, counts, the action
    plan and the data gaps alone (``"summary"``)."""
    return _dumps(dict(report.to_dict(findings=detail != "summary")))


def _dumps(payload: dict[str, Any]) -> str:
    return json_escaped(json.dumps(payload, indent=2, ensure_ascii=False)) + "\n"
