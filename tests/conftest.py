"""Shared test set-up."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

import pcn_rules
from pcn_rules.packs.model import RulePack

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True, scope="session")
def private_pack_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The pack cache (pcn_rules.packs.cache) writes under a temporary directory, not ~/.cache."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))
        yield


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rich wraps at the terminal width; a wide one keeps phrases on one line for matching."""
    monkeypatch.setenv("COLUMNS", "200")


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The root of the checkout (holds pyproject.toml, rules/, fixtures/)."""
    assert (ROOT / "pyproject.toml").is_file()
    return ROOT


@pytest.fixture(scope="session")
def fixtures_dir(repo_root: Path) -> Path:
    """fixtures/2019-20: the bundled example submissions of the 2019/20 contract year."""
    directory = repo_root / "fixtures" / "2019-20"
    assert directory.is_dir()
    return directory


@pytest.fixture(scope="session")
def pack_2019() -> RulePack:
    """The bundled 2019/20 pack, loaded and validated once for the session."""
    return pcn_rules.load_pack("2019/20")


@cache
def _read_fixture(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@pytest.fixture
def load_fixture(fixtures_dir: Path) -> Callable[[str], dict[str, Any]]:
    """``load_fixture("rural-waiver.json")``: a fresh dict (safe to change) of a 2019/20 fixture."""

    def load(name: str) -> dict[str, Any]:
        return copy.deepcopy(json.loads(_read_fixture(fixtures_dir / name)))

    return load


@pytest.fixture
def compliant_doc(load_fixture: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
    """fixtures/2019-20/compliant.json as a fresh dict."""
    return load_fixture("compliant.json")
