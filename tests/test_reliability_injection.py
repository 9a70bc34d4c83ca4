"""Reliability (issue 14), injection: what a submitter writes in a name reaches a
commissioner's spreadsheet, terminal or CI as text, never as a formula, an escape sequence,
rich markup or broken XML."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from cli_runner import run
from rich.console import Console

import pcn_rules
from pcn_rules.audits import audit
from pcn_rules.packs.discover import resolve_pack_dir
from pcn_rules.render import Checked
from pcn_rules.render.text import render_checked
from pcn_rules.render.text_audit import render_audit

ROOT = Path(__file__).resolve().parent.parent
F19 = ROOT / "fixtures" / "2019-20"
COMPLIANT = F19 / "compliant.json"

#: A network name that would clear the screen, set the window title, ring the bell, colour
#: the rest red (8-bit CSI), reverse the line (RLO), and hold rich markup and a link.
HOSTILE_NAME = (
    "Evil\x1b[2J\x1b]0;owned\x07 PCN\x9b31m \u202e[red]x[/red] [link=http://example.com]y[/link]"
    "\x7f"
)
#: Practice names a spreadsheet would run as formulas, and one that forges a line.
FORMULAS = ['=HYPERLINK("http://example.com","click")', "+1+1", "-2+3", "@SUM(A1:A2)"]
FORGED = "Surgery\nCOMPLIANT as of 28 June 2019: forged"
#: Control characters (newline aside) that must never reach a terminal or a text file.
CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
#: What rich itself writes on a terminal: colours and styles (SGR).
SGR = re.compile("\x1b\\[[0-9;]*m")


def _hostile(tmp_path: Path, name: str = "evil.json", not_met: bool = True) -> Path:
    doc: dict[str, Any] = json.loads(COMPLIANT.read_text(encoding="utf-8"))
    doc["network"]["name"] = HOSTILE_NAME
    for practice, text in zip(doc["practices"], [*FORMULAS, FORGED], strict=False):
        practice["name"] = text
    if not_met:
        del doc["practices"][4]["contract_type"]  # CORE-CONTRACT not evidenced for the forger
        doc["practices"][0]["list_size"] = 10  # POP-MIN not met
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _assert_inert(text: str) -> None:
    found = CONTROL.findall(text)
    assert not found, f"control characters reach the output: {found!r}"
    assert "[red]x[/red]" in text, "rich markup in a name is shown as written"
    assert "[link=http://example.com]y[/link]" in text
    for line in text.splitlines():
        assert not line.lstrip(" │").startswith("COMPLIANT as of 28 June 2019: forged"), line


# ------------------------------------------------------------------------------------------------
# CSV: a cell a spreadsheet would run as a formula is quoted; numbers stay numbers
# ------------------------------------------------------------------------------------------------


def _cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def _assert_no_formula(rows: list[list[str]]) -> None:
    for row in rows:
        for value in row:
            if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
                assert re.fullmatch(r"-[0-9]+", value), f"a cell starts a formula: {value!r}"


def test_check_csv_neutralises_formulas_in_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run([_hostile(tmp_path), "--format", "csv"], capsys)
    assert code == 1, err
    rows = _cells(out)
    _assert_no_formula(rows)
    header = rows[0]
    names = {row[header.index("entity_name")] for row in rows[1:]}
    assert {f"'{text}" for text in FORMULAS} <= names
    days = [row[header.index("days_left")] for row in rows[1:]]
    assert any(re.fullmatch(r"-[0-9]+", d) for d in days), "a negative number stays a number"


def test_audit_csv_neutralises_a_formula_in_the_network_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = json.loads(COMPLIANT.read_text(encoding="utf-8"))
    doc["network"]["name"] = "=cmd|' /C calc'!A0"
    path = tmp_path / "formula.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    code, out, err = run(["audit", path, "--as-of", "2019-06-30", "-f", "csv"], capsys)
    assert code == 0, err
    rows = _cells(out.removeprefix("\ufeff"))  # the byte-order mark for Excel
    _assert_no_formula(rows)
    assert rows[0][2] == "network"
    assert all(row[2].startswith("'=cmd|") for row in rows[1:] if row[2] != "(across networks)")


# ------------------------------------------------------------------------------------------------
# Terminal and text: no control character, no markup, no forged line
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--explain"],
        ["audit", "--as-of", "2019-06-30"],
        ["explain", "POP-MIN"],
        ["explain", "CORE-CONTRACT"],
    ],
    ids=["check", "check --explain", "audit", "explain POP-MIN", "explain CORE-CONTRACT"],
)
def test_text_output_shows_names_literally(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    hostile = _hostile(tmp_path)
    if args[:1] == ["audit"]:
        command: list[Any] = ["audit", hostile, *args[1:]]
    elif args[:1] == ["explain"]:
        command = ["explain", hostile, args[1]]
    else:
        command = [hostile, *args]
    code, out, err = run(command, capsys)
    assert code in (0, 1), err
    assert not CONTROL.findall(out)
    if args[:1] != ["explain"]:  # (explain does not show the network's name)
        _assert_inert(out)
        target = tmp_path / "report.txt"
        assert run([*command, "--output", target], capsys)[0] in (0, 1)
        _assert_inert(target.read_text(encoding="utf-8"))


def _terminal() -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, force_terminal=True, color_system="truecolor", width=120), buffer


def test_on_a_terminal_only_richs_own_styles_are_written(tmp_path: Path) -> None:
    hostile = _hostile(tmp_path)
    report = pcn_rules.check(hostile)
    console, buffer = _terminal()
    render_checked(Checked([report]), console)
    console.print(Checked.__name__)  # the console is left as it was: no hook stays behind
    written = buffer.getvalue()
    assert "\x1b[" in written, "a terminal gets colours"
    assert "\x1b]8;" not in written, "no link from markup in a name"
    _assert_inert(SGR.sub("", written))
    console, buffer = _terminal()
    render_audit(audit([hostile], as_of="2019-06-30"), console)
    _assert_inert(SGR.sub("", buffer.getvalue()))


def test_a_baseline_with_control_characters_is_shown_literally(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _hostile(tmp_path, "before.json")
    baseline = tmp_path / "baseline.json"
    assert run([before, "-f", "json", "-o", baseline], capsys)[0] == 1
    after = _hostile(tmp_path, "after.json", not_met=False)
    code, out, err = run([after, "--baseline", baseline], capsys)
    assert code == 0, err
    assert "resolved" in out
    assert not CONTROL.findall(out)


def test_pack_text_reaches_the_terminal_without_control_characters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(resolve_pack_dir("2019/20"), pack)
    population = pack / "population.yaml"
    text = population.read_text(encoding="utf-8")
    title = "The network serves at least {params.population_min:,} patients"
    assert title in text
    population.write_text(
        text.replace(title, '"Evil\\e[2J\\x9b31m title [bold]x[/bold]"', 1), encoding="utf-8"
    )
    for args in (["rules", "list", "--pack", pack], ["rules", "show", "POP-MIN", "--pack", pack]):
        code, out, err = run(args, capsys)
        assert code == 0, err
        assert not CONTROL.findall(out)
        assert "[bold]x[/bold]" in out


# ------------------------------------------------------------------------------------------------
# JUnit parses; JSON and SARIF carry the same data with no raw control character; HTML
# ------------------------------------------------------------------------------------------------


def test_junit_with_control_characters_in_names_is_valid_xml(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run([_hostile(tmp_path), "--format", "junit"], capsys)
    assert code == 1, err
    root = ET.fromstring(out.encode("utf-8"))
    suite = root.find("testsuite")
    assert suite is not None
    assert "[red]x[/red]" in suite.get("name", "")
    assert not CONTROL.findall(out.replace("\n", "").replace("\t", ""))


@pytest.mark.parametrize("name", ["json", "sarif"])
def test_json_and_sarif_escape_control_characters_and_keep_the_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    code, out, err = run([_hostile(tmp_path), "--format", name], capsys)
    assert code == 1, err
    assert not CONTROL.search(out.replace("\n", ""))
    data = json.loads(out)
    if name == "json":
        assert data["network"]["name"] == HOSTILE_NAME
    else:
        assert data["runs"][0]["results"][0]["properties"]["network"] == HOSTILE_NAME


def test_audit_json_escapes_control_characters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        ["audit", _hostile(tmp_path), "--as-of", "2019-06-30", "-f", "json"], capsys
    )
    assert code == 1, err
    assert not CONTROL.search(out.replace("\n", ""))
    assert HOSTILE_NAME in json.loads(out)["networks"][0]["label"]


def test_html_escapes_names_and_shows_control_characters_as_replacement(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = json.loads(_hostile(tmp_path).read_text(encoding="utf-8"))
    doc["network"]["name"] = HOSTILE_NAME + "<script>alert(1)</script>"
    path = tmp_path / "html.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    code, out, err = run(["audit", path, "--as-of", "2019-06-30", "-f", "html"], capsys)
    assert code == 1, err
    assert "<script>" not in out
    assert "&lt;script&gt;" in out
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", out)
    assert "Evil\ufffd[2J" in out


def test_an_error_message_passes_no_control_character_to_the_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file name with an escape sequence, in an error message, is shown without it."""
    code, _out, err = run([tmp_path / "x\x1b[2Jy.json"], capsys)
    assert code == 3
    assert "\x1b" not in err
    assert "x[2Jy.json: file not found" in err
