"""Audits: many networks and a register of practices checked together as of a date."""

from pcn_rules.audit.run import AuditReport, audit, audit_json_schema

__all__ = ["AuditReport", "audit", "audit_json_schema"]
