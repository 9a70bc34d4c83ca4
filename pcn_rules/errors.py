"""The exceptions pcn-rules raises.

Every failure a user can cause is one of these.  The CLI maps them to exit codes in exactly one
place (:mod:`pcn_rules.cli`); library users catch :class:`PcnRulesError` or a subclass.  Each is
a :class:`ValueError`, as a bad value given to a function is in Python.

==================  =========  ===========================================================
class               exit code  raised for
==================  =========  ===========================================================
``UsageError``      2          a bad argument or option: an unknown pack, rule or format, a
                               bad date, a pack of another contract year than the
                               submission's, an output that cannot be written
``InputError``      3          an input file (or dict) that cannot be read or does not match
                               its format; ``problems`` lists each, with a ``code``
``PackError``       3          an invalid rule pack
==================  =========  ===========================================================

The codes of :attr:`InputError.problems` (:data:`PROBLEM_CODES`) are stable; the messages may
be reworded.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

#: The most problems an :class:`InputError` lists; it counts the rest.
MAX_LISTED = 100

#: What a :class:`Problem`'s ``code`` says, for programs that act on it.
PROBLEM_CODES = {
    "unreadable": "the file cannot be read (missing, a directory, no permission, a bad name)",
    "too_large": "the file or a value is larger than pcn-rules reads",
    "not_json": "not JSON (or not UTF-8 text, or with a byte order mark, or nested too deeply)",
    "not_an_object": "the top level is not a JSON object",
    "duplicate_key": "a key appears twice in one JSON object",
    "not_finite": "a number that is not finite (NaN, Infinity) or too long",
    "missing": "a required field is missing",
    "unknown_field": "a field the format does not have (a typo?)",
    "wrong_type": "a value of the wrong type (text for a number, ...)",
    "not_allowed": "a value outside the allowed choices",
    "bad_format": "text not in the expected form (an ODS code, a date)",
    "out_of_range": "a number or length outside its bounds",
    "no_pack": "a contract year or date no bundled rule pack covers",
    "not_a_submission": "a JSON file that is not a submission (a report, another document)",
    "invalid": "any other problem; the message says what",
}


class Problem(tuple[str, str]):
    """One problem of an input: ``(path, message)`` (a JSON path, a CSV line or a YAML key;
    ``""`` for the whole input) with a stable ``code`` from :data:`PROBLEM_CODES`.  It is the
    pair it always was, so ``path, message = problem`` still works."""

    code: str

    def __new__(cls, path: str, message: str, code: str = "invalid") -> Problem:
        problem = super().__new__(cls, (path, message))
        problem.code = code if code in PROBLEM_CODES else "invalid"
        return problem

    def __reduce__(self) -> tuple[Any, ...]:
        return (Problem, (self[0], self[1], self.code))

    @property
    def path(self) -> str:
        return self[0]

    @property
    def message(self) -> str:
        return self[1]


class PcnRulesError(ValueError):
    """Base class of every error pcn-rules raises on purpose (a :class:`ValueError`)."""


class UsageError(PcnRulesError):
    """The caller asked for something that cannot be done (bad option, unknown pack name)."""


class InputError(PcnRulesError):
    """An input file could not be read or does not match its format: a submission, or a
    waivers, register, baseline or ODS file.

    ``source`` names the file (or ``<dict>`` for in-memory input); ``problems`` lists each
    problem as ``(json_path, message)``; ``kind`` says what the file is ("submission", "waivers
    file", ...); ``more`` counts further problems that are not listed (a file with thousands of
    mistakes is reported by its first :data:`MAX_LISTED`).
    """

    def __init__(
        self,
        source: str,
        problems: Sequence[tuple[str, str]],
        *,
        kind: str = "submission",
        more: int = 0,
    ) -> None:
        self.source = source
        self.problems: list[Problem] = [
            p if isinstance(p, Problem) else Problem(p[0], p[1]) for p in problems[:MAX_LISTED]
        ]
        self.more = more + max(0, len(problems) - MAX_LISTED)
        self.kind = kind
        super().__init__(self._render())

    def __reduce__(self) -> tuple[Any, ...]:
        # (an exception pickles as its class called with its args: these are not its args)
        return (_input_error, (self.source, self.problems, self.kind, self.more))

    def _render(self) -> str:
        if len(self.problems) == 1 and not self.more:
            path, message = self.problems[0]
            where = f" at {path}" if path else ""
            return f"{self.source}{where}: {message}"
        lines = [f"{self.source}: {len(self.problems) + self.more:,} problems"]
        for path, message in self.problems:
            lines.append(f"  - {path or '(top level)'}: {message}")
        if self.more:
            lines.append(f"  ... and {self.more:,} more, not listed")
        return "\n".join(lines)


class PackError(PcnRulesError):
    """A rule pack is invalid.  Packs are validated whole before anything is evaluated."""

    def __init__(self, source: str, location: str, message: str) -> None:
        self.source = source
        self.location = location
        self.detail = message
        where = f" → {location}" if location else ""
        super().__init__(f"{source}{where}: {message}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (PackError, (self.source, self.location, self.detail))


def _input_error(source: str, problems: list[Problem], kind: str, more: int) -> InputError:
    """An :class:`InputError` again, from what it was pickled as."""
    error = InputError(source, list(problems), kind=kind)
    error.more = more
    error.args = (error._render(),)
    return error
