"""Reading a submission's text: bytes → JSON, refusing what is not a submission's JSON (a
byte-order mark, text that is not UTF-8, duplicate keys, NaN and Infinity, absurd nesting) with
an :class:`~pcn_rules.errors.InputError` naming the source and, where there is one, the JSON
path."""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Iterator
from typing import Any

from pcn_rules.errors import InputError, Problem
from pcn_rules.ingest.files import SUBMISSION_LIMIT, describe_size
from pcn_rules.vocab import json_path

#: Largest submission file accepted, in bytes.  A real network's submission is a few kilobytes;
#: anything near this limit is not a submission.
MAX_SUBMISSION_BYTES = SUBMISSION_LIMIT
#: Deepest nesting of JSON arrays/objects accepted.  The format needs five levels.
MAX_JSON_DEPTH = 32


class _DuplicateKeyError(ValueError):
    pass


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKeyError(key)
        result[key] = value
    return result


class _Pairs(list[tuple[str, Any]]):
    """A JSON object as its (key, value) pairs, duplicates kept: to find where one is."""


def _duplicate_path(value: Any, path: str = "") -> str | None:
    """The JSON path of the first key given twice in an object (objects parsed as _Pairs)."""
    if isinstance(value, _Pairs):
        seen: set[str] = set()
        for key, item in value:
            here = f"{path}.{key}" if path else key
            if key in seen:
                return here
            seen.add(key)
            found = _duplicate_path(item, here)
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _duplicate_path(item, f"{path}[{index}]")
            if found is not None:
                return found
    return None


#: a JSON string (an unterminated one runs to the end of the text), or any other character
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?', re.S)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def depth_exceeds(text: str, limit: int) -> bool:
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


def refused(source: str, message: str, code: str) -> InputError:
    """The whole of SOURCE refused, for one reason (a problem with CODE)."""
    return InputError(source, [Problem("", message, code)])


def parse_json_bytes(data: bytes, source: str) -> Any:
    """Decode and parse JSON, refusing BOMs, non-UTF-8, duplicate keys and absurd nesting."""
    if len(data) > MAX_SUBMISSION_BYTES:
        raise refused(source, describe_size(len(data), MAX_SUBMISSION_BYTES), "too_large")
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
        raise refused(source, "file is empty; expected a JSON object", "not_json")
    if depth_exceeds(text, MAX_JSON_DEPTH):
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
        path = _duplicate_path(loads_json(text, source, object_pairs_hook=_Pairs))
        raise InputError(
            source,
            [
                Problem(
                    path or "",
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
        raise refused(source, "JSON nests too deeply; not a submission", "not_json") from None
