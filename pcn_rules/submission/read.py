"""Reading submissions: bytes → JSON → a :class:`~pcn_rules.submission.model.Submission`, with
clear errors.

Every problem becomes an :class:`~pcn_rules.errors.InputError` naming the source and the JSON path.
"""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from pcn_rules.errors import MAX_LISTED, InputError, Problem
from pcn_rules.ingest.files import FileRefused, read_limited
from pcn_rules.submission.jsontext import MAX_SUBMISSION_BYTES, parse_json_bytes, refused
from pcn_rules.submission.model import FORMAT_VERSION, Submission
from pcn_rules.submission.placeholders import placeholder_locations, validate_template
from pcn_rules.submission.types import PATTERN_HINTS
from pcn_rules.vocab import PLACEHOLDER, json_path, validation_problem

#: The most problems listed for one submission; the rest are counted ("... and 219,900 more").
MAX_PROBLEMS = MAX_LISTED


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the string {shown!r}"
    if isinstance(value, int) and value.bit_length() > 128:
        # too long to print (and past Python's limit on converting long integers to text)
        digits = int(value.bit_length() * 0.30103) + 1
        return f"a number of about {digits:,} digits"
    if isinstance(value, int | float):
        return f"the number {value}"
    if value is None:
        return "null"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


_EXPECTED = {
    "int_type": "an integer",
    "float_type": "a number",
    "string_type": "a string",
    "bool_type": "true or false",
    "list_type": "a list",
    "model_type": "an object",
    "dict_type": "an object",
    "date_type": "a date as YYYY-MM-DD",
}


@cache
def _field_names() -> tuple[str, ...]:
    """Every field name anywhere in the submission format, for did-you-mean suggestions."""
    names: set[str] = set()
    schema = Submission.model_json_schema()
    for model in [schema, *schema.get("$defs", {}).values()]:
        names.update(model.get("properties", {}))
    return tuple(sorted(names))


def _code(kind: str) -> str:
    """The problem code (:data:`pcn_rules.errors.PROBLEM_CODES`) of a pydantic error type."""
    if kind == "missing":
        return "missing"
    if kind == "extra_forbidden":
        return "unknown_field"
    if kind in ("literal_error", "enum"):
        return "not_allowed"
    if kind.startswith(("string_pattern", "date_", "datetime_", "time_")):
        return "bad_format"
    if kind in _EXPECTED or kind.endswith("_type") or kind.endswith("_parsing"):
        return "wrong_type"
    if kind.startswith(("greater_than", "less_than", "too_", "string_too", "multiple_of")):
        return "out_of_range"
    return "invalid"


def _problem(error: Mapping[str, Any]) -> Problem:
    path, message = _described(error)
    return Problem(path, message, _code(str(error["type"])))


def _described(error: Mapping[str, Any]) -> tuple[str, str]:
    path = json_path(error["loc"])
    kind = error["type"]
    value = error.get("input")
    if kind == "extra_forbidden":
        name = str(error["loc"][-1])
        close = difflib.get_close_matches(name, _field_names(), n=1, cutoff=0.7)
        hint = f"; did you mean {close[0]!r}?" if close else "; check the spelling"
        return path, f"unknown field (not part of the submission format{hint})"
    if error["loc"] == ("format_version",) and kind == "literal_error":
        return path, (
            f"format_version {value!r} is not supported; this pcn-check reads submission "
            f"format version {FORMAT_VERSION}"
        )
    if kind in _EXPECTED:
        return path, f"expected {_EXPECTED[kind]}, got {_describe(value)}"
    if kind == "string_pattern_mismatch":
        pattern = (error.get("ctx") or {}).get("pattern", "")
        hint = PATTERN_HINTS.get(pattern, f"a value matching {pattern}")
        return path, f"expected {hint}, got {_describe(value)}"
    if kind in ("literal_error", "enum"):
        expected = (error.get("ctx") or {}).get("expected", "")
        return path, f"expected one of {expected}, got {_describe(value)}"
    _, message = validation_problem(error)
    return path, f"{message[0].lower()}{message[1:]}"


def validate_submission(
    data: Any, source: str, *, may_hold_placeholders: bool = True
) -> Submission:
    """Validate parsed JSON against the submission model.

    Placeholder text (``"REPLACE: ..."``, as ``pcn-check init`` writes it) may stand for any
    value: it is left out, so the fact is not evidenced, and its JSON path is kept
    (:attr:`Submission.placeholders`).  ``may_hold_placeholders=False``: the caller knows from
    the file's bytes that there are none."""
    if not isinstance(data, dict):
        raise InputError(
            source,
            [
                Problem(
                    "",
                    f"expected a JSON object at the top level, got {_describe(data)}",
                    "not_an_object",
                )
            ],
        )
    locations = placeholder_locations(data) if may_hold_placeholders else []
    try:
        model = validate_template(data, locations) if locations else Submission.model_validate(data)
    except ValidationError as exc:
        # the first problems described, the rest counted: a file with 220,000 mistakes is
        # reported in a screenful, and quickly (describing one may look for a close spelling)
        errors = exc.errors(include_url=False)
        problems = [_problem(err) for err in itertools.islice(errors, MAX_PROBLEMS)]
        raise InputError(source, problems, more=len(errors) - len(problems)) from None
    if locations:
        model._placeholders = tuple(json_path(loc) for loc in locations)
    return model


def read_submission(path: str | Path) -> Submission:
    """Read and validate one submission file."""
    source = str(path)
    try:
        data = read_limited(path, MAX_SUBMISSION_BYTES)
    except FileRefused as exc:
        if exc.directory:
            raise refused(source, "is a directory, not a submission file", "unreadable") from None
        if exc.bad_name:  # e.g. a NUL byte in the path: shown quoted
            raise refused(repr(source), str(exc), "unreadable") from None
        raise refused(source, str(exc), "unreadable") from None
    return validate_submission(
        parse_json_bytes(data, source),
        source,
        may_hold_placeholders=PLACEHOLDER.encode() in data,
    )


def coerce_submission(value: Submission | Mapping[str, Any] | str | Path) -> Submission:
    """Accept a model, a mapping (parsed JSON) or a path, as :func:`pcn_rules.check` does."""
    if isinstance(value, Submission):
        return value
    if isinstance(value, str | Path):
        return read_submission(value)
    if isinstance(value, Mapping):
        return validate_submission(dict(value), "<dict>")
    raise InputError(
        "<input>",
        [
            Problem(
                "",
                f"expected a Submission, a dict or a path, got {type(value).__name__}",
                "not_an_object",
            )
        ],
    )


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given, and every ``*.json`` under each directory (sorted).  A directory with no
    submission in it is an :class:`InputError`: it must never read as an empty "all clear"."""
    files: list[Path] = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*.json") if p.is_file())
            if not found:
                raise InputError(
                    str(path), [("", "directory contains no submission (*.json) files")]
                )
            files.extend(found)
        else:
            files.append(path)
    return files
