"""Reading submissions: bytes → JSON → a :class:`~pcn_rules.submission.model.Submission`, with
clear errors.

Every problem becomes an :class:`~pcn_rules.errors.InputError` naming the source and the JSON path.
"""

from __future__ import annotations

import difflib
import itertools
import json
import math
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from pcn_rules.errors import MAX_LISTED, InputError, Problem
from pcn_rules.ingest.files import SUBMISSION_LIMIT, FileRefused, describe_size, read_limited
from pcn_rules.submission.model import FORMAT_VERSION, Submission
from pcn_rules.submission.placeholders import placeholder_locations, validate_template
from pcn_rules.submission.types import PATTERN_HINTS
from pcn_rules.vocab import PLACEHOLDER, json_path, validation_problem

#: Largest submission file accepted, in bytes.  A real network's submission is a few kilobytes;
#: anything near this limit is not a submission.
MAX_SUBMISSION_BYTES = SUBMISSION_LIMIT
#: Deepest nesting of JSON arrays/objects accepted.  The format needs five levels.
MAX_JSON_DEPTH = 32
#: The most problems listed for one submission; the rest are counted ("... and 219,900 more").
MAX_PROBLEMS = MAX_LISTED


class _DuplicateKeyError(ValueError):
    pass


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKeyError(key)
        result[key] = value
    return result


#: a JSON string (an unterminated one runs to the end of the text), or any other character
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?', re.S)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def _depth_exceeds(text: str, limit: int) -> bool:
    """Whether brackets nest deeper than ``limit`` (ignoring brackets inside strings)."""
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    if len(brackets) <= limit:
        return False
    depth = 0
    for char in brackets:
        if char in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


class _NonFinite:
    """Stands in for NaN, Infinity, an overflowing number or an integer too long to convert
    while JSON is parsed, so that the error can name where it is."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def problem(self) -> str:
        if self.text in ("NaN", "Infinity", "-Infinity"):
            return (
                f"{self.text} is not allowed: JSON does not allow NaN or Infinity; write a number"
            )
        digits = self.text.lstrip("-")
        if digits.isdigit():
            return (
                f"the number {self.text[:12]}... has {len(digits):,} digits; integers may have at "
                f"most {sys.get_int_max_str_digits():,}"
            )
        return (
            f"the number {self.text} is too large (it is infinite as a floating-point number); "
            "JSON numbers must be finite"
        )


def _non_finite(value: Any) -> Iterator[tuple[str, _NonFinite]]:
    """Each stand-in in parsed JSON with its path, in document order."""
    stack: list[tuple[tuple[int | str, ...], Any]] = [((), value)]
    while stack:
        loc, item = stack.pop()
        if isinstance(item, _NonFinite):
            yield json_path(loc), item
        elif isinstance(item, dict):
            stack.extend(((*loc, k), v) for k, v in reversed(item.items()))
        elif isinstance(item, list):
            stack.extend(((*loc, i), v) for i, v in reversed(list(enumerate(item))))


def loads_json(text: str, source: str, **options: Any) -> Any:
    """``json.loads``, except that NaN, Infinity and -Infinity (which Python's json module reads
    but JSON does not allow) and numbers too large to be finite raise :class:`InputError`,
    naming ``source`` and the JSON path of each.  ``options`` go to ``json.loads``."""
    found: list[_NonFinite] = []

    def constant(text: str) -> _NonFinite:
        found.append(_NonFinite(text))
        return found[-1]

    def number(text: str) -> float | _NonFinite:
        value = float(text)
        if math.isfinite(value):
            return value
        found.append(_NonFinite(text))
        return found[-1]

    def integer(text: str) -> int | _NonFinite:
        try:
            return int(text)
        except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits)
            found.append(_NonFinite(text))
            return found[-1]

    data = json.loads(
        text, parse_constant=constant, parse_float=number, parse_int=integer, **options
    )
    if found:
        problems = [Problem(path, item.problem(), "not_finite") for path, item in _non_finite(data)]
        raise InputError(source, problems or [Problem("", found[0].problem(), "not_finite")])
    return data


def _refused(source: str, message: str, code: str) -> InputError:
    """The whole of SOURCE refused, for one reason (a problem with CODE)."""
    return InputError(source, [Problem("", message, code)])


def parse_json_bytes(data: bytes, source: str) -> Any:
    """Decode and parse JSON, refusing BOMs, non-UTF-8, duplicate keys and absurd nesting."""
    if len(data) > MAX_SUBMISSION_BYTES:
        raise _refused(source, describe_size(len(data), MAX_SUBMISSION_BYTES), "too_large")
    if data.startswith(b"\xef\xbb\xbf"):
        raise InputError(
            source,
            [
                Problem(
                    "",
                    "file starts with a UTF-8 byte order mark; save it as UTF-8 without BOM",
                    "not_json",
                )
            ],
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            source,
            [
                Problem(
                    "",
                    f"not UTF-8 text (invalid byte 0x{data[exc.start]:02x} at offset {exc.start})",
                    "not_json",
                )
            ],
        ) from None
    if not text.strip():
        raise _refused(source, "file is empty; expected a JSON object", "not_json")
    if _depth_exceeds(text, MAX_JSON_DEPTH):
        raise InputError(
            source,
            [
                Problem(
                    "",
                    f"JSON nests deeper than {MAX_JSON_DEPTH} levels; not a submission",
                    "not_json",
                )
            ],
        )
    try:
        return loads_json(text, source, object_pairs_hook=_reject_duplicates)
    except _DuplicateKeyError as exc:
        raise InputError(
            source,
            [
                Problem(
                    "",
                    f"duplicate key {exc.args[0]!r} in a JSON object; each key once",
                    "duplicate_key",
                )
            ],
        ) from None
    except json.JSONDecodeError as exc:
        raise InputError(
            source,
            [
                Problem(
                    "",
                    f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
                    "not_json",
                )
            ],
        ) from None
    except RecursionError:
        raise _refused(source, "JSON nests too deeply; not a submission", "not_json") from None


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
            raise _refused(source, "is a directory, not a submission file", "unreadable") from None
        if exc.bad_name:  # e.g. a NUL byte in the path: shown quoted
            raise _refused(repr(source), str(exc), "unreadable") from None
        raise _refused(source, str(exc), "unreadable") from None
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
