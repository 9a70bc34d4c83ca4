"""The library entry point: :func:`check`.

``check()`` reads nothing global and prints nothing; it is safe to call from many threads at once
with the same loaded pack.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pcn_rules.engine import Decide, evaluate
from pcn_rules.errors import InputError, Problem, UsageError
from pcn_rules.facts.build import build_facts
from pcn_rules.ingest.waivers import WaiverSet, load_waivers
from pcn_rules.packs.discover import load_pack_cached, select_pack_id
from pcn_rules.packs.model import RulePack
from pcn_rules.report.model import Report
from pcn_rules.submission.model import Submission
from pcn_rules.submission.read import coerce_submission
from pcn_rules.vocab import SEVERITIES, Severity, parse_date


def as_date(value: dt.date | str | None, what: str) -> dt.date | None:
    """A date given as a date or as ``YYYY-MM-DD`` text; a usage error naming ``what`` if not."""
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    if isinstance(value, str):
        try:
            return parse_date(value)
        except ValueError as exc:
            raise UsageError(f"{what}: {exc}") from None
    raise UsageError(f"{what} must be a date, got {type(value).__name__}")


def severity_threshold(value: str) -> Severity:
    """``fail_on``: one of the severities; a usage error naming them otherwise."""
    for severity in SEVERITIES:
        if value == severity:
            return severity
    raise UsageError(f"fail_on must be one of {', '.join(SEVERITIES)}, got {value!r}")


def resolve_pack(
    submission: Submission,
    pack: RulePack | str | Path | None,
    as_of: dt.date | None,
    source: str = "submission",
    *,
    allow_other_year: bool = False,
) -> RulePack:
    """The pack to use: the one given, else by contract year, else by date.  A contract year
    no pack has, or a submission date outside every pack, is the submission's problem: an
    :class:`~pcn_rules.errors.InputError` naming SOURCE (the file) and the field.  A pack given
    for another contract year than the submission's is a :class:`~pcn_rules.errors.UsageError`
    unless ``allow_other_year``."""
    if pack is not None:
        chosen = pack if isinstance(pack, RulePack) else load_pack_cached(pack)
        year = submission.contract_year
        if year is not None and year != chosen.contract_year and not allow_other_year:
            raise UsageError(
                f"pack {chosen.id} is for contract year {chosen.contract_year}, but {source} is "
                f"for {year} (contract_year); leave the pack out to use the {year} pack, or "
                "allow another year's pack (allow_other_year=True, --allow-other-year)"
            )
        return chosen
    year = submission.contract_year
    on = as_of or submission.submission.submitted_on
    try:
        selected = select_pack_id(year, on)
    except (InputError, UsageError) as exc:
        if year is None and (as_of is not None or on is None):
            raise  # the date given, or no date at all: the caller's to settle
        detail = exc.problems[0][1] if isinstance(exc, InputError) else str(exc)
        where = "contract_year" if year is not None else "submission.submitted_on"
        raise InputError(source, [Problem(where, detail, "no_pack")]) from None
    return load_pack_cached(selected)


def check(
    submission: Submission | Mapping[str, Any] | str | Path,
    *,
    pack: RulePack | str | Path | None = None,
    as_of: dt.date | str | None = None,
    waivers: WaiverSet | str | Path | None = None,
    ignore_waivers: bool = False,
    explain: bool = False,
    late_blocks: bool = False,
    fail_on: Severity = "error",
    allow_other_year: bool = False,
    decide: Decide = "bundled",
) -> Report:
    """Check one submission and return its :class:`~pcn_rules.report.model.Report`.

    ``submission`` is a :class:`~pcn_rules.submission.model.Submission`, parsed JSON (a dict)
    or a path.  ``pack`` is a loaded :class:`~pcn_rules.packs.model.RulePack` (fastest: load
    once, reuse), a bundled pack ID such as ``"2019/20"``, or a pack directory; by default the
    pack matching the submission's contract year (or its date).  ``as_of`` defaults to the
    submission date.
    ``waivers`` is a :class:`~pcn_rules.ingest.waivers.WaiverSet` or the path of a waivers file;
    ``ignore_waivers`` applies no waiver at all; ``explain`` records, per finding, each condition
    with the values it read and its result; ``late_blocks`` makes a requirement met after its
    deadline (``met_late``) block the verdict like one not met; ``fail_on`` is the lowest
    severity whose unmet requirements block the verdict (``"error"``, the default: errors only;
    ``"warning"``; ``"info"``); ``allow_other_year`` lets ``pack`` be another contract year's
    than the submission's (otherwise a :class:`~pcn_rules.errors.UsageError`); ``decide`` is how
    conditions are decided (``bundled``, the fast way, or ``one_by_one``, the reference: both
    give the same report).

    The submission is seen as of ``as_of``: a fact dated after it (a signature, an approval, a
    start date) has not happened yet.

    Raises :class:`~pcn_rules.errors.InputError` for a bad submission,
    :class:`~pcn_rules.errors.PackError` for a bad pack and
    :class:`~pcn_rules.errors.UsageError` for bad arguments.
    """
    model = coerce_submission(submission)
    when = as_date(as_of, "as_of")
    source = str(submission) if isinstance(submission, str | Path) else None
    named = source or ("<dict>" if isinstance(submission, Mapping) else "<submission>")
    chosen = resolve_pack(model, pack, when, named, allow_other_year=allow_other_year)
    if when is None:
        when = model.submission.submitted_on
    if when is None:
        raise UsageError(
            "the submission has no submission.submitted_on, so an as-of date is needed "
            "(as_of= in the library, --as-of on the command line)"
        )
    waiver_set = load_waivers(waivers) if isinstance(waivers, str | Path) else waivers
    return evaluate(
        build_facts(model, as_of=when),
        chosen,
        when,
        source,
        waivers=waiver_set,
        ignore_waivers=ignore_waivers,
        explain=explain,
        late_blocks=late_blocks,
        fail_on=severity_threshold(fail_on),
        decide=decide,
    )
