"""SARIF 2.1.0 for code-scanning pipelines.

Rules become ``reportingDescriptor``s (with their remediation as help).  Findings not met, not
evidenced or that could not be evaluated become failing results located in the submission file;
waived ones too, with the waiver as a suppression and its justification; a requirement met late
is a passing result (level ``none``) that says so.
"""

from __future__ import annotations

import json
import os
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

from pcn_rules import __version__
from pcn_rules.render.safe import json_escaped
from pcn_rules.render.words import numbered_steps
from pcn_rules.report.model import Finding, Report

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _descriptor(finding: Finding) -> dict[str, Any]:
    steps = numbered_steps(finding.remediation)
    properties: dict[str, Any] = {
        "severity": finding.severity,
        "scope": finding.scope,
        "confidence": finding.source.get("confidence"),
        "source": finding.source.get("document"),
    }
    if finding.due is not None:
        properties["due"] = f"{finding.due.key} ({finding.due.date.isoformat()})"
    return {
        "id": finding.rule_id,
        "name": "".join(part.capitalize() for part in finding.rule_id.split("-")),
        "shortDescription": {"text": finding.title},
        "help": {"text": f"How to fix:\n{steps}"},
        "defaultConfiguration": {"level": _LEVEL[finding.severity]},
        "properties": properties,
    }


def _uri(source: str | None) -> str:
    if not source:
        return "submission.json"
    # the file name's own bytes (a name that is not UTF-8 keeps them, percent-encoded)
    return quote(os.fsencode(PurePath(source).as_posix()), safe="/:._-")


def _result(report: Report, finding: Finding, rule_index: int) -> dict[str, Any]:
    network = report.network_ods_code or report.network_name
    entity = finding.entity or network
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": (
            "none"
            if finding.status == "met_late"
            else "error"
            if finding.status == "error"
            else _LEVEL[finding.severity]
        ),
        "kind": "pass" if finding.status == "met_late" else "fail",
        "message": {"text": finding.message},
        "locations": [
            {
                "physicalLocation": {"artifactLocation": {"uri": _uri(report.source)}},
                "logicalLocations": [
                    {
                        "name": entity,
                        "fullyQualifiedName": f"{network}/{finding.scope}/{entity}",
                        "kind": "object",
                    }
                ],
            }
        ],
        "partialFingerprints": {"pcnRulesFinding/v1": finding.fingerprint},
        "properties": {
            "status": finding.status,
            "blocking": finding.blocking,
            "daysLeft": finding.days_left,
            "network": report.network_name,
        },
    }
    if finding.missing:
        result["properties"]["missing"] = list(finding.missing)
    if finding.days_late is not None:
        result["properties"]["daysLate"] = finding.days_late
        result["properties"]["evidenceDate"] = finding.evidence_date
    if finding.waiver is not None:
        w = finding.waiver
        expiry = f"; expires {w.expires_on}" if w.expires_on else ""
        result["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": (
                    f"{w.reason} (approved by {w.approved_by} on {w.approved_on}{expiry})"
                ),
                "properties": {"source": w.source},
            }
        ]
    return result


def render_sarif(reports: list[Report]) -> str:
    descriptors: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    for report in reports:
        for finding in report.findings:
            if finding.rule_id not in index:
                index[finding.rule_id] = len(descriptors)
                descriptors.append(_descriptor(finding))
    results = [
        _result(report, finding, index[finding.rule_id])
        for report in reports
        for finding in report.findings
        if finding.status in ("not_met", "not_evidenced", "error", "waived", "met_late")
    ]
    artifacts = sorted({_uri(r.source) for r in reports})
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "pcn-rules",
                        "version": __version__,
                        "informationUri": "https://www.england.nhs.uk/gp/investment/gp-contract/",
                        "rules": descriptors,
                    }
                },
                "artifacts": [{"location": {"uri": uri}} for uri in artifacts],
                "results": results,
                "properties": {
                    "packs": sorted({f"{r.pack_id} ({r.pack_release})" for r in reports}),
                    "asOf": sorted({r.as_of.isoformat() for r in reports}),
                },
            }
        ],
    }
    return json_escaped(json.dumps(log, indent=2, ensure_ascii=False)) + "\n"
