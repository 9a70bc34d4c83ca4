"""``pcn-check schema``, ``rules list/show/test``, ``init``, ``--help`` and no arguments."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from cli_runner import run
from required_ids import IDS_2019


@pytest.fixture
def submission_validator(capsys: pytest.CaptureFixture[str]) -> jsonschema.Draft202012Validator:
    code, out, _ = run(["schema"], capsys)
    assert code == 0
    schema = json.loads(out)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_submission_schema_accepts_every_fixture(
    submission_validator: jsonschema.Draft202012Validator, fixtures_dir: Path
) -> None:
    for path in sorted(fixtures_dir.glob("*.json")):
        submission_validator.validate(json.loads(path.read_text(encoding="utf-8")))


def test_submission_schema_rejects_what_the_reader_rejects(
    submission_validator: jsonschema.Draft202012Validator, compliant_doc: dict[str, Any]
) -> None:
    compliant_doc["practices"][0]["list_size"] = "25000"
    assert not submission_validator.is_valid(compliant_doc)
    compliant_doc["practices"][0]["list_size"] = 25000
    compliant_doc["network"]["colour"] = "green"
    assert not submission_validator.is_valid(compliant_doc)


def test_report_schema_is_valid_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["schema", "--report"], capsys)
    assert code == 0
    schema = json.loads(out)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_rules_list_shows_every_2019_id(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["rules", "list", "--pack", "2019/20"], capsys)
    assert code == 0
    missing = [rule_id for rule_id in IDS_2019 if rule_id not in out]
    assert not missing, f"not listed: {missing}"
    assert "2019/20" in out


def test_rules_list_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["rules", "list", "--pack", "2019/20", "--format", "json"], capsys)
    assert code == 0
    rules = {r["id"]: r for r in json.loads(out)}
    assert set(IDS_2019) <= set(rules)
    assert rules["POP-MIN"]["due"] == {
        "milestone": "commissioner_confirmation",
        "date": "2019-05-31",
    }


def test_rules_show_gives_the_condition_and_the_source(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["rules", "show", "POP-MIN", "--pack", "2019/20"], capsys)
    assert code == 0
    assert "network.list_size >= params.population_min" in out
    assert "NHS England PCN FAQs (2nd iteration)" in out
    assert "commissioner_confirmation" in out


def test_rules_show_accepts_lower_case_and_the_default_pack(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(["rules", "show", "pop-min"], capsys)
    assert code == 0
    assert "network.list_size >= params.population_min" in out


def test_rules_show_unknown_rule_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["rules", "show", "NOPE-RULE", "--pack", "2019/20"], capsys)
    assert code == 2
    assert "NOPE-RULE" in err


def test_rules_test_runs_every_example(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["rules", "test"], capsys)
    assert code == 0
    assert "FAIL" not in out
    assert "pack 2019/20:" in out
    assert "examples pass" in out


def test_init_writes_a_template_to_fill_in_and_will_not_overwrite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "my-network.json"
    code, out, _ = run(["init", target], capsys)
    assert code == 0
    assert target.is_file()
    assert "my-network.json" in out

    # as written, the template is not compliant: nothing of the example network counts
    code, out, _ = run([target], capsys)
    assert code == 1, out
    assert "NOT COMPLIANT" in out

    target.write_text("my own work", encoding="utf-8")
    code, _, err = run(["init", target], capsys)
    assert code == 2
    assert "--force" in err
    assert target.read_text(encoding="utf-8") == "my own work"

    code, _, _ = run(["init", target, "--force"], capsys)
    assert code == 0
    assert json.loads(target.read_text(encoding="utf-8"))["format_version"] == 1


@pytest.mark.parametrize("pack", ["2019/20", "2020/21"])
def test_the_template_init_writes_is_valid_against_the_published_schema(
    tmp_path: Path, pack: str, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "template.json"
    assert run(["init", target, "--pack", pack], capsys)[0] == 0
    code, out, _ = run(["schema"], capsys)
    assert code == 0
    validator = jsonschema.Draft202012Validator(json.loads(out))
    template = json.loads(target.read_text(encoding="utf-8"))
    assert [e.message for e in validator.iter_errors(template)] == []
    # a placeholder stands in for a value; anything else of the wrong type is still refused
    template["practices"][0]["list_size"] = "12000"
    assert list(validator.iter_errors(template))


def test_help_mentions_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--help"], capsys)
    assert code == 0
    flat = " ".join(out.split())
    for text in (
        "0 compliant",
        "1 not compliant",
        "2 usage error",
        "3 unreadable submission or invalid rule pack",
        "4 internal error",
    ):
        assert text in flat, text


def test_no_arguments_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run([], capsys)
    assert "Usage: pcn-check" in out
    assert "Exit codes" in " ".join(out.split())
    assert "check" in out
    # nothing to check is a usage error, as in click/typer
    assert code == 2
    assert "Traceback" not in err
