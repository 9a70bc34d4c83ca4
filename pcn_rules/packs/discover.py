"""Finding packs: the bundled ones, a pack directory, the pack for a submission's contract year
or date; and loaded packs remembered for the life of the process."""

from __future__ import annotations

import datetime as dt
import re
import threading
from importlib import resources
from pathlib import Path

from pcn_rules.errors import InputError, UsageError
from pcn_rules.packs.model import RulePack


def packs_root() -> Path:
    """Where the bundled packs are: inside the installed wheel, or ``rules/`` in a checkout."""
    bundled = Path(str(resources.files("pcn_rules"))) / "_packs"
    if bundled.is_dir():
        return bundled
    return Path(__file__).resolve().parents[2] / "rules"


def available_packs() -> list[str]:
    """IDs of the bundled packs, oldest first (e.g. ``["2019/20", "2020/21"]``)."""
    root = packs_root()
    if not root.is_dir():
        return []
    return sorted(d.name.replace("-", "/") for d in root.iterdir() if (d / "pack.yaml").is_file())


def resolve_pack_dir(ref: str | Path) -> Path:
    """A pack ID (``2019/20`` or ``2019-20``) or a path to a pack directory or its pack.yaml."""
    text = str(ref)
    if re.fullmatch(r"20[0-9]{2}[/-][0-9]{2}", text):
        directory = packs_root() / text.replace("/", "-")
        if (directory / "pack.yaml").is_file():
            return directory
        raise UsageError(
            f"no bundled rule pack {text!r}; available: {', '.join(available_packs()) or 'none'}"
        )
    path = Path(ref)
    if path.is_file() and path.name == "pack.yaml":
        return path.parent
    if path.is_dir() and (path / "pack.yaml").is_file():
        return path
    raise UsageError(
        f"{text!r} is neither a bundled pack ({', '.join(available_packs()) or 'none'}) "
        "nor a directory containing pack.yaml"
    )


def select_pack_id(contract_year: str | None, on: dt.date | None) -> str:
    """The bundled pack for a submission: by contract year, else by date against effective dates."""
    ids = available_packs()
    if contract_year is not None:
        if contract_year in ids:
            return contract_year
        # what the submission says is the problem, as with a date outside every pack
        raise InputError(
            "submission",
            [
                (
                    "contract_year",
                    f"no bundled rule pack for contract year {contract_year}; available: "
                    f"{', '.join(ids) or 'none'} (choose one with --pack)",
                )
            ],
        )
    if on is not None:
        for pack_id in ids:
            pack = load_pack_cached(pack_id)
            if pack.effective_from <= on <= pack.effective_to:
                return pack_id
        spans = ", ".join(
            f"{p} ({load_pack_cached(p).effective_from} to {load_pack_cached(p).effective_to})"
            for p in ids
        )
        raise InputError(
            "submission",
            [
                (
                    "submission.submitted_on",
                    f"no bundled rule pack is in force on {on}; available: {spans} "
                    "(give contract_year, or choose a pack with --pack)",
                )
            ],
        )
    raise UsageError(
        "the submission gives neither contract_year nor submission.submitted_on; "
        f"choose a pack with --pack ({', '.join(ids)})"
    )


_CACHE: dict[str, RulePack] = {}
_CACHE_LOCK = threading.Lock()
#: Whether loaded packs are also kept on disk between processes (the command line turns it on).
_DISK = {"on": False}


def keep_packs_on_disk(on: bool = True) -> None:
    """Keep loaded packs in the user's cache directory between processes (see
    :mod:`pcn_rules.packs.cache`).  Off by default: a library call writes no file.  The
    ``pcn-check`` command turns it on, as most of its start-up is loading a pack."""
    _DISK["on"] = on


def load_pack_cached(ref: str | Path) -> RulePack:
    """:func:`~pcn_rules.packs.load.load_pack`, remembered for the bundled packs (which cannot
    change once installed).  A pack directory outside the bundled ones is loaded afresh each
    time, so edits are seen."""
    directory = resolve_pack_dir(ref).resolve()
    if directory.parent != packs_root().resolve():
        return _load(directory)
    key = str(directory)
    with _CACHE_LOCK:
        pack = _CACHE.get(key)
    if pack is None:
        pack = _load(directory)
        with _CACHE_LOCK:
            pack = _CACHE.setdefault(key, pack)
    return pack


def _load(directory: Path) -> RulePack:
    if _DISK["on"]:
        from pcn_rules.packs import cache

        return cache.load(directory)
    from pcn_rules.packs.load import load_pack

    return load_pack(directory)
