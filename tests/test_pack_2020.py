"""The 2020/21 submission fields, facts and rule pack."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pcn_rules.errors import InputError
from pcn_rules.facts.build import build_facts
from pcn_rules.submission.read import coerce_submission

ROOT = Path(__file__).resolve().parent.parent
BASE_2019 = ROOT / "rules" / "2019-20" / "examples" / "base.json"


def _base_2019() -> dict[str, object]:
    data: dict[str, object] = json.loads(BASE_2019.read_text(encoding="utf-8"))
    return data


def test_2019_submission_still_valid_without_2020_fields() -> None:
    facts = build_facts(coerce_submission(_base_2019()))
    assert "participation" not in facts.network
    assert facts.entities["care_home"] == ()
    assert facts.entities["sub_contract"] == ()


def test_2020_fields_become_facts() -> None:
    data = _base_2019()
    data["participation"] = {
        "confirmed_on": "2020-05-20",
        "changes": [{"kind": "clinical_director", "notified_on": "2020-05-20"}],
        "opt_outs": [
            {
                "practice_ods_code": "Z99005",
                "notified_on": "2020-05-01",
                "effective_on": "2020-05-31",
            }
        ],
    }
    data["care_homes"] = [
        {"cqc_location_id": "1-123456789", "name": "Elm House", "beds": 40, "clinical_lead": "Dr B"}
    ]
    data["sub_contracts"] = [{"provider": "Valley GP Federation", "service": "Extended hours"}]
    facts = build_facts(coerce_submission(data))
    participation = facts.network["participation"]
    assert participation["change_kinds"] == ["clinical_director"]
    opt_out = participation["opt_outs"][0]
    assert opt_out["still_member"] is True
    assert opt_out["one_month_notice"] is False  # 1 May to 31 May is less than a month
    assert facts.network["care_home_beds"] == 40
    (home,) = facts.entities["care_home"]
    assert home.id == "1-123456789"
    assert "approval" not in facts.entities["sub_contract"][0].facts


def test_bad_cqc_location_id_is_an_input_error() -> None:
    data = _base_2019()
    data["care_homes"] = [{"cqc_location_id": "123"}]
    with pytest.raises(InputError) as info:
        coerce_submission(data)
    assert "care_homes[0].cqc_location_id" in str(info.value)


# --------------------------------------------------------------------------------------------
# Pack versioning: extends, overrides, retire
# --------------------------------------------------------------------------------------------

MILESTONES_2019 = """milestones:
  des_start: {date: 2019-04-01, title: Start}
  registration: {date: 2019-05-15, title: Registration}
  commissioner_confirmation: {date: 2019-05-31, title: Confirmation}
  network_agreement: {date: 2019-06-30, title: Network Agreement}
  go_live: {date: 2019-07-01, title: Go-live}
  year_end: {date: 2020-03-31, title: End}
"""


def _pack(
    root: Path,
    name: str,
    *,
    extends: str = '"2019/20"',
    extra: str = "",
    milestones: str = MILESTONES_2019,
    files: dict[str, str] | None = None,
) -> Path:
    directory = root / name
    directory.mkdir()
    (directory / "pack.yaml").write_text(
        'version: 1\nid: "2099/00"\ntitle: Test pack\nrelease: "t"\ncontract_year: "2099/00"\n'
        f"effective: {{from: 2019-04-01, to: 2020-03-31}}\nextends: {extends}\n{extra}"
        f"{milestones}",
        encoding="utf-8",
    )
    for file_name, text in (files or {}).items():
        (directory / file_name).write_text(text, encoding="utf-8")
    return directory


def _cli(args: list[str]) -> int:
    from pcn_rules.cli import main

    return main(args)


def test_child_pack_inherits_overrides_and_retires(tmp_path: Path) -> None:
    from pcn_rules.packs.load import load_pack

    directory = _pack(
        tmp_path,
        "child",
        extra="retire:\n  - {id: REG-ON-TIME, reason: gone, replaced_by: []}\n"
        "parameters: {population_min: 25000}\n",
        files={
            "changes.yaml": "version: 1\noverrides:\n  - {id: POP-MIN, severity: warning}\n",
        },
    )
    pack = load_pack(directory)
    ids = {r.id for r in pack.rules}
    assert "REG-ON-TIME" not in ids
    assert pack.extends == "2019/20"
    assert pack.parameters["population_min"] == 25000
    assert pack.parameters["population_typical_max"] == 50000
    pop = pack.rule("POP-MIN")
    assert pop.severity == "warning"
    assert pop.overridden == ("severity",)
    assert pop.defined_in == "2019/20"
    assert "overridden at" in pop.origin
    assert pack.retired[0].reason == "gone"


@pytest.mark.parametrize(
    ("files", "extra", "expected"),
    [
        (
            {"x.yaml": "version: 1\noverrides:\n  - {id: NO-SUCH-RULE, severity: info}\n"},
            "",
            "overrides[0] (NO-SUCH-RULE)",
        ),
        ({}, "retire: [NO-SUCH-RULE]\n", "retire[0] (NO-SUCH-RULE)"),
        (
            {"x.yaml": "version: 1\noverrides:\n  - {id: POP-MIN, sevrity: info}\n"},
            "",
            "sevrity",
        ),
        (
            {"x.yaml": "version: 1\nrules:\n  - {id: POP-MIN, title: t}\n"},
            "",
            "change it under `overrides:`",
        ),
    ],
)
def test_bad_overrides_and_retirements_exit_3(
    tmp_path: Path,
    files: dict[str, str],
    extra: str,
    expected: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    directory = _pack(tmp_path, "bad", extra=extra, files=files)
    assert _cli(["rules", "lint", str(directory)]) == 3
    err = " ".join(capsys.readouterr().err.split())
    assert expected in err
    assert "bad" in err  # names the file


def test_inherited_rule_due_at_missing_milestone_exit_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = _pack(
        tmp_path, "child", milestones="milestones:\n  start: {date: 2019-04-01, title: Start}\n"
    )
    assert _cli(["rules", "lint", str(directory)]) == 3
    err = " ".join(capsys.readouterr().err.split())
    assert "child/pack.yaml" in err
    assert "which this pack does not define" in err


def test_circular_extends_exit_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _pack(tmp_path, "a", extends="../b")
    b = _pack(tmp_path, "b", extends="../a")
    assert _cli(["rules", "lint", str(b)]) == 3
    err = " ".join(capsys.readouterr().err.split())
    assert "circular `extends`" in err
    assert "b/pack.yaml" in err


# --------------------------------------------------------------------------------------------
# The bundled 2020/21 pack
# --------------------------------------------------------------------------------------------

FIXTURES = ROOT / "fixtures" / "2020-21"
REQUIRED_2020 = {
    "PART-CONFIRM",
    "COLLAB-COMMUNITY-SERVICES",
    "COLLAB-WIDER",
    "CH-ALIGNED",
    "SVC-SMR",
    "SVC-EHCH",
    "SVC-CANCER",
    "SUB-CONTRACT",
    "ARRS-2020-SUM",
    "ARRS-PLAN",
    "FUND-ENTITLEMENTS",
}


@pytest.mark.parametrize("pack_id", ["2019/20", "2020/21"])
def test_every_rule_of_every_bundled_pack_has_passing_examples(pack_id: str) -> None:
    from pcn_rules.packs.examples import run_pack_examples
    from pcn_rules.packs.load import load_pack

    pack = load_pack(pack_id)
    failed = [
        f"{r.rule_id}: {r.example.name}: {r.detail}"
        for r in run_pack_examples(pack)
        if not r.passed
    ]
    assert failed == []


def test_rules_list_2020_has_every_required_id(capsys: pytest.CaptureFixture[str]) -> None:
    assert _cli(["rules", "list", "--pack", "2020/21", "--format", "json"]) == 0
    ids = {r["id"] for r in json.loads(capsys.readouterr().out)}
    assert ids >= REQUIRED_2020
    assert not {"REG-ON-TIME", "REG-INITIAL-AGREEMENT", "COLLAB-EXPECTED", "SVC-SPECS"} & ids


def test_2020_pack_resolves_and_carries_rules_forward() -> None:
    from pcn_rules.packs.load import load_pack

    pack = load_pack("2020/21")
    assert pack.extends == "2019/20"
    assert pack.parameters["list_size_reference_date"] == "2020-01-01"
    assert pack.parameters["clinical_director_per_patient"] == 0.722
    pop = pack.rule("POP-MIN")
    assert pop.due is not None
    assert pop.due.key == "participation"
    assert pop.defined_in == "2019/20"
    collab = pack.rule("COLLAB-COMMUNITY-SERVICES")
    assert collab.severity == "error"
    assert collab.due is not None
    assert str(collab.due.date) == "2020-09-30"


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = _cli(args)
    out = " ".join(capsys.readouterr().out.split())
    return code, out


def test_community_services_due_then_overdue_then_met(capsys: pytest.CaptureFixture[str]) -> None:
    missing = str(FIXTURES / "no-community-services.json")
    code, out = _run([missing, "--as-of", "2020-09-01"], capsys)
    assert code == 1
    assert "COLLAB-COMMUNITY-SERVICES [error] · due in 29 days" in out
    code, out = _run([missing, "--as-of", "2020-10-01"], capsys)
    assert code == 1
    assert "COLLAB-COMMUNITY-SERVICES [error] · overdue by 1 day" in out
    recorded = str(FIXTURES / "community-services-recorded.json")
    code, out = _run([recorded, "--as-of", "2020-10-01"], capsys)
    assert code == 0, out


def test_collaboration_advisory_in_2019_required_in_2020() -> None:
    from pcn_rules import check

    data = _base_2019()
    data["non_gp_providers"] = []
    report_2019 = check(data, pack="2019/20")
    (finding,) = [f for f in report_2019.findings if f.rule_id == "COLLAB-EXPECTED"]
    assert (finding.status, finding.severity, finding.blocking) == ("not_met", "info", False)
    assert report_2019.compliant

    no_providers = str(FIXTURES / "no-non-gp-providers.json")
    report_2020 = check(no_providers, as_of="2020-10-01")
    assert report_2020.pack_id == "2020/21"
    (finding,) = [f for f in report_2020.findings if f.rule_id == "COLLAB-COMMUNITY-SERVICES"]
    assert (finding.status, finding.severity, finding.blocking) == ("not_met", "error", True)
    assert not report_2020.compliant


@pytest.mark.parametrize("name", ["compliant.json", "community-services-recorded.json"])
def test_compliant_2020_fixtures(name: str) -> None:
    from pcn_rules import check

    report = check(str(FIXTURES / name))
    assert report.compliant, [f.message for f in report.findings if f.blocking]


def test_pack_selected_by_date_and_outside_every_pack_is_exit_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pcn_rules import check

    data = json.loads((FIXTURES / "compliant.json").read_text(encoding="utf-8"))
    del data["contract_year"]
    assert check(data).pack_id == "2020/21"
    data["submission"]["submitted_on"] = "2019-06-28"
    assert check(data, as_of="2019-06-28").pack_id == "2019/20"
    data["submission"]["submitted_on"] = "2025-01-01"
    path = tmp_path / "future.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert _cli([str(path)]) == 3
    err = " ".join(capsys.readouterr().err.split())
    assert "2025-01-01" in err
    assert "2019/20" in err
    assert "2020/21" in err
    assert _cli([str(path), "--pack", "2020/21"]) == 0  # --pack overrides the selection
