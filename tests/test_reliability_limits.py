"""Reliability: limits and signals (issue 14).

Ctrl-C ends a run with exit 130 and "interrupted"; a failure inside CEL never ends a run with
exit 4; numbers are bounded at the submission model and at the facts/engine boundary; a rule
cannot build unbounded values; the audit chart has a bounded number of bins; a full or closed
standard output and a file name that is not UTF-8 are reported, not raised.
"""

from __future__ import annotations

import errno
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.cli_runner import run

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "2019-20"


def _interrupt(*args: Any, **kwargs: Any) -> Any:
    raise KeyboardInterrupt


# --------------------------------------------------------------------------------------------
# Ctrl-C
# --------------------------------------------------------------------------------------------


def test_ctrl_c_during_a_check_of_a_directory_exits_130(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(FIXTURES / "compliant.json", tmp_path / "a.json")
    shutil.copy(FIXTURES / "compliant.json", tmp_path / "b.json")
    monkeypatch.setattr("pcn_rules.api.evaluate", _interrupt)
    code, out, err = run([tmp_path], capsys)
    assert code == 130
    assert "interrupted" in err
    assert out == ""


def test_ctrl_c_during_an_audit_exits_130(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(FIXTURES / "compliant.json", tmp_path / "a.json")
    monkeypatch.setattr("pcn_rules.audits.run.evaluate", _interrupt)
    code, out, err = run(["audit", tmp_path, "--as-of", "2019-06-30"], capsys)
    assert code == 130
    assert "interrupted" in err
    assert out == ""


_SLOW_AUDIT = """
import sys, time
import pcn_rules.audits.run as audit_run

def slow(*args, **kwargs):
    print("evaluating", file=sys.stderr, flush=True)
    time.sleep(60)
    raise AssertionError("not interrupted")

audit_run.evaluate = slow
from pcn_rules.cli import run
sys.argv = ["pcn-check", "audit", sys.argv[1], "--as-of", "2019-06-30"]
run()
"""


def test_sigint_to_a_running_audit_process_exits_130(tmp_path: Path) -> None:
    """A real SIGINT, sent once the audit is evaluating (it says so on stderr, then waits)."""
    import signal
    import subprocess
    import sys

    shutil.copy(FIXTURES / "compliant.json", tmp_path / "a.json")
    process = subprocess.Popen(
        [sys.executable, "-c", _SLOW_AUDIT, str(tmp_path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        assert process.stderr.readline().strip() == "evaluating"
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 130, err
    assert "interrupted" in err
    assert "Traceback" not in err
    assert out == ""


# --------------------------------------------------------------------------------------------
# Standard output full or closed; file names that are not UTF-8
# --------------------------------------------------------------------------------------------


class _FullDisk(io.RawIOBase):
    """A stream that takes nothing: every write fails as on a full disk (until ``freed``, so
    that the test can close it without an error escaping at garbage collection)."""

    freed = False

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        if self.freed:
            return len(data)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("output_format", ["text", "json", "csv"])
def test_a_full_standard_output_is_a_usage_error_with_a_message(
    output_format: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    disk = _FullDisk()
    full = io.TextIOWrapper(io.BufferedWriter(disk), encoding="utf-8")
    monkeypatch.setattr(sys, "stdout", full)
    try:
        code, _out, err = run([FIXTURES / "compliant.json", "--format", output_format], capsys)
    finally:
        monkeypatch.undo()
        disk.freed = True
        full.close()
    assert code == 2
    assert "cannot write the output to standard output" in err
    assert os.strerror(errno.ENOSPC) in err
    assert "internal error" not in err


def _pcn_check(args: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", "from pcn_rules.cli import run; run()", *args]
    return subprocess.run(command, cwd=ROOT, text=True, timeout=120, check=False, **kwargs)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_pcn_check_to_dev_full_exits_2() -> None:
    for args in (
        [str(FIXTURES / "compliant.json")],
        [str(FIXTURES / "compliant.json"), "--format", "json"],
        ["audit", str(FIXTURES), "--as-of", "2019-06-30"],
        ["--help"],
    ):
        with open("/dev/full", "w", encoding="utf-8") as full:
            done = _pcn_check(args, stdout=full, stderr=subprocess.PIPE)
        assert done.returncode == 2, (args, done.stderr)
        assert "No space left on device" in done.stderr
        assert "Traceback" not in done.stderr


@pytest.mark.skipif(os.name != "posix", reason="closes a descriptor in the child")
def test_pcn_check_with_standard_output_closed_exits_2() -> None:
    for args in (
        [str(FIXTURES / "compliant.json")],
        [str(FIXTURES / "compliant.json"), "--format", "json"],
    ):
        done = _pcn_check(args, stderr=subprocess.PIPE, preexec_fn=lambda: os.close(1))
        assert done.returncode == 2, (args, done.stderr)
        assert "standard output is closed" in done.stderr
        assert "Traceback" not in done.stderr


def test_a_closed_pipe_keeps_the_exit_code_and_prints_no_traceback() -> None:
    """`pcn-check x.json | head -c 10`: the reader goes away; the verdict's code stands."""
    command = [
        sys.executable,
        "-c",
        "from pcn_rules.cli import run; run()",
        str(FIXTURES / "missing-clinical-director.json"),
        "--format",
        "json",
    ]
    with subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        assert process.stdout is not None
        assert process.stderr is not None
        assert process.stdout.read(10)
        process.stdout.close()
        err = process.stderr.read()
        assert process.wait(timeout=120) == 1
    assert "Traceback" not in err
    assert "error" not in err


def _non_utf8_name(directory: Path, name: bytes) -> Path:
    path = directory / os.fsdecode(name)
    try:
        shutil.copy(FIXTURES / "compliant.json", path)
    except (OSError, UnicodeError):
        pytest.skip("this file system does not take file names that are not UTF-8")
    return path


@pytest.mark.parametrize("output_format", ["text", "json", "csv", "junit"])
def test_a_file_name_that_is_not_utf8_is_shown_replaced(
    output_format: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _non_utf8_name(tmp_path, b"bad\xff.json")
    code, out, err = run([path, "--format", output_format], capsys)
    assert code == 0, err
    assert "\udcff" not in out
    if output_format == "json":
        assert json.loads(out)["source"].endswith("bad\ufffd.json")
    elif output_format == "csv":
        assert "bad\ufffd.json" in out


def test_a_file_name_that_is_not_utf8_keeps_its_bytes_in_sarif(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """SARIF names the file by URI: the name's own bytes, percent-encoded."""
    path = _non_utf8_name(tmp_path, b"bad\xff.json")
    code, out, err = run([path, "--format", "sarif"], capsys)
    assert code == 0, err
    (artifact,) = json.loads(out)["runs"][0]["artifacts"]
    assert artifact["location"]["uri"].endswith("bad%FF.json")


def test_a_missing_file_whose_name_is_not_utf8(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _non_utf8_name(tmp_path, b"present\xff.json")
    code, _out, err = run([tmp_path / os.fsdecode(b"absent\xfe.json")], capsys)
    assert code == 3
    assert "absent\ufffd.json: file not found" in err


@pytest.mark.parametrize("output_format", ["text", "json", "csv", "html"])
def test_an_audit_of_a_directory_with_a_name_that_is_not_utf8(
    output_format: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _non_utf8_name(tmp_path, b"\xff.json")
    args = ["audit", tmp_path, "--as-of", "2019-06-30", "--format", output_format]
    code, out, err = run(args, capsys)
    assert code == 0, err
    assert "\udcff" not in out
    if output_format == "json":
        json.loads(out)


# --------------------------------------------------------------------------------------------
# A failure inside CEL: fall back, or an error finding naming the rule; never exit 4
# --------------------------------------------------------------------------------------------


def _big_network(practices: int, name: str = "Big PCN") -> dict[str, Any]:
    """A valid submission: a network of PRACTICES practices given by their ODS codes only."""
    return {
        "format_version": 1,
        "contract_year": "2019/20",
        "submission": {"type": "update", "submitted_on": "2019-06-28"},
        "network": {"name": name},
        "practices": [{"ods_code": f"A{i:05d}"} for i in range(practices)],
    }


def _outcomes(report: Any) -> list[tuple[str, str | None, str, str]]:
    return [(f.rule_id, f.entity, f.status, f.message) for f in report.findings]


@pytest.mark.parametrize("practices", [1001, 2000])
def test_a_network_of_many_practices_is_evaluated_in_full(practices: int) -> None:
    """2,000 practices overran the CEL runtime's loop budget (10,000 iterations) in the call
    that decides every network condition at once: exit 4.  Each condition is then decided on
    its own, which gives the reference report."""
    import pcn_rules

    submission = _big_network(practices)
    bundled = pcn_rules.check(submission)
    reference = pcn_rules.check(submission, decide="one_by_one")
    assert _outcomes(bundled) == _outcomes(reference)
    assert not [f for f in bundled.findings if f.status == "error"]
    assert len([f for f in bundled.findings if f.scope == "practice"]) >= practices


def test_an_audit_with_one_network_of_many_practices_reports_every_network(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "big.json").write_text(json.dumps(_big_network(2000)), encoding="utf-8")
    shutil.copy(FIXTURES / "compliant.json", tmp_path / "compliant.json")
    args = ["audit", tmp_path, "--as-of", "2019-06-30", "--format", "json"]
    code, out, err = run(args, capsys)
    assert code == 1, err
    audit = json.loads(out)
    sources = {Path(network["source"]).name for network in audit["networks"]}
    assert sources == {"big.json", "compliant.json"}
    assert audit["unreadable"] == []


_LOOP_PACK = """version: 1
id: "2019/20"
title: Test pack
release: "t"
contract_year: "2019/20"
effective: {from: 2019-04-01, to: 2020-03-31}
milestones:
  registration: {date: 2019-05-15, title: Registration}
  network_agreement: {date: 2019-06-30, title: Network Agreement}
"""

_LOOP_RULE = """version: 1
rules:
  - id: LOOP-SQUARE
    title: Every practice is compared with every other
    scope: network
    severity: error
    due: network_agreement
    expect: network.practices.all(p, network.practices.all(q, p == q || p.ods_code != q.ods_code))
    message: Two practices share an ODS code.
    undated: a test
    remediation: [Give each practice its own ODS code.]
    source: {document: test, confidence: "OFF"}
"""


def _loop_pack(tmp_path: Path) -> Path:
    directory = tmp_path / "pack"
    directory.mkdir()
    (directory / "pack.yaml").write_text(_LOOP_PACK, encoding="utf-8")
    (directory / "loops.yaml").write_text(_LOOP_RULE, encoding="utf-8")
    return directory


def test_a_condition_over_the_loop_budget_is_an_error_finding_naming_the_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """150 practices compared pairwise: 22,500 iterations, more than CEL allows one condition.
    The rule cannot be decided: an error finding (exit 1), never an internal error (exit 4)."""
    import pcn_rules

    pack = _loop_pack(tmp_path)
    submission = tmp_path / "wide.json"
    submission.write_text(json.dumps(_big_network(150)), encoding="utf-8")
    for decide in ("bundled", "one_by_one"):
        report = pcn_rules.check(submission, pack=str(pack), decide=decide)  # type: ignore[arg-type]
        (found,) = report.findings
        assert found.rule_id == "LOOP-SQUARE"
        assert found.status == "error"
        assert "Rule LOOP-SQUARE could not be evaluated" in found.message
        assert "10,000" in found.message
    code, out, err = run([submission, "--pack", pack], capsys)
    assert code == 1, err
    assert "LOOP-SQUARE" in out
    assert "internal error" not in err
    code, out, err = run(["audit", tmp_path, "--pack", pack, "--as-of", "2019-06-30"], capsys)
    assert code == 1, err
    assert "internal error" not in err


def test_the_binding_turns_a_raised_evaluation_failure_into_an_error_value() -> None:
    from pcn_rules.cel import UNDECIDED, Bundle, Environment, EvalError

    environment = Environment(["x"])
    square = environment.compile("x.all(a, x.all(b, a == b || a != b))")
    activation = environment.activation({"x": list(range(200))})
    value = square.evaluate(activation)
    assert isinstance(value, EvalError)
    assert "10,000" in value.message
    bundle = Bundle(environment, [square, environment.compile("size(x) > 0")], ["x"])
    assert bundle.evaluate(activation) == [UNDECIDED, UNDECIDED]


_MEMBER_RULE = """version: 1
rules:
  - id: MEMBER-UNIQUE
    title: No other practice has the practice's ODS code
    scope: practice
    severity: error
    due: network_agreement
    expect: network.practices.all(p, p == practice || p.ods_code != practice.ods_code)
    message: Another practice has the same ODS code.
    undated: a test
    remediation: [Give each practice its own ODS code.]
    source: {document: test, confidence: "OFF"}
"""


def test_entities_whose_chunk_overruns_the_budget_are_decided_in_smaller_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """400 practices, each reading all 400: a chunk of 32 needs 12,800 iterations or more
    (with the presence guard of the fields it reads), over the budget; smaller chunks (halves,
    quarters) fit.  The report is the reference one."""
    import pcn_rules
    from pcn_rules.cel import Bundle

    directory = tmp_path / "pack"
    directory.mkdir()
    (directory / "pack.yaml").write_text(_LOOP_PACK, encoding="utf-8")
    (directory / "members.yaml").write_text(_MEMBER_RULE, encoding="utf-8")
    decided: list[int] = []
    evaluate_each = Bundle.evaluate_each

    def spy(self: Bundle, activation: Any) -> Any:
        rows = evaluate_each(self, activation)
        if rows is not None:
            decided.append(len(rows))
        return rows

    monkeypatch.setattr(Bundle, "evaluate_each", spy)
    submission = _big_network(400)
    bundled = pcn_rules.check(submission, pack=str(directory))
    reference = pcn_rules.check(submission, pack=str(directory), decide="one_by_one")
    assert _outcomes(bundled) == _outcomes(reference)
    assert {f.status for f in bundled.findings} == {"met"}
    assert len(bundled.findings) == 400
    assert sum(decided) == 400
    assert 1 < max(decided) < 32


# --------------------------------------------------------------------------------------------
# Numbers: bounded at the submission model, and never outside 64 bits at the CEL boundary
# --------------------------------------------------------------------------------------------


def _compliant() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / "compliant.json").read_text(encoding="utf-8"))
    return data


_HUGE = "10**4300"  # made in the test (pytest names a case after its values)


@pytest.mark.parametrize(
    ("path", "value", "says"),
    [
        ("practices[0].list_size", 1_000_001, "less than or equal to 1000000"),
        ("practices[0].list_size", 10**30, "less than or equal to 1000000"),
        ("practices[0].weighted_list_size", _HUGE, "less than or equal to 1000000"),
        ("practices[0].weighted_list_size", "-10**4300", "greater than or equal to 0"),
        ("network.declared_list_size", 10_000_001, "less than or equal to 10000000"),
        ("network.declared_list_size", _HUGE, "less than or equal to 10000000"),
        ("additional_roles[0].claim", _HUGE, "less than or equal to 100000000"),
        ("additional_roles[0].annual_cost", 1e9, "less than or equal to 100000000"),
        ("additional_roles[0].wte", _HUGE, "less than or equal to 10"),
        ("extended_hours.minutes_per_week", _HUGE, "less than or equal to 100000"),
        ("extended_hours.population", _HUGE, "less than or equal to 10000000"),
        ("care_homes[0].beds", _HUGE, "less than or equal to 10000"),
        ("covered_practices[0].list_size", _HUGE, "less than or equal to 1000000"),
    ],
)
def test_a_number_beyond_its_bound_is_an_input_error_through_the_library(
    path: str, value: float | str, says: str
) -> None:
    import pcn_rules

    if isinstance(value, str):
        value = -(10**4300) if value.startswith("-") else 10**4300

    data = _compliant()
    data["additional_roles"] = [{"role": "clinical_pharmacist", "wte": 1.0}]
    data["extended_hours"] = {}
    data["care_homes"] = [{"cqc_location_id": "1-123456789"}]
    data["covered_practices"] = [{"ods_code": "Z99999"}]
    target: Any = data
    *parents, last = path.replace("[0]", ".0").split(".")
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    target[last] = value
    with pytest.raises(pcn_rules.InputError) as raised:
        pcn_rules.check(data)
    assert raised.value.problems == [(path, f"input should be {says}")]


_HUGE_IN_CEL = """
import json, sys
import pcn_rules
from pcn_rules.engine import evaluate
from pcn_rules.facts.build import build_facts
from pcn_rules.packs.discover import load_pack_cached
from pcn_rules.submission.read import coerce_submission

out = {}
data = json.loads(open(sys.argv[1], encoding="utf-8").read())
data["practices"][0]["list_size"] = 10**4300
try:
    pcn_rules.check(data)
except pcn_rules.InputError as exc:
    out["check"] = exc.problems
data["practices"][0]["list_size"] = 1000
facts = build_facts(coerce_submission(data))
facts.network["list_size"] = 10**4300
pack = load_pack_cached("2019/20")
try:
    evaluate(facts, pack, facts.as_of or __import__("datetime").date(2019, 6, 28), "mine.json")
except pcn_rules.InputError as exc:
    out["evaluate"] = [exc.source, exc.problems]
print(json.dumps(out))
"""


def test_an_integer_beyond_64_bits_never_reaches_cel(tmp_path: Path) -> None:
    """A list size of 10**4300 crashed the CEL runtime (a segfault) through the library; facts
    made by a library caller with one are refused at the engine, naming the fact.  In a child
    process, so that a crash is a failure of this test, not of the test run."""
    done = subprocess.run(
        [sys.executable, "-c", _HUGE_IN_CEL, str(FIXTURES / "compliant.json")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["check"] == [
        ["practices[0].list_size", "input should be less than or equal to 1000000"]
    ]
    source, ((path, message),) = out["evaluate"]
    assert source == "mine.json"
    assert path == "network.list_size"
    assert "outside the range rules compute with" in message


def test_values_cel_cannot_hold_are_named() -> None:
    from pcn_rules.cel import unreadable_value

    assert unreadable_value({"a": [1, 2**63 - 1, -(2**63)], "b": "x", "c": 1.5e300}, "v") is None
    assert unreadable_value({"a": [1, 2**63]}, "v") == (
        "v.a[1]",
        "an integer of 19 digits, outside the range rules compute with "
        "(-9,223,372,036,854,775,808 to 9,223,372,036,854,775,807)",
    )
    found = unreadable_value({"a": {"b": -(10**5000)}}, "v")
    assert found is not None
    assert found[0] == "v.a.b"
    assert "5,001 digits" in found[1]
    assert unreadable_value({"a": "lone \ud800"}, "v") == (
        "v.a",
        "text that is not valid Unicode (a lone surrogate)",
    )
    assert unreadable_value({"a": (1, {2})}, "v") == (
        "v.a[1]",
        "a value of type set, which rules cannot read",
    )


def test_a_pack_parameter_beyond_64_bits_is_a_pack_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = _loop_pack(tmp_path)
    pack_yaml = directory / "pack.yaml"
    pack_yaml.write_text(
        pack_yaml.read_text(encoding="utf-8") + "parameters:\n  big: 100000000000000000000000\n",
        encoding="utf-8",
    )
    code, _out, err = run([FIXTURES / "compliant.json", "--pack", directory], capsys)
    assert code == 3
    assert "invalid rule pack" in err
    # refused where the YAML is read, naming the file and the line
    assert "pack.yaml" in err
    assert "100000000000000000000000 does not fit in 64 bits (line" in err


def test_the_submission_schema_shows_the_bounds(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(["schema"], capsys)
    assert code == 0
    defs = json.loads(out)["$defs"]

    def bound(model: str, field: str) -> Any:
        spec = defs[model]["properties"][field]
        # besides null, or placeholder text (which the format accepts for any value)
        (number,) = [
            alt
            for alt in spec.get("anyOf", [spec])
            if alt.get("type") != "null" and alt != {"$ref": "#/$defs/Placeholder"}
        ]
        return number.get("maximum")

    assert bound("Practice", "list_size") == 1_000_000
    assert bound("Practice", "weighted_list_size") == 1_000_000
    assert bound("Network", "declared_list_size") == 10_000_000
    assert bound("AdditionalRole", "claim") == 100_000_000
    assert bound("AdditionalRole", "annual_cost") == 100_000_000
    assert bound("AdditionalRole", "wte") == 10
    assert bound("CareHome", "beds") == 10_000
    assert bound("ExtendedHours", "minutes_per_week") == 100_000


# --------------------------------------------------------------------------------------------
# The audit's HTML chart has a bounded number of bars
# --------------------------------------------------------------------------------------------


def test_the_list_size_chart_has_a_bounded_number_of_bars() -> None:
    """A list size of 10**11 made 20 million bars (4.8 GB, no end); the chart stops at 40 bars,
    the last counting every larger network."""
    from pcn_rules.render.html import _histogram

    chart = _histogram([35_000, 42_000, 10**9], 30_000, 50_000)
    assert chart.count("<rect") == 40
    assert "195,000 or more: 1 networks" in chart
    assert "35,000 to 39,999: 1 networks" in chart
    assert chart.count("<line") == 2
    # a policy line beyond the chart is left out, not drawn off it
    assert _histogram([35_000], 30_000, 10**12).count("<line") == 1
    assert _histogram([35_000], 30_000, 50_000).count("<rect") == 13


def test_an_audit_of_a_very_large_network_draws_a_bounded_chart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    big = _big_network(40)
    for practice in big["practices"]:
        practice["list_size"] = 1_000_000
    (tmp_path / "big.json").write_text(json.dumps(big), encoding="utf-8")
    shutil.copy(FIXTURES / "compliant.json", tmp_path / "compliant.json")
    code, out, err = run(["audit", tmp_path, "--as-of", "2019-06-30", "--format", "html"], capsys)
    assert code == 1, err
    assert out.count("<rect") == 40
    assert "195,000 or more: 1 networks" in out


# --------------------------------------------------------------------------------------------
# A rule cannot build unbounded values
# --------------------------------------------------------------------------------------------

_NEST = "[network.name]" + "".join(f".map({v}, {v} + {v})" for v in "abcdefghij") + "[0]"

_GROWING = {
    "literal-replace": '"a"' + '.replace("a", "aaaa")' * 16 + ".size() > 0",
    "fact-replace": "network.name" + '.replace("a", "aaaa")' * 10 + ".size() > 0",
    "doubling": _NEST + ".size() > 0",
    "square": 'network.name.replace("", network.name).size() > 0',
    "join-square": "network.practice_codes.join(network.name).size() > 0",
    "format-precision": '"%.2000000000f".format([1.0]).size() > 0',
}


def _growing_pack(tmp_path: Path, condition: str) -> Path:
    directory = tmp_path / "pack"
    directory.mkdir()
    (directory / "pack.yaml").write_text(_LOOP_PACK, encoding="utf-8")
    expect = next(line for line in _LOOP_RULE.splitlines() if "expect:" in line)
    rule = _LOOP_RULE.replace("LOOP-SQUARE", "GROW-HUGE").replace(
        expect, f"    expect: {json.dumps(condition)}"
    )
    (directory / "grows.yaml").write_text(rule, encoding="utf-8")
    return directory


_LIMITED = """
import resource, sys
limit = 3 * 1024**3
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from pcn_rules.cli import run
sys.argv = ["pcn-check", *sys.argv[1:]]
run()
"""


@pytest.mark.parametrize("name", sorted(_GROWING))
def test_a_rule_that_could_build_a_huge_value_is_an_invalid_pack(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`"a".replace("a", "aaaa")` sixteen times is 4 GB of text (a rule like it used 9 GB):
    such a condition is refused when the pack is first evaluated (exit 3), naming the rule and
    the condition, before anything is built.  The command runs under a 3 GB address-space
    limit where there is one, so that a regression fails instead of exhausting the machine."""
    import pcn_rules

    pack = _growing_pack(tmp_path, _GROWING[name])
    args = [str(FIXTURES / "compliant.json"), "--pack", str(pack)]
    if sys.platform == "linux":
        done = subprocess.run(
            [sys.executable, "-c", _LIMITED, *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        code, err = done.returncode, done.stderr
    else:
        code, _out, err = run(args, capsys)
    assert code == 3, err
    assert "invalid rule pack" in err
    assert "GROW-HUGE" in err
    assert "is refused" in err
    # and through the library (in this process: only once the command has shown it is safe)
    with pytest.raises(pcn_rules.PackError) as raised:
        pcn_rules.check(FIXTURES / "compliant.json", pack=str(pack))
    assert "GROW-HUGE" in str(raised.value)
    assert "is refused" in str(raised.value)


def test_the_built_in_packs_build_nothing_unbounded() -> None:
    from pcn_rules.cel import growth_problem
    from pcn_rules.packs.load import load_pack

    for ref in ("2019/20", "2020/21"):
        for rule in load_pack(ref).rules:
            conditions = [c for _, c in rule.derive] + [c.condition for c in rule.checks]
            conditions += [c for c in (rule.when, rule.waiver, rule.evidence_date) if c]
            for compiled in conditions:
                assert growth_problem(compiled) is None, (rule.id, compiled.source)


@pytest.mark.parametrize(
    "condition",
    [
        "network.practices.map(p, network.name + ' / ' + p.ods_code).size() > 0",
        "network.practice_codes.join(', ').size() > 0",
        "[network.name].map(x, x + x + x + x)[0].size() > 0",
        '"%.2f".format([1.0]) != ""',
        "network.practices.all(p, network.practices.exists(q, q.ods_code == p.ods_code))",
        'network.name.replace(" ", "").lowerAscii() != ""',
    ],
)
def test_ordinary_growth_is_allowed(condition: str) -> None:
    from pcn_rules.cel import Environment, growth_problem

    environment = Environment(["network"])
    assert growth_problem(environment.compile(condition)) is None


def test_the_name_that_is_not_utf8_is_picked_out_of_the_output() -> None:
    from pcn_rules.cli import _word_at

    for text in (
        '  "source": "/data/bad\udcff.json",\n  "verdict": "compliant"',
        "│ as of 2019-06-28 · /data/bad\udcff.json   │",
        "source,network\n/data/bad\udcff.json,Stroud Cotswold PCN",
    ):
        at = text.index("\udcff")
        assert _word_at(text, at, at + 1) == "/data/bad\ufffd.json"


def test_rules_lint_refuses_a_condition_that_could_build_a_huge_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`rules lint` evaluates nothing, but refuses what evaluation would refuse."""
    pack = _growing_pack(tmp_path, _GROWING[sorted(_GROWING)[0]])
    code, _out, err = run(["rules", "lint", str(pack)], capsys)
    assert code == 3
    assert "GROW-HUGE" in err
    assert "is refused" in err


@pytest.mark.parametrize("output_format", ["text", "json"])
def test_a_file_name_that_is_not_utf8_in_an_output_file(
    output_format: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--output writes what standard output shows: the name with U+FFFD."""
    path = _non_utf8_name(tmp_path, b"bad\xff.json")
    target = tmp_path / f"report.{output_format}"
    code, _out, err = run([path, "--format", output_format, "--output", target], capsys)
    assert code == 0, err
    assert "bad\ufffd.json" in target.read_text(encoding="utf-8")


def test_text_that_is_not_unicode_is_refused_by_the_submission_format() -> None:
    """A lone surrogate (which JSON's \\u escapes can write) is refused where the submission is
    read, naming the field (pydantic's strict strings refuse it)."""
    import pcn_rules

    doc = json.loads((FIXTURES / "compliant.json").read_text(encoding="utf-8"))
    doc["network"]["name"] = "Stroud \udc80 PCN"
    with pytest.raises(pcn_rules.InputError) as raised:
        pcn_rules.check(doc)
    assert raised.value.problems[0][0] == "network.name"
    assert "unicode string" in raised.value.problems[0][1]


def test_a_condition_that_gives_null_many_times_does_not_abort_python() -> None:
    """cel-expr-python 0.1.x releases a reference to None it never took when a null result is
    turned into Python; on Python 3.11 a few thousand such results aborted the interpreter
    ("Fatal Python error: none_dealloc").  A null result is now answered without it."""
    import subprocess
    import sys

    script = (
        "from pcn_rules.cel.binding import Environment\n"
        "env = Environment(['network'])\n"
        "texts = ('network.x', 'network.y == 1 ? null : null', 'network.missing_or_null')\n"
        "for text in texts:\n"
        "    c = env.compile(text)\n"
        "    facts = {'network': {'x': None, 'y': 1, 'missing_or_null': None}}\n"
        "    for _ in range(20000):\n"
        "        assert c.evaluate(env.activation(facts)) is None\n"
        "print('done')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "done"
