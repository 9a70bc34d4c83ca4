"""Deciding a scope's conditions in one CEL call gives exactly the findings of evaluating each
condition on its own (the bundles are an optimisation, never a change of behaviour)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import pcn_rules
from pcn_rules.audits.run import audit
from pcn_rules.cel import UNDECIDED, Bundle, CompileError, Environment
from pcn_rules.ingest.ods import import_ods

ROOT = Path(__file__).resolve().parent.parent


def _readable(path: Path) -> bool:
    try:
        pcn_rules.check(path, as_of=dt.date(2019, 6, 30))
    except pcn_rules.PcnRulesError:
        return False  # a bad-input case of the corpus
    return True


SUBMISSIONS = [
    path
    for path in sorted(
        [*ROOT.glob("fixtures/20*/*.json"), *ROOT.glob("tests/corpus/submissions/*.json")]
    )
    if _readable(path)
]
DATES = [dt.date(2019, 5, 10), dt.date(2019, 6, 30), dt.date(2020, 9, 1), dt.date(2021, 3, 31)]


@pytest.mark.parametrize("path", SUBMISSIONS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_bundled_and_one_by_one_give_the_same_report(path: Path) -> None:
    for pack_id in ("2019/20", "2020/21"):
        pack = pcn_rules.load_pack(pack_id)
        for as_of in DATES:
            bundled, alone = (
                pcn_rules.check(
                    path, pack=pack, as_of=as_of, decide=decide, allow_other_year=True
                ).to_dict()
                for decide in ("bundled", "one_by_one")
            )
            assert bundled == alone, (path.name, pack_id, as_of)


def test_an_audit_of_real_networks_is_the_same_either_way() -> None:
    ods = ROOT / "fixtures" / "ods"
    imported = import_ods(
        [ods / "epcn_2019-12_pcn_details_slice.csv", ods / "epcn_2019-12_core_partners_slice.csv"],
        ods / "qof_1819_practice_list_size_slice.csv",
    )
    docs = list(imported.submissions.values())
    bundled, alone = (
        audit(
            docs,
            as_of=dt.date(2019, 6, 30),
            register=ods / "epraccur_2019-11_slice.csv",
            decide=decide,
        ).to_dict()
        for decide in ("bundled", "one_by_one")
    )
    assert bundled == alone


def test_a_missing_fact_leaves_only_that_condition_undecided() -> None:
    env = Environment(["network"])
    conditions = [
        env.compile("network.list_size >= 30000"),
        env.compile("network.clinical_director.name != ''"),
        env.compile("!has(network.declared_list_size) || network.declared_list_size > 0"),
    ]
    bundle = Bundle(env, conditions, ["network"])
    activation = env.activation({"network": {"list_size": 31000}})
    values = bundle.evaluate(activation)
    # the strict condition's missing fact is named by the bundle, as evaluating it alone names it
    assert values == [True, conditions[1].evaluate(activation), True]
    assert values[1].missing_key == "clinical_director"


@pytest.mark.parametrize(
    ("source", "facts"),
    [
        ("network.clinical_director.start_date <= as_of", {"clinical_director": {}}),
        ("network.clinical_director.start_date <= as_of", {}),
        ("size(network.map_reference) > 0", {}),
        ("network.a.b >= network.a.c", {}),
        ("network.a.b >= network.a.c", {"a": {"b": 1}}),
        ("network.count * params.rate", {}),
        ("practice.contract_type in ['GMS', 'PMS']", {}),
        ("!network.contiguous", {}),
    ],
)
def test_a_strict_condition_decided_by_the_bundle_fails_as_it_does_alone(
    source: str, facts: dict[str, object]
) -> None:
    env = Environment(["network", "params", "practice", "as_of"])
    condition = env.compile(source)
    bundle = Bundle(env, [condition], ["network", "submission", "practice"])
    activation = env.activation(
        {"network": facts, "params": {"rate": 2.5}, "practice": {}, "as_of": "2019-06-30"}
    )
    [value] = bundle.evaluate(activation)
    assert value == condition.evaluate(activation)


@pytest.mark.parametrize(
    "source",
    [
        # two different keys absent: which one CEL names first is left to CEL
        "network.a.b >= network.c",
        "network.absent > 0 || network.missing > 0",
        # conditions that are not strict
        "size(network.absent) == network.known",
        "network.known > 5 ? true : network.absent.size() > 0",
    ],
)
def test_a_condition_whose_missing_fact_is_not_certain_is_left_undecided(source: str) -> None:
    env = Environment(["network"])
    bundle = Bundle(env, [env.compile(source)], ["network"])
    activation = env.activation({"network": {"known": 1}})
    assert bundle.evaluate(activation) == [UNDECIDED]


_CONDITIONS = [
    "network.a.b >= network.c",
    "network.known > 0 || network.absent > 0",
    "network.known > 5 || network.absent > 0",
    "network.absent > 0 || network.known > 0",
    "network.absent > 0 || network.known > 5",
    "network.known > 0 && network.absent > 0",
    "network.known > 5 && network.absent > 0",
    "network.absent > 0 && network.known > 5",
    "network.absent > 0 && network.known > 0",
    "network.known > 5 ? true : network.absent",
    "network.known > 0 ? network.absent.x : false",
    "(network.known > 0 ? network.a.b : network.c) == 1",
    "!has(network.a.c) || network.a.c > 0",
    "has(network.a) ? network.a.b > 0 || network.c > 0 : network.known == 1",
    "network.known > 0 && (network.a.b > 0 || network.c == 'x?:y')",
    "size(network.list) > 0 && network.list.all(i, i.v > 0)",
    "network.list.map(i, i.v)",
]
_FACTS = [
    {},
    {"known": 1},
    {"known": 9, "c": 1},
    {"known": 1, "a": {}},
    {"known": 1, "a": {"b": 2}, "c": 0},
    {"known": 1, "a": {"b": 2, "c": -1}, "absent": 3, "missing": 0},
    {"known": 1, "list": [{"v": 1}, {}]},
    {"known": 1, "list": [{"v": 1}, {"v": 2}]},
    {"known": "text", "a": 1},
]


@pytest.mark.parametrize("facts", _FACTS)
def test_what_a_bundle_decides_is_what_each_condition_gives_alone(facts: dict[str, Any]) -> None:
    """Every value a bundle gives, a missing fact included, is the condition's own."""
    env = Environment(["network"])
    conditions = [env.compile(source) for source in _CONDITIONS]
    activation = env.activation({"network": facts})
    together = Bundle(env, conditions, ["network"]).evaluate(activation)
    for condition, value in zip(conditions, together, strict=True):
        alone = Bundle(env, [condition], ["network"]).evaluate(activation)[0]
        for decided in (value, alone):
            if decided is not UNDECIDED:
                assert decided == condition.evaluate(activation), condition.source


def test_an_error_the_guards_do_not_foresee_leaves_every_condition_undecided() -> None:
    env = Environment(["network"])
    conditions = [env.compile("network.list_size >= 30000"), env.compile("network.name > 3")]
    bundle = Bundle(env, conditions, ["network"])
    values = bundle.evaluate(env.activation({"network": {"list_size": 1, "name": "x"}}))
    assert values == [UNDECIDED, UNDECIDED]


def test_a_finding_cannot_change_the_pack_or_another_finding() -> None:
    pack = pcn_rules.load_pack("2019/20")
    report = pcn_rules.check(ROOT / "fixtures" / "2019-20" / "compliant.json", pack=pack)
    finding = next(f for f in report.findings if f.rule_id == "POP-MIN")
    with pytest.raises(TypeError):
        finding.source["document"] = "changed"  # type: ignore[index]
    with pytest.raises(TypeError):
        finding.evidence["network.list_size"] = 1  # type: ignore[index]
    assert pack.rule("POP-MIN").source["document"] != "changed"
    again = pcn_rules.check(ROOT / "fixtures" / "2019-20" / "compliant.json", pack=pack)
    assert again.to_dict() == report.to_dict()


def test_explained_reports_are_the_same_in_every_process() -> None:
    """CEL hands back a map's keys in an order that differs between processes."""
    script = (
        "import hashlib, pathlib, pcn_rules\n"
        "out = [pcn_rules.check(f, explain=True).to_json()\n"
        "       for f in sorted(pathlib.Path('fixtures').glob('20*/*.json'))]\n"
        "print(hashlib.sha256(''.join(out).encode()).hexdigest())\n"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", script],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        ).stdout
        for _ in range(3)
    }
    assert len(digests) == 1


def test_a_condition_cannot_read_the_engines_own_variable() -> None:
    env = Environment(["network"])
    with pytest.raises(CompileError, match="undeclared reference to 'pcn_entities__'"):
        env.compile("size(pcn_entities__) > 0")
    assert env.compile("network.name == 'pcn_entities__'").source


def test_an_item_without_a_field_a_comprehension_reads_leaves_only_that_condition_undecided() -> (
    None
):
    env = Environment(["network"])
    conditions = [
        env.compile("network.practices.map(p, p.signed_on)"),
        env.compile("size(network.practices) > 0"),
    ]
    bundle = Bundle(env, conditions, ["network"])
    activation = env.activation({"network": {"practices": [{"signed_on": "2019-05-01"}, {}]}})
    assert bundle.evaluate(activation) == [UNDECIDED, True]
    complete = env.activation({"network": {"practices": [{"signed_on": "2019-05-01"}]}})
    assert bundle.evaluate(complete) == [["2019-05-01"], True]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("network.known > 0 ? true : network.absent", True),
        ("network.known > 0 ? [] : network.absent", []),
        ("network.known > 5 ? network.absent : 'none'", "none"),
        (
            "network.known > 0 ? (network.known > 5 ? network.absent : 'x?:y') : network.absent",
            "x?:y",
        ),
    ],
)
def test_a_condition_with_a_choice_needs_only_the_facts_of_the_branch_it_takes(
    source: str, expected: object
) -> None:
    env = Environment(["network"])
    condition = env.compile(source)
    bundle = Bundle(env, [condition], ["network"])
    activation = env.activation({"network": {"known": 1}})
    assert bundle.evaluate(activation) == [expected] == [condition.evaluate(activation)]
