"""The exceptions pcn-rules raises.

Every failure a user can cause is one of these.  The CLI maps them to exit codes in exactly one
place (:mod:`pcn_rules.cli`); library users catch :class:`PcnRulesError` or a subclass.
"""

from __future__ import annotations

#: The most problems an :class:`InputError` lists; it counts the rest.
MAX_LISTED = 100


class PcnRulesError(Exception):
    """Base class of every error pcn-rules raises on purpose."""


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
        problems: list[tuple[str, str]],
        *,
        kind: str = "submission",
        more: int = 0,
    ) -> None:
        self.source = source
        self.problems = problems[:MAX_LISTED]
        self.more = more + max(0, len(problems) - MAX_LISTED)
        self.kind = kind
        super().__init__(self._render())

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
