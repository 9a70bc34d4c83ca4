"""Reading an input file within a size limit, and only if it is a regular file.

Every file pcn-rules reads -- a submission, a waivers, register, baseline or ODS file, a rule
pack's YAML -- goes through :func:`read_limited`.  It never reads a file whole to find out how
large it is:

- what is not a regular file is refused before it is read: a directory, a named pipe (which
  would wait for a writer), a device such as ``/dev/zero`` (which never ends), a socket.  The
  file is looked at with ``stat`` first, then opened without waiting (``O_NONBLOCK``) and looked
  at again, so that swapping it for something else in between changes nothing;
- a file larger than its limit is refused by its size, without reading it (a 2 GB sparse file
  costs nothing); at most ``limit + 1`` bytes are ever read, so a file that grows while it is
  read is refused too.

The limits are the constants below; README.md ("Input limits") lists them.  Each caller turns a
:class:`FileRefused` into its own error (an input error or a pack error) naming the file.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

_MiB = 1024 * 1024

#: A submission (JSON).  A real network's submission is a few kilobytes.
SUBMISSION_LIMIT = 5 * _MiB
#: One rule pack file (``pack.yaml``, a rule file), and a waivers file (YAML or JSON).
PACK_FILE_LIMIT = 1 * _MiB
#: A register of practices (CSV).  NHS Digital's epraccur file is a few megabytes.
REGISTER_LIMIT = 64 * _MiB
#: An ODS CSV: an ePCN sheet or a list-size file.
ODS_CSV_LIMIT = 64 * _MiB
#: An ePCN workbook (.xlsx) as a file; what it unpacks to is limited by ``ingest.xlsx``.
XLSX_LIMIT = 32 * _MiB
#: A baseline: an earlier JSON report (some 60 kB a network; more with ``--explain``).
BASELINE_LIMIT = 128 * _MiB

_KINDS = (
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
)


class FileRefused(Exception):
    """Why a file cannot be read, in words for the user (the caller names the file).

    ``missing`` is true when there is no such file, ``directory`` when it is a directory and
    ``bad_name`` when the path cannot name a file at all (a NUL byte), so that a caller can say
    so in its own words.
    """

    def __init__(
        self,
        message: str,
        *,
        missing: bool = False,
        directory: bool = False,
        bad_name: bool = False,
    ) -> None:
        super().__init__(message)
        self.missing = missing
        self.directory = directory
        self.bad_name = bad_name


def describe_size(size: int, limit: int) -> str:
    """ "file is 2,147,483,648 bytes; the limit is 5,242,880 bytes"."""
    return f"file is {size:,} bytes; the limit is {limit:,} bytes"


def _check(info: os.stat_result, limit: int) -> None:
    mode = info.st_mode
    if stat.S_ISDIR(mode):
        raise FileRefused("is a directory, not a file", directory=True)
    if not stat.S_ISREG(mode):
        kind = next((name for test, name in _KINDS if test(mode)), "not a file")
        raise FileRefused(f"is not a regular file (it is {kind}); give a file")
    if info.st_size > limit:
        raise FileRefused(describe_size(info.st_size, limit))


def _refusal(exc: OSError) -> FileRefused:
    if isinstance(exc, FileNotFoundError | NotADirectoryError):
        return FileRefused("file not found", missing=True)
    if isinstance(exc, PermissionError):
        return FileRefused("permission denied")
    if isinstance(exc, IsADirectoryError):
        return FileRefused("is a directory, not a file", directory=True)
    return FileRefused(f"cannot be read ({exc.strerror or exc})")


_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)  # a named pipe without a writer opens at once
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


def read_limited(path: str | Path, limit: int) -> bytes:
    """The bytes of the regular file at ``path``, if it holds at most ``limit`` of them.

    Raises :class:`FileRefused` otherwise (no such file, not a regular file, too large,
    unreadable); a path that cannot name a file (a NUL byte) is refused too.
    """
    try:
        _check(os.stat(path), limit)
        descriptor = os.open(path, _FLAGS)
    except OSError as exc:
        raise _refusal(exc) from None
    except ValueError as exc:  # e.g. a NUL byte in the path
        raise FileRefused(f"not a usable file name ({exc})", bad_name=True) from None
    try:
        with os.fdopen(descriptor, "rb") as file:
            descriptor = -1
            info = os.fstat(file.fileno())
            _check(info, limit)  # what was opened, not what was looked at
            data = _read_up_to(file, info.st_size, limit)
    except OSError as exc:
        raise _refusal(exc) from None
    finally:
        if descriptor >= 0:
            os.close(descriptor)
    if len(data) > limit:
        raise FileRefused(f"file grew past the limit of {limit:,} bytes while it was read")
    return data


def _read_up_to(file: BinaryIO, size: int, limit: int) -> bytes:
    """The file's bytes, at most ``limit + 1`` of them: as many as its size says (and one more,
    to see whether it grew), then, only if it grew, a megabyte at a time."""
    data = file.read(size + 1)
    if len(data) <= size:
        return data
    chunks = [data]
    total = len(data)
    while total <= limit:
        chunk = file.read(min(_MiB, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)
