"""An unknown command is a usage error that suggests the command meant (``pcn-check audti DIR``);
everything else stays a file for the default command, ``check`` (``pcn-check FILE...``)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from cli_runner import run

ROOT = Path(__file__).resolve().parent.parent
F19 = ROOT / "fixtures" / "2019-20"
COMPLIANT = F19 / "compliant.json"


@pytest.mark.parametrize(
    "args",
    [
        ["audti", F19],
        ["audti", F19, "--as-of", "2019-06-30"],
        ["--as-of", "2019-06-30", "audti", F19],
        ["--format", "json", "audti"],
    ],
)
def test_a_mistyped_command_is_a_usage_error_and_checks_nothing(
    args: list[str | Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    code, out, err = run(args, capsys)
    assert code == 2
    assert out == ""
    assert "No such command 'audti'. Did you mean 'audit'?" in err


@pytest.mark.parametrize(
    ("typo", "meant"),
    [
        ("chek", "check"),
        ("rule", "rules"),
        ("shema", "schema"),
        ("int", "init"),
        ("expalin", "explain"),
        ("Audit", "audit"),
        ("import", "import-ods"),
    ],
)
def test_every_command_is_suggested(
    typo: str,
    meant: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run([typo, "x"], capsys)
    assert code == 2
    assert out == ""
    assert f"No such command {typo!r}. Did you mean {meant!r}?" in err


@pytest.mark.parametrize(
    "args",
    [
        [COMPLIANT],
        [COMPLIANT, "--as-of", "2019-06-30"],
        ["--as-of", "2019-06-30", COMPLIANT],
        ["--", COMPLIANT],
        ["check", COMPLIANT],
    ],
)
def test_files_are_for_check(args: list[str | Path], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(args, capsys)
    assert code == 0
    assert "COMPLIANT" in out


@pytest.mark.parametrize(
    "args",
    [
        ["submission.json"],
        ["schema.json"],
        ["audit.json"],
        ["audti.json"],
        ["data/audti"],
        ["networks"],
        ["--as-of", "2019-06-30", "submission.json"],
        ["--", "audti"],
    ],
)
def test_a_missing_file_is_not_taken_for_a_command(
    args: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(args, capsys)
    assert code == 3
    assert out == ""
    assert f"error: cannot read submission: {args[-1]}: file not found" in err
    assert "No such command" not in err


def test_a_file_named_like_a_command_is_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copy(COMPLIANT, tmp_path / "audti")
    code, out, _ = run(["audti"], capsys)
    assert code == 0
    assert "COMPLIANT" in out


def test_the_command_names_are_the_registered_commands() -> None:
    import typer

    from pcn_rules.cli import SUBCOMMANDS, app

    group = typer.main.get_command(app)
    assert sorted(SUBCOMMANDS) == sorted(group.commands)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "args",
    [
        ["rules", "list", "--format", "yaml"],
        ["rules", "diff", "2019/20", "2020/21", "--format", "xml"],
        ["explain", "fixtures/2019-20/compliant.json", "POP-MIN", "--format", "csv"],
    ],
)
def test_an_unknown_format_of_a_text_or_json_command_is_a_usage_error(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    code, out, err = run(args, capsys)
    assert code == 2
    assert "--format must be one of text, json, got" in err
    assert out == ""


@pytest.mark.parametrize(
    "args",
    [
        ["rules", "diff", "2019/20", "2020/21", "--format", "JSON"],
        ["fixtures/2019-20/compliant.json", "-f", "Json"],
    ],
)
def test_a_format_in_capitals_is_the_same_format(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    code, out, err = run(args, capsys)
    assert code == 0, err
    assert isinstance(json.loads(out), dict)


@pytest.mark.parametrize(
    ("option", "kind"),
    [
        ("--waivers", "waivers file"),
        ("--register", "register"),
        ("--baseline", "baseline report"),
    ],
)
def test_an_unreadable_input_file_is_named_for_what_it_is(
    option: str, kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A missing waivers, register or baseline file is not called a submission."""
    missing = tmp_path / "missing.file"
    args: list[str | Path] = [COMPLIANT, option, missing]
    if option == "--register":
        args = ["audit", F19, "--as-of", "2019-06-30", option, missing]
    code, out, err = run(args, capsys)
    assert code == 3
    assert out == ""
    assert f"error: cannot read {kind}: {missing}" in " ".join(err.split())
    assert "cannot read submission" not in err


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["explain", str(F19 / "compliant.json"), "POP-MINN"], "did you mean POP-MIN?"),
        (["rules", "show", "GEO-CONTIGOUS", "--pack", "2019/20"], "did you mean GEO-CONTIGUOUS?"),
        (
            ["explain", str(ROOT / "fixtures" / "2020-21" / "compliant.json"), "REG-ON-TIME"],
            "REG-ON-TIME is retired in pack 2020/21",
        ),
    ],
)
def test_a_rule_id_not_in_the_pack_says_what_was_meant(
    args: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(args, capsys)
    assert code == 2
    assert said in " ".join(err.split())
