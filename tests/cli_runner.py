"""Running the pcn-check command line in-process, as the tests do."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from pcn_rules.cli import main


def run(args: Sequence[str | Path], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run ``pcn-check ARGS``; return its exit code, stdout and stderr (never a traceback)."""
    code = main([str(arg) for arg in args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err
