"""The command line against hostile or unlucky surroundings: user text that looks like rich
markup, output files that cannot be written, a reader that stops reading (a broken pipe) and
JSON that Python accepts but JSON does not (NaN, Infinity)."""

from __future__ import annotations

import errno
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cli_runner import run

from pcn_rules.packs.discover import resolve_pack_dir

ROOT = Path(__file__).resolve().parent.parent
F19 = ROOT / "fixtures" / "2019-20"

# ------------------------------------------------------------------------------------------------
# User text is printed as it is, never read as rich markup (or emoji codes)
# ------------------------------------------------------------------------------------------------

MARKUP_NAME = "Example [/] PCN [bold] :smile:"


def _write_json(path: Path, doc: Any) -> Path:
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return path


def test_a_network_name_that_looks_like_markup_is_printed_as_it_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], compliant_doc: dict[str, Any]
) -> None:
    compliant_doc["network"]["name"] = MARKUP_NAME
    code, out, err = run([_write_json(tmp_path / "markup.json", compliant_doc)], capsys)
    assert code == 0, err
    assert MARKUP_NAME in out
    assert "COMPLIANT" in out


def test_a_missing_file_whose_name_looks_like_markup_is_named_as_it_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "[/]nope.json"
    code, out, err = run([missing], capsys)
    assert code == 3
    assert out == ""
    assert f"{missing}: file not found" in err
    assert "internal error" not in err


def test_an_error_quoting_user_input_is_printed_as_it_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], compliant_doc: dict[str, Any]
) -> None:
    compliant_doc["network"]["[bold]colour"] = "green"
    code, _, err = run([_write_json(tmp_path / "field.json", compliant_doc)], capsys)
    assert code == 3
    assert "network.[bold]colour" in err


def test_a_waiver_reason_that_looks_like_markup_is_printed_as_it_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reason = "[red]Rural[/] [/] area :smile:"
    waivers = tmp_path / "waivers.json"
    _write_json(
        waivers,
        {
            "version": 1,
            "waivers": [
                {
                    "rule": "POP-MIN",
                    "entity": "U59980",
                    "reason": reason,
                    "approved_by": "[bold]B. Example[/bold]",
                    "approved_on": "2019-05-29",
                }
            ],
        },
    )
    code, out, err = run([F19 / "rural-no-waiver.json", "--waivers", waivers], capsys)
    assert code == 0, err
    assert f"Waived by [bold]B. Example[/bold] on 29 May 2019: {reason}" in out


def test_audit_prints_markup_like_names_and_files_as_they_are(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], compliant_doc: dict[str, Any]
) -> None:
    compliant_doc["network"]["name"] = MARKUP_NAME
    compliant_doc["network"]["ods_code"] = "U00001"
    compliant_doc["network"]["declared_list_size"] = 1
    good = _write_json(tmp_path / "markup.json", compliant_doc)
    bad = tmp_path / "[bold]broken.json"
    bad.write_text("{", encoding="utf-8")
    code, out, err = run(["audit", good, bad, "--as-of", "2019-06-30"], capsys)
    assert code == 3, err
    assert MARKUP_NAME in out
    assert str(bad) in err
    assert "internal error" not in err
    # a path that is not there stops the audit before any report
    missing = tmp_path / "[/]nope.json"
    code, out, err = run(["audit", good, bad, missing, "--as-of", "2019-06-30"], capsys)
    assert (code, out) == (3, "")
    assert f"{missing}: file or directory not found" in err
    assert "internal error" not in err


@pytest.mark.parametrize("columns", ["200", "80"], ids=["table", "narrow"])
def test_rule_pack_text_that_looks_like_markup_is_printed_as_it_is(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    columns: str,
) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    pack = tmp_path / "pack"
    shutil.copytree(resolve_pack_dir("2019/20"), pack)
    for name, old, new in (
        ("pack.yaml", "title: Network Contract DES 2019/20", 'title: "DES [/] 2019/20 :smile:"'),
        (
            "population.yaml",
            "title: The network serves at least {params.population_min:,} patients",
            'title: "At least [bold]30,000[/] patients"',
        ),
    ):
        text = (pack / name).read_text(encoding="utf-8")
        assert old in text, "the pack changed; update this test"
        (pack / name).write_text(text.replace(old, new, 1), encoding="utf-8")
    code, out, err = run(["rules", "list", "--pack", pack], capsys)
    assert code == 0, err
    assert "DES [/] 2019/20 :smile:" in out
    assert "At least [bold]30,000[/] patients" in out
    code, out, err = run(["rules", "show", "POP-MIN", "--pack", pack], capsys)
    assert code == 0, err
    assert "At least [bold]30,000[/] patients" in out


# ------------------------------------------------------------------------------------------------
# An output file that cannot be written is a usage error (exit 2) naming it and why
# ------------------------------------------------------------------------------------------------

OUTPUT_COMMANDS = [
    ("check text", [F19 / "compliant.json"]),
    ("check json", [F19 / "compliant.json", "--format", "json"]),
    ("check csv", [F19 / "rural-no-waiver.json", "--format", "csv"]),
    ("audit text", ["audit", F19, "--as-of", "2019-06-30"]),
    ("audit json", ["audit", F19, "--as-of", "2019-06-30", "--format", "json"]),
    ("audit html", ["audit", F19, "--as-of", "2019-06-30", "--format", "html"]),
]


@pytest.mark.parametrize("where", ["missing directory", "a directory"])
@pytest.mark.parametrize(
    "args", [c[1] for c in OUTPUT_COMMANDS], ids=[c[0] for c in OUTPUT_COMMANDS]
)
def test_an_unwritable_output_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[Any], where: str
) -> None:
    if where == "a directory":
        target, reason = tmp_path, "Is a directory"
    else:
        target, reason = tmp_path / "nowhere" / "report.txt", "No such file or directory"
    code, out, err = run([*args, "--output", target], capsys)
    assert code == 2, err
    assert out == ""
    assert "internal error" not in err
    assert f"--output {target} cannot be written: {reason}" in err


@pytest.mark.parametrize(
    ("under", "message"),
    [("", "is not a directory"), ("sub", "cannot be written: Not a directory")],
    ids=["a file", "under a file"],
)
def test_an_unwritable_import_ods_out_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], under: str, message: str
) -> None:
    ods = ROOT / "fixtures" / "ods"
    a_file = tmp_path / "not-a-directory"
    a_file.write_text("", encoding="utf-8")
    out_dir = a_file / under if under else a_file
    code, out, err = run(
        [
            "import-ods",
            "--epcn",
            ods / "epcn_2019-12_pcn_details_slice.csv",
            ods / "epcn_2019-12_core_partners_slice.csv",
            "--list-sizes",
            ods / "qof_1819_practice_list_size_slice.csv",
            "--out",
            out_dir,
        ],
        capsys,
    )
    assert code == 2, err
    assert out == ""
    assert "internal error" not in err
    assert f"--out {out_dir} {message}" in err


def test_init_into_a_missing_directory_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "nowhere" / "submission.json"
    code, out, err = run(["init", target], capsys)
    assert code == 2, err
    assert out == ""
    assert "internal error" not in err
    assert f"{target} cannot be written: No such file or directory" in err


# ------------------------------------------------------------------------------------------------
# A reader that stops early (`pcn-check ... | head -1`): no traceback, the documented exit code
# ------------------------------------------------------------------------------------------------

# The reader goes after the first line (`| head -1`), after ten bytes (`| head -c 10`) or before
# the first byte (`| true`).  For the first two, pcn-check must still be writing when it goes: a
# report written in one piece (JSON) must be larger than the pipe's buffer (64 KiB on most Linux
# systems, 1 MiB on some), this one is 6 MB; text is written line by line.
MISSING = ROOT / "no-such-submission.json"
#: an audit stops at a path that is not there before it writes: this one is there, unreadable
NOT_JSON = ROOT / "tests" / "corpus" / "submissions" / "not-json.json"
PIPED = [
    ("check text, head -1", [F19 / "compliant.json"] * 40, 0, "a line"),
    ("check json, head -c 10", [*[F19 / "compliant.json"] * 100, "-f", "json"], 0, "ten bytes"),
    ("check text", [F19 / "compliant.json"], 0, "nothing"),
    ("check text, not compliant", [F19 / "rural-no-waiver.json"], 1, "nothing"),
    ("check json", [F19 / "compliant.json", "-f", "json"], 0, "nothing"),
    ("check json, an unreadable file", [F19, MISSING, "-f", "json"], 3, "nothing"),
    ("check csv, not compliant", [F19, "-f", "csv"], 1, "nothing"),
    ("audit text", ["audit", F19 / "compliant.json", "--as-of", "2019-06-30"], 0, "nothing"),
    (
        "audit json, an unreadable file",
        ["audit", F19, NOT_JSON, "--as-of", "2019-06-30", "-f", "json"],
        3,
        "nothing",
    ),
]


def _pcn_check(args: list[Any], **popen: Any) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "pcn_rules", *(str(a) for a in args)], cwd=ROOT, **popen
    )


@pytest.mark.parametrize(
    ("args", "expected", "read"), [p[1:] for p in PIPED], ids=[p[0] for p in PIPED]
)
def test_a_reader_that_stops_early_changes_nothing_but_the_output(
    args: list[Any], expected: int, read: str
) -> None:
    # the control: the same command with every byte of its output read
    with _pcn_check(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) as whole:
        assert whole.stderr is not None
        whole_err = whole.stderr.read().decode("utf-8")
        assert whole.wait(timeout=120) == expected

    with _pcn_check(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
        assert proc.stdout is not None
        assert proc.stderr is not None
        if read == "a line":
            assert proc.stdout.readline()
        elif read == "ten bytes":
            assert len(proc.stdout.read(10)) == 10
        proc.stdout.close()  # the reader goes (for 'nothing': before pcn-check has written)
        err = proc.stderr.read().decode("utf-8")
        code = proc.wait(timeout=120)
    assert err == whole_err  # no traceback, no "Exception ignored ... BrokenPipeError"
    assert code == expected


class _BrokenStdout(io.StringIO):
    """Standard output whose reader has gone: every write fails with a broken pipe.  Its file
    descriptor is a scratch file's, which pcn-check may point at the null device."""

    def __init__(self, fd: int) -> None:
        super().__init__()
        self._fd = fd
        self.attempts = 0

    def write(self, text: str) -> int:
        self.attempts += 1
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")

    def fileno(self) -> int:
        return self._fd


BROKEN = [
    ("check text", [F19 / "compliant.json"], 0),
    ("check text, not compliant", [F19 / "rural-no-waiver.json"], 1),
    ("check json", [F19 / "compliant.json", "-f", "json"], 0),
    ("check sarif, not compliant", [F19, "-f", "sarif"], 1),
    ("audit text", ["audit", F19 / "compliant.json", "--as-of", "2019-06-30"], 0),
    ("audit text, not compliant", ["audit", F19, "--as-of", "2019-06-30"], 1),
    ("audit text, unreadable", ["audit", F19, NOT_JSON, "--as-of", "2019-06-30"], 3),
    ("audit csv", ["audit", F19 / "compliant.json", "--as-of", "2019-06-30", "-f", "csv"], 0),
    ("rules list", ["rules", "list"], 0),
    ("rules list json", ["rules", "list", "-f", "json"], 0),
    ("rules show", ["rules", "show", "POP-MIN"], 0),
    ("rules diff", ["rules", "diff", "2019/20", "2020/21"], 0),
    ("explain", ["explain", F19 / "rural-no-waiver.json", "POP-MIN"], 0),
    ("schema", ["schema"], 0),
    ("no arguments: help", [], 2),
]


@pytest.mark.parametrize(("args", "expected"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_every_command_survives_a_broken_pipe(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[Any],
    expected: int,
) -> None:
    with (tmp_path / "stdout").open("w", encoding="utf-8") as scratch:
        broken = _BrokenStdout(scratch.fileno())
        monkeypatch.setattr(sys, "stdout", broken)
        code, _, err = run(args, capsys)
    assert broken.attempts  # the command did try to write
    assert code == expected, err
    if expected == 3:
        assert f"{MISSING}: file not found" in err or f"{NOT_JSON}: not valid JSON" in err
    else:
        assert err == ""


# ------------------------------------------------------------------------------------------------
# NaN and Infinity: Python's json module reads them, JSON does not allow them (exit 3)
# ------------------------------------------------------------------------------------------------

F20 = ROOT / "fixtures" / "2020-21"
NON_FINITE = ["NaN", "Infinity", "-Infinity"]


def _with_number(source: Path, old: str, new: str, target: Path) -> Path:
    text = source.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {source.name}: the fixture changed; update this test"
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    return target


@pytest.mark.parametrize("literal", NON_FINITE)
def test_a_submission_with_nan_or_infinity_is_unreadable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], literal: str
) -> None:
    # a number field that accepts any non-negative number: Infinity was checked (and printed as
    # `Infinity` in a JSON report, which is not JSON)
    path = _with_number(
        F20 / "compliant.json",
        '"weighted_list_size": 12500.0',
        f'"weighted_list_size": {literal}',
        tmp_path / "weighted.json",
    )
    code, out, err = run([path, "--format", "json"], capsys)
    assert code == 3, out
    assert out == ""
    assert f"{path} at practices[0].weighted_list_size: {literal} is not allowed" in err
    assert "JSON does not allow NaN or Infinity" in err


def test_audit_lists_a_submission_with_nan_as_unreadable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _with_number(
        F19 / "compliant.json", '"list_size": 7643', '"list_size": NaN', tmp_path / "nan.json"
    )
    code, _, err = run(["audit", path, "--as-of", "2019-06-30"], capsys)
    assert code == 3
    assert f"{path} at practices[0].list_size: NaN is not allowed" in err


def test_a_baseline_with_nan_is_unreadable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    baseline = tmp_path / "baseline.json"
    code, _, _ = run([F19 / "rural-no-waiver.json", "-f", "json", "-o", baseline], capsys)
    assert code == 1
    report = json.loads(baseline.read_text(encoding="utf-8"))
    report["summary"]["met"] = float("nan")
    baseline.write_text(json.dumps(report), encoding="utf-8")  # Python writes NaN
    code, out, err = run([F19 / "rural-no-waiver.json", "--baseline", baseline], capsys)
    assert code == 3, out
    assert f"{baseline} at summary.met: NaN is not allowed" in err
    assert "JSON does not allow NaN or Infinity" in err


def test_a_json_waivers_file_with_nan_is_unreadable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    waivers = tmp_path / "waivers.json"
    waivers.write_text(
        '{"version": 1, "waivers": [{"rule": "POP-MIN", "entity": "U59980", "reason": NaN, '
        '"approved_by": "B. Example", "approved_on": "2019-05-29"}]}',
        encoding="utf-8",
    )
    code, out, err = run([F19 / "rural-no-waiver.json", "--waivers", waivers], capsys)
    assert code == 3, out
    assert f"{waivers} at waivers[0].reason: NaN is not allowed" in err


def test_a_yaml_waivers_file_may_still_say_nan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # in YAML, a bare NaN is text: a reason may say it
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        "version: 1\nwaivers:\n  - rule: POP-MIN\n    entity: U59980\n    reason: NaN\n"
        "    approved_by: B. Example\n    approved_on: 2019-05-29\n",
        encoding="utf-8",
    )
    code, out, err = run([F19 / "rural-no-waiver.json", "--waivers", waivers], capsys)
    assert code == 0, err
    assert "Waived by B. Example on 29 May 2019: NaN" in out


def test_a_pack_example_base_with_infinity_is_an_invalid_pack(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(resolve_pack_dir("2019/20"), pack)
    base = pack / "examples" / "base.json"
    text = base.read_text(encoding="utf-8")
    old = '"declared_list_size": '
    assert old in text, "the pack's base.json changed; update this test"
    start = text.index(old) + len(old)
    end = start + len(text[start:]) - len(text[start:].lstrip("0123456789"))
    base.write_text(text[:start] + "Infinity" + text[end:], encoding="utf-8")
    code, _, err = run(["rules", "test", "--pack", pack], capsys)
    assert code == 3
    assert "invalid rule pack" in err
    assert "base.json" in err
    assert "network.declared_list_size" in err
    assert "Infinity is not allowed" in err


# ------------------------------------------------------------------------------------------------
# Options before the FILE of the default command: `pcn-check --as-of DATE FILE`
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["--as-of", "2019-05-10", F19 / "compliant.json"],
        ["--as-of=2019-05-10", F19 / "compliant.json"],
        ["--explain", "--as-of", "2019-05-10", F19 / "compliant.json"],
        ["-f", "text", "--as-of", "2019-05-10", F19 / "compliant.json"],
        ["--as-of", "2019-05-10", "--", F19 / "compliant.json"],
    ],
    ids=["--as-of DATE", "--as-of=DATE", "a flag first", "-f VALUE", "--"],
)
def test_options_before_the_file_of_the_default_command(
    capsys: pytest.CaptureFixture[str], args: list[Any]
) -> None:
    code, out, err = run(args, capsys)
    assert code == 0, err
    assert "as of 10 May 2019" in out


def test_options_before_the_file_with_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        ["-f", "json", "--as-of", "2019-06-30", F19 / "rural-no-waiver.json"], capsys
    )
    assert code == 1
    assert json.loads(out)["as_of"] == "2019-06-30"


@pytest.mark.parametrize(
    ("args", "texts"),
    [
        (["--frobnicate"], ["No such option", "--frobnicate"]),
        (["--as-of", "2019-05-10"], ["Missing argument"]),
        # options of a subcommand belong after its name, as before
        (["--pack", "2019/20", "rules", "list"], ["No such option", "--pack"]),
        (["--as-of", "2019-06-30", "audit", F19], ["No such option", "--as-of"]),
    ],
    ids=["unknown option", "no file", "before rules", "before audit"],
)
def test_options_without_a_file_are_still_usage_errors(
    capsys: pytest.CaptureFixture[str], args: list[Any], texts: list[str]
) -> None:
    code, out, err = run(args, capsys)
    assert code == 2
    assert out == ""
    for text in texts:
        assert text in err


def test_the_default_command_knows_which_of_its_options_take_a_value() -> None:
    import typer

    from pcn_rules.cli import CHECK_VALUE_OPTIONS, app

    command = typer.main.get_command(app).commands["check"]  # type: ignore[attr-defined]
    takes_value = {
        name
        for param in command.params
        if param.param_type_name == "option" and not param.is_flag
        for name in [*param.opts, *param.secondary_opts]
    }
    assert set(CHECK_VALUE_OPTIONS) == takes_value


def test_a_baseline_nested_too_deeply_is_unreadable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    baseline = tmp_path / "deep.json"
    baseline.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    code, _, err = run([F19 / "compliant.json", "--baseline", baseline], capsys)
    assert code == 3
    assert f"{baseline}: JSON nests too deeply; not a pcn-check report" in err


def test_a_library_caller_cannot_bring_in_infinity() -> None:
    import pcn_rules

    doc = json.loads((F19 / "compliant.json").read_text(encoding="utf-8"))
    doc["practices"][0]["weighted_list_size"] = float("inf")
    with pytest.raises(pcn_rules.InputError) as caught:
        pcn_rules.check(doc)
    assert any(path == "practices[0].weighted_list_size" for path, _ in caught.value.problems)
