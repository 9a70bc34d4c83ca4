"""Pack YAML: libyaml (the fast path) reads exactly what the reference loader reads, with the same
limits, and every problem is reported in the reference loader's words."""

from __future__ import annotations

from pathlib import Path

import pytest

from pcn_rules.errors import PackError
from pcn_rules.packs import yamlsafe

ROOT = Path(__file__).resolve().parent.parent
YAML_FILES = sorted(
    [*ROOT.glob("rules/**/*.yaml"), *ROOT.glob("fixtures/**/*.yaml"), *ROOT.glob("tests/**/*.yaml")]
)

needs_libyaml = pytest.mark.skipif(
    yamlsafe._FastLoader is None, reason="PyYAML was built without libyaml"
)


def reference(text: str) -> object:
    loader = yamlsafe._Loader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def message(path: Path) -> str:
    with pytest.raises(PackError) as caught:
        yamlsafe.load_yaml_file(path, path.name)
    return str(caught.value)


def messages_both_ways(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    fast = message(path)
    with monkeypatch.context() as patch:
        patch.setattr(yamlsafe, "_FastLoader", None)
        slow = message(path)
    return fast, slow


@needs_libyaml
@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_libyaml_reads_every_file_as_the_reference_loader_does(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    done, data = yamlsafe._fast_load(text)
    assert done
    assert data == reference(text)


@needs_libyaml
def test_the_fast_path_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> None:
        raise AssertionError("the pure-Python loader was used")

    monkeypatch.setattr(yamlsafe, "_Loader", refuse)
    data = yamlsafe.load_yaml_file(ROOT / "rules" / "2019-20" / "pack.yaml", "pack.yaml")
    assert data["id"] == "2019/20"


@pytest.mark.parametrize(
    "text",
    [
        "version: 1\nrules: [\n",  # unclosed flow sequence
        "version: 1\n  bad: indent\n",
        "a: b: c\n",
        "version: 1\nversion: 2\n",  # duplicate key
        "version: 1\nrules:\n  - id: X\n    id: Y\n",  # duplicate key, nested
        "x: !!python/object/apply:os.system ['true']\n",  # a tag
        "x: 'unterminated\n",
        "--- 1\n--- 2\n",  # two documents
        "x: *nowhere\n",  # undefined alias
        "x: \x07\n",  # a control character
    ],
)
def test_problems_are_reported_in_the_reference_loaders_words(
    text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    fast, slow = messages_both_ways(path, monkeypatch)
    assert fast == slow


def aliases(n: int) -> str:
    return "a: &a 1\nb: [" + ", ".join(["*a"] * n) + "]\n"


@pytest.mark.parametrize("n", [0, 1, yamlsafe.MAX_ALIASES])
def test_aliases_up_to_the_limit_are_read(n: int, tmp_path: Path) -> None:
    path = tmp_path / "aliases.yaml"
    path.write_text(aliases(n), encoding="utf-8")
    expected = {"a": 1, "b": [1] * n}
    assert yamlsafe.load_yaml_file(path, "aliases.yaml") == expected
    if yamlsafe._FastLoader is not None:
        assert yamlsafe._fast_load(aliases(n)) == (True, expected)


@pytest.mark.parametrize(
    "text",
    [
        aliases(yamlsafe.MAX_ALIASES + 1),
        # aliases as keys and inside nested collections count too
        "a: &a [x]\n"
        + "".join(f"k{i}: {{*a : 1, n: [*a]}}\n" for i in range(yamlsafe.MAX_ALIASES // 2 + 1)),
        "a: &a [1, *a]\n" + "b: [" + ", ".join(["*a"] * yamlsafe.MAX_ALIASES) + "]\n",
    ],
)
def test_one_alias_too_many_is_refused_as_before(
    text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "aliases.yaml"
    path.write_text(text, encoding="utf-8")
    fast, slow = messages_both_ways(path, monkeypatch)
    assert fast == slow
    assert "aliases" in fast


@needs_libyaml
def test_alias_count_matches_the_reference_composer() -> None:
    texts = [
        aliases(7),
        "a: &a {x: &b [1, 2]}\nb: *a\nc: *b\nd: [*a, *b, *a]\n",
        "a: &a [1, *a]\n",
        "&r {a: *r, b: [*r, *r]}\n",
        "plain: [1, 2, 3]\n",
    ]
    for text in texts:
        loader = yamlsafe._Loader(text)
        try:
            loader.get_single_node()
            expected = loader.alias_count
        finally:
            loader.dispose()
        fast = yamlsafe._FastLoader(text)
        try:
            assert yamlsafe._alias_count(fast.get_single_node()) == expected, text
        finally:
            fast.dispose()


def nested(tmp_path: Path, depth: int) -> Path:
    path = tmp_path / "deep.yaml"
    path.write_text("version: 1\nrules: " + "[" * depth + "]" * depth + "\n", encoding="utf-8")
    return path


def test_deep_nesting_is_a_pack_error_not_a_crash(tmp_path: Path) -> None:
    with pytest.raises(PackError, match="nests too deeply"):
        yamlsafe.load_yaml_file(nested(tmp_path, 5000), "deep.yaml")


@needs_libyaml
def test_nesting_libyaml_can_read_is_read(tmp_path: Path) -> None:
    data = yamlsafe.load_yaml_file(nested(tmp_path, 600), "deep.yaml")
    assert data["version"] == 1
