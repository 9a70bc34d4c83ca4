"""JSON Schema (2020-12) of the JSON report, generated from its shapes
(:mod:`pcn_rules.report.shapes`) by pydantic: one report, or several with their version."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pcn_rules.report.shapes import REPORT_VERSION, ReportJSON, ReportsJSON

__all__ = ["REPORT_VERSION", "json_schema_of", "report_json_schema"]

#: The definitions a report schema keeps under ``$defs`` (others are written in place), by
#: the name they are known by (``#/$defs/finding``).
REPORT_DEFS = {
    "ReportJSON": "report",
    "FindingJSON": "finding",
    "BaselineJSON": "baseline",
    "BaselineItemJSON": "baseline_item",
}


def report_json_schema() -> dict[str, Any]:
    """JSON Schema (2020-12) of the JSON report, single and multi-report forms."""
    generated = json_schema_of(ReportJSON | ReportsJSON, REPORT_DEFS)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:pcn-rules:report:{REPORT_VERSION}",
        "title": "pcn-rules compliance report",
        # one report, or {"report_version", "reports": [...]}: never both
        "oneOf": generated["anyOf"],
        "$defs": generated["$defs"],
    }


def json_schema_of(shape: Any, defs: Mapping[str, str]) -> dict[str, Any]:
    """The JSON Schema pydantic generates for a shape, tidied to publish: the definitions named
    in ``defs`` (class name → name) kept in ``$defs`` under those names, every other one
    written where it is used; no titles or descriptions (pydantic takes them from the Python
    names and docstrings), no ``"additionalProperties": true``."""
    # pydantic is only needed here: reading or writing a report does not import it
    from pydantic import TypeAdapter

    raw = TypeAdapter(shape).json_schema(ref_template="#/$defs/{model}")
    found: dict[str, Any] = raw.pop("$defs", {})
    missing = set(defs) - set(found)
    assert not missing, f"not among pydantic's definitions: {sorted(missing)}"

    def tidy(node: Any) -> Any:
        if isinstance(node, list):
            return [tidy(item) for item in node]
        if not isinstance(node, dict):
            return node
        out: dict[str, Any] = {}
        ref = node.get("$ref")
        if ref is not None:
            name = ref.removeprefix("#/$defs/")
            if name in defs:
                out["$ref"] = f"#/$defs/{defs[name]}"
            else:
                out.update(tidy(found[name]))
        for key, value in node.items():
            if key in ("$ref", "title", "description") or (
                key == "additionalProperties" and value is True
            ):
                continue
            if key == "properties":  # property names are kept, even "title"
                out[key] = {name: tidy(schema) for name, schema in value.items()}
            else:
                out[key] = tidy(value)
        return out

    schema: dict[str, Any] = tidy(raw)
    schema["$defs"] = {name: tidy(found[key]) for key, name in defs.items()}
    return schema
