"""No verdict depends on what the pack cache holds (issue 14, "Verdicts that cannot be changed by
a cache"): an entry someone else wrote is never used, an entry is only ever the pack its files
make now (symbolic links re-pointed, files edited while a pack loads), and what sits at an
entry's name (a named pipe, a link to /dev/zero) cannot hang or swell a run."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import pickle
import shutil
import subprocess
import sys
import textwrap
import threading
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import pcn_rules.packs.inherit
from pcn_rules import check
from pcn_rules.packs import cache as packcache
from pcn_rules.packs import cachedir, discover
from pcn_rules.packs.discover import load_pack_cached, resolve_pack_dir
from pcn_rules.packs.load import load_pack
from pcn_rules.packs.model import RulePack

ROOT = Path(__file__).resolve().parent.parent
NOT_COMPLIANT = ROOT / "fixtures" / "2019-20" / "rural-waiver-expired.json"
COMPLIANT_2020 = ROOT / "fixtures" / "2020-21" / "compliant.json"

posix_only = pytest.mark.skipif(not cachedir.supported(), reason="no cache on this system")


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache of its own, with packs kept on disk as the command keeps them."""
    home = tmp_path / "cache-home"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    monkeypatch.delenv("PCN_RULES_NO_CACHE", raising=False)
    monkeypatch.setitem(discover._DISK, "on", True)
    return home


def folder(home: Path) -> Path:
    return home / "pcn-rules" / "packs"


def entry_of(home: Path, directory: Path) -> Path:
    return folder(home) / packcache._entry_name(directory.resolve())


def copy_pack(tmp_path: Path, year: str = "2019/20", name: str = "pack") -> Path:
    target = tmp_path / name
    shutil.copytree(resolve_pack_dir(year), target)
    return target.resolve()


def all_true(pack: RulePack) -> RulePack:
    """The pack with every requirement's conditions replaced by `true`, as shown unchanged."""
    true = pack.environment.compile("true")

    def forged(condition: Any) -> Any:
        return dataclasses.replace(condition, program=true.program, compiled_text="true")

    rules = tuple(
        dataclasses.replace(
            rule,
            checks=tuple(
                dataclasses.replace(c, condition=forged(c.condition)) for c in rule.checks
            ),
        )
        for rule in pack.rules
    )
    return dataclasses.replace(pack, rules=rules)


def pickled(pack: RulePack) -> bytes:
    buffer = io.BytesIO()
    packcache._Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(pack)
    return buffer.getvalue()


def verdict(pack: RulePack) -> bool:
    return check(NOT_COMPLIANT, pack=pack).compliant


def test_the_forgery_would_change_the_verdict(pack_2019: RulePack) -> None:
    # the control for the tests below: the forged pack passes what the real one fails, while
    # its conditions read as before
    forged = all_true(pack_2019)
    assert not verdict(pack_2019)
    assert verdict(forged)
    assert [r.conditions() for r in forged.rules] == [r.conditions() for r in pack_2019.rules]


def plant(entry: Path, pack: RulePack, signature: bytes) -> None:
    """What someone without the cache's key can write: a well-formed entry for ``pack`` that
    claims to depend on nothing."""
    header = {"code": packcache._code_key().hex(), "directory": str(pack.directory)}
    body = json.dumps({**header, "observations": []}).encode() + b"\n" + pickled(pack)
    entry.write_bytes(packcache._MAGIC + signature + body)


@posix_only
@pytest.mark.parametrize("signature", ["copied", "own key"])
def test_a_planted_entry_does_not_change_a_verdict(
    signature: str, cache_home: Path, tmp_path: Path
) -> None:
    directory = copy_pack(tmp_path)
    real = load_pack_cached(directory)
    entry = entry_of(cache_home, directory)
    genuine = entry.read_bytes()
    if signature == "copied":  # the signature of the genuine entry
        mark = genuine[len(packcache._MAGIC) : len(packcache._MAGIC) + cachedir.KEY_BYTES]
    else:  # a signature made with a key of the planter's own
        mark = packcache._sign(os.urandom(cachedir.KEY_BYTES), b"anything")
    plant(entry, all_true(real), mark)
    assert not verdict(load_pack_cached(directory))
    assert not verdict(load_pack_cached(directory))  # and after the entry is rewritten


def write_signed(home: Path, directory: Path, pack: RulePack) -> Path:
    """An entry for ``pack`` as the cache itself would write it (with the cache's own key)."""
    with cachedir.opened(folder(home)) as opened:
        assert opened is not None
        key = opened.key(create=True)
        assert key is not None
    entry = entry_of(home, directory)
    header = {
        "code": packcache._code_key().hex(),
        "directory": str(directory),
        "observations": [["file", str(directory / "pack.yaml"), "0" * 64]],
    }
    body = json.dumps(header).encode() + b"\n" + pickled(pack)
    entry.write_bytes(packcache._MAGIC + packcache._sign(key, body) + body)
    entry.chmod(0o600)
    return entry


@posix_only
@pytest.mark.parametrize("mode", [0o777, 0o770, 0o755, 0o701])
def test_a_cache_directory_others_can_use_is_not_used(
    mode: int, cache_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Others could have written any entry there, the key included: nothing in it is read."""
    directory = copy_pack(tmp_path)
    real = load_pack_cached(directory)
    # the worst case: a forged entry that the cache would take for its own, if it looked
    monkeypatch.setattr(packcache.deps, "still_true", lambda observations: True)
    entry = write_signed(cache_home, directory, all_true(real))
    planted = entry.read_bytes()
    folder(cache_home).chmod(mode)
    assert not verdict(load_pack_cached(directory))
    assert entry.read_bytes() == planted  # and nothing was written there either
    folder(cache_home).chmod(0o700)
    assert verdict(load_pack_cached(directory)), "the control: a private directory is used"


@posix_only
def test_a_cache_directory_of_another_user_is_not_used(
    cache_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = copy_pack(tmp_path)
    real = load_pack_cached(directory)
    monkeypatch.setattr(packcache.deps, "still_true", lambda observations: True)
    write_signed(cache_home, directory, all_true(real))
    uid = os.geteuid()
    monkeypatch.setattr(os, "geteuid", lambda: uid + 1)
    assert not verdict(load_pack_cached(directory))


@posix_only
def test_a_cache_directory_that_is_a_link_is_not_used(
    cache_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = copy_pack(tmp_path)
    real = load_pack_cached(directory)
    monkeypatch.setattr(packcache.deps, "still_true", lambda observations: True)
    write_signed(cache_home, directory, all_true(real))
    elsewhere = tmp_path / "elsewhere"
    folder(cache_home).rename(elsewhere)
    folder(cache_home).symlink_to(elsewhere)
    assert not verdict(load_pack_cached(directory))


def extends_chain(tmp_path: Path) -> tuple[Path, Path]:
    """A 2020/21 pack extending ``../base``, a link to a copy of 2019/20 (``baseA``); and
    ``baseB``, the same but for a population minimum no network reaches."""
    base_a = copy_pack(tmp_path, "2019/20", "baseA")
    base_b = copy_pack(tmp_path, "2019/20", "baseB")
    pack_yaml = base_b / "pack.yaml"
    text = pack_yaml.read_text(encoding="utf-8")
    assert "  population_min: 30000\n" in text
    pack_yaml.write_text(
        text.replace("  population_min: 30000\n", "  population_min: 90000000\n"),
        encoding="utf-8",
    )
    child = copy_pack(tmp_path, "2020/21", "child")
    child_yaml = child / "pack.yaml"
    child_yaml.write_text(
        child_yaml.read_text(encoding="utf-8").replace('extends: "2019/20"', 'extends: "../base"'),
        encoding="utf-8",
    )
    (tmp_path / "base").symlink_to(base_a, target_is_directory=True)
    return child, base_b


def test_re_pointing_a_link_in_an_extends_chain_changes_the_verdict(
    cache_home: Path, tmp_path: Path
) -> None:
    child, base_b = extends_chain(tmp_path)
    assert check(COMPLIANT_2020, pack=load_pack_cached(child)).compliant
    assert check(COMPLIANT_2020, pack=load_pack_cached(child)).compliant  # from the cache
    link = tmp_path / "base"
    link.unlink()
    link.symlink_to(base_b, target_is_directory=True)
    assert not check(COMPLIANT_2020, pack=load_pack(child)).compliant  # the control
    report = check(COMPLIANT_2020, pack=load_pack_cached(child))
    assert not report.compliant
    assert "90,000,000" in report.to_json()


def test_re_pointing_a_linked_rule_file_is_seen(cache_home: Path, tmp_path: Path) -> None:
    directory = copy_pack(tmp_path)
    rules = directory / "population.yaml"
    original = tmp_path / "population-a.yaml"
    rules.rename(original)
    changed = tmp_path / "population-b.yaml"
    text = original.read_text(encoding="utf-8")
    changed.write_text(
        text.replace("network.list_size >= params.population_min ||", "false &&", 1),
        encoding="utf-8",
    )
    rules.symlink_to(original)
    assert (
        "params.population_min"
        in load_pack_cached(directory).rule("POP-MIN").checks[0].condition.source
    )
    load_pack_cached(directory)
    rules.unlink()
    rules.symlink_to(changed)
    assert (
        load_pack_cached(directory).rule("POP-MIN").checks[0].condition.source.startswith("false")
    )


def test_an_edit_saved_while_a_pack_loads_is_seen_next_time(
    cache_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The load parsed the old file; the entry must not pair it with the new file's bytes."""
    directory = copy_pack(tmp_path)
    rule_file = directory / "population.yaml"
    old_title = load_pack(directory).rule("POP-MIN").spec["title"]
    real = pcn_rules.packs.inherit.load_yaml_file
    edited: list[Path] = []

    def edit_after_reading(path: Path, display: str) -> Any:
        data = real(path, display)
        if path == rule_file and not edited:  # saved just after the loader read it
            text = rule_file.read_text(encoding="utf-8")
            rule_file.write_text(text.replace(old_title, "Edited mid-load", 1), encoding="utf-8")
            edited.append(path)
        return data

    monkeypatch.setattr(pcn_rules.packs.inherit, "load_yaml_file", edit_after_reading)
    first = load_pack_cached(directory)
    assert edited
    assert first.rule("POP-MIN").spec["title"] == old_title  # what was parsed
    monkeypatch.setattr(pcn_rules.packs.inherit, "load_yaml_file", real)
    assert load_pack_cached(directory).rule("POP-MIN").title == "Edited mid-load"
    assert load_pack_cached(directory).rule("POP-MIN").title == "Edited mid-load"


def in_time(work: Callable[[], object], seconds: float = 20.0) -> object:
    """``work()``, failing (not hanging) if it does not finish in time."""
    result: list[object] = []
    thread = threading.Thread(target=lambda: result.append(work()), daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "hung"
    assert result, "raised"
    return result[0]


@posix_only
def test_a_named_pipe_at_an_entry_is_skipped(cache_home: Path, tmp_path: Path) -> None:
    directory = copy_pack(tmp_path)
    load_pack_cached(directory)
    entry = entry_of(cache_home, directory)
    entry.unlink()
    os.mkfifo(entry)
    pack = in_time(lambda: load_pack_cached(directory))
    assert isinstance(pack, RulePack)
    assert not verdict(pack)


@posix_only
@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_a_link_to_dev_zero_at_an_entry_is_skipped(cache_home: Path, tmp_path: Path) -> None:
    directory = copy_pack(tmp_path)
    load_pack_cached(directory)
    entry = entry_of(cache_home, directory)
    entry.unlink()
    entry.symlink_to("/dev/zero")
    tracemalloc.start()
    try:
        pack = in_time(lambda: load_pack_cached(directory))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 256 * 1024 * 1024, f"{peak:,} bytes at the peak"
    assert isinstance(pack, RulePack)
    assert not verdict(pack)


@posix_only
def test_an_oversized_entry_is_not_read(
    cache_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = copy_pack(tmp_path)
    load_pack_cached(directory)
    entry = entry_of(cache_home, directory)
    size = entry.stat().st_size
    monkeypatch.setattr(cachedir, "MAX_ENTRY_BYTES", size - 1)
    reads: list[object] = []
    real = pcn_rules.packs.inherit.load_yaml_file
    monkeypatch.setattr(
        pcn_rules.packs.inherit, "load_yaml_file", lambda *a: reads.append(a) or real(*a)
    )
    with open(entry, "r+b") as file:  # a sparse tail: huge, but costs nothing
        file.truncate(2 * 1024**3)
    load_pack_cached(directory)
    assert reads, "the oversized entry was used"


@posix_only
def test_the_cache_directory_and_its_files_are_private(cache_home: Path, tmp_path: Path) -> None:
    load_pack_cached(copy_pack(tmp_path))
    for path in [folder(cache_home), folder(cache_home).parent]:
        assert path.stat().st_mode & 0o777 == 0o700, path
    files = list(folder(cache_home).iterdir())
    assert {p.name for p in files} >= {"key"}
    for path in files:
        assert path.stat().st_mode & 0o777 == 0o600, path


_OBSERVED = textwrap.dedent(
    """
    import json, os, sys
    from pathlib import Path
    from pcn_rules.packs import deps
    from pcn_rules.packs.load import load_pack
    child = Path(sys.argv[1])
    root = str(child.parent)
    seen = {"open": set(), "list": set()}
    active = []

    def hook(event, args):
        if not active:
            return
        if event == "open" and isinstance(args[0], (str, os.PathLike)):
            if os.fspath(args[0]).startswith(root):
                seen["open"].add(os.fspath(args[0]))
        if event in ("os.listdir", "os.scandir") and str(args[0]).startswith(root):
            seen["list"].add(str(args[0]))

    sys.addaudithook(hook)
    with deps.recording() as observations:
        active.append(1)
        load_pack(child)
        active.clear()
    print(json.dumps({k: sorted(v) for k, v in seen.items()}))
    print(json.dumps(observations))
    """
)


def test_every_file_a_load_reads_or_lists_is_observed(tmp_path: Path) -> None:
    """The entry's record is complete: the loader opens no file and lists no directory that
    the cache does not check again (watched with Python's audit hooks)."""
    child, _ = extends_chain(tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", _OBSERVED, str(child)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    seen_line, observed_line = done.stdout.splitlines()[-2:]
    seen = json.loads(seen_line)
    observed = json.loads(observed_line)
    files = {path for kind, path, _ in observed if kind == "file"}
    listed = {path for kind, path, _ in observed if kind == "list"}
    assert seen["open"], "the hook saw nothing"
    assert set(seen["open"]) <= files
    assert {str(Path(p)) for p in seen["list"]} <= listed
    assert any(kind == "resolve" and path.endswith("base") for kind, path, _ in observed)
