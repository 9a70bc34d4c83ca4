"""The fact catalogue (pcn_rules/facts/catalogue.py): pack loading checks every fact a condition
reads against the catalogue of the variable it reads it through, and build_facts produces
exactly the facts it declares."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

import pcn_rules
from pcn_rules import PackError
from pcn_rules.facts.build import build_facts
from pcn_rules.facts.catalogue import CATALOGUE, MAPS
from pcn_rules.facts.lookup import ELEMENTS
from pcn_rules.submission.read import validate_submission

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


# ------------------------------------------------------------------------------------------------
# build_facts produces exactly the facts the catalogue declares
# ------------------------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
#: Rich submissions: the packs' examples and every bundled fixture.
RICH = [
    ROOT / "rules" / "2019-20" / "examples" / "base.json",
    ROOT / "rules" / "2020-21" / "examples" / "base.json",
    *sorted((ROOT / "fixtures" / "2019-20").glob("*.json")),
    *sorted((ROOT / "fixtures" / "2020-21").glob("*.json")),
]

_DECISION = {"approved_by": "NHS Example CCG", "approved_on": "2020-05-01", "reason": "A reason"}


def _with_the_rest(doc: dict[str, Any]) -> dict[str, Any]:
    """The 2020/21 example with what no rich submission gives: an end date of the Clinical
    Director, an agreement to more than 50,000 patients, a cross-boundary agreement, a
    provider's ODS code, a role transferred under a baseline exception, a change and an opt-out
    notified, a covered practice, decisions that expire (one by 1 December 2020), a population
    counted at 1 April, a care home lead who is not a GP, the commissioner's confirmation of
    pharmacy technician supply, a membership change, and a practice's rurality (only an import
    from the payments file gives it)."""
    expiring = {**_DECISION, "expires_on": "2021-03-31"}
    practice = doc["practices"][0]["ods_code"]
    doc["practices"][0]["rurality"] = "rural"
    # an area given as a boundary in two pieces (computed with the geo extra)
    square = [[-2.22, 51.74], [-2.206, 51.74], [-2.206, 51.749], [-2.22, 51.749], [-2.22, 51.74]]
    moved = [[x + 0.07, y] for x, y in square]
    boundary = {"type": "MultiPolygon", "coordinates": [[square], [moved]]}
    doc["network"]["area"]["boundary"] = boundary
    doc["clinical_director"]["end_date"] = "2021-03-31"
    lapsed = {**_DECISION, "expires_on": "2020-09-30"}  # expired as of 1 December 2020
    doc["commissioner"] = {
        "over_50k_agreement": expiring,
        "cross_boundary_agreements": [
            {**_DECISION, "practice_ods_code": practice},
            {**lapsed, "practice_ods_code": doc["practices"][1]["ods_code"]},
        ],
    }
    doc["non_gp_providers"][0]["ods_code"] = "RJ8"
    doc["additional_roles"].append(
        {"role": "clinical_pharmacist", "wte": 1.0, "baseline_exception": "cpgp"}
    )
    doc["participation"]["changes"] = [
        {"kind": "area", "notified_on": "2020-05-20", "description": "A village added"}
    ]
    doc["participation"]["opt_outs"] = [
        {"practice_ods_code": practice, "notified_on": "2020-05-01", "effective_on": "2020-06-01"}
    ]
    doc["covered_practices"] = [
        {
            "ods_code": "Z99009",
            "name": "Hill Surgery",
            "list_size": 3000,
            "local_agreement": expiring,
        }
    ]
    doc["sub_contracts"][0]["approval"]["expires_on"] = "2021-03-31"
    doc["commissioner"]["pharmacy_technician_supply"] = expiring
    doc["extended_hours"].update(population=42500, population_date="2019-04-01")
    doc["care_homes"][1].update(clinical_lead_profession="nurse", non_gp_lead_agreement=expiring)
    doc["membership_changes"] = [
        {
            "practice_ods_code": "Z99008",
            "kind": "leaving",
            "notified_on": "2020-06-01",
            "effective_on": "2020-10-01",
            "approval": expiring,
        },
        # a member that joined by a change (its joined_on)
        {
            "practice_ods_code": doc["practices"][1]["ods_code"],
            "kind": "joining",
            "notified_on": "2020-04-01",
            "effective_on": "2020-05-01",
            "approval": expiring,
        },
    ]
    return doc


#: Catalogue entries no submission can produce, with the reason.  Empty: each is produced.
NEVER_PRODUCED: dict[tuple[str, str], str] = {
    ("network", "area_boundary_problem"): (
        "only a boundary that makes no area gives it (tests/test_geo_in_submission.py)"
    ),
}
if importlib.util.find_spec("shapely") is None:  # the geo extra computes these
    NEVER_PRODUCED[("network", "area_pieces")] = "computed with the geo extra only"
    NEVER_PRODUCED[("network", "area_split")] = "computed with the geo extra only"


def _keys(variable: str, prefix: str, facts: dict[str, Any], out: set[tuple[str, str]]) -> None:
    """Every (variable, catalogue path) of ``facts``, into nested maps and lists of records."""
    declared = CATALOGUE[variable]
    for key, value in facts.items():
        path = prefix + key
        if isinstance(value, dict) and path not in declared:
            # a map not declared itself may only hold declared facts (network.agreement.*)
            assert any(k.startswith(f"{path}.") for k in declared), f"{variable}.{path}"
        else:
            out.add((variable, path))
        if path in MAPS.get(variable, ()):
            continue  # keyed by data (role types), not by fact names
        if isinstance(value, dict):
            _keys(variable, f"{path}.", value, out)
        elif isinstance(value, list) and any(isinstance(item, dict) for item in value):
            assert variable == "network", f"{variable}.{path} is a list of records"
            assert path in ELEMENTS, f"network.{path} is a list of records not in ELEMENTS"
            item_variable, item_prefix = ELEMENTS[path]
            for item in value:
                _keys(item_variable, item_prefix, item, out)


def _produced(doc: dict[str, Any], name: str, as_of: dt.date | None = None) -> set[tuple[str, str]]:
    facts = build_facts(validate_submission(doc, name), as_of=as_of)
    out: set[tuple[str, str]] = set()
    _keys("submission", "", facts.submission, out)
    _keys("network", "", facts.network, out)
    for scope, found in facts.entities.items():
        for entity in found:
            if scope == "network":
                assert entity.facts is facts.network
            else:
                _keys(scope, "", entity.facts, out)
    return out


def _load(path: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return doc


@pytest.mark.parametrize("path", RICH, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_fact_built_is_declared_in_the_catalogue(path: Path) -> None:
    produced = _produced(_load(path), path.name)
    declared = {(variable, key) for variable, facts in CATALOGUE.items() for key in facts}
    assert sorted(produced - declared) == []


def test_every_fact_of_the_catalogue_is_built_from_some_submission() -> None:
    produced: set[tuple[str, str]] = set()
    for path in RICH:
        produced |= _produced(_load(path), path.name)
    rest = _with_the_rest(_load(RICH[1]))
    extended = _produced(rest, "the 2020/21 example, extended")
    # as of a date: a cross-boundary agreement that has expired by then
    extended |= _produced(rest, "the 2020/21 example, extended", dt.date(2020, 12, 1))
    declared = {(variable, key) for variable, facts in CATALOGUE.items() for key in facts}
    assert sorted(extended - declared) == []
    assert sorted(declared - produced - extended - NEVER_PRODUCED.keys()) == []
    assert sorted(NEVER_PRODUCED.keys() & (produced | extended)) == []  # none is excused wrongly
