"""What an audit reads, and how it names what it read: which JSON files are submissions (a report
written into the submissions directory is not, and is skipped with a note), a label for each
network that no other network of the audit shares, and which files are for which contract year.
"""

from __future__ import annotations

import datetime as dt
import os
import stat
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePath

from pcn_rules.errors import InputError, PcnRulesError, Problem, UsageError
from pcn_rules.packs.discover import load_pack_cached, select_pack_id
from pcn_rules.submission.jsontext import MAX_SUBMISSION_BYTES, parse_json_bytes
from pcn_rules.submission.model import Submission
from pcn_rules.vocab import human_date

#: The version field of each JSON document pcn-check writes, and what the document is.
OUTPUT_VERSIONS: Mapping[str, str] = {
    "report_version": "a pcn-check report",
    "audit_version": "a pcn-check audit report",
    "diff_version": "a pcn-check rules diff",
}
#: Keys of a submission: a file with one of them claims to be a submission.
SUBMISSION_KEYS = ("network", "practices", "submission", "contract_year")


def not_a_submission(path: Path) -> str | None:
    """Why the JSON file PATH is not a submission, if it does not claim to be one: it is a
    JSON object with no ``format_version`` and none of the submission's keys, or one of
    pcn-check's own reports (by its version field).  None if it claims to be a submission (an
    invalid one is unreadable, never skipped) or cannot be read as JSON at all."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except (OSError, ValueError):
        return None
    try:
        found = os.fstat(fd)
        if not stat.S_ISREG(found.st_mode) or found.st_size > MAX_SUBMISSION_BYTES:
            return None
        data = os.read(fd, MAX_SUBMISSION_BYTES + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    try:
        doc = parse_json_bytes(data, str(path))
    except InputError:
        return None
    if not isinstance(doc, dict) or "format_version" in doc:
        return None
    for key, kind in OUTPUT_VERSIONS.items():
        if key in doc:
            return f"{kind} ({key} {str(doc[key])[:10]!r}), not a submission"
    if any(key in doc for key in SUBMISSION_KEYS):
        return None
    return "a JSON object without format_version, network or practices: not a submission"


def distinct_labels(labels: Sequence[str], sources: Sequence[str]) -> list[str]:
    """LABELS (one per network, in order), with those shared by several networks told apart
    by the end of their SOURCES' paths: as few of the last parts as make them differ (the file
    name; for copies of one file in two folders, the folder too); then numbered if the same
    file was read twice."""
    groups: dict[str, list[int]] = defaultdict(list)
    for index, label in enumerate(labels):
        groups[label].append(index)
    named = list(labels)
    for label, indexes in groups.items():
        if len(indexes) < 2:
            continue
        parts = [PurePath(sources[i]).parts or (sources[i],) for i in indexes]
        depth = 1
        files = len(set(parts))  # the same file read twice is numbered below
        while depth < max(map(len, parts)) and len({p[-depth:] for p in parts}) < files:
            depth += 1
        for index, part in zip(indexes, parts, strict=True):
            named[index] = f"{label} [{PurePath(*part[-depth:]).as_posix()}]"
    counts = Counter(named)
    seen: Counter[str] = Counter()
    for index, label in enumerate(named):
        if counts[label] > 1:
            seen[label] += 1
            named[index] = f"{label} #{seen[label]}"
    return named


def list_names(sources: Sequence[str], limit: int = 3) -> str:
    """SOURCES as a list for a message: the first LIMIT, and how many more."""
    more = f" and {len(sources) - limit} more" if len(sources) > limit else ""
    return ", ".join(sources[:limit]) + more


def require_present(items: Sequence[object]) -> None:
    """Fail closed on a path among ITEMS that is not there (a typo, a folder moved): an
    :class:`~pcn_rules.errors.InputError` naming them, before anything is read or reported (an
    audit without the networks it was given must never read as an "all clear")."""
    gone = [str(item) for item in items if isinstance(item, Path) and not item.exists()]
    if gone:
        raise InputError(
            list_names(gone), [Problem("", "file or directory not found", "unreadable")]
        )


def nothing_read(
    failures: Sequence[InputError], skipped: Sequence[tuple[str, str]]
) -> PcnRulesError:
    """The error of an audit that read no submission: why each file could not be read
    (FAILURES), or was skipped as not a submission ((source, why) pairs), or that none was
    given."""
    if len(failures) == 1:
        return failures[0]
    if failures:
        return InputError(
            f"{len(failures)} submissions, none readable (nothing audited)",
            [
                Problem(f"{e.source} at {path}" if path else e.source, message, problem.code)
                for e in failures
                for problem in e.problems
                for path, message in [problem]
            ],
        )
    if not skipped:
        return UsageError("no submissions to audit")
    if len(skipped) == 1:
        return InputError(skipped[0][0], [("", f"{skipped[0][1]}; nothing to audit")])
    return InputError(
        f"{len(skipped)} JSON files",
        [*skipped[:10], ("", "none of them is a submission: nothing to audit")],
    )


def contract_year(models: Sequence[tuple[str, Submission]], when: dt.date) -> str | None:
    """The one contract year of an audit's submissions ((source, submission) pairs), or None if
    none gives one (the pack in force on WHEN is then used).

    A submission without ``contract_year`` takes the year of the pack in force on the as-of
    date WHEN, as ``check`` gives it: it does not differ from the others unless that year does.
    Submissions giving different years, or a year that one without any would not take, are a
    :class:`~pcn_rules.errors.UsageError` naming the files (one pack judges them all)."""
    given = {m.contract_year for _, m in models if m.contract_year is not None}
    if len(given) > 1:
        raise UsageError(
            "the submissions are for different contract years ("
            + years_named([(name, m.contract_year) for name, m in models])
            + "); audit one year at a time or choose a pack with --pack"
        )
    if not given:
        return None
    year = next(iter(given))
    undated = [name for name, m in models if m.contract_year is None]
    if not undated:
        return year
    try:
        taken: str | None = load_pack_cached(select_pack_id(None, when)).contract_year
    except (InputError, UsageError):
        taken = None  # no bundled pack is in force on the as-of date
    if taken == year:
        return year
    dated = [name for name, m in models if m.contract_year is not None]
    one = len(undated) == 1
    takes = f"{taken} (the pack in force then)" if taken else "no year (no pack is in force then)"
    raise UsageError(
        f"the submissions are for different contract years: {list_names(dated)} "
        f"{'is' if len(dated) == 1 else 'are'} for {year}, but {list_names(undated)} "
        f"{'gives' if one else 'give'} no contract_year, so as of {human_date(when)} "
        f"{'it takes' if one else 'they take'} {takes}; give contract_year {year} in "
        f"{'it' if one else 'them'}, audit one year at a time or choose a pack with --pack"
    )


def years_named(years: Sequence[tuple[str, str | None]]) -> str:
    """Each contract year of YEARS ((source, year) pairs) with the files that give it:
    "2019/20: a.json, b.json; 2031/32: c.json; none given: d.json"."""
    by_year: dict[str | None, list[str]] = defaultdict(list)
    for source, year in years:
        by_year[year].append(source)
    order = sorted(by_year, key=lambda y: (y is None, y or ""))
    return "; ".join(f"{year or 'none given'}: {list_names(by_year[year])}" for year in order)


__all__ = [
    "OUTPUT_VERSIONS",
    "contract_year",
    "distinct_labels",
    "list_names",
    "not_a_submission",
    "nothing_read",
    "require_present",
    "years_named",
]
