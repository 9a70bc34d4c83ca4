"""One registry of output formats (pcn_rules.render) for `pcn-check` and `pcn-check audit`: the
names accepted, listed in --help and named by the usage error are the registry's, and each one
renders the same to standard output and to a file."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from cli_runner import run

from pcn_rules.api import check
from pcn_rules.audits import audit
from pcn_rules.render import AUDIT_FORMATS, CHECK_FORMATS, Checked

ROOT = Path(__file__).resolve().parent.parent
F19 = ROOT / "fixtures" / "2019-20"
COMPLIANT = str(F19 / "compliant.json")


def test_the_registry_holds_the_check_and_audit_formats() -> None:
    assert list(CHECK_FORMATS) == ["text", "json", "junit", "sarif", "csv", "xlsx"]
    assert list(AUDIT_FORMATS) == ["text", "json", "csv", "html", "xlsx"]
    for formats in (CHECK_FORMATS, AUDIT_FORMATS):
        assert all(name == f.name for name, f in formats.items())
    drawn = {name for name, f in {**CHECK_FORMATS, **AUDIT_FORMATS}.items() if f.draw is not None}
    assert drawn == {"text"}


@pytest.mark.parametrize(
    ("command", "formats"), [(["check"], CHECK_FORMATS), (["audit"], AUDIT_FORMATS)]
)
def test_help_and_the_usage_error_name_the_registry_formats(
    command: list[str], formats: Mapping[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run([*command, "--help"], capsys)
    assert code == 0
    assert f"-f, --format [{'|'.join(formats)}]" in " ".join(out.split())
    args = [*command, COMPLIANT, "--as-of", "2019-06-30", "--format", "xml"]
    code, out, err = run(args, capsys)
    assert code == 2
    assert out == ""
    assert f"usage error: --format must be one of {', '.join(formats)}, got 'xml'" in err


#: the formats written as text (xlsx is binary: tests/test_audit_formats.py reads it back)
TEXT_CHECK_FORMATS = [name for name, f in CHECK_FORMATS.items() if f.binary is None]
TEXT_AUDIT_FORMATS = [name for name, f in AUDIT_FORMATS.items() if f.binary is None]


@pytest.mark.parametrize("name", TEXT_CHECK_FORMATS)
def test_every_check_format_renders_to_stdout_and_to_a_file(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run([COMPLIANT, "--format", name], capsys)
    assert (code, err) == (0, "")
    assert out.strip()
    target = tmp_path / f"report.{name}"
    code, out, err = run([COMPLIANT, "--format", name, "--output", target], capsys)
    assert (code, out, err) == (0, "", "")
    expected = CHECK_FORMATS[name].text(Checked([check(COMPLIANT)]))
    assert target.read_text(encoding="utf-8") == expected


@pytest.mark.parametrize("name", TEXT_AUDIT_FORMATS)
def test_every_audit_format_renders_to_stdout_and_to_a_file(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["audit", COMPLIANT, "--as-of", "2019-06-30", "--format", name]
    code, out, err = run(args, capsys)
    assert (code, err) == (0, "")
    assert out.strip()
    target = tmp_path / f"audit.{name}"
    code, out, err = run([*args, "--output", target], capsys)
    assert (code, out, err) == (0, "", "")
    expected = AUDIT_FORMATS[name].text(audit([COMPLIANT], as_of="2019-06-30"))
    assert target.read_text(encoding="utf-8") == expected


def test_text_written_to_a_file_is_plain_and_100_columns_wide(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "report.txt"
    code, _, _ = run([F19 / "rural-no-waiver.json", "--output", target], capsys)
    assert code == 1
    lines = target.read_text(encoding="utf-8").splitlines()
    assert "\x1b" not in "".join(lines)
    assert max(len(line) for line in lines) == 100  # the panel's border spans the width


def test_json_of_files_none_of_which_could_be_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run([tmp_path / "a.json", tmp_path / "b.json", "--format", "json"], capsys)
    assert code == 3
    assert json.loads(out) == {"report_version": "2.1", "reports": []}
    assert "a.json: file not found" in err


def test_checking_a_file_loads_only_the_renderer_it_prints_with() -> None:
    code = (
        "import sys\n"
        "from pcn_rules.cli import main\n"
        f"assert main([{COMPLIANT!r}, '--format', 'json']) == 0\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('pcn_rules.render'))\n"
        # and what makes text safe to show (pcn_rules.render.safe), which every format uses
        "assert loaded == ['pcn_rules.render', 'pcn_rules.render.json', "
        "'pcn_rules.render.safe'], loaded\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert done.returncode == 0, done.stderr
