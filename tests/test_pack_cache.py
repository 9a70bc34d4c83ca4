"""The pack cache (pcn_rules.packs.cache): a cached pack is the pack its files make, or not used."""

from __future__ import annotations

import dataclasses
import json
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import pcn_rules
import pcn_rules.packs.inherit
from pcn_rules import check
from pcn_rules.cel import Compiled, Environment
from pcn_rules.errors import PackError
from pcn_rules.packs import cache as packcache
from pcn_rules.packs import cachedir, discover
from pcn_rules.packs.discover import load_pack_cached, resolve_pack_dir
from pcn_rules.packs.examples import run_pack_examples
from pcn_rules.packs.load import load_pack
from pcn_rules.packs.model import RulePack

BUNDLED = ("2019/20", "2020/21")


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache directory of its own (XDG_CACHE_HOME), with packs kept on disk as the
    command keeps them (a library call does not)."""
    home = tmp_path / "cache-home"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    monkeypatch.delenv("PCN_RULES_NO_CACHE", raising=False)
    monkeypatch.setitem(discover._DISK, "on", True)
    return home


def entries(home: Path) -> list[Path]:
    folder = home / "pcn-rules" / "packs"
    return sorted(folder.glob("*.pickle")) if folder.is_dir() else []


def read_entry(entry: Path, directory: Path) -> RulePack | None:
    """The pack an entry holds, if the cache would use it."""
    with cachedir.opened(entry.parent) as folder:
        assert folder is not None
        return packcache._read(folder, entry.name, directory)


def shape(value: Any) -> Any:
    """A pack as plain data (CEL programs by their source), to compare two loads."""
    if isinstance(value, Compiled):
        return ("compiled", value.source)
    if isinstance(value, Environment):
        return ("environment", value.variables)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: shape(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.name != "prepared"  # what the engine has prepared from the pack so far
        }
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [shape(v) for v in value]
    if isinstance(value, frozenset | set):
        return sorted(shape(v) for v in value)
    return value


def _without_words(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_words(v) for k, v in value.items() if k != "words"}
    if isinstance(value, list):
        return [_without_words(v) for v in value]
    return value


def reports(pack: RulePack, repo_root: Path) -> list[Any]:
    """Every fixture of the pack's year checked: the JSON report, and the explained one parsed.

    (An explanation shows a CEL map's keys in an order that can differ from one evaluation to the
    next, with or without the cache, so explained reports are compared as parsed JSON, without
    their ``words``.)
    """
    year = pack.id.replace("/", "-")
    files = sorted((repo_root / "fixtures" / year).glob("*.json"))
    assert files
    return [
        (
            check(f, pack=pack).to_json(),
            _without_words(json.loads(check(f, pack=pack, explain=True).to_json())),
        )
        for f in files
    ]


def examples(pack: RulePack) -> list[tuple[str, bool, str]]:
    return [(r.rule_id, r.passed, r.detail) for r in run_pack_examples(pack)]


def copy_pack(tmp_path: Path, year: str = "2019/20") -> Path:
    target = tmp_path / "pack"
    shutil.copytree(resolve_pack_dir(year), target)
    return target


@pytest.mark.parametrize("year", BUNDLED)
def test_a_cached_pack_is_the_pack_loaded_from_yaml(
    year: str, cache_home: Path, repo_root: Path
) -> None:
    directory = resolve_pack_dir(year).resolve()
    fresh = load_pack(directory)
    written = packcache.load(directory)  # a miss: loads, then writes the entry
    assert entries(cache_home)
    cached = packcache.load(directory)  # a hit: read from the entry
    assert cached is not written
    assert shape(cached) == shape(fresh) == shape(written)
    assert reports(cached, repo_root) == reports(fresh, repo_root)
    assert examples(cached) == examples(fresh)


def test_a_hit_does_not_read_the_yaml(cache_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    directory = resolve_pack_dir("2019/20").resolve()
    packcache.load(directory)

    def no_yaml(*args: object) -> None:
        raise AssertionError("the pack was loaded from YAML despite a valid cache entry")

    monkeypatch.setattr("pcn_rules.packs.inherit.load_yaml_file", no_yaml)
    assert packcache.load(directory).id == "2019/20"


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: b"",
        lambda data: data[: len(data) // 2],  # truncated
        lambda data: data[:-10] + bytes(10),  # payload changed
        lambda data: b"garbage" + data,
        lambda data: data.replace(b'"code": "', b'"code": "0', 1),  # another pcn-rules
        lambda data: data.replace(b"\n", b"", 2),  # no header line
    ],
)
def test_a_corrupt_entry_is_rebuilt(cache_home: Path, repo_root: Path, damage: Any) -> None:
    directory = resolve_pack_dir("2019/20").resolve()
    fresh = load_pack(directory)
    packcache.load(directory)
    [entry] = entries(cache_home)
    entry.write_bytes(damage(entry.read_bytes()))
    rebuilt = packcache.load(directory)
    assert shape(rebuilt) == shape(fresh)
    assert reports(rebuilt, repo_root) == reports(fresh, repo_root)
    # and the entry is good again
    assert shape(read_entry(entry, directory)) == shape(fresh)


def test_an_entry_naming_another_class_is_not_unpickled(cache_home: Path) -> None:
    """A payload that would run code (e.g. os.system) is refused even when signed with the
    cache's own key."""
    directory = resolve_pack_dir("2019/20").resolve()
    packcache.load(directory)
    [entry] = entries(cache_home)
    data = entry.read_bytes()
    start = len(packcache._MAGIC) + cachedir.KEY_BYTES
    end = data.index(b"\n", start)
    body = data[start:end] + b"\n" + pickle.dumps(os.system)
    key = (entry.parent / "key").read_bytes()
    entry.write_bytes(packcache._MAGIC + packcache._sign(key, body) + body)
    with pytest.raises(pickle.UnpicklingError):
        read_entry(entry, directory)
    assert packcache.load(directory).id == "2019/20"


def test_a_changed_rule_file_is_seen(cache_home: Path, tmp_path: Path) -> None:
    directory = copy_pack(tmp_path)
    first = load_pack_cached(directory)
    assert entries(cache_home)
    rule_file = directory / "population.yaml"
    text = rule_file.read_text(encoding="utf-8")
    old_title = first.rule("POP-MIN").spec["title"]  # as written (it takes a parameter)
    assert old_title in text
    rule_file.write_text(text.replace(old_title, "A new title", 1), encoding="utf-8")
    assert load_pack_cached(directory).rule("POP-MIN").title == "A new title"
    assert shape(load_pack_cached(directory)) == shape(load_pack(directory))


def test_a_new_or_removed_rule_file_is_seen(cache_home: Path, tmp_path: Path) -> None:
    directory = copy_pack(tmp_path)
    before = {r.id for r in load_pack_cached(directory).rules}
    (directory / "services.yaml").rename(tmp_path / "services.yaml")
    fewer = {r.id for r in load_pack_cached(directory).rules}
    assert fewer < before
    (tmp_path / "services.yaml").rename(directory / "zz-services.yaml")
    assert {r.id for r in load_pack_cached(directory).rules} == before


def test_a_broken_pack_is_reported_not_served_from_the_cache(
    cache_home: Path, tmp_path: Path
) -> None:
    directory = copy_pack(tmp_path)
    load_pack_cached(directory)
    (directory / "governance.yaml").write_text("version: 1\nrules: [", encoding="utf-8")
    with pytest.raises(PackError, match=r"governance\.yaml"):
        load_pack_cached(directory)


def test_a_missing_example_base_is_reported(cache_home: Path, tmp_path: Path) -> None:
    directory = copy_pack(tmp_path)
    load_pack_cached(directory)
    (directory / "examples" / "base.json").unlink()
    with pytest.raises(PackError, match="example base"):
        load_pack_cached(directory)


def test_a_changed_parent_pack_is_seen(cache_home: Path, tmp_path: Path) -> None:
    parent = copy_pack(tmp_path, "2019/20")
    child = tmp_path / "child"
    shutil.copytree(resolve_pack_dir("2020/21"), child)
    pack_yaml = child / "pack.yaml"
    pack_yaml.write_text(
        pack_yaml.read_text(encoding="utf-8").replace('extends: "2019/20"', 'extends: "../pack"'),
        encoding="utf-8",
    )
    first = load_pack_cached(child)
    carried = next(r for r in first.rules if r.defined_in == "2019/20" and not r.overridden)
    rule_file = parent / Path(carried.origin.split(" → ")[0]).name
    written = carried.spec["title"]  # as written (a title may take a parameter)
    assert written in rule_file.read_text(encoding="utf-8")
    rule_file.write_text(
        rule_file.read_text(encoding="utf-8").replace(written, "Changed in the parent", 1),
        encoding="utf-8",
    )
    assert load_pack_cached(child).rule(carried.id).title == "Changed in the parent"


def test_messages_name_files_as_seen_from_the_working_directory(
    cache_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = copy_pack(tmp_path)
    monkeypatch.chdir(tmp_path)
    relative = load_pack_cached(directory)
    assert relative.rules[0].origin.startswith("pack/")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    absolute = load_pack_cached(directory)
    assert absolute.rules[0].origin.startswith(str(directory))
    assert shape(absolute) == shape(load_pack(directory))
    monkeypatch.chdir(tmp_path)
    assert shape(load_pack_cached(directory)) == shape(relative)


def test_nothing_is_trusted_or_written_once_the_source_changed(
    cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A source file newer than the process's import: the code running may not be on disk."""
    directory = resolve_pack_dir("2019/20").resolve()
    packcache.load(directory)
    [entry] = entries(cache_home)
    written = entry.read_bytes()
    reads: list[object] = []
    real = pcn_rules.packs.inherit.load_yaml_file

    def counting(*args: Any) -> Any:
        reads.append(args)
        return real(*args)

    monkeypatch.setattr("pcn_rules.packs.inherit.load_yaml_file", counting)
    monkeypatch.setattr(pcn_rules, "_imported_ns", 0)  # every source file is newer
    packcache._code_key.cache_clear()
    try:
        loaded = packcache.load(directory)
    finally:
        packcache._code_key.cache_clear()
    assert reads, "the entry was used"
    assert entry.read_bytes() == written
    assert shape(loaded) == shape(load_pack(directory))


def test_an_unwritable_cache_directory_is_no_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, repo_root: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    directory = resolve_pack_dir("2019/20").resolve()
    pack = packcache.load(directory)
    assert reports(pack, repo_root) == reports(load_pack(directory), repo_root)
    assert blocker.read_text(encoding="utf-8") == "not a directory"


def test_the_cache_can_be_turned_off(cache_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PCN_RULES_NO_CACHE", "1")
    assert packcache.cache_dir() is None
    packcache.load(resolve_pack_dir("2019/20").resolve())
    assert not entries(cache_home)


def test_a_relative_xdg_cache_home_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert packcache.cache_dir() == tmp_path / ".cache" / "pcn-rules" / "packs"


def test_the_command_line_gives_the_same_output_from_the_cache(
    tmp_path: Path, repo_root: Path
) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "COLUMNS": "200"}
    env.pop("PCN_RULES_NO_CACHE", None)
    command = [sys.executable, "-m", "pcn_rules", "fixtures/2019-20/rural-waiver-expired.json"]

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            command, cwd=repo_root, env=env, capture_output=True, text=True, check=False
        )

    first, second = run(), run()
    assert entries(tmp_path / "cache")
    env["PCN_RULES_NO_CACHE"] = "1"
    uncached = run()
    assert first.returncode == second.returncode == uncached.returncode == 1
    assert first.stdout == second.stdout == uncached.stdout
    assert "NOT COMPLIANT" in first.stdout
