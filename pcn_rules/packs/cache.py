"""A cache of loaded rule packs that lasts between processes, which no verdict depends on.

Loading a pack parses its YAML, validates every key and compiles every CEL condition: some 40 ms
for the 2019/20 pack and 60 ms for 2020/21, most of what ``pcn-check FILE`` itself spends.
:func:`load` keeps what :func:`~pcn_rules.packs.load.load_pack` returned in a file of the user's
own cache directory (:mod:`pcn_rules.packs.cachedir`) and uses it only when loading the pack
now would give the very same pack:

- the entry records every look the load took at the file system (:mod:`pcn_rules.packs.deps`):
  the SHA-256 of the bytes actually parsed of each file (``pack.yaml`` and the rule files of the
  pack and of every pack it extends, through symbolic links), each directory's list of rule
  files, where each path an ``extends`` names resolves to (a link re-pointed is a change), that
  each example base is a file, how each file is named in messages.  Each is asked again before
  the entry is used; one different answer and the pack is loaded afresh.  As the bytes recorded
  are those that were parsed, an edit saved while a pack loads leaves an entry that no longer
  matches, never one that pairs old rules with the new files;
- the pcn-rules source code (every ``.py`` file of the package, by SHA-256), the Python version
  and the pydantic, PyYAML and cel-expr-python builds;
- an entry is signed with a secret key kept in the cache directory (HMAC-SHA256): one that this
  user's pcn-rules did not write -- planted, truncated, corrupt -- is never unpickled, and the
  directory itself is used only when it belongs to this user and is open to no one else.

Anything else -- no entry, a stale, corrupt or unreadable one, an unusable cache directory --
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
import hmac
import io
import json
import os
import pickle
import sys
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pcn_rules.cel import binding as celexpr
from pcn_rules.packs import cachedir, deps
from pcn_rules.packs.compile import ENV_LOCK, shared_environment
from pcn_rules.packs.load import load_pack
from pcn_rules.packs.model import RulePack
from pcn_rules.vocab import FrozenDict

_MAGIC = b"pcn-rules pack cache 2\n"
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
    {
        (__name__, "_program"),
        (__name__, "_environment"),
        (__name__, "_read_only"),
        (__name__, "_frozen"),
    }
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
    root = cache_dir()
    if root is None:
        return load_pack(directory)
    with cachedir.opened(root) as folder:
        if folder is None:  # not this user's own private directory: no cache at all
            return load_pack(directory)
        name: str | None = None
        try:
            name = _entry_name(directory)
            cached = _read(folder, name, directory)
        except Exception:  # corrupt, stale, unreadable...: load afresh, then replace it
            cached = None
        if cached is not None:
            return cached
        with deps.recording() as observations:
            loaded = load_pack(directory)
        # unwritable, full, unpicklable...: the pack is loaded all the same
        if name is not None:
            with contextlib.suppress(Exception):
                _write(folder, name, directory, loaded, observations)
    return loaded


def _entry_name(directory: Path) -> str:
    # a directory named otherwise from elsewhere (relative, absolute) has an entry of its own
    where = f"{directory}\0{deps.display(directory)}"
    return f"{hashlib.sha256(where.encode()).hexdigest()[:32]}.pickle"


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


# --------------------------------------------------------------------------------------------
# Reading and writing entries
# --------------------------------------------------------------------------------------------


def _program(serialized: bytes) -> Any:
    return shared_environment().deserialize(serialized)


def _read_only(mapping: dict[str, Any]) -> MappingProxyType[str, Any]:
    return MappingProxyType(mapping)


def _frozen(mapping: dict[str, Any]) -> FrozenDict[str, Any]:
    return FrozenDict(mapping)


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
        if kind is FrozenDict:
            return _frozen, (dict(obj),)
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


def _sign(key: bytes, body: bytes) -> bytes:
    return hmac.new(key, body, hashlib.sha256).digest()


def _observations(value: Any) -> list[deps.Observation] | None:
    if not isinstance(value, list):
        return None
    found: list[deps.Observation] = []
    for item in value:
        if not (isinstance(item, list) and len(item) == 3 and all(type(x) is str for x in item)):
            return None
        found.append((item[0], item[1], item[2]))
    return found


def _read(folder: cachedir.Directory, name: str, directory: Path) -> RulePack | None:
    data = folder.read(name)
    if data is None or not data.startswith(_MAGIC):
        return None
    key = folder.key(create=False)
    if key is None:
        return None
    signature = data[len(_MAGIC) : len(_MAGIC) + cachedir.KEY_BYTES]
    body = data[len(_MAGIC) + cachedir.KEY_BYTES :]
    if not hmac.compare_digest(signature, _sign(key, body)):
        return None  # not written by this user's pcn-rules
    header_end = body.find(b"\n")
    if header_end < 0:
        return None
    header = json.loads(body[:header_end])
    observations = _observations(header.get("observations"))
    if (
        header.get("code") != _code_key().hex()
        or header.get("directory") != str(directory)
        or observations is None
        or ("file", str(directory / "pack.yaml")) not in {(k, p) for k, p, _ in observations}
        or not deps.still_true(observations)
    ):
        return None
    return _unpickle(body[header_end + 1 :], directory)


def _write(
    folder: cachedir.Directory,
    name: str,
    directory: Path,
    loaded: RulePack,
    observations: list[deps.Observation],
) -> None:
    code = _code_key()
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(loaded)
    payload = buffer.getvalue()
    if _unpickle(payload, directory) is None:  # what cannot be read back is not written
        return
    header = {"code": code.hex(), "directory": str(directory), "observations": observations}
    body = json.dumps(header).encode() + b"\n" + payload
    key = folder.key(create=True)
    if key is not None:
        folder.write(name, _MAGIC + _sign(key, body) + body)
