"""What pack authors write reads as they mean it: YAML 1.2 booleans (a confidence code OFF is
not false), and figures written once as parameters in titles, descriptions and remediation."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pcn_rules.errors import PackError
from pcn_rules.packs.discover import resolve_pack_dir
from pcn_rules.packs.load import load_pack


@pytest.fixture
def pack_dir(tmp_path: Path) -> Path:
    target = tmp_path / "pack"
    shutil.copytree(resolve_pack_dir("2019/20"), target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_an_unquoted_confidence_code_off_stays_a_code(pack_dir: Path) -> None:
    rules = pack_dir / "population.yaml"
    _edit(rules, 'confidence: "OFF"}', "confidence: OFF}")
    pack = load_pack(pack_dir)
    assert pack.rule("POP-TYPICAL-MAX").source["confidence"] == "OFF"


def test_titles_and_remediation_take_figures_from_the_parameters(pack_dir: Path) -> None:
    _edit(pack_dir / "pack.yaml", "  population_min: 30000", "  population_min: 25000")
    pack = load_pack(pack_dir)
    rule = pack.rule("POP-MIN")
    assert "25,000" in rule.title
    assert any("25,000" in step for step in rule.remediation)
    assert "30,000" not in rule.title + " ".join(rule.remediation)


def test_a_placeholder_naming_no_parameter_is_a_pack_error(pack_dir: Path) -> None:
    rules = pack_dir / "population.yaml"
    text = rules.read_text(encoding="utf-8")
    start = text.index("title:", text.index("id: POP-MIN"))
    end = text.index("\n", start)
    rules.write_text(
        text[:start] + "title: At least {params.population_minimum:,} patients" + text[end:],
        encoding="utf-8",
    )
    with pytest.raises(PackError, match=r"POP-MIN\) → title.*population_minimum"):
        load_pack(pack_dir)
