"""The template ``pcn-check init`` writes: a pack's complete example submission with every value
a network must give replaced by a placeholder (``"REPLACE: ..."``).

A placeholder is accepted by the submission format and evidences nothing, so a template left as
written is not compliant and names each value still to fill in; nothing of the example network
(its map, its contiguity, its practices) can pass for the user's own.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pcn_rules.vocab import PLACEHOLDER

#: What a template keeps as written: the format, the year and the kind of submission.
_KEPT = frozenset({"format_version", "contract_year", "submission.type", "submission.submitted_on"})
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TIME = re.compile(r"[0-9]{2}:[0-9]{2}")


def _hint(value: Any) -> str:
    """Placeholder text for a value like VALUE: what to give, with the example's value."""
    if isinstance(value, bool):
        return f"{PLACEHOLDER} true or false"
    if isinstance(value, int | float):
        return f"{PLACEHOLDER} a number, e.g. {value}"
    text = str(value)
    if _DATE.fullmatch(text):
        return f"{PLACEHOLDER} a date as YYYY-MM-DD, e.g. {text}"
    if _TIME.fullmatch(text):
        return f"{PLACEHOLDER} a time as HH:MM, e.g. {text}"
    return f"{PLACEHOLDER} e.g. {text}"


def _templated(value: Any, path: str) -> Any:
    if path in _KEPT:
        return value
    if isinstance(value, dict):
        return {
            key: _templated(item, f"{path}.{key}" if path else key) for key, item in value.items()
        }
    if isinstance(value, list):
        if not value:
            return value
        first = value[0]
        if isinstance(first, dict):
            return [_templated(first, f"{path}[]")]  # one entry to copy for each
        # a list of values (signatories, schedules): the list as a whole is to fill in, so
        # that no empty list can read as "none"
        return f"{_hint(first)} (a list: {json.dumps(value[:3], ensure_ascii=False)[1:-1]}, ...)"
    return _hint(value)


def template_of(example: dict[str, Any]) -> dict[str, Any]:
    """The template made from a pack's example submission (``examples/base.json``); its
    submission date is the example's, a date the pack covers."""
    templated = _templated(example, "")
    assert isinstance(templated, dict)
    return templated


def template_text(example: dict[str, Any]) -> str:
    return json.dumps(template_of(example), indent=2, ensure_ascii=False) + "\n"


def placeholder_count(text: str) -> int:
    return text.count(f'"{PLACEHOLDER}')
