"""What the commands of ``pcn-check`` share: the typer apps, exit codes, option types, the
consoles, writing output and printing errors."""

# No `from __future__ import annotations` here: typer reads every command's annotations on each
# run, and string annotations would have to be evaluated (~15 ms of `pcn-check FILE`'s start).

import contextlib
import io
import os
import re
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.segment import Segment
from rich.text import Text

from pcn_rules.cli.encoding import FORMAT_SYNTAX, fit
from pcn_rules.cli.encoding import UNENCODABLE as UNENCODABLE  # (as the other commands import it)
from pcn_rules.errors import UsageError
from pcn_rules.render import Format, drawn_text

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


def _people_metavars() -> None:
    """Arguments given a ``metavar`` (``FILE...``) are shown by it alone in help, without typer's
    type label (``<list[Path]>``) or braces (``{FILE...}...``), as options already are.  Typer
    has no setting for this, so its argument class is adjusted where it has these hooks."""
    from typer.core import TyperArgument

    display = getattr(TyperArgument, "display_type_rich", None)
    usage = getattr(TyperArgument, "_usage_display_name", None)
    if display is None or usage is None or getattr(display, "_pcn_rules", False):
        return

    def display_type_rich(self: Any, ctx: Any) -> str | None:
        return None if self.metavar is not None else display(self, ctx)

    def usage_name(self: Any) -> str:
        if self.metavar is not None:
            return str(self.metavar) if self.required else f"[{self.metavar}]"
        return usage(self)  # type: ignore[no-any-return]

    display_type_rich._pcn_rules = True  # type: ignore[attr-defined]
    TyperArgument.display_type_rich = display_type_rich  # type: ignore[method-assign]
    TyperArgument._usage_display_name = usage_name  # type: ignore[method-assign]


_people_metavars()

#: ``-h`` as well as ``--help``, everywhere (as ruff, semgrep and pre-commit accept).
CONTEXT = {"help_option_names": ["-h", "--help"]}

app = typer.Typer(
    name="pcn-check",
    help=(
        "Check Primary Care Network submissions against the Network Contract DES.\n\n"
        "Usage: pcn-check FILE... [OPTIONS]  (the same as `pcn-check check FILE...`).\n\n"
        + EXIT_CODES_HELP
        + "\n\nExamples:\n\n\b\n"
        "  pcn-check submission.json\n"
        "  pcn-check submission.json --as-of 2019-05-15 --fail-on warning\n"
        "  pcn-check audit submissions/ --as-of 2019-06-30 -f html -o audit.html"
    ),
    add_completion=True,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings=CONTEXT,
)
rules_app = typer.Typer(
    help="List, show, compare and test the rules of a pack.\n\n"
    "Examples:\n\n\b\n  pcn-check rules list --pack 2019/20\n  pcn-check rules show POP-MIN\n"
    "  pcn-check rules diff 2019/20 2020/21",
    no_args_is_help=True,
    context_settings=CONTEXT,
)
app.add_typer(rules_app, name="rules")


def version_text() -> str:
    """``pcn-check --version``: the program's version and the bundled packs with their releases."""
    from pcn_rules import __version__
    from pcn_rules.packs.discover import available_packs, load_pack_cached

    packs = ", ".join(
        f"{pack} (release {load_pack_cached(pack).release})" for pack in available_packs()
    )
    return f"pcn-check {__version__}\nrule packs: {packs}\n"


def _show_version(value: bool) -> None:
    if value:
        write(version_text(), None)
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            "-V",
            help="Show the version and the bundled rule packs, and exit.",
            callback=_show_version,
            is_eager=True,
        ),
    ] = False,
) -> None:
    """(pcn-check's own options: --version, --help, shell completion.)"""


class Fail(Exception):
    """Carries an exit code out of a command without printing a traceback."""

    def __init__(self, code: int) -> None:
        self.code = code


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


_TRAILING_SPACES = re.compile(" +\n")


class _StdoutConsole(Console):
    """rich's console, except that a broken pipe ends the output, not the command (rich's own
    ``on_broken_pipe`` exits 1, which would hide the exit code)."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        discard_stdout()

    def _render_buffer(self, buffer: Iterable[Segment]) -> str:
        # a pipe or a file: no line ends in the spaces rich pads panels and tables with
        text: str = super()._render_buffer(buffer)
        return text if self.is_terminal else _TRAILING_SPACES.sub("\n", text)


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
        encoding = getattr(sys.stdout, "encoding", None)
        if text.startswith("\ufeff") and "utf" not in (encoding or "utf").lower():
            text = text[1:]  # a byte-order mark says UTF-8: not so in another encoding
        text, approximate = fit(text, syntax, encoding)
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


def find_format(formats: Mapping[str, Format[T]], name: str) -> Format[T]:
    """The format called NAME (any case); a usage error naming every format if there is none."""
    found = formats.get(name.lower())
    if found is None:
        raise UsageError(f"--format must be one of {', '.join(formats)}, got {name!r}")
    return found


#: The formats of a command that prints text or JSON.
TEXT_OR_JSON = {"text": None, "json": None}


def text_or_json(name: str) -> str:
    """The ``--format`` of a command that prints text or JSON (any case); a usage error for
    anything else (an unknown format is never quietly taken for text)."""
    if name.lower() not in TEXT_OR_JSON:
        raise UsageError(f"--format must be one of text, json, got {name!r}")
    return name.lower()


def emit(output_format: Format[T], item: T, output: Path | None) -> None:
    """ITEM in OUTPUT_FORMAT: drawn on the terminal where the format draws (in colour, at the
    terminal's width), otherwise as text, to standard output or the file OUTPUT."""
    if output_format.draw is not None and output is None:
        console = stdout_console()
        if console.is_terminal:
            output_format.draw(item, console)
        else:  # a pipe or a file: plain text at the console's width, no trailing spaces
            write(drawn_text(output_format.draw, item, console.width), None)
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
