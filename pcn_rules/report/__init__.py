"""The report: immutable findings, sorted, with a summary; its JSON and JSON Schema."""

from pcn_rules.report.model import Finding, Report, report_json_schema

__all__ = ["Finding", "Report", "report_json_schema"]
