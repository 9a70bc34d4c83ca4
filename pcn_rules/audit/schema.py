"""JSON Schema of the audit report (``pcn-check audit --format json``)."""

from __future__ import annotations

from typing import Any

from pcn_rules.audit.model import AUDIT_VERSION
from pcn_rules.report.schema import report_json_schema


def audit_json_schema() -> dict[str, Any]:
    """JSON Schema (2020-12) of ``pcn-check audit --format json``."""
    finding_ref = {"$ref": "#/$defs/finding"}
    date = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
    report_defs = report_json_schema()["$defs"]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:pcn-rules:audit:{AUDIT_VERSION}",
        "title": "pcn-rules audit report",
        "type": "object",
        "additionalProperties": False,
        "required": [
            "audit_version",
            "as_of",
            "pack",
            "headline",
            "verdict",
            "register",
            "stats",
            "milestones",
            "actions",
            "gaps",
            "batch_findings",
            "networks",
            "unreadable",
        ],
        "properties": {
            "audit_version": {"const": AUDIT_VERSION},
            "as_of": date,
            "pack": {
                "type": "object",
                "required": ["id", "release"],
                "properties": {"id": {"type": "string"}, "release": {"type": "string"}},
            },
            "headline": {"type": "string"},
            "verdict": {"enum": ["compliant", "not_compliant"]},
            "register": {
                "oneOf": [
                    {"type": "null"},
                    {
                        "type": "object",
                        "required": ["source", "practices"],
                        "properties": {
                            "source": {"type": "string"},
                            "practices": {"type": "integer", "minimum": 0},
                        },
                    },
                ]
            },
            "stats": {
                "type": "object",
                "required": [
                    "networks",
                    "below_min_complete",
                    "above_typical_max_complete",
                    "below_min_with_gaps",
                    "above_typical_max_with_gaps",
                    "single_practice_networks",
                    "memberships_crossing_ccg",
                    "register_practices_in_no_network",
                    "list_sizes",
                    "by_rule",
                ],
            },
            "milestones": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": [
                        "key",
                        "date",
                        "title",
                        "days_left",
                        "networks_not_ready",
                        "actions",
                        "networks_not_evidenced",
                        "not_evidenced",
                    ],
                    "properties": {
                        "key": {"type": "string"},
                        "date": date,
                        "title": {"type": "string"},
                        "days_left": {"type": "integer"},
                        "networks_not_ready": {"type": "array", "items": {"type": "string"}},
                        "actions": {"type": "integer", "minimum": 0},
                        "networks_not_evidenced": {"type": "array", "items": {"type": "string"}},
                        "not_evidenced": {"type": "integer", "minimum": 0},
                    },
                },
            },
            "actions": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": [
                        "rule_id",
                        "title",
                        "severity",
                        "due",
                        "days_left",
                        "remediation",
                        "networks",
                        "findings",
                    ],
                    "properties": {
                        "rule_id": {"type": "string"},
                        "title": {"type": "string"},
                        "severity": {"enum": ["error", "warning", "info"]},
                        "due": {"type": ["object", "null"]},
                        "days_left": {"type": ["integer", "null"]},
                        "remediation": {"type": "array", "items": {"type": "string"}},
                        "networks": {"type": "array", "items": {"type": "string"}},
                        "findings": {"type": "integer", "minimum": 1},
                    },
                },
            },
            "gaps": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": [
                        "path",
                        "places",
                        "unit",
                        "sentence",
                        "note",
                        "rules",
                        "severity",
                        "due",
                        "days_left",
                        "networks",
                        "findings",
                    ],
                    "properties": {
                        "path": {"type": "string"},
                        "places": {"type": "integer", "minimum": 1},
                        "unit": {"type": "string"},
                        "sentence": {"type": "string"},
                        "note": {"type": ["string", "null"]},
                        "rules": {"type": "array", "items": {"type": "string"}},
                        "severity": {"enum": ["error", "warning", "info"]},
                        "due": {"type": ["object", "null"]},
                        "days_left": {"type": ["integer", "null"]},
                        "networks": {"type": "array", "items": {"type": "string"}},
                        "findings": {"type": "integer", "minimum": 1},
                    },
                },
            },
            "batch_findings": {"type": "array", "items": finding_ref},
            "networks": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["label", "source", "verdict", "summary", "findings"],
                    "properties": {
                        "label": {"type": "string"},
                        "source": {"type": ["string", "null"]},
                        "verdict": {"enum": ["compliant", "not_compliant"]},
                        "summary": {"type": "object"},
                        "findings": {"type": "array", "items": finding_ref},
                    },
                },
            },
            "unreadable": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["source", "problem"],
                    "properties": {"source": {"type": "string"}, "problem": {"type": "string"}},
                },
            },
        },
        "$defs": {"finding": report_defs["finding"]},
    }
