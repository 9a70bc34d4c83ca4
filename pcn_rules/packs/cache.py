"""A cache of loaded rule packs that lasts between processes.

Loading a pack parses its YAML, validates every key and compiles every CEL condition: some 70 ms
for the 2019/20 pack, most of what ``pcn-check FILE`` itself spends.  :func:`load` keeps what
:func:`~pcn_rules.packs.load.load_pack` returned in a file under the user's cache directory
(``$XDG_CACHE_HOME/pcn-rules``, else ``~/.cache/pcn-rules``) and uses it only while nothing it
was built from has changed:

- every file the load read (``pack.yaml`` and the rule files of the pack and of the packs it
  extends), compared by SHA-256, with the list of rule files (``*.yaml``) in each of those
  directories and how each file is named in messages (relative to the working directory when
  it is under it);
- the example bases the rules name, which must still be files;
- the pcn-rules source code (every ``.py`` file of the package, by SHA-256), the Python version
  and the pydantic, PyYAML and cel-expr-python versions;
- the SHA-256 of the entry itself, so that a truncated or corrupt entry is never read.

Anything else -- no entry, a stale, corrupt or unreadable one, an unwritable cache directory --
means the pack is loaded from its YAML as if there were no cache (and the entry written when
possible).  Only packs that load cleanly are stored, so errors are always found afresh.  Set
``PCN_RULES_NO_CACHE=1`` to turn the cache off.

An entry is a pickle, read back with an allow-list of classes (the pack's own dataclasses, dates
and paths); CEL programs are stored with cel-expr-python's own ``serialize()``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import json
import os
import pickle
import sys
import threading
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pcn_rules.cel import binding as celexpr
from pcn_rules.packs.compile import ENV_LOCK, display_path, shared_environment
from pcn_rules.packs.load import load_pack
from pcn_rules.packs.model import RulePack
from pcn_rules.packs.yamlsafe import recording_reads

_MAGIC = b"pcn-rules pack cache 1\n"
_STDLIB_CLASSES = frozenset(
    {
        ("datetime", "date"),
        ("datetime", "datetime"),
        ("datetime", "time"),
        ("datetime", "timedelta"),
        ("datetime", "timezone"),
        *(
            (module, name)
            for module in ("pathlib", "pathlib._local")  # pathlib._local: Python 3.13
            for name in ("Path", "PosixPath", "WindowsPath", "PurePosixPath", "PureWindowsPath")
        ),
    }
)
_RESTORERS = frozenset(
    {(__name__, "_program"), (__name__, "_environment"), (__name__, "_read_only")}
)
#: Modules whose dataclasses a cached pack is made of.
_PACK_MODULES = frozenset({"pcn_rules.packs.model", "pcn_rules.cel.binding", "pcn_rules.vocab"})


def cache_dir() -> Path | None:
    """Where entries are kept, or None when the cache is turned off or there is no home."""
    if os.environ.get("PCN_RULES_NO_CACHE", "") not in ("", "0"):
        return None
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # the XDG spec: a relative path is to be ignored
        try:
            base = str(Path.home() / ".cache")
        except (RuntimeError, KeyError):
            return None
    return Path(base) / "pcn-rules" / "packs"


def load(directory: Path) -> RulePack:
    """:func:`~pcn_rules.packs.load.load_pack` of a resolved pack directory, through the cache."""
    entry = None
    try:
        root = cache_dir()
        if root is not None:
            name = f"{directory}\0{display_path(directory)}"
            entry = root / f"{hashlib.sha256(name.encode()).hexdigest()[:32]}.pickle"
    except Exception:  # e.g. no working directory: load as if there were no cache
        entry = None
    if entry is not None:
        try:
            cached = _read(entry, directory)
        except Exception:  # a corrupt or stale entry: load afresh, then replace it
            cached = None
        if cached is not None:
            return cached
    with recording_reads() as reads:
        loaded = load_pack(directory)
    if entry is not None:
        # unwritable, full, unpicklable...: the pack is loaded all the same
        with contextlib.suppress(Exception):
            _write(entry, directory, loaded, reads)
    return loaded


# --------------------------------------------------------------------------------------------
# What an entry depends on
# --------------------------------------------------------------------------------------------


class _SourceChanged(Exception):
    """A pcn-rules source file changed after the package was imported."""


@cache
def _code_key() -> bytes:
    """This pcn-rules (its source) and the libraries that shape a loaded pack.

    Raises :class:`_SourceChanged` when a source file is newer than this process's import of
    the package: the code running may not be the code on disk, so no entry is read or written.
    """
    import pydantic
    import yaml

    from pcn_rules import _imported_ns

    digest = hashlib.sha256(_MAGIC)
    package = Path(__file__).resolve().parent.parent
    for path in _sources(str(package)):
        with open(path, "rb") as file:
            if os.fstat(file.fileno()).st_mtime_ns > _imported_ns:
                raise _SourceChanged(path)
            source = file.read()
        digest.update(f"{os.path.relpath(path, package)}\0".encode())
        digest.update(hashlib.sha256(source).digest())
    versions = (
        sys.version,
        sys.implementation.cache_tag,
        pydantic.VERSION,
        yaml.__version__,
        str(yaml.__with_libyaml__),
        celexpr.binding_fingerprint(),
    )
    digest.update("\0".join(versions).encode())
    return digest.digest()


def _sources(folder: str) -> list[str]:
    """Every ``.py`` file under ``folder`` (the package), sorted."""
    found: list[str] = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir() and entry.name != "__pycache__":
                found.extend(_sources(entry.path))
            elif entry.name.endswith(".py"):
                found.append(entry.path)
    return sorted(found)


def _key(directory: Path, directories: list[str], bases: list[str]) -> str | None:
    """The digest of everything the pack in ``directory`` was built from; None if unavailable."""
    digest = hashlib.sha256(_code_key())
    digest.update(f"{directory}\0".encode())
    for name in directories:
        folder = Path(name)
        digest.update(f"dir\0{folder}\0".encode())
        for path in sorted(folder.glob("*.yaml")):  # as packs.inherit.load_raw lists rule files
            digest.update(f"file\0{path.name}\0{display_path(path)}\0".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    for base in bases:
        if not Path(base).is_file():
            return None
        digest.update(f"base\0{base}\0".encode())
    return digest.hexdigest()


def _bases(loaded: RulePack) -> list[str]:
    return sorted({str(example.base) for rule in loaded.rules for example in rule.examples})


# --------------------------------------------------------------------------------------------
# Reading and writing entries
# --------------------------------------------------------------------------------------------


def _program(serialized: bytes) -> Any:
    return shared_environment().deserialize(serialized)


def _read_only(mapping: dict[str, Any]) -> MappingProxyType[str, Any]:
    return MappingProxyType(mapping)


def _environment() -> celexpr.Environment:
    return shared_environment()


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:
        kind = type(obj)
        if kind.__module__ in _PACK_MODULES and dataclasses.is_dataclass(kind):
            # rebuilt by its constructor: quicker to read back than a frozen dataclass's state
            fields = dataclasses.fields(kind)
            if all(f.init for f in fields):
                return kind, tuple(getattr(obj, f.name) for f in fields)
        if kind is MappingProxyType:
            return _read_only, (dict(obj),)
        if celexpr.is_program(obj):
            return _program, (celexpr.serialize(obj),)
        if isinstance(obj, celexpr.Environment):
            if obj is not shared_environment():
                raise pickle.PicklingError("only packs compiled in the shared environment")
            return _environment, ()
        return NotImplemented


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _STDLIB_CLASSES or (module, name) in _RESTORERS:
            return super().find_class(module, name)
        if module in _PACK_MODULES:
            found = super().find_class(module, name)
            if isinstance(found, type) and dataclasses.is_dataclass(found):
                return found
        raise pickle.UnpicklingError(f"{module}.{name} has no place in a pack cache entry")


def _unpickle(payload: bytes, directory: Path) -> RulePack | None:
    with ENV_LOCK:
        loaded = _Unpickler(io.BytesIO(payload)).load()
    if not isinstance(loaded, RulePack) or loaded.directory != directory:
        return None
    return loaded


def _read(entry: Path, directory: Path) -> RulePack | None:
    try:
        data = entry.read_bytes()
    except OSError:
        return None
    if not data.startswith(_MAGIC):
        return None
    header_end = data.find(b"\n", len(_MAGIC))
    if header_end < 0:
        return None
    header = json.loads(data[len(_MAGIC) : header_end])
    payload = data[header_end + 1 :]
    if header.get("payload") != hashlib.sha256(payload).hexdigest():
        return None
    key = _key(directory, list(header["directories"]), list(header["bases"]))
    if key is None or header.get("key") != key:
        return None
    return _unpickle(payload, directory)


def _write(entry: Path, directory: Path, loaded: RulePack, reads: list[Path]) -> None:
    directories = sorted({str(path.parent) for path in reads})
    bases = _bases(loaded)
    key = _key(directory, directories, bases)
    if key is None:
        return
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(loaded)
    payload = buffer.getvalue()
    if _unpickle(payload, directory) is None:  # what cannot be read back is not written
        return
    header = {
        "key": key,
        "payload": hashlib.sha256(payload).hexdigest(),
        "directories": directories,
        "bases": bases,
    }
    entry.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = entry.with_name(f"{entry.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    try:
        with temporary.open("wb") as file:
            file.write(_MAGIC + json.dumps(header).encode() + b"\n" + payload)
        os.replace(temporary, entry)
    finally:
        temporary.unlink(missing_ok=True)
