"""``pcn-check check FILE...`` (also ``pcn-check FILE...``): check submissions and report."""

# No `from __future__ import annotations` here: typer reads every command's annotations on each
# run, and string annotations would have to be evaluated (~15 ms of `pcn-check FILE`'s start).

from pathlib import Path
from typing import Annotated, Any

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
    AsOfOption,
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
from pcn_rules.errors import InputError, UsageError
from pcn_rules.render import CHECK_FORMATS, Checked
from pcn_rules.render.safe import one_line, strip_controls
from pcn_rules.submission.read import expand_paths
from pcn_rules.vocab import plural

#: The options of `check` that take a value (the test suite keeps this in step with the command).
CHECK_VALUE_OPTIONS = (
    "--pack",
    "--as-of",
    "--format",
    "-f",
    "--output",
    "-o",
    "--waivers",
    "--baseline",
    "--fail-on",
)


#: The file name that means standard input, as for most command-line tools.
STDIN = "-"
#: How standard input is named in messages.
STDIN_NAME = "<stdin>"


def read_stdin() -> Any:
    """The submission on standard input, parsed (no more than a submission file may hold)."""
    import sys

    from pcn_rules.submission.jsontext import MAX_SUBMISSION_BYTES, parse_json_bytes
    from pcn_rules.submission.read import validate_submission
    from pcn_rules.vocab import PLACEHOLDER

    if sys.stdin is None or sys.stdin.isatty():
        raise UsageError("- reads the submission from standard input; pipe a file into it")
    data = sys.stdin.buffer.read(MAX_SUBMISSION_BYTES + 1)
    return validate_submission(
        parse_json_bytes(data, STDIN_NAME),
        STDIN_NAME,
        may_hold_placeholders=PLACEHOLDER.encode() in data,
    )


def _not_a_submission(path: Path) -> str | None:
    from pcn_rules.audits.inputs import not_a_submission

    return not_a_submission(path)


def check_command(
    files: Annotated[
        list[Path],
        typer.Argument(
            metavar="FILE...",
            help="Submission JSON files, directories of them, or - for standard input.",
            show_default=False,
        ),
    ],
    pack: PackOption = None,
    as_of: AsOfOption = None,
    output_format: Annotated[str, format_option(CHECK_FORMATS)] = "text",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", metavar="FILE", help="Write the report to this file."),
    ] = None,
    waivers: Annotated[
        Path | None,
        typer.Option(
            "--waivers",
            metavar="FILE",
            help="A waivers file (YAML or JSON) of commissioner exceptions.",
        ),
    ] = None,
    ignore_waivers: Annotated[
        bool,
        typer.Option("--ignore-waivers", help="Apply no waiver: show the full picture."),
    ] = False,
    explain: Annotated[
        bool,
        typer.Option("--explain", help="Record each condition, the values it read and its result."),
    ] = False,
    baseline: Annotated[
        Path | None,
        typer.Option(
            "--baseline",
            metavar="REPORT.json",
            help="An earlier JSON report: say which unmet findings are new, resolved, unchanged.",
        ),
    ] = None,
    fail_on_severity: FailOnOption = "error",
    fail_on_late: FailOnLateOption = False,
    allow_other_year: AllowOtherYearOption = False,
    quiet: QuietOption = False,
    csv_bom: CsvBomOption = True,
) -> None:
    """Check one or more submissions and report what is met, what is not, and how to fix it.

    Examples:

    \b
      pcn-check submission.json
      pcn-check submissions/ --as-of 2019-06-30 --fail-on warning
      cat submission.json | pcn-check - --format json -o report.json
    """
    from pcn_rules.api import check
    from pcn_rules.packs.discover import load_pack_cached

    rendering = find_format(CHECK_FORMATS, output_format)
    require_extra(rendering, output)
    if baseline is not None and not rendering.baseline:
        shown = " or ".join(name for name, f in CHECK_FORMATS.items() if f.baseline)
        raise UsageError(
            f"--baseline: the {rendering.name} format cannot show the comparison with a "
            f"baseline; use --format {shown}"
        )
    when = parse_date(as_of, "--as-of")
    threshold = fail_on(fail_on_severity)
    if not csv_bom and rendering.name != "csv":
        raise UsageError(f"--no-csv-bom is for --format csv, not {rendering.name}")
    from_stdin = any(str(f) == STDIN for f in files)
    if from_stdin and len(files) > 1:
        raise UsageError("- (standard input) must be the only submission given")
    paths = [Path(STDIN)] if from_stdin else expand_paths(files)
    if output is not None:
        refuse_inputs(output, [*paths, waivers, baseline])
    loaded = load_pack_cached(pack) if pack is not None else None
    waiver_set = None
    if waivers is not None:
        from pcn_rules.ingest.waivers import load_waivers

        waiver_set = load_waivers(waivers)
    previous = None
    if baseline is not None:
        from pcn_rules.report.baseline import load_baseline

        previous = load_baseline(baseline)
    reports = []
    unreadable: list[InputError] = []
    # a report written into a directory of submissions is not one: skipped, and said so
    found = set(paths) - set(files)
    skipped: list[tuple[str, str]] = []
    for path in paths:
        try:
            reports.append(
                check(
                    read_stdin() if from_stdin else path,
                    pack=loaded,
                    as_of=when,
                    waivers=waiver_set,
                    ignore_waivers=ignore_waivers,
                    explain=explain,
                    late_blocks=fail_on_late,
                    fail_on=threshold,
                    allow_other_year=allow_other_year,
                )
            )
        except InputError as exc:
            if exc.source != (STDIN_NAME if from_stdin else str(path)):
                raise  # a bad waivers file concerns every submission
            why = _not_a_submission(path) if path in found else None
            if why is not None:
                skipped.append((str(path), why))
            elif len(paths) == 1:
                raise
            else:
                unreadable.append(exc)  # keep going: report every readable file, then fail
    if skipped:
        note = "; ".join(f"{source}: {why}" for source, why in skipped[:5])
        more = f"; and {len(skipped) - 5} more" if len(skipped) > 5 else ""
        error_console().print(
            Text(one_line(f"Note: skipped {plural(len(skipped), 'JSON file')} ({note}{more}).")),
        )
        if not reports and not unreadable:
            from pcn_rules.audits.inputs import list_names

            raise InputError(
                list_names([source for source, _ in skipped]),
                [("", "no submission among the JSON files found: nothing to check")],
            )
    diff = None
    if previous is not None and baseline is not None:
        from pcn_rules.report.baseline import compare

        diff = compare(reports, previous, str(baseline))
    checked = Checked(reports, baseline=diff, explain=explain)

    def csv_text() -> str:
        from pcn_rules.render.csv import render_csv

        return render_csv(reports, bom=csv_bom)

    def quiet_text() -> str:
        from pcn_rules.render.text import verdict_lines

        return verdict_lines(reports)

    deliver(
        rendering, checked, output, quiet=quiet_text if quiet else None, texts={"csv": csv_text}
    )
    if unreadable:
        err = error_console()
        for problem in unreadable:
            print_error(err, "error: cannot read submission", strip_controls(str(problem)))
        raise Fail(EXIT_INPUT)
    if any(not r.compliant for r in reports):
        raise Fail(EXIT_NOT_COMPLIANT)
