"""``pcn-check audit PATH... --as-of DATE``: many networks together, before a deadline."""

# No `from __future__ import annotations` here: typer reads every command's annotations on each
# run, and string annotations would have to be evaluated (~15 ms of `pcn-check FILE`'s start).

import json
from pathlib import Path
from typing import Annotated

import typer

from pcn_rules.cli.app import (
    EXIT_INPUT,
    EXIT_NOT_COMPLIANT,
    Fail,
    FailOnLateOption,
    PackOption,
    error_console,
    file_console,
    parse_date,
    print_error,
    stdout_console,
    write,
)
from pcn_rules.errors import UsageError
from pcn_rules.submission.read import expand_paths


def _patterns(values: list[str] | None) -> list[str]:
    return [p.strip().upper() for v in values or [] for p in v.split(",") if p.strip()]


def audit_command(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Submission files, or directories of them.", show_default=False),
    ],
    as_of: Annotated[str, typer.Option("--as-of", help="Audit as of this date (YYYY-MM-DD).")],
    register: Annotated[
        Path | None,
        typer.Option(
            "--register",
            help="The commissioner's practices: NHS Digital's epraccur CSV, or a CSV of "
            "ods_code,name,commissioner,list_size.",
        ),
    ] = None,
    pack: PackOption = None,
    select: Annotated[
        list[str] | None,
        typer.Option("--select", help="Only these rule IDs or prefixes (e.g. REG, POP-MIN)."),
    ] = None,
    ignore: Annotated[
        list[str] | None, typer.Option("--ignore", help="Leave out these rule IDs or prefixes.")
    ] = None,
    waivers: Annotated[Path | None, typer.Option("--waivers", help="A waivers file.")] = None,
    output_format: Annotated[
        str, typer.Option("--format", "-f", help="text, json, csv or html.")
    ] = "text",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file.")
    ] = None,
    fail_on_late: FailOnLateOption = False,
) -> None:
    """Audit many networks together as of a date: milestones, action plan, data gaps, area
    figures."""
    from rich.progress import Progress

    from pcn_rules.audit.run import audit

    formats = ("text", "json", "csv", "html")
    if output_format not in formats:
        raise UsageError(f"--format must be one of {', '.join(formats)}, got {output_format!r}")
    when = parse_date(as_of, "--as-of")
    files = expand_paths(paths)
    with Progress(console=error_console(), transient=True, disable=len(files) < 50) as bar:
        task = bar.add_task("reading submissions", total=len(files))
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
        )
    if output_format == "json":
        write(json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n", output)
    elif output_format == "csv":
        from pcn_rules.render.csv import render_audit_csv

        write(render_audit_csv(result), output)
    elif output_format == "html":
        from pcn_rules.render.html import render_audit_html

        write(render_audit_html(result), output)
    else:
        from pcn_rules.render.text_audit import render_audit

        console, buffer = file_console() if output is not None else (stdout_console(), None)
        render_audit(result, console)
        if buffer is not None:
            write(buffer.getvalue(), output)
    if result.unreadable:
        err = error_console()
        for _source, problem in result.unreadable:
            print_error(err, "error: cannot read submission", problem)
        raise Fail(EXIT_INPUT)
    if not result.compliant:
        raise Fail(EXIT_NOT_COMPLIANT)
