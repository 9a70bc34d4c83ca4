"""pcn-check follows its ecosystem's conventions (ruff, semgrep, checkov, pre-commit) and reads
well to a PCN manager: --version, -h, completion, standard input, --quiet, --fail-on, --format
choices, templates that fail until filled in, one date style, no trailing spaces; and the
library's pack/year checks, error codes and namespace."""

from __future__ import annotations

import copy
import io
import json
import os
import pickle
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cli_runner import run

import pcn_rules
from pcn_rules.errors import PROBLEM_CODES

ROOT = Path(__file__).resolve().parent.parent
F19 = ROOT / "fixtures" / "2019-20"
F20 = ROOT / "fixtures" / "2020-21"


def _cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "COLUMNS": "80", "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "pcn_rules", *args],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )


def _doc(name: str = "compliant.json", folder: Path = F19) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / name).read_text(encoding="utf-8"))
    return data


# --- 1. conventions ----------------------------------------------------------------------------


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version_names_the_program_and_the_bundled_packs(
    flag: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run([flag], capsys)
    assert code == 0
    assert out.startswith(f"pcn-check {pcn_rules.__version__}\n")
    for pack in pcn_rules.available_packs():
        assert f"{pack} (release " in out


@pytest.mark.parametrize(
    "args",
    [
        ["-h"],
        ["audit", "-h"],
        ["check", "-h"],
        ["rules", "list", "-h"],
        ["geo", "-h"],
        ["import-ods", "-h"],
        ["explain", "-h"],
        ["init", "-h"],
        ["schema", "-h"],
        ["rules", "diff", "-h"],
    ],
)
def test_h_is_help_everywhere(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(args, capsys)
    assert code == 0, err
    assert out.startswith("Usage: pcn-check")
    # metavars written for people, not typer's type labels
    assert "<list[Path]>" not in out
    assert "<str>" not in out
    assert "{" not in out


@pytest.mark.parametrize("command", ["check", "audit", "explain", "import-ods", "init", "geo"])
def test_every_command_help_ends_with_examples(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run([command, "--help"], capsys)
    assert code == 0
    examples = out.split("Examples:", 1)[1].split("\n\n", 2)[1]
    lines = [line.strip() for line in examples.splitlines() if line.strip()]
    assert 2 <= len(lines) <= 3, out
    assert all("pcn-check " in line for line in lines), out


def test_shell_completion_is_offered() -> None:
    done = _cli("--show-completion", "bash")
    assert done.returncode == 0, done.stderr
    assert b"complete" in done.stdout
    assert b"pcn" in done.stdout.lower()
    code = _cli("--help")
    assert b"--install-completion" in code.stdout


def test_an_unknown_format_exits_2_listing_the_choices(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run([F19 / "compliant.json", "--format", "yaml"], capsys)
    assert code == 2
    assert out == ""
    assert "--format must be one of text, json, junit, sarif, csv" in err
    code, out, _ = run(["check", "-h"], capsys)
    assert "[text|json|junit|sarif|csv" in out


def test_a_submission_on_standard_input() -> None:
    data = (F19 / "rural-no-waiver.json").read_bytes()
    done = _cli("-", "--format", "json", stdin=data)
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert report["network"]["name"] == "Western Dales PCN"
    assert report["verdict"] == "not_compliant"
    bad = _cli("-", stdin=b"{not json")
    assert bad.returncode == 3
    assert b"<stdin>" in bad.stderr
    assert b"not valid JSON" in bad.stderr
    both = _cli("-", str(F19 / "compliant.json"), stdin=data)
    assert both.returncode == 2
    assert b"must be the only submission" in both.stderr


def test_standard_input_from_a_terminal_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", Terminal())
    code, _, err = run(["-"], capsys)
    assert code == 2
    assert "pipe a file into it" in err


def test_quiet_prints_only_the_verdict(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([F19 / "rural-no-waiver.json", "--quiet"], capsys)
    assert code == 1
    assert out.count("\n") == 1
    assert out.startswith("Western Dales PCN (U59980): NOT COMPLIANT as of 28 June 2019")
    code, out, _ = run([F19 / "compliant.json", "-q"], capsys)
    assert code == 0
    assert out.count("\n") == 1
    assert "COMPLIANT" in out
    code, out, _ = run(["audit", F19, "--as-of", "2019-06-30", "-q"], capsys)
    assert code == 1
    assert out.count("\n") == 1
    assert "of 13 networks not ready" in out


def _large_network() -> dict[str, Any]:
    """The compliant network grown to 62,000 patients, with no commissioner agreement above
    50,000 (POP-TYPICAL-MAX, a warning)."""
    doc = _doc()
    total = sum(p["list_size"] for p in doc["practices"])
    for practice in doc["practices"]:
        practice["list_size"] = practice["list_size"] * 62_000 // total
    doc["practices"][0]["list_size"] += 62_000 - sum(p["list_size"] for p in doc["practices"])
    doc["network"].pop("declared_list_size", None)
    doc.get("commissioner", {}).pop("over_50k_agreement", None)
    return doc


def test_fail_on_warning_fails_a_network_with_only_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "large.json"
    path.write_text(json.dumps(_large_network()), encoding="utf-8")
    code, out, _ = run([path], capsys)
    assert code == 0, out
    assert "POP-TYPICAL-MAX" in out
    code, out, _ = run([path, "--fail-on", "warning"], capsys)
    assert code == 1, out
    assert "NOT COMPLIANT" in out
    code, _, _ = run([path, "--fail-on", "WARNING"], capsys)
    assert code == 1
    code, _, _ = run([path, "--fail-on", "error"], capsys)
    assert code == 0
    code, _, err = run([path, "--fail-on", "fatal"], capsys)
    assert code == 2
    assert "--fail-on must be one of error, warning, info" in err


def test_fail_on_in_the_library_and_the_audit(tmp_path: Path) -> None:
    doc = _large_network()
    assert pcn_rules.check(doc).compliant
    strict = pcn_rules.check(doc, fail_on="warning")
    assert not strict.compliant
    assert {f.rule_id for f in strict.findings if f.blocking} == {"POP-TYPICAL-MAX"}
    with pytest.raises(pcn_rules.UsageError, match="fail_on must be one of"):
        pcn_rules.check(doc, fail_on="severe")  # type: ignore[arg-type]
    (tmp_path / "large.json").write_text(json.dumps(doc), encoding="utf-8")
    as_of = doc["submission"]["submitted_on"]
    assert pcn_rules.audit([tmp_path], as_of=as_of).compliant
    assert not pcn_rules.audit([tmp_path], as_of=as_of, fail_on="warning").compliant


# --- 2. truthful defaults ----------------------------------------------------------------------


def test_rules_list_and_show_say_which_pack_and_why(capsys: pytest.CaptureFixture[str]) -> None:
    newest = pcn_rules.available_packs()[-1]
    code, out, _ = run(["rules", "list"], capsys)
    assert code == 0
    assert f"Pack {newest} (release" in out
    assert "the newest bundled pack" in out
    code, out, _ = run(["rules", "show", "POP-MIN", "--pack", "2019/20"], capsys)
    assert code == 0
    assert "Pack 2019/20 (release" in out
    assert "as asked" in out
    code, out, _ = run(["rules", "list", "-h"], capsys)
    assert "submission's contract year" not in out


# --- 3. init: placeholders that fail until replaced ---------------------------------------------


def test_init_then_check_fails_naming_the_values_to_fill_in(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(["init", "new.json"], capsys)
    assert code == 0
    newest = pcn_rules.available_packs()[-1]
    assert f"a {newest} template (the newest bundled pack" in " ".join(out.split())
    template = json.loads(Path("new.json").read_text(encoding="utf-8"))
    assert template["contract_year"] == newest
    code, out, _ = run(["new.json"], capsys)
    assert code == 1
    flat = " ".join(out.split())
    assert "template values still to fill in" in flat
    assert "network.area.map_reference" in flat
    assert "network.area.contiguous" in flat
    # nothing of the example network passes for the user's own
    report = pcn_rules.check(tmp_path / "new.json")
    status = {f.rule_id: f.status for f in report.findings}
    assert status["REG-MAP"] == "not_evidenced"
    assert status["GEO-CONTIGUOUS"] == "not_evidenced"
    assert not [
        f
        for f in report.findings
        if f.status == "met" and f.scope == "network" and f.rule_id not in ("SINGLE-PRACTICE",)
    ]
    assert "network.name" in report.placeholders
    assert not report.compliant


def test_init_asked_for_a_year_writes_that_year(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "old.json"
    code, out, _ = run(["init", target, "--pack", "2019/20"], capsys)
    assert code == 0
    assert "2019/20 template (as asked)" in " ".join(out.split())
    assert json.loads(target.read_text(encoding="utf-8"))["contract_year"] == "2019/20"


def test_a_filled_in_template_is_judged_on_its_facts() -> None:
    """Replacing every placeholder with the example's own values gives the example's report."""
    from pcn_rules.packs.template import template_of

    example = _doc("base.json", ROOT / "rules" / "2019-20" / "examples")
    template = template_of(example)
    assert "REPLACE:" in json.dumps(template)
    report = pcn_rules.check(template)
    assert report.placeholders
    # a placeholder anywhere, even where the format wants a number, is not evidenced
    doc = _doc()
    doc["practices"][1]["list_size"] = "REPLACE: the practice's list size"
    placed = pcn_rules.check(doc)
    assert placed.placeholders == ("practices[1].list_size",)
    assert {f.status for f in placed.findings if f.rule_id == "POP-MIN"} == {"not_evidenced"}
    assert placed.to_dict()["placeholders"] == ["practices[1].list_size"]


def test_no_member_practices_is_never_met(capsys: pytest.CaptureFixture[str]) -> None:
    doc = _doc()
    doc["practices"] = []
    report = pcn_rules.check(doc)
    status = {f.rule_id: f.status for f in report.findings}
    assert status["REG-LIST-SIZE"] == "not_met"
    assert status["REG-INITIAL-AGREEMENT"] == "not_evidenced"
    assert status["NA-FULL"] == "not_evidenced"


# --- 4. reading -------------------------------------------------------------------------------


def test_text_piped_to_a_file_has_no_trailing_spaces() -> None:
    for args in (
        [str(F19 / "rural-no-waiver.json")],
        ["audit", str(F19), "--as-of", "2019-06-30"],
        ["rules", "diff", "2019/20", "2020/21"],
    ):
        done = _cli(*args)
        text = done.stdout.decode("utf-8")
        assert text.strip(), args
        assert [line for line in text.splitlines() if line != line.rstrip()] == [], args


def test_the_report_reads_as_a_pca_manager_reads(capsys: pytest.CaptureFixture[str]) -> None:
    _code, out, _ = run([F19 / "rural-no-waiver.json"], capsys)
    flat = " ".join(out.split())
    # requirements counted, not findings; milestone titles, not keys; one date style
    assert "28 requirements: 23 met · 1 not met · 4 not applicable" in flat
    assert "network_agreement" not in flat
    assert "commissioner_confirmation" not in flat
    assert "2019-06-28" not in flat
    assert "28 June 2019" in flat
    assert "Source confidence: OFF official text" in flat
    assert "(s)" not in out
    _code, out, _ = run(["audit", F19, "--as-of", "2019-06-30"], capsys)
    flat = " ".join(out.split())
    assert "des_start" not in flat
    assert "(network_agreement)" not in flat
    assert "01 Apr 2019" not in flat
    assert "1 April 2019" in flat
    # "1 networks" or "1 findings", but not "21 findings"
    assert not re.search(r"(?<![\d,])1 (networks|findings)\b", flat), flat


def test_headings_never_break_inside_a_phrase(capsys: pytest.CaptureFixture[str]) -> None:
    _code, out, _ = run([F20 / "compliant.json"], capsys)
    for line in out.splitlines():
        assert not line.rstrip().endswith("(due in"), line
        assert not line.rstrip().endswith("days"), line


def test_messages_use_thousands_separators_and_plurals() -> None:
    doc = _doc("short-extended-hours.json")
    report = pcn_rules.check(doc, as_of="2019-07-01")
    eha = next(f for f in report.findings if f.rule_id == "EHA-MINUTES")
    assert "1,200 minutes required" in eha.message
    assert "40,156 registered patients at 1 April 2019" in eha.message


# --- 5. library ---------------------------------------------------------------------------------


def test_a_pack_of_another_year_is_an_error_unless_allowed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    pack = pcn_rules.load_pack("2020/21")
    with pytest.raises(pcn_rules.UsageError, match="is for contract year 2020/21"):
        pcn_rules.check(F19 / "compliant.json", pack=pack)
    with pytest.raises(pcn_rules.UsageError):
        pcn_rules.check(F19 / "compliant.json", pack="2020/21")
    report = pcn_rules.check(F19 / "compliant.json", pack=pack, allow_other_year=True)
    assert report.pack_id == "2020/21"
    code, _, err = run([F19 / "compliant.json", "--pack", "2020/21"], capsys)
    assert code == 2
    assert "--allow-other-year" in err
    code, _, _ = run([F19 / "compliant.json", "--pack", "2020/21", "--allow-other-year"], capsys)
    assert code in (0, 1)
    with pytest.raises(pcn_rules.UsageError, match="is for contract year 2020/21"):
        pcn_rules.audit([F19], as_of="2019-06-30", pack=pack)


def test_an_as_of_date_outside_the_pack_is_a_warning_in_the_report(
    capsys: pytest.CaptureFixture[str],
) -> None:
    inside = pcn_rules.check(F19 / "compliant.json")
    assert inside.warnings == ()
    outside = pcn_rules.check(F19 / "compliant.json", as_of="2021-01-01")
    assert len(outside.warnings) == 1
    assert "outside contract year 2019/20" in outside.warnings[0]
    assert outside.to_dict()["warnings"] == list(outside.warnings)
    assert pcn_rules.Report.from_json(outside.to_json()) == outside
    _code, out, _ = run([F19 / "compliant.json", "--as-of", "2021-01-01"], capsys)
    assert "Warning: The as-of date, 1 January 2021, is outside" in " ".join(out.split())


def test_errors_are_value_errors_with_problem_codes() -> None:
    for error in (pcn_rules.InputError, pcn_rules.UsageError, pcn_rules.PackError):
        assert issubclass(error, pcn_rules.PcnRulesError)
        assert issubclass(error, ValueError)
    doc = _doc()
    doc["practices"][0]["ods_code"] = "not a code"
    doc["practices"][1]["list_size"] = "12000"
    doc["netwrok"] = {}
    del doc["network"]["name"]
    with pytest.raises(pcn_rules.InputError) as raised:
        pcn_rules.check(doc)
    codes = {p.path: p.code for p in raised.value.problems}
    assert codes == {
        "practices[0].ods_code": "bad_format",
        "practices[1].list_size": "wrong_type",
        "netwrok": "unknown_field",
        "network.name": "missing",
    }
    assert all(p.code in PROBLEM_CODES for p in raised.value.problems)
    path, message = raised.value.problems[0]  # still a (path, message) pair
    assert path == raised.value.problems[0].path
    assert message == raised.value.problems[0].message
    for text, code in ((b"{", "not_json"), (b"[1]", "not_an_object")):
        with pytest.raises(pcn_rules.InputError) as raised:
            pcn_rules.check(json.loads(text) if code == "not_an_object" else {"x": text})
        if code == "not_an_object":
            assert raised.value.problems[0].code == code


def test_a_pickled_input_error_is_the_same_error() -> None:
    with pytest.raises(pcn_rules.InputError) as raised:
        pcn_rules.check(F19 / "missing.json")
    error = raised.value
    for again in (pickle.loads(pickle.dumps(error)), copy.deepcopy(error)):
        assert isinstance(again, pcn_rules.InputError)
        assert str(again) == str(error)
        assert again.problems == error.problems
        assert again.problems[0].code == error.problems[0].code == "unreadable"


def test_the_package_namespace_is_the_api() -> None:
    names = dir(pcn_rules)
    assert names == sorted(pcn_rules.__all__)
    for leaked in ("time", "gc", "importlib", "Any", "TYPE_CHECKING", "annotations"):
        assert not hasattr(pcn_rules, leaked), leaked
    assert "Problem" in pcn_rules.__all__
