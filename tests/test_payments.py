"""NHS Digital's payments file: `import-ods --payments` fills each practice's contract type,
rurality and weighted list size; `audit --payments` reconciles the participation entitlement the
pack computes with what was paid.  On the real slice in fixtures/payments, and on the national
data in ../shared/data where it is present."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import jsonschema
import pytest
from cli_runner import run

import pcn_rules
from pcn_rules.audits import audit_json_schema
from pcn_rules.errors import InputError
from pcn_rules.ingest.payments import load_payments

ROOT = Path(__file__).resolve().parent.parent
ODS = ROOT / "fixtures" / "ods"
PAY = ROOT / "fixtures" / "payments"
PAY_1920 = PAY / "nhs_payments_to_general_practice_2019-20_slice.csv"
PAY_1819 = PAY / "nhs_payments_to_general_practice_2018-19_slice.csv"
SHARED = ROOT.parent / "shared" / "data"
EPCN = [ODS / "epcn_2019-12_pcn_details_slice.csv", ODS / "epcn_2019-12_core_partners_slice.csv"]
SIZES = ODS / "qof_1819_practice_list_size_slice.csv"


def _import_args(out: Path, *payments: Path) -> list[str | Path]:
    args: list[str | Path] = ["import-ods", "--epcn", *EPCN, "--list-sizes", SIZES]
    for each in payments:
        args += ["--payments", each]
    return [*args, "--out", out]


@pytest.fixture(scope="module")
def with_payments(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("with-payments")
    result = pcn_rules.import_ods(EPCN, SIZES, payments=PAY_1920)
    assert not result.not_in_payments
    for code, model in result.models().items():
        (out / f"{code}.json").write_text(
            model.model_dump_json(exclude_none=True), encoding="utf-8"
        )
    return out


def _edited(
    tmp_path: Path, change: dict[str, dict[str, str]], drop: set[str] = frozenset()
) -> Path:
    """A copy of the 2019/20 slice with some practices' cells changed and some rows dropped."""
    lines = PAY_1920.read_text(encoding="utf-8").splitlines(keepends=True)
    header = next(csv.reader([lines[0]]))
    out = [lines[0]]
    for line in lines[1:]:
        cells = next(csv.reader([line]))
        code = cells[header.index("Practice Code")]
        if code in drop:
            continue
        for column, value in change.get(code, {}).items():
            cells[header.index(column)] = value
        out.append(",".join(f'"{c}"' if "," in c else c for c in cells) + "\n")
    path = tmp_path / "payments.csv"
    path.write_text("".join(out), encoding="utf-8")
    return path


def test_import_fills_contract_rurality_and_weighted_list_from_the_payments_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code, text, _ = run(_import_args(out, PAY_1920), capsys)
    assert code == 0
    assert "from 1 payments file: 0 member practices in none of them" in " ".join(text.split())
    doc = json.loads((out / "U76226.json").read_text(encoding="utf-8"))
    ace = next(p for p in doc["practices"] if p["ods_code"] == "F81681")
    # the real row: an APMS GP practice, rural, 16,710.9 weighted patients... as NHS Digital says
    assert ace["contract_type"] == "APMS"
    assert ace["in_hours_contract"] is True
    assert ace["rurality"] == "rural"
    assert isinstance(ace["weighted_list_size"], float)
    assert all("contract_type" in p and "rurality" in p for p in doc["practices"])
    # an earlier import with payments is recognised as unedited and replaced by --force
    code, _, _ = run([*_import_args(out), "--force"], capsys)
    assert code == 0
    again = json.loads((out / "U76226.json").read_text(encoding="utf-8"))
    assert all("contract_type" not in p for p in again["practices"])


def test_core_contract_and_entitlements_are_evidenced_with_payments(with_payments: Path) -> None:
    report = pcn_rules.audit([with_payments], as_of="2019-06-30")
    contract = [f for r in report.reports for f in r.findings if f.rule_id == "CORE-CONTRACT"]
    assert len(contract) == 88
    assert {f.status for f in contract} == {"met"}
    funds = [f for r in report.reports for f in r.findings if f.rule_id == "FUND-ENTITLEMENTS"]
    # one Clacton practice (F81741) has no QOF list size in the slice: the only gap left
    assert sorted((f.status, f.missing) for f in funds) == [
        *[("met", ())] * 18,
        ("not_evidenced", ("practices[5].list_size",)),
    ]
    western = next(r for r in report.reports if r.network_ods_code == "U59980")
    fund = next(f for f in western.findings if f.rule_id == "FUND-ENTITLEMENTS")
    weighted = fund.evidence["network.weighted_list_size"]
    assert fund.evidence["derived.participation"] == pytest.approx(weighted * 1.761)
    assert "network participation payment £" in fund.message


def test_a_practice_missing_from_the_payments_file_is_named_and_left_not_evidenced(
    tmp_path: Path,
) -> None:
    edited = _edited(tmp_path, {"F81044": {"Contract Type": "UNKNOWN"}}, drop={"A82030"})
    result = pcn_rules.import_ods(EPCN, SIZES, payments=edited)
    assert result.not_in_payments == ("A82030",)
    assert result.contract_type_unknown == ("F81044",)
    # the 2018/19 file, given after, fills what the 2019/20 one lacks
    both = pcn_rules.import_ods(EPCN, SIZES, payments=[edited, PAY_1819])
    assert both.not_in_payments == ()
    report = pcn_rules.audit(list(result.submissions.values()), as_of="2019-06-30")
    unproven = sorted(
        f.entity or ""
        for r in report.reports
        for f in r.findings
        if f.rule_id == "CORE-CONTRACT" and f.status == "not_evidenced"
    )
    assert unproven == ["A82030", "F81044"]


def test_audit_reconciles_entitlement_with_what_was_paid(
    with_payments: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, text, _ = run(
        ["audit", with_payments, "--as-of", "2019-06-30", "--payments", PAY_1920, "-f", "json"],
        capsys,
    )
    assert code == 1
    data = json.loads(text)
    jsonschema.Draft202012Validator(audit_json_schema()).validate(data)
    paid = data["payments"]
    assert paid["networks_not_computed"] == 1  # U76226: a practice without a list size
    assert len(paid["networks"]) == 19
    # the real figures: what the file says the 88 members were paid, against 1.761 a patient
    rows = load_payments(PAY_1920).practices
    members = {
        p["ods_code"]
        for f in with_payments.glob("*.json")
        for p in json.loads(f.read_text(encoding="utf-8"))["practices"]
    }
    assert paid["paid"] + paid["paid_in_networks_not_computed"] == pytest.approx(
        sum(rows[c].participation_paid or 0 for c in members)
    )
    assert paid["difference"] == pytest.approx(paid["paid"] - paid["entitlement"], abs=0.01)
    # every pound of the difference is under a reason
    assert sum(r["difference"] for r in paid["reasons"]) == pytest.approx(
        paid["difference"], abs=0.05
    )
    for network in paid["networks"]:
        if network["entitlement"] is None:
            assert (
                network["not_computed"] == "FUND-ENTITLEMENTS not_evidenced: practices[5].list_size"
            )
            continue
        assert network["difference"] == pytest.approx(
            network["paid"] - network["entitlement"], abs=0.01
        )
    # A82613 is in U59570 in the payments file but not an ePCN member: named, not hidden
    lakes = next(n for n in paid["networks"] if n["ods_code"] == "U59570")
    assert lakes["paid_to_non_members"] == []  # it was paid nothing
    code, text, _ = run(
        ["audit", with_payments, "--as-of", "2019-06-30", "--payments", PAY_1920], capsys
    )
    assert "Network participation payment: entitled against paid" in text
    assert "18 networks: entitled £" in " ".join(text.split())
    assert "1 network without an entitlement" in " ".join(text.split())


def test_the_difference_is_explained_practice_by_practice(
    with_payments: Path, tmp_path: Path
) -> None:
    edited = _edited(
        tmp_path,
        {
            "F81012": {"PCN Participation": "0"},
            "F81017": {"Atypical Characteristics": "| Part year of data |"},
            "F81019": {"Atypical Characteristics": "| Large fluctuation in patients |"},
            "F81021": {"PCN Code": "U40253"},
        },
        drop={"F81026"},
    )
    report = pcn_rules.audit([with_payments], as_of="2019-06-30", payments=edited)
    assert report.payments is not None
    reasons = {p.ods_code: p.reason for n in report.payments.networks for p in n.explained}
    assert reasons == {
        "F81012": "paid_nothing",
        "F81017": "part_year",
        "F81019": "list_change",
        "F81021": "other_network",
        "F81026": "not_in_payments",
    }
    gone = next(n for n in report.payments.networks if n.ods_code == "U76226")
    assert next(p for p in gone.explained if p.ods_code == "F81026").paid is None
    totals = {r.reason: r.practices for r in report.payments.reasons}
    # the reasons' totals cover the networks with an entitlement: all but U76226 (whose
    # F81741 has no list size), where F81026 is
    assert sum(totals.values()) == 88 - gone.practices
    assert totals["no_note"] == 88 - gone.practices - 4


@pytest.mark.parametrize(
    ("change", "where", "what"),
    [
        (
            {"F81012": {"PCN Participation": "a lot"}},
            "column PCN Participation",
            "expected a number",
        ),
        ({"F81012": {"Practice Code": "f81012"}}, "column Practice Code", "GP practice ODS code"),
        ({"F81012": {"Practice Code": "F81017"}}, "column Practice Code", "listed twice"),
    ],
)
def test_a_bad_payments_file_is_refused_naming_line_and_column(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    change: dict[str, dict[str, str]],
    where: str,
    what: str,
) -> None:
    edited = _edited(tmp_path, change)
    with pytest.raises(InputError) as caught:
        load_payments(edited)
    assert where in str(caught.value)
    assert what in str(caught.value)
    assert "line " in str(caught.value)
    code, _, err = run(_import_args(tmp_path / "out", edited), capsys)
    assert code == 3
    assert what in err


def test_payments_files_the_audit_cannot_use_are_refused(
    with_payments: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 2018/19 predates networks: no PCN Participation to reconcile with
    code, _, err = run(
        ["audit", with_payments, "--as-of", "2019-06-30", "--payments", PAY_1819], capsys
    )
    assert code == 3
    assert "no 'PCN Participation' column" in err
    not_payments = tmp_path / "sizes.csv"
    not_payments.write_text(SIZES.read_text(encoding="utf-8"), encoding="utf-8")
    code, _, err = run(_import_args(tmp_path / "out", not_payments), capsys)
    assert code == 3
    assert "not an NHS Payments to General Practice file" in err
    code, _, err = run(
        ["audit", with_payments, "--as-of", "2019-06-30", "--payments", tmp_path / "nope.csv"],
        capsys,
    )
    assert code == 3
    assert "nope.csv" in err


@pytest.mark.skipif(
    not (SHARED / "payments").is_dir(), reason="../shared/data is not beside the clone"
)
def test_national_members_nearly_all_have_a_contract_type() -> None:
    result = pcn_rules.import_ods(
        [
            SHARED / "ods" / "epcn_2019-12_pcn_details.csv",
            SHARED / "ods" / "epcn_2019-12_core_partners.csv",
        ],
        SHARED / "list_sizes" / "qof_1819_practice_list_size.csv",
        payments=SHARED / "payments" / "nhs_payments_to_general_practice_2019-20.csv",
    )
    assert result.memberships == 6757
    without = [
        p["ods_code"]
        for doc in result.submissions.values()
        for p in doc["practices"]
        if "contract_type" not in p
    ]
    assert len(without) <= 12
    assert sorted(without) == sorted(result.not_in_payments + result.contract_type_unknown)
