"""Every rule's own examples, in every bundled pack, run by one parametrised test; plus meta-tests
that keep every rule covered (met and not met), every milestone key defined, every dated rule
judged on dated evidence, and no rule met when a fact it reads is missing."""

from __future__ import annotations

import dataclasses
import re
import shutil
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from required_ids import IDS_2019

import pcn_rules
from pcn_rules.packs.discover import resolve_pack_dir
from pcn_rules.packs.examples import find_vacuous_passes, run_example
from pcn_rules.packs.load import lint_pack, load_pack
from pcn_rules.packs.model import Example, Rule, RulePack

ROOT = Path(__file__).resolve().parent.parent
#: the catalogue the packs encode, in ../shared beside the checkout (absent in a user's clone)
CATALOGUE = ROOT.parent / "shared" / "domain" / "requirements.md"


@cache
def _packs() -> tuple[RulePack, ...]:
    return tuple(pcn_rules.load_pack(pack_id) for pack_id in pcn_rules.available_packs())


def _example_id(pack: RulePack, rule: Rule, index: int, example: Example) -> str:
    label = f"{rule.id}::{example.expect} #{index + 1}"
    if not example.name.startswith(f"{rule.id} "):  # a name the pack author gave
        label += f" ({example.name})"
    return f"{pack.id.replace('/', '-')} {label}"


def _all_examples() -> list[Any]:
    params = []
    for pack in _packs():
        for rule in pack.rules:
            for index, example in enumerate(rule.examples):
                params.append(
                    pytest.param(pack, rule, example, id=_example_id(pack, rule, index, example))
                )
    return params


EXAMPLES = _all_examples()
_BASES: dict[Path, dict[str, Any]] = {}


def test_packs_are_bundled() -> None:
    # without this, an empty pack list would make the parametrised test below vacuous
    assert "2019/20" in pcn_rules.available_packs()
    assert len(EXAMPLES) >= 2 * len(IDS_2019)


@pytest.mark.parametrize(("pack", "rule", "example"), EXAMPLES)
def test_rule_example(pack: RulePack, rule: Rule, example: Example) -> None:
    result = run_example(pack, rule, example, _BASES)
    assert result.passed, f"{pack.id} {rule.id} / {example.name}: {result.detail}"


@pytest.mark.parametrize("pack", _packs(), ids=lambda p: p.id.replace("/", "-"))
def test_every_rule_has_a_met_and_a_not_met_example(pack: RulePack) -> None:
    lacking = [
        rule.id
        for rule in pack.rules
        if "met" not in {e.expect for e in rule.examples}
        or not {"not_met", "not_evidenced"} & {e.expect for e in rule.examples}
    ]
    assert not lacking, f"rules without a met and an unmet example in {pack.id}: {lacking}"


@pytest.mark.parametrize("pack", _packs(), ids=lambda p: p.id.replace("/", "-"))
def test_every_dated_rule_names_its_evidence_date_or_why_it_has_none(pack: RulePack) -> None:
    assert lint_pack(pack) == []
    dated = [rule for rule in pack.rules if rule.due is not None]
    assert dated, "the lint would be vacuous without rules that have a deadline"


def test_the_evidence_date_lint_finds_a_dated_rule_without_one(tmp_path: Path) -> None:
    target = tmp_path / "pack"
    shutil.copytree(resolve_pack_dir("2019/20"), target)
    rules = target / "governance.yaml"
    text = rules.read_text(encoding="utf-8")
    line = "    evidence_date: network.agreement.data_sharing_signed_on\n"
    assert line in text
    rules.write_text(text.replace(line, ""), encoding="utf-8")
    problems = lint_pack(load_pack(target))
    assert len(problems) == 1
    assert "NA-DATA-SHARING" in problems[0]
    assert "evidence_date" in problems[0]


@pytest.mark.parametrize("pack", _packs(), ids=lambda p: p.id.replace("/", "-"))
def test_no_rule_is_met_when_a_fact_it_reads_is_missing(pack: RulePack) -> None:
    """Each rule's met example, with each fact the rule reads removed in turn, is not met."""
    assert all(rule.reads for rule in pack.rules), "every rule reads some submission fact"
    passes = find_vacuous_passes(pack, _BASES)
    assert not passes, "\n".join(str(p) for p in passes)


def test_the_vacuity_check_finds_a_rule_met_without_a_fact(tmp_path: Path) -> None:
    # the check above can fail: put back the guard that let EHA-MINUTES pass with no schedule
    target = tmp_path / "pack"
    shutil.copytree(resolve_pack_dir("2019/20"), target)
    rules = target / "services.yaml"
    text = rules.read_text(encoding="utf-8")
    old = "      - check: network.extended_hours.blocks_under_30 == 0\n"
    assert old in text
    guarded = (
        '      - check: "!has(network.extended_hours.blocks) || '
        'network.extended_hours.blocks_under_30 == 0"\n'
    )
    text = text.replace(old, guarded)
    for name in (
        "blocks_in_core_hours == 0",
        "block_minutes >= network.extended_hours.minutes_per_week",
    ):
        text = text.replace(
            f"      - check: network.extended_hours.{name}\n",
            '      - check: "!has(network.extended_hours.blocks) || '
            f'network.extended_hours.{name}"\n',
        )
    rules.write_text(text, encoding="utf-8")
    passes = find_vacuous_passes(load_pack(target))
    assert [(p.rule_id, p.path) for p in passes] == [("EHA-MINUTES", "extended_hours.blocks")]


@pytest.mark.parametrize("pack", _packs(), ids=lambda p: p.id.replace("/", "-"))
def test_every_milestone_a_rule_is_due_at_is_defined(pack: RulePack) -> None:
    keys = {m.key for m in pack.milestones}
    undefined = {}
    for rule in pack.rules:
        written = rule.spec.get("due")  # as written in the YAML (after inheritance/overrides)
        if written is not None and written not in keys:
            undefined[rule.id] = written
        if rule.due is not None and (rule.due.key not in keys or rule.due not in pack.milestones):
            undefined[rule.id] = rule.due.key
    assert not undefined, f"rules due at milestones {pack.id} does not define: {undefined}"


def test_2019_pack_has_every_required_id(pack_2019: RulePack) -> None:
    ids = {rule.id for rule in pack_2019.rules}
    missing = [rule_id for rule_id in IDS_2019 if rule_id not in ids]
    assert not missing, f"pack 2019/20 lacks {missing}"


def test_2019_rule_ids_are_in_the_requirements_catalogue(pack_2019: RulePack) -> None:
    if not CATALOGUE.is_file():
        pytest.skip("../shared/domain/requirements.md is not beside this checkout (a user's clone)")
    text = CATALOGUE.read_text(encoding="utf-8")
    absent = [
        rule.id
        for rule in pack_2019.rules
        if not re.search(rf"(?<![A-Z0-9-]){re.escape(rule.id)}(?![A-Z0-9-])", text)
    ]
    assert not absent, f"rule IDs not in {CATALOGUE}: {absent}"


def test_a_wrong_expectation_makes_an_example_fail(pack_2019: RulePack) -> None:
    # the harness is not vacuous: the same change with the opposite expectation fails, saying why
    rule = pack_2019.rule("POP-MIN")
    not_met = next(e for e in rule.examples if e.expect == "not_met")
    result = run_example(pack_2019, rule, dataclasses.replace(not_met, expect="met"))
    assert not result.passed
    assert "expected met, got not_met" in result.detail
