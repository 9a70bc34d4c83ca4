"""The ``pcn-check`` command line.  The only part of pcn-rules that prints.

Exit codes (also in ``--help`` and the README), mapped from exceptions in :func:`main` only:

- 0 compliant: nothing due by the next milestone (or overdue) is unmet
- 1 not compliant
- 2 usage error (unknown option, bad date, unknown pack or rule, an output file that cannot be
  written)
- 3 unreadable input or invalid rule pack
- 4 internal error (a bug: please report it)
"""

# No `from __future__ import annotations` here: typer reads every command's annotations on each
# run, and string annotations would have to be evaluated (~15 ms of `pcn-check FILE`'s start).

import datetime as dt
import gc
import io
import json
import os
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.text import Text

from pcn_rules.errors import InputError, PackError, UsageError
from pcn_rules.submission.read import expand_paths

EXIT_OK = 0
EXIT_NOT_COMPLIANT = 1
EXIT_USAGE = 2
EXIT_INPUT = 3
EXIT_INTERNAL = 4

EXIT_CODES_HELP = (
    "Exit codes: 0 compliant; 1 not compliant (a requirement due by the next milestone, or "
    "overdue, is not met); 2 usage error; 3 unreadable submission or invalid rule pack; "
    "4 internal error."
)

SUBCOMMANDS = ("check", "rules", "schema", "init", "explain", "audit", "import-ods")
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
)

app = typer.Typer(
    name="pcn-check",
    help=(
        "Check Primary Care Network submissions against the Network Contract DES.\n\n"
        "Usage: pcn-check FILE... [OPTIONS]  (the same as `pcn-check check FILE...`).\n\n"
        + EXIT_CODES_HELP
    ),
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
rules_app = typer.Typer(
    help="List, show, compare and test the rules of a pack.", no_args_is_help=True
)
app.add_typer(rules_app, name="rules")


class _Fail(Exception):
    """Carries an exit code out of a command without printing a traceback."""

    def __init__(self, code: int) -> None:
        self.code = code


def _discard_stdout() -> None:
    """Whoever read standard output has gone (``pcn-check ... | head -1``): send the rest of it
    to the null device, so that the command finishes and exits with its own code, and Python's
    flush at exit raises nothing.  The approach of the ``signal`` module's "Note on SIGPIPE"."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, sys.stdout.fileno())
        finally:
            os.close(devnull)
    except (OSError, ValueError):  # stdout is not a file descriptor (e.g. captured in tests)
        pass


class _StdoutConsole(Console):
    """rich's console, except that a broken pipe ends the output, not the command (rich's own
    ``on_broken_pipe`` exits 1, which would hide the exit code)."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        _discard_stdout()


def _console() -> Console:
    return _StdoutConsole(highlight=False, soft_wrap=False)


def _file_console() -> tuple[Console, io.StringIO]:
    """A console for a report written with ``--output``: rendered in memory, then written."""
    buffer = io.StringIO()
    return Console(file=buffer, width=100, no_color=True), buffer


def _parse_date(value: str | None, option: str) -> dt.date | None:
    from pcn_rules.api import as_date

    return as_date(value, option)


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
        help="Rule pack: a year such as 2019/20, or a pack directory. "
        "Default: the submission's contract year (or its date).",
    ),
]


@app.command("check")
def check_command(
    files: Annotated[
        list[Path],
        typer.Argument(help="Submission JSON files, or directories of them.", show_default=False),
    ],
    pack: PackOption = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Check as of this date (YYYY-MM-DD). Default: each submission's date.",
        ),
    ] = None,
    output_format: Annotated[
        str,
        typer.Option("--format", "-f", help="Output format: text, json, junit, sarif or csv."),
    ] = "text",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report to this file.")
    ] = None,
    waivers: Annotated[
        Path | None,
        typer.Option("--waivers", help="A waivers file (YAML or JSON) of commissioner exceptions."),
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
            help="An earlier JSON report: say which unmet findings are new, resolved, unchanged.",
        ),
    ] = None,
    fail_on_late: FailOnLateOption = False,
) -> None:
    """Check one or more submissions and report what is met, what is not, and how to fix it."""
    from pcn_rules.api import check
    from pcn_rules.packs.discover import load_pack_cached
    from pcn_rules.report.model import reports_to_json

    formats = ("text", "json", "junit", "sarif", "csv")
    if output_format not in formats:
        raise UsageError(f"--format must be one of {', '.join(formats)}, got {output_format!r}")
    when = _parse_date(as_of, "--as-of")
    loaded = load_pack_cached(pack) if pack is not None else None
    waiver_set = None
    if waivers is not None:
        from pcn_rules.ingest.waivers import load_waivers

        waiver_set = load_waivers(waivers)
    previous = None
    if baseline is not None:
        from pcn_rules.report.baseline import load_baseline

        previous = load_baseline(baseline)
    paths = expand_paths(files)
    reports = []
    unreadable: list[InputError] = []
    for path in paths:
        try:
            reports.append(
                check(
                    path,
                    pack=loaded,
                    as_of=when,
                    waivers=waiver_set,
                    ignore_waivers=ignore_waivers,
                    explain=explain,
                    late_blocks=fail_on_late,
                )
            )
        except InputError as exc:
            if len(paths) == 1 or exc.source != str(path):
                raise  # a bad waivers file concerns every submission
            unreadable.append(exc)  # keep going: report every readable file, then fail
    diff = None
    if previous is not None and baseline is not None:
        from pcn_rules.report.baseline import compare

        diff = compare(reports, previous, str(baseline))
    if output_format == "json":
        text = reports_to_json(reports, baseline=diff.to_dict() if diff else None) + "\n"
        _write(text, output)
    elif output_format in ("junit", "sarif", "csv"):
        from pcn_rules.render import RENDERERS

        _write(RENDERERS[output_format](reports), output)
    else:
        from pcn_rules.render.text import render_baseline, render_report

        console, buffer = _file_console() if output is not None else (_console(), None)
        for index, report in enumerate(reports):
            if index:
                console.print()
            render_report(report, console, explain=explain)
        if diff is not None:
            render_baseline(diff, console)
        if len(reports) > 1:
            failing = sum(1 for r in reports if not r.compliant)
            console.print()
            console.print(
                f"[bold]{len(reports)} submissions: {len(reports) - failing} compliant, "
                f"{failing} not compliant.[/bold]"
            )
        if buffer is not None:
            _write(buffer.getvalue(), output)
    if unreadable:
        err = _error_console()
        for problem in unreadable:
            _error(err, "error: cannot read submission", str(problem))
        raise _Fail(EXIT_INPUT)
    if any(not r.compliant for r in reports):
        raise _Fail(EXIT_NOT_COMPLIANT)


@rules_app.command("list")
def rules_list(
    pack: PackOption = None,
    output_format: Annotated[str, typer.Option("--format", "-f", help="text or json")] = "text",
) -> None:
    """List the rules of a pack (default: the newest bundled pack)."""
    from pcn_rules.packs.discover import available_packs, load_pack_cached

    loaded = load_pack_cached(pack or available_packs()[-1])
    if output_format == "json":
        payload = [
            {
                "id": r.id,
                "title": r.title,
                "severity": r.severity,
                "scope": r.scope,
                "due": {"milestone": r.due.key, "date": r.due.date.isoformat()} if r.due else None,
            }
            for r in loaded.rules
        ]
        _write(json.dumps(payload, indent=2) + "\n", None)
        return
    from pcn_rules.render.text import render_rules_table

    render_rules_table(loaded, _console())


@rules_app.command("show")
def rules_show(
    rule_id: Annotated[str, typer.Argument(help="Rule ID, e.g. POP-MIN.")],
    pack: PackOption = None,
) -> None:
    """Show one rule: its condition, message, remediation and source."""
    from pcn_rules.packs.discover import available_packs, load_pack_cached
    from pcn_rules.render.text import render_rule

    loaded = load_pack_cached(pack or available_packs()[-1])
    render_rule(loaded, loaded.rule(rule_id.upper()), _console())


@rules_app.command("diff")
def rules_diff(
    old: Annotated[str, typer.Argument(help="The earlier pack: a year such as 2019/20, or a dir.")],
    new: Annotated[str, typer.Argument(help="The later pack: a year such as 2020/21, or a dir.")],
    output_format: Annotated[str, typer.Option("--format", "-f", help="text or json")] = "text",
) -> None:
    """What changed between two packs: requirements added, retired and changed (field by field,
    old → new), milestones and parameters."""
    from pcn_rules.packs.diff import diff_packs
    from pcn_rules.packs.load import load_pack

    if output_format not in ("text", "json"):
        raise UsageError(f"--format must be text or json, got {output_format!r}")
    diff = diff_packs(load_pack(old), load_pack(new))
    if output_format == "json":
        _write(json.dumps(diff.to_dict(), indent=2, ensure_ascii=False) + "\n", None)
        return
    from pcn_rules.render.text import render_pack_diff

    render_pack_diff(diff, _console())


@rules_app.command("test")
def rules_test(pack: PackOption = None) -> None:
    """Run every rule's own examples (met and not met) and report any that disagree; then take
    each rule's met example and remove, one at a time, each fact the rule reads: the rule must
    then not be met (no vacuous passes), unless the pack marks the fact `optional`."""
    from pcn_rules.packs.discover import available_packs
    from pcn_rules.packs.examples import find_vacuous_passes, run_pack_examples
    from pcn_rules.packs.load import load_pack

    console = _console()
    packs = [pack] if pack else available_packs()
    failures = 0
    for ref in packs:
        loaded = load_pack(ref)
        results = run_pack_examples(loaded)
        failed = [r for r in results if not r.passed]
        failures += len(failed)
        vacuous = find_vacuous_passes(loaded)
        failures += len(vacuous)
        for passed in vacuous:
            console.print(Text.assemble(("FAIL", "red"), f" {passed}"))
        for result in failed:
            console.print(
                Text.assemble(
                    ("FAIL", "red"), f" {result.rule_id}: {result.example.name}: {result.detail}"
                )
            )
        missing = [
            r.id
            for r in loaded.rules
            if "met" not in {e.expect for e in r.examples}
            or not {"not_met", "not_evidenced"} & {e.expect for e in r.examples}
        ]
        for rule_id in missing:
            failures += 1
            console.print(
                Text.assemble(
                    ("FAIL", "red"),
                    f" {rule_id}: needs at least one met example and one that is not met "
                    "(not_met or not_evidenced)",
                )
            )
        console.print(
            Text(
                f"pack {loaded.id}: {len(results) - len(failed)} of {len(results)} examples pass "
                f"across {len(loaded.rules)} rules"
            )
        )
    if failures:
        raise _Fail(EXIT_NOT_COMPLIANT)


@rules_app.command("lint")
def rules_lint(
    pack: Annotated[str, typer.Argument(help="A pack directory (or a bundled year).")],
) -> None:
    """Validate a rule pack without running anything: keys, milestones, IDs and CEL conditions,
    and that every rule with a deadline names the date its evidence carries (or says why not).
    Exit 1 when the pack loads but has lint problems."""
    from pcn_rules.packs.load import lint_pack, load_pack

    loaded = load_pack(pack)
    problems = lint_pack(loaded)
    console = _console()
    for problem in problems:
        console.print(Text.assemble(("FAIL", "red"), f" {problem}"))
    if problems:
        console.print(Text(f"pack {loaded.id}: {len(problems)} lint problems"))
        raise _Fail(EXIT_NOT_COMPLIANT)
    console.print(
        Text.assemble(
            ("ok", "green"),
            f" pack {loaded.id}: {len(loaded.rules)} rules, {len(loaded.milestones)} milestones",
        )
    )


@app.command("explain")
def explain_command(
    file: Annotated[Path, typer.Argument(help="A submission JSON file.")],
    rule_id: Annotated[str, typer.Argument(help="The rule to explain, e.g. POP-MIN.")],
    pack: PackOption = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="As of this date (YYYY-MM-DD).")
    ] = None,
    output_format: Annotated[str, typer.Option("--format", "-f", help="text or json")] = "text",
) -> None:
    """Explain one rule for one submission: its conditions, the values read, the result."""
    from pcn_rules.api import check
    from pcn_rules.packs.discover import load_pack_cached

    loaded = load_pack_cached(pack) if pack is not None else None
    report = check(file, pack=loaded, as_of=_parse_date(as_of, "--as-of"), explain=True)
    wanted = rule_id.upper()
    findings = [f for f in report.findings if f.rule_id == wanted]
    if not findings:
        (loaded or load_pack_cached(report.pack_id)).rule(wanted)  # raises a usage error
    if output_format == "json":
        payload = {
            "rule_id": wanted,
            "pack": report.pack_id,
            "as_of": report.as_of.isoformat(),
            "findings": [f.to_dict() for f in findings],
        }
        _write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", None)
        return
    from pcn_rules.render.text import render_explanation

    render_explanation(report, findings, _console())


def _patterns(values: list[str] | None) -> list[str]:
    return [p.strip().upper() for v in values or [] for p in v.split(",") if p.strip()]


@app.command("audit")
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
    when = _parse_date(as_of, "--as-of")
    files = expand_paths(paths)
    with Progress(console=_error_console(), transient=True, disable=len(files) < 50) as bar:
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
        _write(json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n", output)
    elif output_format == "csv":
        from pcn_rules.render.csv import render_audit_csv

        _write(render_audit_csv(result), output)
    elif output_format == "html":
        from pcn_rules.render.html import render_audit_html

        _write(render_audit_html(result), output)
    else:
        from pcn_rules.render.text import render_audit

        console, buffer = _file_console() if output is not None else (_console(), None)
        render_audit(result, console)
        if buffer is not None:
            _write(buffer.getvalue(), output)
    if result.unreadable:
        err = _error_console()
        for _source, problem in result.unreadable:
            _error(err, "error: cannot read submission", problem)
        raise _Fail(EXIT_INPUT)
    if not result.compliant:
        raise _Fail(EXIT_NOT_COMPLIANT)


@app.command("import-ods")
def import_ods_command(
    more: Annotated[
        list[Path] | None,
        typer.Argument(
            help="More ePCN files (so that a shell glob after --epcn works).", show_default=False
        ),
    ] = None,
    epcn: Annotated[
        list[Path] | None,
        typer.Option("--epcn", help="The ePCN workbook (.xlsx) or its two sheets as CSV files."),
    ] = None,
    list_sizes: Annotated[
        Path | None,
        typer.Option(
            "--list-sizes",
            help="QOF-style list sizes, or NHS Digital's Patients Registered at a GP Practice CSV.",
        ),
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Directory to write to.")] = None,
) -> None:
    """Turn NHS Digital ODS data into one submission per PCN (only the facts ODS holds)."""
    from pcn_rules.ingest.ods import import_ods

    sources = [*(epcn or []), *(more or [])]
    if not sources or list_sizes is None or out is None:
        raise UsageError("import-ods needs --epcn FILE..., --list-sizes FILE and --out DIR")
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is not a directory")
    result = import_ods(sources, list_sizes)
    try:
        out.mkdir(parents=True, exist_ok=True)
        for code, doc in sorted(result.submissions.items()):
            (out / f"{code}.json").write_text(
                json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
            )
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename and exc.filename != str(out) else ""
        raise UsageError(f"--out {out} cannot be written{where}: {_reason(exc)}") from None
    console = _console()
    console.print(
        Text(
            f"Wrote {len(result.submissions):,} submissions to {out} ({result.memberships:,} "
            f"practice memberships; list sizes at {result.list_size_date}; "
            f"{result.practices_without_list_size} members without a list size; "
            f"{len(result.skipped)} rows left out)."
        )
    )
    console.print(
        Text(
            "Only facts ODS holds are included: audits will report the rest as not evidenced. "
            f"Audit them with: pcn-check audit {out} --as-of DATE"
        )
    )


@app.command("schema")
def schema_command(
    report: Annotated[
        bool, typer.Option("--report", help="Print the JSON report's schema instead.")
    ] = False,
    audit: Annotated[
        bool, typer.Option("--audit", help="Print the JSON audit report's schema instead.")
    ] = False,
) -> None:
    """Print the JSON Schema of the submission format (or of the JSON report or audit)."""
    if audit:
        from pcn_rules.audit.run import audit_json_schema

        schema = audit_json_schema()
    elif report:
        from pcn_rules.report.model import report_json_schema

        schema = report_json_schema()
    else:
        from pcn_rules.submission.model import submission_json_schema

        schema = submission_json_schema()
    _write(json.dumps(schema, indent=2) + "\n", None)


@app.command("init")
def init_command(
    path: Annotated[Path, typer.Argument(help="Where to write the template.")] = Path(
        "submission.json"
    ),
    pack: PackOption = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a template submission to fill in (an example network that meets every rule)."""
    from pcn_rules.packs.discover import available_packs, resolve_pack_dir

    if path.exists() and not force:
        raise UsageError(f"{path} already exists; use --force to overwrite it")
    template = resolve_pack_dir(pack or available_packs()[0]) / "examples" / "base.json"
    text = template.read_text(encoding="utf-8")
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{path} cannot be written: {_reason(exc)}") from None
    _console().print(
        Text(
            f"Wrote {path}: an example network that meets every rule. Replace its facts with "
            f"your network's, then run `pcn-check {path}`."
        )
    )


def _write(text: str, output: Path | None) -> None:
    if output is not None:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"--output {output} cannot be written: {_reason(exc)}") from None
    else:
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except BrokenPipeError:
            _discard_stdout()


def _reason(exc: OSError) -> str:
    """Why a file could not be written, in the operating system's words."""
    return exc.strerror or str(exc)


def _flush_stdout() -> None:
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _discard_stdout()


def _error_console() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def _error(console: Console, kind: str, message: str) -> None:
    # the message quotes user input (file names, field names, values): never read as markup
    console.print(Text.assemble((f"{kind}:", "bold red"), " ", message), highlight=False)


def _is_usage_exception(exc: Exception) -> bool:
    """A click-style exception (click or typer's vendored copy) that knows how to show itself."""
    return callable(getattr(exc, "show", None)) and hasattr(exc, "exit_code")


def _is_default_command(args: list[str]) -> bool:
    """Whether ARGS are for the default command, ``check``: ``FILE... [OPTIONS]``, or options
    first (``--as-of DATE FILE``).  The first argument that is neither an option nor an option's
    value decides: a subcommand's name is that subcommand (whose options follow its name)."""
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--":
            return True  # only files follow
        if arg == "--help" and index == 0:
            return False  # pcn-check's own help
        if not arg.startswith("-") or arg == "-":
            return arg not in SUBCOMMANDS
        index += 2 if arg in CHECK_VALUE_OPTIONS else 1
    return bool(args)  # options only: `check` says what is missing


def main(argv: list[str] | None = None) -> int:
    """Run ``pcn-check`` with ARGV (default: the process's arguments) and return its exit code:
    every outcome is mapped to its documented code here, and nothing raises ``SystemExit``."""
    if argv is None:
        # The process is pcn-check's: what importing built (modules, pydantic models, rich,
        # typer) lives as long as it does, so keep it out of every garbage collection,
        # including the one at exit (some 30 ms).
        gc.freeze()
        # start-up work belongs to the command, not to the library: loaded packs are kept on
        # disk between runs (most of a run's start is loading a pack)
        from pcn_rules.packs.discover import keep_packs_on_disk

        keep_packs_on_disk()
    args = list(sys.argv[1:] if argv is None else argv)
    if _is_default_command(args):
        args.insert(0, "check")
    err = _error_console()
    code = EXIT_OK
    try:
        app(args=args, prog_name="pcn-check", standalone_mode=False)
    except _Fail as fail:
        code = fail.code
    except InputError as exc:
        _error(err, "error: cannot read submission", str(exc))
        code = EXIT_INPUT
    except PackError as exc:
        _error(err, "error: invalid rule pack", str(exc))
        code = EXIT_INPUT
    except UsageError as exc:
        _error(err, "usage error", str(exc))
        code = EXIT_USAGE
    except typer.Exit as exc:
        code = exc.exit_code
    except typer.Abort:
        err.print("aborted")
        code = EXIT_USAGE
    except BrokenPipeError:  # output that did not go through _write or _console
        _discard_stdout()
        code = EXIT_OK
    except KeyboardInterrupt:
        err.print("interrupted")
        code = 130
    except Exception as exc:
        if _is_usage_exception(exc):
            # click's (or typer's vendored click's) usage errors: bad option, missing argument
            ctx = getattr(exc, "ctx", None)
            if type(exc).__name__ == "NoArgsIsHelpError" and ctx is not None:
                _write(ctx.get_help() + "\n", None)
            else:
                exc.show(file=sys.stderr)  # type: ignore[attr-defined]
            _flush_stdout()
            return EXIT_USAGE
        _error(
            err,
            "internal error",
            f"{type(exc).__name__}: {exc}. This is a bug in pcn-rules; please report it "
            "with the command you ran.",
        )
        code = EXIT_INTERNAL
    _flush_stdout()
    return code


def run() -> NoReturn:
    """The ``pcn-check`` console script: exits the process with :func:`main`'s code."""
    raise SystemExit(main())
