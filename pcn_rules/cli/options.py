"""The options the commands of ``pcn-check`` share: packs, dates, formats, severities."""

# No `from __future__ import annotations` here: typer reads every command's annotations on each
# run, and string annotations would have to be evaluated.

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any

import typer

from pcn_rules.errors import UsageError

if TYPE_CHECKING:
    from pcn_rules.vocab import Severity

FailOnLateOption = Annotated[
    bool,
    typer.Option(
        "--fail-on-late",
        help="A requirement met after its deadline (met_late) fails like one not met.",
    ),
]
PackOption = Annotated[
    str | None,
    typer.Option(
        "--pack",
        metavar="YEAR|DIR",
        help="Rule pack: a year such as 2019/20, or a pack directory. "
        "Default: the submission's contract year (or its date).",
    ),
]
#: ``--pack`` where there is no submission (rules list, rules show, init).
NewestPackOption = Annotated[
    str | None,
    typer.Option(
        "--pack",
        metavar="YEAR|DIR",
        help="Rule pack: a year such as 2019/20, or a pack directory. Default: the newest "
        "bundled pack.",
    ),
]
FailOnOption = Annotated[
    str,
    typer.Option(
        "--fail-on",
        metavar="error|warning|info",
        help="The lowest severity that fails the run (exit 1) when a requirement of it is not "
        "met or not evidenced by the next milestone.",
        autocompletion=lambda: ["error", "warning", "info"],
    ),
]
AllowOtherYearOption = Annotated[
    bool,
    typer.Option(
        "--allow-other-year",
        help="Let --pack be another contract year's pack than the submission's (otherwise an "
        "error).",
    ),
]
CsvBomOption = Annotated[
    bool,
    typer.Option(
        "--csv-bom/--no-csv-bom",
        help="CSV: begin with a UTF-8 byte-order mark, so that Excel reads it as UTF-8.",
    ),
]
QuietOption = Annotated[
    bool,
    typer.Option("--quiet", "-q", help="Print only the verdict (one line) and errors."),
]
AsOfOption = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        metavar="YYYY-MM-DD",
        help="Check as of this date. Default: each submission's date.",
    ),
]


def fail_on(value: str) -> "Severity":
    """``--fail-on``'s severity (any case); a usage error naming the choices otherwise."""
    from pcn_rules.vocab import SEVERITIES

    for severity in SEVERITIES:
        if value.lower() == severity:
            return severity
    raise UsageError(f"--fail-on must be one of {', '.join(SEVERITIES)}, got {value!r}")


def format_option(formats: Mapping[str, Any], help_text: str = "Output format.") -> Any:
    """A ``--format``/``-f`` option that lists its choices (from the registry) in the help and
    completes them in the shell; any case is accepted (``JSON``)."""
    names = list(formats)
    return typer.Option(
        "--format",
        "-f",
        metavar="[" + "|".join(names) + "]",
        help=help_text,
        autocompletion=lambda: names,
    )


def parse_date(value: str | None, option: str) -> dt.date | None:
    from pcn_rules.api import as_date

    return as_date(value, option)
