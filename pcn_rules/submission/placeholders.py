"""Placeholder values (``"REPLACE: ..."``), as ``pcn-check init`` writes them: where a template
still holds one, the value is not given.

The submission format accepts a placeholder in place of any value; validation leaves it out (so
the fact is not evidenced, never taken from the example) and keeps its JSON path, which the
report names as still to fill in.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from pcn_rules.submission.model import Submission
from pcn_rules.vocab import PLACEHOLDER, json_path


def placeholder_locations(value: Any) -> list[tuple[int | str, ...]]:
    """Where parsed JSON holds placeholder text (``"REPLACE: ..."``), in document order."""
    found: list[tuple[int | str, ...]] = []
    stack: list[tuple[tuple[int | str, ...], Any]] = [((), value)]
    while stack:
        loc, item = stack.pop()
        if type(item) is str:
            if item.startswith(PLACEHOLDER):
                found.append(loc)
        elif isinstance(item, dict):
            stack.extend(((*loc, k), v) for k, v in reversed(item.items()))
        elif isinstance(item, list):
            stack.extend(((*loc, i), v) for i, v in reversed(list(enumerate(item))))
    return found


def find_placeholders(value: Any) -> tuple[str, ...]:
    """The JSON paths of every placeholder text (``"REPLACE: ..."``) in parsed JSON, in
    document order."""
    return tuple(json_path(loc) for loc in placeholder_locations(value))


def _without(value: Any, loc: tuple[int | str, ...], drop: frozenset[str]) -> Any:
    """VALUE without what is at the JSON paths DROP (a dict's key removed, a list's item left
    out)."""
    if isinstance(value, dict):
        return {
            key: _without(item, (*loc, key), drop)
            for key, item in value.items()
            if json_path((*loc, key)) not in drop
        }
    if isinstance(value, list):
        return [
            _without(item, (*loc, index), drop)
            for index, item in enumerate(value)
            if json_path((*loc, index)) not in drop
        ]
    return value


def _emptied(value: Any, loc: tuple[int | str, ...], drop: frozenset[str]) -> set[str]:
    """The JSON paths of the lists in VALUE whose every item is in DROP."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if json_path((*loc, key)) not in drop:
                found |= _emptied(item, (*loc, key), drop)
    elif isinstance(value, list):
        paths = [json_path((*loc, index)) for index in range(len(value))]
        if value and all(path in drop for path in paths):
            found.add(json_path(loc))
        else:
            for index, item in enumerate(value):
                found |= _emptied(item, (*loc, index), drop)
    return found


def validate_template(data: dict[str, Any], locations: list[tuple[int | str, ...]]) -> Submission:
    """Validate a submission holding placeholders.  Each is left out, as not given.  Where the
    format requires the value, what holds it is left out instead (a practice whose ODS code is
    still to fill in, a nominated payee whose kind is); a list whose every entry is left out is
    not given either (never an empty list, which would say "none"), unless the format requires
    it (``practices``); where the submission itself requires a value (``network.name``), the
    placeholder text stands."""
    # for each placeholder, what is left out for it (None: nothing, its text stands)
    left_out: dict[tuple[int | str, ...], tuple[int | str, ...] | None] = {
        loc: loc for loc in locations
    }
    kept_empty: set[str] = set()
    for _ in range(4 * len(locations) + 1):
        drop = frozenset(json_path(out) for out in left_out.values() if out is not None)
        emptied = _emptied(data, (), drop) - kept_empty
        try:
            return Submission.model_validate(_without(data, (), drop | emptied))
        except ValidationError as exc:
            required = {
                json_path(error["loc"]) for error in exc.errors() if error["type"] == "missing"
            } & (drop | emptied)
            if not required:
                raise
        kept_empty |= required & emptied
        for loc, out in left_out.items():
            if out is not None and json_path(out) in required:
                left_out[loc] = out[:-1] if len(out) > 1 else None
    return Submission.model_validate(data)
