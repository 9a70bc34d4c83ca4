"""Every rule's own examples, in every bundled pack, run by one parametrised test; plus meta-tests
that keep every rule covered (met and not met) and every milestone key defined."""

from __future__ import annotations

import dataclasses
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from required_ids import IDS_2019

import pcn_rules
from pcn_rules.examples import run_example
from pcn_rules.pack import Example, Rule, RulePack

CATALOGUE = Path("/work/shared/domain/requirements.md")


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
    lacking = {
        rule.id: sorted({"met", "not_met"} - {e.expect for e in rule.examples})
        for rule in pack.rules
    }
    lacking = {rule_id: missing for rule_id, missing in lacking.items() if missing}
    assert not lacking, f"rules without a met and a not_met example in {pack.id}: {lacking}"


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
        pytest.skip(f"the requirements catalogue {CATALOGUE} is outside the repository")
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
