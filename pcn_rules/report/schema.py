"""JSON Schema (2020-12) of the JSON report: one report, or several with their version."""

from __future__ import annotations

from typing import Any

from pcn_rules.vocab import RULE_ID_PATTERN, STATUSES, TIMINGS

#: The version of the JSON report (``report_version``) this schema describes.
REPORT_VERSION = "2.0"


_DATE = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
_DUE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["milestone", "date", "title"],
    "properties": {"milestone": {"type": "string"}, "date": _DATE, "title": {"type": "string"}},
}


def report_json_schema() -> dict[str, Any]:
    """JSON Schema (2020-12) of the JSON report, single and multi-report forms."""
    finding = {
        "type": "object",
        "additionalProperties": False,
        "required": [
            "rule_id",
            "title",
            "status",
            "severity",
            "scope",
            "entity",
            "entity_name",
            "message",
            "evidence",
            "remediation",
            "due",
            "days_left",
            "timing",
            "blocking",
            "source",
            "waiver",
            "fingerprint",
            "missing",
            "evidence_date",
            "days_late",
        ],
        "properties": {
            "rule_id": {"type": "string", "pattern": RULE_ID_PATTERN},
            "title": {"type": "string"},
            "status": {"enum": list(STATUSES)},
            "severity": {"enum": ["error", "warning", "info"]},
            "scope": {"type": "string"},
            "entity": {"type": ["string", "null"]},
            "entity_name": {"type": ["string", "null"]},
            "message": {"type": "string"},
            "evidence": {"type": "object"},
            "remediation": {"type": "array", "items": {"type": "string"}},
            "due": {"oneOf": [_DUE, {"type": "null"}]},
            "days_left": {"type": ["integer", "null"]},
            "timing": {"enum": list(TIMINGS)},
            "blocking": {"type": "boolean"},
            "source": {
                "type": "object",
                "required": ["document", "confidence"],
                "properties": {
                    "document": {"type": "string"},
                    "confidence": {"enum": ["OFF", "SEC+", "SEC", "UNV"]},
                    "url": {"type": "string"},
                    "note": {"type": "string"},
                },
                "additionalProperties": False,
            },
            "waiver": {
                "oneOf": [
                    {"type": "null"},
                    {
                        "type": "object",
                        "additionalProperties": False,
                        "required": [
                            "approved_by",
                            "approved_on",
                            "reason",
                            "expires_on",
                            "source",
                        ],
                        "properties": {
                            "approved_by": {"type": "string"},
                            "approved_on": _DATE,
                            "reason": {"type": "string"},
                            "expires_on": {"oneOf": [_DATE, {"type": "null"}]},
                            "source": {"type": "string"},
                        },
                    },
                ]
            },
            "fingerprint": {"type": "string", "pattern": "^[0-9a-f]{20}$"},
            "missing": {"type": "array", "items": {"type": "string"}},
            "evidence_date": {"oneOf": [_DATE, {"type": "null"}]},
            "days_late": {"type": ["integer", "null"], "minimum": 1},
            "explain": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["condition", "cel", "read", "result", "words"],
                    "properties": {
                        "condition": {"type": "string"},
                        "cel": {"type": "string"},
                        "read": {"type": "object"},
                        "result": {},
                        "words": {"type": "string"},
                    },
                },
            },
        },
    }
    baseline = {
        "type": "object",
        "additionalProperties": False,
        "required": ["file", "new", "resolved", "unchanged"],
        "properties": {
            "file": {"type": "string"},
            "new": {"type": "array", "items": {"$ref": "#/$defs/baseline_item"}},
            "resolved": {"type": "array", "items": {"$ref": "#/$defs/baseline_item"}},
            "unchanged": {"type": "array", "items": {"$ref": "#/$defs/baseline_item"}},
        },
    }
    baseline_item = {
        "type": "object",
        "additionalProperties": False,
        "required": ["fingerprint", "network", "rule_id", "entity", "message"],
        "properties": {
            "fingerprint": {"type": "string"},
            "network": {"type": "string"},
            "rule_id": {"type": "string"},
            "entity": {"type": ["string", "null"]},
            "message": {"type": "string"},
        },
    }
    counts = {s: {"type": "integer", "minimum": 0} for s in (*STATUSES, "total", "blocking")}
    report = {
        "type": "object",
        "additionalProperties": False,
        "required": [
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
        "properties": {
            "report_version": {"const": REPORT_VERSION},
            "tool": {
                "type": "object",
                "required": ["name", "version"],
                "properties": {"name": {"const": "pcn-rules"}, "version": {"type": "string"}},
            },
            "pack": {
                "type": "object",
                "required": ["id", "release", "contract_year"],
                "properties": {
                    "id": {"type": "string"},
                    "release": {"type": "string"},
                    "contract_year": {"type": "string"},
                },
            },
            "as_of": _DATE,
            "network": {
                "type": "object",
                "required": ["name", "ods_code"],
                "properties": {
                    "name": {"type": "string"},
                    "ods_code": {"type": ["string", "null"]},
                },
            },
            "source": {"type": ["string", "null"]},
            "verdict": {"enum": ["compliant", "not_compliant"]},
            "horizon": {"oneOf": [_DUE, {"type": "null"}]},
            "summary": {
                "type": "object",
                "required": list(counts),
                "properties": counts,
                "additionalProperties": False,
            },
            "milestones": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["key", "date", "title", "days_left", "failed", "blocking"],
                    "properties": {
                        "key": {"type": "string"},
                        "date": _DATE,
                        "title": {"type": "string"},
                        "days_left": {"type": "integer"},
                        "failed": {"type": "integer", "minimum": 0},
                        "blocking": {"type": "boolean"},
                    },
                },
            },
            "findings": {"type": "array", "items": {"$ref": "#/$defs/finding"}},
            "baseline": {"$ref": "#/$defs/baseline"},
        },
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:pcn-rules:report:{REPORT_VERSION}",
        "title": "pcn-rules compliance report",
        "oneOf": [
            {"$ref": "#/$defs/report"},
            {
                "type": "object",
                "additionalProperties": False,
                "required": ["report_version", "reports"],
                "properties": {
                    "report_version": {"const": REPORT_VERSION},
                    "reports": {"type": "array", "items": {"$ref": "#/$defs/report"}},
                    "baseline": {"$ref": "#/$defs/baseline"},
                },
            },
        ],
        "$defs": {
            "report": report,
            "finding": finding,
            "baseline": baseline,
            "baseline_item": baseline_item,
        },
    }
