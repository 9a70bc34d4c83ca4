"""Writing files without losing one: reports (``--output``), templates (``init``) and imported
submissions (``import-ods --out``).

Every file is written whole to a new temporary file in the same directory, flushed to disk, then
moved over the target with :func:`os.replace`; a write that fails (a full disk, a quota) leaves
the old file as it was and removes the temporary one.  An output that is one of the command's
inputs is refused before anything is written (compared by device and inode, so a symbolic or hard
link to an input is caught too).
"""

from __future__ import annotations

import contextlib
import errno
import importlib.util
import os
import secrets
import stat
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from pcn_rules.cli.app import UNENCODABLE, discard_stdout, emit, write
from pcn_rules.errors import UsageError
from pcn_rules.render import Format

#: ``os.O_NOFOLLOW`` where the platform has it: a temporary file is never opened through a link.
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _identity(path: Path) -> tuple[object, ...] | None:
    """What makes PATH the file it is: device and inode (after following links), or, where the
    platform gives no inode, the resolved path; None if there is no such file."""
    try:
        found = os.stat(path)
    except (OSError, ValueError):
        return None
    if found.st_ino:
        return (found.st_dev, found.st_ino)
    return (os.path.normcase(os.path.realpath(path)),)


def refuse_inputs(output: Path, inputs: Iterable[Path | None], option: str = "--output") -> None:
    """A usage error if OUTPUT is one of INPUTS (the same file, however it is named): writing
    the report would replace it."""
    target = _identity(output)
    if target is None:
        return  # nothing there yet: it cannot be an input that was read
    for path in inputs:
        if path is not None and _identity(path) == target:
            same = "" if str(path) == str(output) else f" (the same file as {path})"
            raise UsageError(
                f"{option} {output} is one of the input files{same}; the report would replace "
                "it. Write the report to another file."
            )


def _write_all(fd: int, data: bytes) -> None:
    """Every byte of DATA to the file descriptor FD (``os.write`` may write fewer)."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _temporary(directory: Path, name: str, data: bytes, mode: int | None) -> Path:
    """DATA in a new file beside the target (never through a link), flushed to disk; removed
    again if anything fails."""
    temporary = directory / f".{name}.{secrets.token_hex(6)}.tmp"
    fd = os.open(temporary, _CREATE, 0o666)
    try:
        try:
            _write_all(fd, data)
            if mode is not None and hasattr(os, "fchmod"):
                os.fchmod(fd, mode)  # the replaced file's permissions
            os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException:
        _remove(temporary)
        raise
    return temporary


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def _existing_mode(path: Path) -> int | None:
    """The permissions of the regular file PATH, to keep when it is replaced."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    return stat.S_IMODE(found.st_mode) if stat.S_ISREG(found.st_mode) else None


def write_file(path: Path, text: str | bytes, option: str | None = "--output") -> None:
    """TEXT (UTF-8; or bytes, as they are) to the file PATH, whole or not at all.  A link at
    PATH is followed: the file it points to is replaced, as a shell's ``>`` would write it.  A
    usage error naming OPTION (if any) and PATH if it cannot be written."""
    # a file name that is not UTF-8 is written as on the terminal (U+FFFD)
    data = text if isinstance(text, bytes) else text.encode("utf-8", UNENCODABLE)
    try:
        try:
            found: os.stat_result | None = os.stat(path)
        except FileNotFoundError:
            found = None  # a new file (or a link to one)
        if found is not None and stat.S_ISDIR(found.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        if found is not None and not stat.S_ISREG(found.st_mode):
            # a device or a pipe (/dev/stdout, /dev/null, a FIFO): nothing to replace
            with open(path, "wb") as stream:
                stream.write(data)
            return
        target = Path(os.path.realpath(path))
        temporary = _temporary(
            target.parent,
            target.name,
            data,
            _existing_mode(target),
        )
        try:
            os.replace(temporary, target)
        except BaseException:
            _remove(temporary)
            raise
    except OSError as exc:
        named = f"{option} {path}" if option else str(path)
        raise UsageError(f"{named} cannot be written: {_reason(exc)}") from None


def write_to(text: str, output: Path | None, syntax: str = "text") -> None:
    """TEXT to the file OUTPUT (whole or not at all), or to standard output (in SYNTAX, as
    :func:`pcn_rules.cli.app.write` writes it to an output that is not UTF-8)."""
    if output is not None:
        write_file(output, text)
    else:
        write(text, None, syntax)


def write_binary(name: str, data: bytes, output: Path | None) -> None:
    """DATA (a binary format such as xlsx) to the file OUTPUT, or to standard output when it is
    not a terminal (a redirection or a pipe); a usage error on a terminal, where it would show
    as noise."""
    if output is not None:
        write_file(output, data)
        return
    refuse_binary_on_terminal(name, output)
    stream = sys.stdout.buffer
    try:
        stream.write(data)
        stream.flush()
    except BrokenPipeError:
        discard_stdout()
    except OSError as exc:
        discard_stdout()
        raise UsageError(f"cannot write the output to standard output: {_reason(exc)}") from None


T = TypeVar("T")


def deliver(
    rendering: Format[T],
    result: T,
    output: Path | None,
    *,
    quiet: Callable[[], str] | None = None,
    texts: Mapping[str, Callable[[], str]] | None = None,
) -> None:
    """RESULT in RENDERING, to the file OUTPUT or to standard output: QUIET's lines instead of
    the text report when given (and writing to the terminal), a binary format as bytes, a
    format of TEXTS (name → its text, for formats with options of their own) as that text,
    any other as :func:`pcn_rules.cli.app.emit` draws or writes it."""
    made = (texts or {}).get(rendering.name)
    if quiet is not None and output is None and rendering.name == "text":
        write(quiet(), None)
    elif rendering.binary is not None:
        write_binary(rendering.name, rendering.binary(result), output)
    elif made is not None:
        write_to(made(), output, rendering.name)
    elif output is None:
        emit(rendering, result, None)
    else:
        write_file(output, rendering.text(result))


def refuse_binary_on_terminal(name: str, output: Path | None) -> None:
    """A usage error if the binary format NAME would be written to a terminal (or to a standard
    output that takes no bytes): checked before the work, and again before writing."""
    if output is not None:
        return
    if getattr(sys.stdout, "buffer", None) is None or sys.stdout.isatty():
        raise UsageError(
            f"--format {name} writes a binary file: give --output FILE.{name} "
            f"(or redirect standard output to a file)"
        )


def require_extra(rendering: Format[Any], output: Path | None = None) -> None:
    """A usage error, before any work, if RENDERING needs an extra that is not installed
    (saying how to install it), or is binary and would go to a terminal."""
    if rendering.binary is not None:
        refuse_binary_on_terminal(rendering.name, output)
    if rendering.extra is None:
        return
    module, extra = rendering.extra
    if importlib.util.find_spec(module) is None:
        raise UsageError(
            f"--format {rendering.name} needs the optional {module} package: install it with "
            f"pip install 'pcn-rules[{extra}]'"
        )


def write_files(directory: Path, files: Mapping[str, bytes], option: str = "--out") -> None:
    """Each of FILES (name → bytes) into DIRECTORY, all or none: every file is written to a
    temporary file first, and only when all are written are they moved into place.  A name
    that is a link, or anything but a regular file, is refused before anything is written:
    nothing is ever written through a link."""
    for name in files:
        target = directory / name
        try:
            found = os.lstat(target)
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise UsageError(
                f"{option} {directory}: {name} cannot be checked: {_reason(exc)}"
            ) from None
        if stat.S_ISLNK(found.st_mode):
            raise UsageError(
                f"{option} {directory}: {name} is a symbolic link; pcn-check does not write "
                "through links (remove it, or import into another directory)"
            )
        if not stat.S_ISREG(found.st_mode):
            raise UsageError(f"{option} {directory}: {name} exists and is not a regular file")
    written: dict[str, Path] = {}
    current = ""
    try:
        for current, data in files.items():
            written[current] = _temporary(directory, current, data, None)
        for current, temporary in written.items():
            # a rename: it replaces a link that appeared meanwhile, and never follows one
            os.replace(temporary, directory / current)
    except OSError as exc:
        where = f" ({directory / current})" if current else ""
        raise UsageError(f"{option} {directory} cannot be written{where}: {_reason(exc)}") from None
    finally:
        for temporary in written.values():
            _remove(temporary)  # those moved into place are gone already
