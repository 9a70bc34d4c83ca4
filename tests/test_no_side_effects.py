"""A library has no side effects on the process or the disk: importing pcn_rules leaves the
garbage collector as it was and loads nothing heavy; check() writes no file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **env},
        check=False,
        timeout=120,
    )


def test_import_leaves_the_garbage_collector_on_and_loads_nothing_heavy() -> None:
    code = (
        "import gc, sys\n"
        "gc.disable(); import pcn_rules; assert not gc.isenabled(), 'switched on'\n"
        "gc.enable(); import importlib; importlib.reload(pcn_rules); assert gc.isenabled()\n"
        "heavy = [m for m in ('pydantic', 'cel_expr_python', 'rich') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
        "assert pcn_rules.check.__module__ == 'pcn_rules.api'\n"
    )
    done = _python(code, {})
    assert done.returncode == 0, done.stderr


def test_a_library_check_writes_no_file(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    code = (
        "import pcn_rules\n"
        "report = pcn_rules.check('fixtures/2019-20/compliant.json')\n"
        "assert report.compliant\n"
        "pcn_rules.audit(['fixtures/2019-20'], as_of='2019-06-30')\n"
    )
    done = _python(code, {"XDG_CACHE_HOME": str(cache), "HOME": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    assert list(cache.rglob("*")) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache"]


def test_the_command_keeps_packs_on_disk(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    code = (
        "import sys\n"
        "from pcn_rules.cli import run\n"
        "sys.argv = ['pcn-check', 'fixtures/2019-20/compliant.json']\n"
        "run()\n"
    )
    done = _python(code, {"XDG_CACHE_HOME": str(cache), "PCN_RULES_NO_CACHE": ""})
    assert done.returncode == 0, done.stdout + done.stderr
    assert list((cache / "pcn-rules" / "packs").glob("*.pickle"))


def test_the_public_audit_stays_the_function() -> None:
    # the audit package is called audits, so importing it never hides the function
    code = (
        "import pcn_rules.audits.run, pcn_rules.cli.audit, pcn_rules\n"
        "assert callable(pcn_rules.audit), pcn_rules.audit\n"
        "from pcn_rules import audit\n"
        "assert audit.__module__ == 'pcn_rules.audits.run'\n"
    )
    done = _python(code, {})
    assert done.returncode == 0, done.stderr
