"""Reliability: limits and signals (issue 14).

Ctrl-C ends a run with exit 130 and "interrupted"; a failure inside CEL never ends a run with
exit 4; numbers are bounded at the submission model and at the facts/engine boundary; a rule
cannot build unbounded values; the audit chart has a bounded number of bins; a full or closed
standard output and a file name that is not UTF-8 are reported, not raised.
"""

from __future__ import annotations

import shutil
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
