"""The ``pcn-check`` command line.  The only part of pcn-rules that prints.

One module per command (``check``, ``rules``, ``explain``, ``audit``, ``import_ods``, ``schema``,
``init``, ``geo``); what they share is in :mod:`pcn_rules.cli.app`.

Exit codes (also in ``--help`` and the README), mapped from exceptions in :func:`main` only:

- 0 compliant: nothing due by the next milestone (or overdue) is unmet
- 1 not compliant
- 2 usage error (unknown option, mistyped command, bad date, unknown pack or rule, an output file
  that cannot be written)
- 3 unreadable input or invalid rule pack
- 4 internal error (a bug: please report it)
- 130 interrupted (Ctrl-C)
"""

import difflib
import errno
import gc
import os
import re
import sys
from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console

from pcn_rules.cli import audit, check, explain, geo, import_ods, init, rules, schema
from pcn_rules.cli.app import (
    EXIT_INPUT,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    UNENCODABLE,
    Fail,
    OutputError,
    app,
    discard_stdout,
    error_console,
    flush_stdout,
    guard_text_streams,
    print_error,
    rules_app,
    write,
)
from pcn_rules.cli.check import CHECK_VALUE_OPTIONS
from pcn_rules.errors import InputError, PackError, UsageError

__all__ = ["CHECK_VALUE_OPTIONS", "SUBCOMMANDS", "app", "main", "run"]

# The commands, in the order `pcn-check --help` lists them (`rules` is a group of its own).
app.command("check")(check.check_command)
rules_app.command("list")(rules.rules_list)
rules_app.command("show")(rules.rules_show)
rules_app.command("diff")(rules.rules_diff)
rules_app.command("test")(rules.rules_test)
rules_app.command("lint")(rules.rules_lint)
app.command("explain")(explain.explain_command)
app.command("audit")(audit.audit_command)
app.command("import-ods")(import_ods.import_ods_command)
app.command("schema")(schema.schema_command)
app.command("init")(init.init_command)
app.command("geo")(geo.geo_command)

SUBCOMMANDS = ("check", "rules", "schema", "init", "explain", "audit", "import-ods", "geo")
#: The options of pcn-check itself (before any command).
ROOT_OPTIONS = ("--help", "-h", "--version", "-V", "--install-completion", "--show-completion")


def _is_usage_exception(exc: Exception) -> bool:
    """A click-style exception (click or typer's vendored copy) that knows how to show itself."""
    return callable(getattr(exc, "show", None)) and hasattr(exc, "exit_code")


def _first_operand(args: list[str]) -> str | None:
    """The first of ARGS that is neither an option nor an option's value (options may come first:
    ``--as-of DATE FILE``); None if there is none before ``--`` (after which only files follow)."""
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--":
            return None
        if not arg.startswith("-") or arg == "-":
            return arg
        index += 2 if arg in CHECK_VALUE_OPTIONS else 1
    return None


def _mistyped_command(operand: str) -> str | None:
    """The command OPERAND is a slip for (``audti``: ``audit``), if it is not a path that exists
    nor looks like a file name (``submission.json``, ``data/x``); None if it is a file for
    ``check``."""
    if "." in operand or "/" in operand or os.sep in operand or Path(operand).exists():
        return None
    close = difflib.get_close_matches(operand, SUBCOMMANDS, n=1)
    return close[0] if close else None


def _command_line(args: list[str]) -> list[str]:
    """ARGS for the typer app: ``check`` is put first when they are for the default command,
    ``FILE... [OPTIONS]``.  The first operand decides: a command's name is that command (whose
    options follow its name); a close miss of one is a usage error; anything else is a file."""
    if args[:1] and args[0] in ROOT_OPTIONS:
        return args  # pcn-check's own options: help, version, shell completion
    operand = _first_operand(args)
    if operand is None:
        # no file (options only, or nothing after `--`): `check` says what is missing
        return ["check", *args] if args else args
    if operand in SUBCOMMANDS:
        return args
    command = _mistyped_command(operand)
    if command is not None:
        raise UsageError(f"No such command {operand!r}. Did you mean {command!r}?")
    return ["check", *args]


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
    guard_text_streams()
    err = error_console()
    code = EXIT_OK
    try:
        returned = app(args=_command_line(args), prog_name="pcn-check", standalone_mode=False)
        # typer turns Ctrl-C into Exit(130) and, outside standalone mode, returns an Exit's
        # code instead of raising it (as it does for --help's Exit(0))
        if isinstance(returned, int) and not isinstance(returned, bool):
            code = returned
            if code == EXIT_INTERRUPTED:
                err.print("interrupted")
    except Fail as fail:
        code = fail.code
    except InputError as exc:
        print_error(err, f"error: cannot read {exc.kind}", str(exc))
        code = EXIT_INPUT
    except PackError as exc:
        print_error(err, "error: invalid rule pack", str(exc))
        code = EXIT_INPUT
    except UsageError as exc:
        print_error(err, "usage error", str(exc))
        code = EXIT_USAGE
    except OutputError as exc:
        print_error(err, "error", str(exc))
        code = EXIT_USAGE
    except typer.Exit as exc:
        code = exc.exit_code
    except typer.Abort:
        err.print("aborted")
        code = EXIT_USAGE
    except BrokenPipeError:  # output that did not go through write or the stdout console
        discard_stdout()
        code = EXIT_OK
    except KeyboardInterrupt:
        err.print("interrupted")
        code = EXIT_INTERRUPTED
    except OSError as exc:
        if exc.filename is None and exc.errno in _OUTPUT_ERRNOS:
            # output that click writes itself (--help), not through write or the console
            discard_stdout()
            message = f"cannot write the output to standard output: {exc.strerror}"
            print_error(err, "error", message)
            code = EXIT_USAGE
        else:
            code = _internal_error(err, exc)
    except UnicodeEncodeError as exc:
        if not _SURROGATE_ESCAPE.search(exc.object):
            code = _internal_error(err, exc)
        else:
            # a file name that is not UTF-8, in a format that cannot show it
            name = _word_at(exc.object, exc.start, exc.end)
            print_error(
                err,
                "usage error",
                f"a file name is not valid UTF-8 ({name!r}); rename the file, or choose "
                "another --format",
            )
            code = EXIT_USAGE
    except SystemExit as exc:  # click's own exit on a closed pipe
        code = exc.code if isinstance(exc.code, int) else EXIT_INTERNAL
    except Exception as exc:
        if _is_usage_exception(exc):
            # click's (or typer's vendored click's) usage errors: bad option, missing argument
            ctx = getattr(exc, "ctx", None)
            try:
                if type(exc).__name__ == "NoArgsIsHelpError" and ctx is not None:
                    write(ctx.get_help() + "\n", None)
                else:
                    exc.show(file=sys.stderr)  # type: ignore[attr-defined]
                flush_stdout()
            except OutputError as failed:
                print_error(err, "error", str(failed))
            return EXIT_USAGE
        code = _internal_error(err, exc)
    try:
        flush_stdout()
    except OutputError as exc:
        print_error(err, "error", str(exc))
        code = EXIT_USAGE
    return code


#: A byte of a file name that is not UTF-8, as Python decodes it (0xff is U+DCFF).
_SURROGATE_ESCAPE = re.compile("[\udc80-\udcff]")
#: What ends a file name quoted in a report: spaces, quotes, separators, box drawing.
_WORD_END = re.compile("[\\s\"',;<>\u2500-\u257f]")


def _word_at(text: str, start: int, end: int) -> str:
    """The file name (the run of characters between spaces, quotes or separators) around
    ``text[start:end]``, at most 200 characters each side, shown with U+FFFD for each byte that
    is not UTF-8."""
    left = start
    while left > max(0, start - 200) and not _WORD_END.match(text[left - 1]):
        left -= 1
    right = end
    while right < min(len(text), end + 200) and not _WORD_END.match(text[right]):
        right += 1
    return text[left:right].encode("utf-8", UNENCODABLE).decode("utf-8")


#: How writing to standard output fails: a full disk or quota, too large, an I/O error, closed.
_OUTPUT_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EBADF})


def _internal_error(err: Console, exc: BaseException) -> int:
    print_error(
        err,
        "internal error",
        f"{type(exc).__name__}: {exc}. This is a bug in pcn-rules; please report it "
        "with the command you ran.",
    )
    return EXIT_INTERNAL


def run() -> NoReturn:
    """The ``pcn-check`` console script: exits the process with :func:`main`'s code."""
    raise SystemExit(main())
