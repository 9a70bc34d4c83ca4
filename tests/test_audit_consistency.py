"""An audit never contradicts itself: a finding across networks (a practice two networks list)
makes the networks it concerns not ready in the headline and not compliant in every format; the
headline names what the findings across networks are about and says what its counts count; a
submission without a contract year takes the as-of date's; a path that is not there is an error
before any report; one network is "1 network".  What a user sees: the headline, the JSON
verdicts, the rows and cells of the other formats, the exit codes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import jsonschema
import openpyxl
import pytest
from cli_runner import run

import pcn_rules
from pcn_rules.audits import audit, audit_json_schema

ROOT = Path(__file__).resolve().parent.parent
COMPLIANT = ROOT / "fixtures" / "2019-20" / "compliant.json"
AS_OF = "2019-06-30"
SHARED = "L84005"  # a practice of the compliant fixture's network


def _doc() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(COMPLIANT.read_text(encoding="utf-8"))
    return loaded


def _other(name: str, code: str, prefix: str, shared: str | None = None) -> dict[str, Any]:
    """The compliant fixture as another network: its own name, code and practice codes; with
    SHARED, its first practice is that practice of the fixture's network."""
    doc = _doc()
    doc["network"]["name"] = name
    doc["network"]["ods_code"] = code
    renamed = {p["ods_code"]: f"{prefix}{i:03d}" for i, p in enumerate(doc["practices"])}
    if shared is not None:
        renamed[doc["practices"][0]["ods_code"]] = shared
    text = json.dumps(doc)
    for old, new in renamed.items():
        text = text.replace(f'"{old}"', f'"{new}"')
    other: dict[str, Any] = json.loads(text)
    return other


def _save(path: Path, doc: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


@pytest.fixture
def shared_practice(tmp_path: Path) -> Path:
    """Three networks, each compliant alone: Stroud and Hill Country both list L84005; Vale
    shares nothing."""
    folder = tmp_path / "area"
    _save(folder / "stroud.json", _doc())
    _save(folder / "hill.json", _other("Hill Country PCN", "U99902", "Y99", shared=SHARED))
    _save(folder / "vale.json", _other("Vale PCN", "U99903", "X99"))
    return folder


STROUD = "Stroud Cotswold PCN (U23862)"
HILL = "Hill Country PCN (U99902)"
VALE = "Vale PCN (U99903)"


def test_each_network_is_compliant_alone(shared_practice: Path) -> None:
    for path in sorted(shared_practice.glob("*.json")):
        assert pcn_rules.check(path, as_of=AS_OF).compliant, path


def test_a_practice_in_two_networks_makes_both_not_ready_in_the_headline(
    shared_practice: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["audit", shared_practice, "--as-of", AS_OF, "-q"], capsys)
    assert code == 1
    headline = " ".join(out.split())
    assert "2 of 3 networks not ready on the evidence" in headline
    assert "networks ready" not in headline
    assert "1 practice in more than one network" in headline
    assert "in no network" not in headline
    # two actions (CORE-ONE-NETWORK; CD-IN-POST due tomorrow is not one), and what they count
    code, out, _ = run(["audit", shared_practice, "--as-of", AS_OF, "-f", "json"], capsys)
    data = json.loads(out)
    actions = data["actions"]
    findings = sum(a["findings"] for a in actions)
    words = f"{len(actions)} action{'s' * (len(actions) != 1)}"
    assert f"{words} ({findings} finding{'s' * (findings != 1)})" in data["headline"]
    core = next(a for a in actions if a["rule_id"] == "CORE-ONE-NETWORK")
    # one finding (the practice), concerning two networks
    assert (core["networks"], core["findings"]) == ([HILL, STROUD], 1)
    # the text shows the same headline, and the milestone agrees with it
    code, text, _ = run(["audit", shared_practice, "--as-of", AS_OF], capsys)
    flat = " ".join(text.split())
    assert "2 of 3 networks not ready on the evidence" in flat
    assert "15 May 2019 · PCN registration form reaches the commissioner (46 days ago) 2 of 3 " in (
        flat
    )
    assert "2 of 3 networks not ready, 1 action" in flat


@pytest.mark.parametrize("detail", ["summary", "full"])
def test_the_json_verdicts_count_findings_across_networks(
    shared_practice: Path, capsys: pytest.CaptureFixture[str], detail: str
) -> None:
    args = ["audit", shared_practice, "--as-of", AS_OF, "-f", "json", "--detail", detail]
    code, out, _ = run(args, capsys)
    assert code == 1
    data = json.loads(out)
    jsonschema.Draft202012Validator(audit_json_schema()).validate(data)
    assert data["verdict"] == "not_compliant"
    networks = {n["label"]: n for n in data["networks"]}
    assert {label: n["verdict"] for label, n in networks.items()} == {
        STROUD: "not_compliant",
        HILL: "not_compliant",
        VALE: "compliant",
    }
    assert {label: n["batch_blocking"] for label, n in networks.items()} == {
        STROUD: 1,
        HILL: 1,
        VALE: 0,
    }
    # the summary stays each network's own findings, as checked alone
    assert all(n["summary"]["blocking"] == 0 for n in networks.values())
    registration = next(m for m in data["milestones"] if m["key"] == "registration")
    assert registration["networks_not_ready"] == [HILL, STROUD]
    assert (registration["actions"], registration["findings"]) == (1, 1)


def test_the_library_gives_the_same_verdicts_and_keeps_each_report(shared_practice: Path) -> None:
    result = audit([shared_practice], as_of=AS_OF)
    verdicts = {label: result.network_verdict(i) for i, label in enumerate(result.labels)}
    assert verdicts == {STROUD: "not_compliant", HILL: "not_compliant", VALE: "compliant"}
    assert not result.compliant
    # each network's own report is its check alone, unchanged
    assert all(r.compliant for r in result.reports)
    for i, label in enumerate(result.labels):
        across = result.batch_findings_of(i)
        blocking = [f.entity for f in across if f.blocking]
        assert blocking == ([] if label == VALE else [SHARED]), label
    assert "3 networks, 2 not compliant" in repr(result)
    assert result.to_dict(findings=False)["networks"][0]["verdict"] == result.network_verdict(0)


def test_csv_xlsx_and_html_show_the_same_verdicts(
    shared_practice: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["audit", shared_practice, "--as-of", AS_OF]
    code, out, _ = run([*base, "-f", "csv", "--no-csv-bom"], capsys)
    assert code == 1
    rows = list(csv.DictReader(io.StringIO(out)))
    core = [r for r in rows if r["rule_id"] == "CORE-ONE-NETWORK" and r["status"] == "not met"]
    # the finding is on each network's rows it concerns, blocking, naming the practice
    assert sorted(r["network"] for r in core) == [HILL, STROUD]
    assert all(r["blocking"] == "yes" and r["practice_code"] == SHARED for r in core)
    assert not [r for r in rows if r["network"] == "(across networks)"]

    book_path = tmp_path / "audit.xlsx"
    code, _, _ = run([*base, "-f", "xlsx", "-o", book_path], capsys)
    assert code == 1
    sheet = list(openpyxl.load_workbook(book_path)["Networks"].iter_rows(values_only=True))
    header = sheet[0]
    by_network = {row[header.index("Network")]: row for row in sheet[1:]}
    verdict, across = header.index("Verdict"), header.index("Blocking across networks")
    assert {name: (row[verdict], row[across]) for name, row in by_network.items()} == {
        STROUD: ("not compliant", 1),
        HILL: ("not compliant", 1),
        VALE: ("compliant", 0),
    }
    summary = dict(
        list(openpyxl.load_workbook(book_path)["Summary"].iter_rows(values_only=True))[1:]
    )
    data = json.loads(run([*base, "-f", "json"], capsys)[1])
    assert summary["Headline"] == data["headline"]
    assert summary["Actions"] == len(data["actions"])

    page = tmp_path / "audit.html"
    code, _, _ = run([*base, "-f", "html", "-o", page], capsys)
    assert code == 1
    html = page.read_text(encoding="utf-8")
    assert "3 networks, 2 not compliant</h3>" in html
    assert html.count("<b class='not_met'>not compliant</b>") == 2
    assert "Hill Country PCN (U99902): 1 finding to review" in html
    assert "networks ready" not in html


def test_copies_of_one_network_sharing_its_practices_are_both_not_compliant(
    tmp_path: Path,
) -> None:
    first = _save(tmp_path / "may" / "stroud.json", _doc())
    second = _save(tmp_path / "june" / "stroud.json", _doc())
    result = audit([first, second], as_of=AS_OF)
    assert [result.network_verdict(i) for i in range(2)] == ["not_compliant"] * 2
    assert result.headline.count("not ready") == 1
    assert "2 of 2 networks not ready on the evidence" in result.headline
    assert "practices listed more than once by one network" in result.headline


def test_a_practice_in_no_network_is_named_as_such_and_blocks_no_network(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    submission = _save(tmp_path / "stroud.json", _doc())
    register = tmp_path / "register.csv"
    members = [p["ods_code"] for p in _doc()["practices"]]
    register.write_text(
        "ods_code,name,commissioner,list_size\n"
        + "".join(f"{code},Practice {code},11M,8000\n" for code in members)
        + "L84999,Lone Surgery,11M,4000\n",
        encoding="utf-8",
    )
    args = ["audit", submission, "--register", register, "--as-of", AS_OF, "-f", "json"]
    code, out, _ = run(args, capsys)
    assert code == 1  # COV-FULL is due today, and not met
    data = json.loads(out)
    assert "across networks: 1 practice in no network" in data["headline"]
    assert "1 network ready" in data["headline"]
    assert data["networks"][0]["verdict"] == "compliant"
    assert data["verdict"] == "not_compliant"


def test_one_network_is_one_network(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ready = _save(tmp_path / "ready.json", _doc())
    code, out, _ = run(["audit", ready, "--as-of", AS_OF, "-q"], capsys)
    assert code == 0
    assert ": 1 network ready — " in out
    assert "1 networks" not in out
    late = _doc()
    late["clinical_director"]["start_date"] = "2019-07-05"
    unready = _save(tmp_path / "unready" / "late-cd.json", late)
    code, out, _ = run(["audit", unready, "--as-of", "2019-07-01", "-q"], capsys)
    assert code == 1
    assert ": 1 of 1 network not ready on the evidence — 1 action (1 finding), due today" in out
    assert "1 networks" not in out
    # the same file given again (alone, in its directory, as ./name) is audited once
    folder = tmp_path / "unready"
    again = [unready, folder, folder / "." / "late-cd.json"]
    code, out, _ = run(["audit", *again, "--as-of", "2019-07-01", "-q"], capsys)
    assert code == 1
    assert ": 1 of 1 network not ready on the evidence — 1 action (1 finding), due today" in out


# --------------------------------------------------------------------------------------------
# a submission without a contract year takes the as-of date's, as check gives it
# --------------------------------------------------------------------------------------------


def test_a_submission_without_a_contract_year_is_not_another_year(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _save(tmp_path / "stroud.json", _doc())
    undated = _other("Vale PCN", "U99903", "X99")
    del undated["contract_year"]
    _save(tmp_path / "vale.json", undated)
    assert pcn_rules.check(tmp_path / "vale.json", as_of="2019-07-01").pack_id == "2019/20"
    code, out, err = run(["audit", tmp_path, "--as-of", "2019-07-01", "-q"], capsys)
    assert code == 0, err
    assert "all 2 networks ready" in out
    assert audit([tmp_path], as_of="2019-07-01").pack_id == "2019/20"

    # as of a date of 2020/21, check would judge it by 2020/21: one pack cannot judge both
    code, out, err = run(["audit", tmp_path, "--as-of", "2020-05-01"], capsys)
    assert (code, out) == (2, "")
    flat = " ".join(err.split())
    assert "different contract years" in flat
    assert f"{tmp_path / 'stroud.json'} is for 2019/20" in flat
    assert f"{tmp_path / 'vale.json'} gives no contract_year" in flat
    assert "2020/21 (the pack in force then)" in flat
    with pytest.raises(pcn_rules.UsageError, match="gives no contract_year"):
        audit([tmp_path], as_of="2020-05-01")
    # with the pack chosen, the one without a year is judged by it, as check does
    code, _, err = run(["audit", tmp_path, "--as-of", "2019-07-01", "--pack", "2019/20"], capsys)
    assert code == 0, err


# --------------------------------------------------------------------------------------------
# nothing that looks like an all-clear when nothing could be audited
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("output_format", ["text", "json", "csv"])
def test_a_path_that_is_not_there_is_an_error_before_any_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], output_format: str
) -> None:
    missing = tmp_path / "nonexist"
    for given in ([missing], [COMPLIANT, missing]):
        args = ["audit", *given, "--as-of", AS_OF, "-f", output_format]
        code, out, err = run(args, capsys)
        assert (code, out) == (3, ""), err
        assert f"{missing}: file or directory not found" in err
        assert "ready" not in err
    with pytest.raises(pcn_rules.InputError, match="file or directory not found"):
        audit([missing], as_of=AS_OF)


def test_an_audit_that_could_read_nothing_prints_no_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    code, out, err = run(["audit", tmp_path / "broken.json", "--as-of", AS_OF], capsys)
    assert (code, out) == (3, "")
    assert "broken.json" in err
    (tmp_path / "empty-object.json").write_text('{"network": 1}', encoding="utf-8")
    code, out, err = run(["audit", tmp_path, "--as-of", AS_OF], capsys)
    assert (code, out) == (3, "")
    flat = " ".join(err.split())
    assert "2 submissions, none readable (nothing audited)" in flat
    assert "broken.json: not valid JSON" in flat
    assert "empty-object.json at network" in flat
    # one readable submission among unreadable ones: reported, and the exit code says the rest
    _save(tmp_path / "stroud.json", _doc())
    code, out, err = run(["audit", tmp_path, "--as-of", AS_OF, "-q"], capsys)
    assert code == 3
    assert "1 network ready; 2 submissions could not be read" in out
    assert "broken.json" in err
    # the library fails closed too: an audit that could not read every submission is no
    # all-clear, whatever the ones read say
    result = audit([tmp_path], as_of=AS_OF)
    assert result.unreadable
    assert result.network_compliant(0)
    assert not result.compliant
    assert result.to_dict(findings=False)["verdict"] == "not_compliant"
