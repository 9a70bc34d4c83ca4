"""The report: immutable findings, sorted, with a summary; its JSON and JSON Schema."""

from pcn_rules.report.model import Finding, Report
from pcn_rules.report.schema import report_json_schema

__all__ = ["Finding", "Report", "report_json_schema"]
