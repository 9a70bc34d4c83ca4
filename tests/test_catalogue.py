"""The fact catalogue (pcn_rules/facts/catalogue.py): pack loading checks every fact a condition
reads against the catalogue of the variable it reads it through."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import pcn_rules
from pcn_rules import PackError

PACK_YAML = """\
version: 1
id: "2099/00"
title: Test pack
release: "test.1"
contract_year: "2099/00"
effective: {from: 2019-04-01, to: 2020-03-31}
milestones:
  first: {date: 2019-06-01, title: The first deadline}
"""


def load_rule(
    directory: Path, expect: str, *, scope: str = "network", derive: dict[str, str] | None = None
) -> pcn_rules.RulePack:
    """A pack of one rule with this condition (and derived values), loaded."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "pack.yaml").write_text(PACK_YAML, encoding="utf-8")
    lines = [
        "version: 1",
        "rules:",
        "  - id: TEST-RULE",
        "    title: A rule for testing",
        f"    scope: {scope}",
        "    severity: error",
        "    due: null",
        *(["    derive:"] + [f"      {k}: {json.dumps(v)}" for k, v in (derive or {}).items()]),
        f"    expect: {json.dumps(expect)}",
        "    message: It does not hold.",
        "    remediation: [Fix it.]",
        "    source: {document: The tests, confidence: UNV}",
    ]
    if not derive:
        lines.remove("    derive:")
    (directory / "rules.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return pcn_rules.load_pack(directory)


# ------------------------------------------------------------------------------------------------
# Conditions that read facts their variables have load
# ------------------------------------------------------------------------------------------------

READABLE = [
    ("network", "network.list_size > 0"),
    ("network", "submission.type == 'registration'"),
    ("network", "network.commissioner.population_waiver.approved_by != ''"),
    ("network", "has(network.commissioner.population_waiver)"),
    ("network", "has(network.agreement) && network.agreement.all_signed"),
    ("network", "network.role_counts['clinical_pharmacist'] > 0"),  # a map keyed by role type
    ("network", "network.practices.all(p, p.name != '')"),
    ("network", "network.non_gp_providers.filter(p, p.type == 'x').map(p, p.name).size() > 0"),
    ("network", "network.extended_hours.blocks.all(b, b.day != 'sunday')"),
    ("network", "network.participation.opt_outs.all(o, o.one_month_notice)"),
    ("network", "network.roles.exists(r, r.ordinal > 1)"),
    ("practice", "practice.list_size > 0 && network.list_size > 0"),
    ("practice", "network.practices.all(practice, practice.list_size > 0)"),  # shadows the scope
    ("care_home", "care_home.beds > 0"),
    ("sub_contract", "sub_contract.approval.approved_by != ''"),
    ("covered_practice", "covered_practice.local_agreement.reason != ''"),
    ("register_practice", "register_practice.network_count > 0"),
    ("role", "role.claim <= role.annual_cost"),
    ("provider", "provider.schedule_7_entry"),
]


@pytest.mark.parametrize(("scope", "expect"), READABLE, ids=[e for _, e in READABLE])
def test_a_condition_reading_facts_of_its_variables_loads(
    tmp_path: Path, scope: str, expect: str
) -> None:
    pack = load_rule(tmp_path / "p", expect, scope=scope)
    assert [rule.id for rule in pack.rules] == ["TEST-RULE"]


def test_a_comprehension_over_a_derived_list_reads_the_items_of_that_list(tmp_path: Path) -> None:
    derive = {"community": "network.non_gp_providers.filter(p, p.type == 'community_services')"}
    load_rule(tmp_path / "ok", "derived.community.all(p, p.schedule_7_entry)", derive=derive)
    with pytest.raises(PackError, match=r"p \(an item of network.non_gp_providers\)"):
        load_rule(tmp_path / "bad", "derived.community.all(p, p.list_size > 0)", derive=derive)


# ------------------------------------------------------------------------------------------------
# Conditions that read facts their variables lack do not
# ------------------------------------------------------------------------------------------------

UNREADABLE = [
    (
        "network",
        "network.beds > 0",
        "network.beds: network has no fact 'beds' (did you mean 'care_home_beds'?); "
        "a rule with scope: care_home reads care_home.beds",
    ),
    (
        "network",
        "network.practices.all(p, p.beds > 0)",
        "p.beds: p (an item of network.practices) has no fact 'beds'",
    ),
    (
        # two lists: each comprehension's variable has the facts of its own list's items
        "network",
        "network.practices.all(p, p.type != '') || network.non_gp_providers.exists(q, q.x)",
        "p.type: p (an item of network.practices) has no fact 'type' "
        "(did you mean 'contract_type'?); a rule with scope: provider reads provider.type",
    ),
    (
        "network",
        "network.commissioner.population_waiver.approvd_by != ''",
        "network.commissioner.population_waiver has no fact 'approvd_by' "
        "(did you mean 'approved_by'?)",
    ),
    ("network", "network.list_size.total > 0", "network.list_size has no fact 'total'"),
    (
        "network",
        "network.extended_hours.blocks.day == 'monday'",
        "network.extended_hours.blocks is a list; read the facts of its items in a comprehension",
    ),
    (
        "network",
        "network.participation.opt_outs.all(o, o.kind != '')",
        "o.kind: o (an item of network.participation.opt_outs) has no fact 'kind'",
    ),
    ("network", "submission.typ == ''", "submission has no fact 'typ' (did you mean 'type'?)"),
    (
        "network",
        "practice.name != ''",
        "practice.name: a rule with scope: network has no 'practice'",
    ),
    (
        "practice",
        "practice.beds > 0",
        "practice.beds: practice has no fact 'beds'; a rule with scope: care_home reads",
    ),
    (
        "care_home",
        "care_home.list_size > 0",
        "care_home.list_size: care_home has no fact 'list_size'",
    ),
]


@pytest.mark.parametrize(
    ("scope", "expect", "message"), UNREADABLE, ids=[e for _, e, _ in UNREADABLE]
)
def test_a_condition_reading_a_fact_its_variable_lacks_is_a_pack_error(
    tmp_path: Path, scope: str, expect: str, message: str
) -> None:
    with pytest.raises(PackError) as raised:
        load_rule(tmp_path / "p", expect, scope=scope)
    text = str(raised.value)
    assert "rules.yaml" in text
    assert "rules[0] (TEST-RULE) → expect" in text
    assert message in text
