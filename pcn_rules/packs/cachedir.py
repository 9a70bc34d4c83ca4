"""The pack cache's directory: the user's own, holding only files the user's pcn-rules wrote.

- It is ``$XDG_CACHE_HOME/pcn-rules/packs`` (else ``~/.cache/pcn-rules/packs``); what is missing
  of that path is created with mode 0700.
- Before any use the directory is opened without following a symbolic link, and it must be
  owned by this user and open to nobody else (no group or other permission bits); else there is
  no cache at all.  Everything afterwards goes through that open directory (``dir_fd``), so that
  renaming or swapping the path in between changes nothing.
- An entry is read only when it is a regular file owned by this user, writable by no one else
  and at most :data:`MAX_ENTRY_BYTES`: a named pipe, a device or a link to ``/dev/zero`` at an
  entry's name is skipped, never waited on or read.  Entries are written to a temporary file
  (mode 0600) then renamed into place, so a reader never sees half an entry.
- ``key`` holds 32 random bytes, made once (mode 0600).  The cache signs each entry with it
  (HMAC-SHA256), so an entry not written by this user's pcn-rules is never read.

Where the operating system cannot do all this (no ``dir_fd``, no ``O_NOFOLLOW``), there is no
cache.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

#: The largest entry read or written (a bundled pack's entry is some 200 kB).
MAX_ENTRY_BYTES = 16 * 1024 * 1024
KEY_BYTES = 32
_KEY_NAME = "key"


def supported() -> bool:
    """Whether this system can keep the cache safely (POSIX ``*at`` calls, ``O_NOFOLLOW``)."""
    return (
        hasattr(os, "geteuid")
        and hasattr(os, "O_NOFOLLOW")
        and hasattr(os, "O_DIRECTORY")
        and {os.open, os.stat, os.unlink, os.link} <= os.supports_dir_fd
    )


def _private(info: os.stat_result) -> bool:
    """Owned by this user, and no one else may read, write or enter it."""
    return info.st_uid == os.geteuid() and not info.st_mode & 0o077


def _make(path: Path) -> None:
    """Create ``path`` and any missing parent, each with mode 0700."""
    missing: list[Path] = []
    for folder in (path, *path.parents):
        if os.path.lexists(folder):
            break
        missing.append(folder)
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):
            os.mkdir(folder, 0o700)


class Directory:
    """The cache directory, open and checked."""

    def __init__(self, descriptor: int) -> None:
        self.fd = descriptor

    def read(self, name: str, limit: int = MAX_ENTRY_BYTES) -> bytes | None:
        """A file of the directory, if it is a regular file this user owns, no one else may
        write, of at most ``limit`` bytes; else None."""
        try:
            if not self._usable(os.stat(name, dir_fd=self.fd, follow_symlinks=False), limit):
                return None
            flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY
            descriptor = os.open(name, flags, dir_fd=self.fd)
            with os.fdopen(descriptor, "rb") as file:
                if not self._usable(os.fstat(file.fileno()), limit):
                    return None
                data = file.read(limit + 1)
        except OSError:
            return None
        return data if len(data) <= limit else None

    @staticmethod
    def _usable(info: os.stat_result, limit: int) -> bool:
        return (
            stat.S_ISREG(info.st_mode)
            and info.st_uid == os.geteuid()
            and not info.st_mode & 0o022
            and info.st_size <= limit
        )

    def write(self, name: str, data: bytes) -> None:
        """Put ``data`` at ``name`` whole (a temporary file renamed into place).  Raises
        OSError when it cannot."""
        if len(data) > MAX_ENTRY_BYTES:
            return
        temporary = f".{name}.{os.getpid()}-{threading.get_ident()}.tmp"
        self._create(temporary, data)
        try:
            os.replace(temporary, name, src_dir_fd=self.fd, dst_dir_fd=self.fd)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(temporary, dir_fd=self.fd)

    def _create(self, name: str, data: bytes) -> None:
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
        with os.fdopen(os.open(name, flags, 0o600, dir_fd=self.fd), "wb") as file:
            file.write(data)

    def key(self, *, create: bool) -> bytes | None:
        """The secret that signs entries; made when missing and ``create`` (None: no key)."""
        found = self.read(_KEY_NAME, KEY_BYTES)
        if found is None and create:
            temporary = f".{_KEY_NAME}.{os.getpid()}-{threading.get_ident()}.tmp"
            try:
                self._create(temporary, secrets.token_bytes(KEY_BYTES))
                # linked, not renamed: a key another process made first is kept
                with contextlib.suppress(FileExistsError):
                    os.link(temporary, _KEY_NAME, src_dir_fd=self.fd, dst_dir_fd=self.fd)
            except OSError:
                return None
            finally:
                with contextlib.suppress(OSError):
                    os.unlink(temporary, dir_fd=self.fd)
            found = self.read(_KEY_NAME, KEY_BYTES)
        return found if found is not None and len(found) == KEY_BYTES else None


@contextlib.contextmanager
def opened(path: Path) -> Iterator[Directory | None]:
    """The cache directory at ``path`` (made if missing), open and checked; None when it
    cannot be used (not this user's, open to others, a symbolic link, not creatable...)."""
    descriptor = -1
    if supported():
        try:
            _make(path)
            flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
            descriptor = os.open(path, flags)
            if not _private(os.fstat(descriptor)):
                raise PermissionError(f"{path} is not private to this user")
        except OSError:
            if descriptor >= 0:
                os.close(descriptor)
            descriptor = -1
    try:
        yield Directory(descriptor) if descriptor >= 0 else None
    finally:
        if descriptor >= 0:
            os.close(descriptor)
