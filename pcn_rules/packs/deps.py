"""What a loaded pack was built from: every look at the file system the loader makes.

Loading a pack reads files (``pack.yaml``, rule files, those of the packs it extends), lists
directories, resolves the path an ``extends`` names, tests that example bases exist and names
files relative to the working directory.  The loader does each through a function here; inside
:func:`recording`, each is also written down as an *observation* -- what was asked and what the
answer was, a file by the SHA-256 of the very bytes that were parsed.  :func:`still_true` asks
every question again: if every answer is the same, loading the pack now reads the same bytes and
makes the same pack.  The pack cache (:mod:`pcn_rules.packs.cache`) uses nothing else to decide
whether an entry is current.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from pcn_rules.ingest.files import PACK_FILE_LIMIT, read_limited

#: (kind, path, answer), e.g. ("file", "/p/pack.yaml", "<sha-256>") or ("dir", "/p/x", "True")
Observation = tuple[str, str, str]

_RECORD: ContextVar[list[Observation] | None] = ContextVar("pcn_rules_pack_deps", default=None)


@contextmanager
def recording() -> Iterator[list[Observation]]:
    """Collect every observation the loader makes in this context (in the order made)."""
    observations: list[Observation] = []
    token = _RECORD.set(observations)
    try:
        yield observations
    finally:
        _RECORD.reset(token)


def _note(kind: str, path: Path, answer: str) -> None:
    observations = _RECORD.get()
    if observations is not None:
        observations.append((kind, str(path), answer))


def is_rule_file_name(name: str) -> bool:
    """A rule file: ``*.yaml`` other than ``pack.yaml``, and not what an editor leaves beside a
    file it edits (``.#x.yaml``, an Emacs lock that points nowhere; any hidden file such as
    ``._x.yaml``; ``#x.yaml``)."""
    return name.endswith(".yaml") and name != "pack.yaml" and not name.startswith((".", "#"))


def _listing(directory: Path) -> str:
    return "\0".join(sorted(p.name for p in directory.iterdir() if is_rule_file_name(p.name)))


def _digest(path: Path) -> str:
    return hashlib.sha256(read_limited(path, PACK_FILE_LIMIT)).hexdigest()


def read_file(path: Path) -> bytes:
    """A pack file's bytes (within :data:`~pcn_rules.ingest.files.PACK_FILE_LIMIT`); raises
    :class:`~pcn_rules.ingest.files.FileRefused`."""
    data = read_limited(path, PACK_FILE_LIMIT)
    _note("file", path, hashlib.sha256(data).hexdigest())
    return data


def rule_files(directory: Path) -> list[Path]:
    """The rule files of a pack directory, sorted by name (see :func:`is_rule_file_name`)."""
    listing = _listing(directory)
    _note("list", directory, listing)
    return [directory / name for name in listing.split("\0") if name]


def is_dir(path: Path) -> bool:
    answer = path.is_dir()
    _note("dir", path, str(answer))
    return answer


def is_file(path: Path) -> bool:
    answer = path.is_file()
    _note("isfile", path, str(answer))
    return answer


def resolved(path: Path) -> Path:
    """``path.resolve()``: symbolic links followed, so a link re-pointed is a change."""
    answer = path.resolve()
    _note("resolve", path, str(answer))
    return answer


def display(path: Path) -> str:
    """How messages name a file: relative to the working directory when it is under it."""
    try:
        answer = str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        answer = str(path)
    _note("display", path, answer)
    return answer


_ASK: dict[str, Callable[[Path], str]] = {
    "file": _digest,
    "list": _listing,
    "dir": lambda path: str(path.is_dir()),
    "isfile": lambda path: str(path.is_file()),
    "resolve": lambda path: str(path.resolve()),
    "display": display,
}


def still_true(observations: list[Observation]) -> bool:
    """Whether every observation gives the same answer now (anything unreadable: no)."""
    if _RECORD.get() is not None:
        return False  # never inside a recording: the answers would be recorded again
    try:
        for kind, path, answer in observations:
            if _ASK[kind](Path(path)) != answer:
                return False
    except Exception:  # gone, unreadable, not a regular file, an unknown kind...
        return False
    return True
