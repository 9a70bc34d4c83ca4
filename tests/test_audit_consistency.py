"""Audits never look like an all-clear when they could not audit: a path that is not there is
an error before any report; a submission without a contract year takes the as-of date's, as
check gives it.  What a user sees: the exit codes, messages and headline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cli_runner import run

import pcn_rules
from pcn_rules.audits import audit

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
