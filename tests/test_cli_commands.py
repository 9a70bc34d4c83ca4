"""The other commands: schema, rules list/show/test/lint, init, help, usage errors."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from cli_runner import run
from required_ids import IDS_2019

ROOT = Path(__file__).resolve().parent.parent

REQUIRED_2019_IDS = list(IDS_2019)


def test_schema_is_valid_and_accepts_the_fixtures(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["schema"], capsys)
    assert code == 0
    schema = json.loads(out)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for fixture in sorted((ROOT / "fixtures").glob("20*/*.json")):
        validator.validate(json.loads(fixture.read_text(encoding="utf-8")))
    assert "practices" in schema["required"]


def test_report_schema_command(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["schema", "--report"], capsys)
    assert code == 0
    jsonschema.Draft202012Validator.check_schema(json.loads(out))


def test_rules_list_2019_has_every_catalogue_id(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["rules", "list", "--pack", "2019/20"], capsys)
    assert code == 0
    missing = [rule_id for rule_id in REQUIRED_2019_IDS if rule_id not in out]
    assert not missing
    code, out, _ = run(["rules", "list", "--pack", "2019/20", "--format", "json"], capsys)
    assert {r["id"] for r in json.loads(out)} == {*REQUIRED_2019_IDS, "COV-FULL"}


def test_rules_show(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["rules", "show", "POP-MIN", "--pack", "2019/20"], capsys)
    assert code == 0
    assert "network.list_size >= params.population_min" in out
    assert "NHS England PCN FAQs" in out
    assert "commissioner_confirmation" in out
    code, _, err = run(["rules", "show", "NOPE-RULE", "--pack", "2019/20"], capsys)
    assert code == 2
    assert "NOPE-RULE" in err


def test_rules_test_and_lint(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["rules", "test"], capsys)
    assert code == 0
    assert "pack 2019/20:" in out
    code, out, _ = run(["rules", "lint", str(ROOT / "rules" / "2019-20")], capsys)
    assert code == 0
    assert "28 rules" in out


def test_rules_test_fails_when_an_example_is_wrong(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    pack = tmp_path / "pack"
    shutil.copytree(ROOT / "rules" / "2019-20", pack)
    text = (pack / "population.yaml").read_text(encoding="utf-8")
    text = text.replace('message_contains: "22,000"', 'message_contains: "99,999"', 1)
    (pack / "population.yaml").write_text(text, encoding="utf-8")
    code, out, _ = run(["rules", "test", "--pack", str(pack)], capsys)
    assert code == 1
    assert "FAIL" in out
    assert "POP-MIN" in out


def test_init_writes_a_checkable_template(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The template reads, but a template left as written is not compliant: it names the
    values still to fill in (each a "REPLACE: ..." placeholder)."""
    target = tmp_path / "mine.json"
    code, out, _ = run(["init", str(target)], capsys)
    assert code == 0
    assert target.is_file()
    assert '"REPLACE:"' in out
    code, out, _ = run([str(target)], capsys)
    assert code == 1
    flat = " ".join(out.split())
    assert "still to fill in" in flat
    assert "network.area.map_reference" in flat
    code, _, err = run(["init", str(target)], capsys)
    assert code == 2
    assert "--force" in err
    code, _, _ = run(["init", str(target), "--force"], capsys)
    assert code == 0


def test_help_lists_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--help"], capsys)
    assert code == 0
    assert "Exit codes" in out
    assert "3 unreadable submission or invalid rule pack" in " ".join(out.split())


def test_no_arguments_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([], capsys)
    assert "Usage" in out
    assert code == 2


@pytest.mark.parametrize(
    ("args", "text"),
    [
        (["fixtures/2019-20/compliant.json", "--as-of", "2019-13-01"], "--as-of"),
        (["fixtures/2019-20/compliant.json", "--format", "yaml"], "--format"),
        (["fixtures/2019-20/compliant.json", "--pack", "2017/18"], "2017/18"),
        (["fixtures/2019-20/compliant.json", "--no-such-option"], "--no-such-option"),
    ],
)
def test_usage_errors_exit_2(
    args: list[str], text: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    code, out, err = run(args, capsys)
    assert code == 2
    assert text in out + err
