"""JSON Schema (2020-12) of the audit report (``pcn-check audit --format json``), generated
from its shapes (:mod:`pcn_rules.audits.shapes`) by pydantic."""

from __future__ import annotations

from typing import Any

from pcn_rules.audits.shapes import AUDIT_VERSION, AuditJSON
from pcn_rules.report.schema import json_schema_of


def audit_json_schema() -> dict[str, Any]:
    """JSON Schema (2020-12) of ``pcn-check audit --format json``."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:pcn-rules:audit:{AUDIT_VERSION}",
        "title": "pcn-rules audit report",
        **json_schema_of(AuditJSON, {"FindingJSON": "finding"}),
    }
