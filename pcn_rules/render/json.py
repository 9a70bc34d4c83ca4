"""JSON text of check reports and audits, from their data (``to_dict()``)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from pcn_rules.render.safe import json_escaped
from pcn_rules.report.collector import collector_paused
from pcn_rules.report.model import REPORT_VERSION

if TYPE_CHECKING:  # only for annotations
    from pcn_rules.audits import AuditReport
    from pcn_rules.report import Report
    from pcn_rules.report.baseline import BaselineDiff


@collector_paused
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


@collector_paused
def render_audit_json(report: AuditReport, detail: str = "full") -> str:
    """The audit's JSON: every finding (``detail="full"``), or verdicts, counts, the action
    plan and the data gaps alone (``"summary"``)."""
    return _dumps(dict(report.to_dict(findings=detail != "summary")))


def _dumps(payload: dict[str, Any]) -> str:
    return json_escaped(indented_json(payload)) + "\n"


#: How ``json`` writes a string with ``ensure_ascii=False`` (its C function where there is one).
_STRING = json.encoder.encode_basestring


def indented_json(value: Any) -> str:
    """``json.dumps(value, indent=2, ensure_ascii=False)``, character for character, faster:
    with an indent the standard library writes through a generator per value in pure Python
    (most of a national audit's JSON time); this appends the pieces to one list."""
    out: list[str] = []
    try:
        _write(value, out.append, "\n")
    except (RecursionError, ValueError, TypeError):
        # the standard library's own error (a cycle, a value JSON cannot hold)
        return json.dumps(value, indent=2, ensure_ascii=False)
    return "".join(out)


def _write(value: Any, put: Callable[[str], None], newline: str) -> None:
    """Put ``value`` as indented JSON, ``newline`` being the line break and indent before the
    value's own closing bracket (the tests compare every report with ``json.dumps``)."""
    string = _STRING
    if isinstance(value, str):
        put(string(value))
    elif value is None:
        put("null")
    elif value is True:
        put("true")
    elif value is False:
        put("false")
    elif isinstance(value, int):
        put(int.__repr__(value))
    elif isinstance(value, float):
        put(_float(value))
    elif isinstance(value, list | tuple):
        if not value:
            put("[]")
            return
        inner = newline + "  "
        separator = "," + inner
        put("[" + inner)
        first = True
        for item in value:
            if first:
                first = False
            else:
                put(separator)
            kind = type(item)
            if kind is str:
                put(string(item))
            elif kind is int:
                put(int.__repr__(item))
            else:
                _write(item, put, inner)
        put(newline + "]")
    elif isinstance(value, dict):
        if not value:
            put("{}")
            return
        inner = newline + "  "
        separator = "," + inner
        opening = "{" + inner
        for key, item in value.items():
            put(opening + string(key if type(key) is str else _key(key)) + ": ")
            opening = separator
            kind = type(item)
            if kind is str:
                put(string(item))
            elif item is None:
                put("null")
            elif kind is int:
                put(int.__repr__(item))
            elif kind is bool:
                put("true" if item else "false")
            else:
                _write(item, put, inner)
        put(newline + "}")
    else:
        raise TypeError(f"Object of type {value.__class__.__name__} is not JSON serializable")


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value == float("inf"):
        return "Infinity"
    if value == -float("inf"):
        return "-Infinity"
    return float.__repr__(value)


def _key(key: Any) -> str:
    """A key that is not text, as ``json`` writes it."""
    if isinstance(key, str):
        return key
    if isinstance(key, float):
        return _float(key)
    if key is True:
        return "true"
    if key is False:
        return "false"
    if key is None:
        return "null"
    if isinstance(key, int):
        return int.__repr__(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {key.__class__.__name__}")
