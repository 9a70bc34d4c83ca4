"""Audits: many networks and a register of practices checked together as of a date."""

from pcn_rules.audits.model import AuditReport
from pcn_rules.audits.run import audit
from pcn_rules.audits.schema import audit_json_schema

__all__ = ["AuditReport", "audit", "audit_json_schema"]
