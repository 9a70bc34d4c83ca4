"""``pcn-check audit PATH... --as-of DATE``: many networks together, before a deadline."""

# No `from __future__ import annotations` here: typer reads every command's annotations on each
# run, and string annotations would have to be evaluated (~15 ms of `pcn-check FILE`'s start).

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from pcn_rules.cli.app import (
    EXIT_INPUT,
    EXIT_NOT_COMPLIANT,
    Fail,
    error_console,
    find_format,
    print_error,
)
from pcn_rules.cli.options import (
    AllowOtherYearOption,
    CsvBomOption,
    FailOnLateOption,
    FailOnOption,
    PackOption,
    QuietOption,
    fail_on,
    format_option,
    parse_date,
)
from pcn_rules.cli.output import deliver, refuse_inputs, require_extra
from pcn_rules.errors import UsageError
from pcn_rules.render import AUDIT_FORMATS
from pcn_rules.render.safe import one_line, strip_controls
from pcn_rules.submission.read import expand_paths


def _patterns(values: list[str] | None) -> list[str]:
    return [p.strip().upper() for v in values or [] for p in v.split(",") if p.strip()]


def audit_command(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="PATH...",
            help="Submission files, or directories of them.",
            show_default=False,
        ),
    ],
    as_of: Annotated[
        str,
        typer.Option("--as-of", metavar="YYYY-MM-DD", help="Audit as of this date."),
    ],
    register: Annotated[
        Path | None,
        typer.Option(
            "--register",
            metavar="CSV",
            help="The commissioner's practices: NHS Digital's epraccur CSV, or a CSV of "
            "ods_code,name,commissioner,list_size.",
        ),
    ] = None,
    pack: PackOption = None,
    select: Annotated[
        list[str] | None,
        typer.Option(
            "--select",
            metavar="RULE",
            help="Only these rule IDs or prefixes (e.g. REG, POP-MIN); repeatable.",
        ),
    ] = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option(
            "--ignore", metavar="RULE", help="Leave out these rule IDs or prefixes; repeatable."
        ),
    ] = None,
    waivers: Annotated[
        Path | None, typer.Option("--waivers", metavar="FILE", help="A waivers file.")
    ] = None,
    output_format: Annotated[str, format_option(AUDIT_FORMATS)] = "text",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", metavar="FILE", help="Write to this file."),
    ] = None,
    fail_on_severity: FailOnOption = "error",
    fail_on_late: FailOnLateOption = False,
    allow_other_year: AllowOtherYearOption = False,
    quiet: QuietOption = False,
    payments: Annotated[
        list[Path] | None,
        typer.Option(
            "--payments",
            metavar="CSV",
            help="NHS Digital's NHS Payments to General Practice CSV (2019/20 onwards): "
            "reconcile each network's participation entitlement with what was paid.",
        ),
    ] = None,
    commissioner: Annotated[
        list[str] | None,
        typer.Option(
            "--commissioner",
            metavar="CODE",
            help="Only the networks this lead commissioner (CCG ODS code, e.g. 08J) leads, and "
            "only its practices of the register for coverage. Repeatable.",
        ),
    ] = None,
    list_sizes: Annotated[
        Path | None,
        typer.Option(
            "--list-sizes",
            metavar="CSV",
            help="A list-size file (as import-ods reads) for the register practices' sizes.",
        ),
    ] = None,
    detail: Annotated[
        str,
        typer.Option(
            "--detail",
            metavar="summary|full",
            autocompletion=lambda: ["summary", "full"],
            help="JSON: summary (verdicts, counts, action plan) or full (every finding).",
        ),
    ] = "summary",
    csv_bom: CsvBomOption = True,
) -> None:
    """Audit many networks together as of a date: milestones, action plan, data gaps, area
    figures.

    Examples:

    \b
      pcn-check audit submissions/ --as-of 2019-05-10
      pcn-check audit imported/ --register epraccur.csv --as-of 2019-06-30 -f html
      pcn-check audit submissions/ --as-of 2019-06-30 --select POP,REG --fail-on warning
    """
    from rich.progress import Progress

    from pcn_rules.audits.run import audit

    rendering = find_format(AUDIT_FORMATS, output_format)
    detail = detail.lower()
    if detail not in ("summary", "full"):
        raise UsageError(f"--detail must be summary or full, got {detail!r}")
    # an option that the format chosen would ignore is a mistake to say, not to pass over
    if detail != "summary" and rendering.name != "json":
        raise UsageError(f"--detail {detail} is for --format json, not {rendering.name}")
    if not csv_bom and rendering.name != "csv":
        raise UsageError(f"--no-csv-bom is for --format csv, not {rendering.name}")
    require_extra(rendering, output)
    when = parse_date(as_of, "--as-of")
    threshold = fail_on(fail_on_severity)
    files = expand_paths(paths)
    if output is not None:
        refuse_inputs(output, [*files, register, waivers, list_sizes, *(payments or [])])
    err = error_console()
    # a progress bar for a long audit, on a terminal only (never in a log or a pipe)
    no_bar = len(files) < 50 or not err.is_terminal
    with Progress(console=err, transient=True, disable=no_bar) as bar:
        task = bar.add_task("auditing", total=2 * len(files))
        result = audit(
            files,
            as_of=when,
            pack=pack,
            register=register,
            waivers=waivers,
            select=_patterns(select),
            ignore=_patterns(ignore),
            on_progress=lambda n: bar.advance(task, n),
            late_blocks=fail_on_late,
            fail_on=threshold,
            allow_other_year=allow_other_year,
            payments=payments or None,
            commissioners=commissioner or (),
            list_sizes=list_sizes,
        )

    def json_text() -> str:
        from pcn_rules.render.json import render_audit_json

        return render_audit_json(result, detail=detail)

    def csv_text() -> str:
        from pcn_rules.render.csv import render_audit_csv

        return render_audit_csv(result, bom=csv_bom)

    def quiet_text() -> str:
        from pcn_rules.render.text_audit import headline_line

        return headline_line(result)

    deliver(
        rendering,
        result,
        output,
        quiet=quiet_text if quiet else None,
        texts={"json": json_text, "csv": csv_text},
    )
    if result.skipped and (output is not None or rendering.draw is None):
        from pcn_rules.render.text_audit import skipped_note

        error_console().print(Text(one_line(skipped_note(result))))
    if result.unreadable:
        err = error_console()
        for _source, problem in result.unreadable:
            print_error(err, "error: cannot read submission", strip_controls(problem))
        raise Fail(EXIT_INPUT)
    if not result.compliant:
        raise Fail(EXIT_NOT_COMPLIANT)
