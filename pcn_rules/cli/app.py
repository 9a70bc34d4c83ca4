"""What the commands of ``pcn-check`` share: the typer apps, exit codes, option types, the
consoles, writing output and printing errors."""

# No `from __future__ import annotations` here: typer reads every command's annotations on each
# run, and string annotations would have to be evaluated (~15 ms of `pcn-check FILE`'s start).

import contextlib
import datetime as dt
import io
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.text import Text

from pcn_rules.cli.encoding import FORMAT_SYNTAX, fit
from pcn_rules.cli.encoding import UNENCODABLE as UNENCODABLE  # (as the other commands import it)
from pcn_rules.errors import UsageError
from pcn_rules.render import Format

T = TypeVar("T")


def guard_text_streams() -> None:
    """Make standard output and error write what their encoding lacks in ASCII (see
    :mod:`pcn_rules.cli.encoding`), never fail on it."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            # (not when closed, or a stream that cannot be reconfigured)
            with contextlib.suppress(ValueError, OSError):
                stream.reconfigure(errors=UNENCODABLE)


EXIT_OK = 0
EXIT_NOT_COMPLIANT = 1
EXIT_USAGE = 2
EXIT_INPUT = 3
EXIT_INTERNAL = 4
EXIT_INTERRUPTED = 130

EXIT_CODES_HELP = (
    "Exit codes: 0 compliant; 1 not compliant (a requirement due by the next milestone, or "
    "overdue, is not met); 2 usage error; 3 unreadable submission or invalid rule pack; "
    "4 internal error; 130 interrupted."
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


class Fail(Exception):
    """Carries an exit code out of a command without printing a traceback."""

    def __init__(self, code: int) -> None:
        self.code = code


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


def parse_date(value: str | None, option: str) -> dt.date | None:
    from pcn_rules.api import as_date

    return as_date(value, option)


def discard_stdout() -> None:
    """Whoever read standard output has gone (``pcn-check ... | head -1``), or it cannot take
    more (a full disk): send the rest of it to the null device, so that the command finishes
    and exits with its own code, and Python's flush at exit raises nothing.  The approach of the
    ``signal`` module's "Note on SIGPIPE"."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, sys.stdout.fileno())
        finally:
            os.close(devnull)
    except (OSError, ValueError, AttributeError):  # not a file descriptor (captured in tests)
        pass


class OutputError(Exception):
    """Standard output cannot be written: it is closed, or a write failed (a full disk).  The
    command stops with a usage error (exit 2) that says why."""


def _output_failed(exc: OSError | None) -> OutputError:
    if exc is None:
        return OutputError("cannot write the output: standard output is closed")
    discard_stdout()  # what is still buffered must not fail again at exit
    return OutputError(f"cannot write the output to standard output: {reason(exc)}")


class _GuardedStdout:
    """Standard output as pcn-check writes to it: a closed pipe is left to the caller (rich's
    console calls :meth:`_StdoutConsole.on_broken_pipe`); any other failure to write is an
    :class:`OutputError`, never an internal error."""

    def write(self, text: str) -> int:
        stream = sys.stdout
        if stream is None:
            raise _output_failed(None)
        try:
            return stream.write(text)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise _output_failed(exc) from None

    def flush(self) -> None:
        stream = sys.stdout
        if stream is None:
            return
        try:
            stream.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise _output_failed(exc) from None

    def __getattr__(self, name: str) -> Any:
        # isatty, fileno, encoding...: those of the standard output of the moment
        return getattr(sys.stdout, name)


class _StdoutConsole(Console):
    """rich's console, except that a broken pipe ends the output, not the command (rich's own
    ``on_broken_pipe`` exits 1, which would hide the exit code)."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        discard_stdout()


def stdout_console() -> Console:
    stdout: Any = _GuardedStdout()
    return _StdoutConsole(file=stdout, highlight=False, soft_wrap=False)


def error_console() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def print_error(console: Console, kind: str, message: str) -> None:
    # the message quotes user input (file names, field names, values): never read as markup,
    # and never a control character that a terminal would act on
    from pcn_rules.render.safe import strip_controls

    console.print(
        Text.assemble((f"{kind}:", "bold red"), " ", strip_controls(message)), highlight=False
    )


def write(text: str, output: Path | None, syntax: str = "text") -> None:
    """TEXT to the file OUTPUT (UTF-8), or to standard output: there, in a machine format
    (SYNTAX ``json``, ``xml`` or ``csv``) that standard output's encoding cannot hold, as
    :func:`pcn_rules.cli.encoding.fit` writes it."""
    if output is not None:
        try:
            output.write_text(text, encoding="utf-8", errors=UNENCODABLE)
        except OSError as exc:
            raise UsageError(f"--output {output} cannot be written: {reason(exc)}") from None
    else:
        text, approximate = fit(text, syntax, getattr(sys.stdout, "encoding", None))
        if approximate:
            print_error(
                error_console(),
                "warning",
                f"standard output's encoding ({sys.stdout.encoding}) lacks some characters of "
                "this output: they are written as ASCII equivalents. For the exact text, "
                "write a UTF-8 file with --output FILE.",
            )
        try:
            _GuardedStdout().write(text)
        except BrokenPipeError:
            discard_stdout()
        flush_stdout()


def format_help(formats: Mapping[str, Format[T]]) -> str:
    """``--format``'s help: the names of the formats, from the registry."""
    *names, last = formats
    return f"Output format: {', '.join(names)} or {last}."


def find_format(formats: Mapping[str, Format[T]], name: str) -> Format[T]:
    """The format called NAME; a usage error naming every format if there is none."""
    found = formats.get(name)
    if found is None:
        raise UsageError(f"--format must be one of {', '.join(formats)}, got {name!r}")
    return found


def text_or_json(name: str) -> str:
    """The ``--format`` of a command that prints text or JSON; a usage error for anything else
    (an unknown format is never quietly taken for text)."""
    if name not in ("text", "json"):
        raise UsageError(f"--format must be text or json, got {name!r}")
    return name


def emit(output_format: Format[T], item: T, output: Path | None) -> None:
    """ITEM in OUTPUT_FORMAT: drawn on the terminal where the format draws (in colour, at the
    terminal's width), otherwise as text, to standard output or the file OUTPUT."""
    if output_format.draw is not None and output is None:
        output_format.draw(item, stdout_console())
    else:
        write(output_format.text(item), output, FORMAT_SYNTAX.get(output_format.name, "text"))


def flush_stdout() -> None:
    """Flush standard output: a closed pipe ends the output quietly, any other failure is an
    :class:`OutputError`."""
    try:
        _GuardedStdout().flush()
    except BrokenPipeError:
        discard_stdout()


def reason(exc: OSError) -> str:
    """Why a file could not be written, in the operating system's words."""
    return exc.strerror or str(exc)
