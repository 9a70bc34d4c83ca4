"""docs/library.md's example is real: run its Python block as a commissioner system would."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_library_example_runs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (ROOT / "docs" / "library.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks, "docs/library.md has no python example"
    monkeypatch.chdir(ROOT)
    namespace: dict[str, object] = {"__name__": "library_example"}
    exec(compile(blocks[0], "docs/library.md", "exec"), namespace)
    out = capsys.readouterr().out
    assert "rural-no-waiver.json" in out
    assert "not_compliant (POP-MIN)" in out
    store = namespace["store"]
    assert isinstance(store, Path)
    assert len(list(store.glob("*.report.json"))) == len(
        list((ROOT / "fixtures" / "2019-20").glob("*.json"))
    )


def test_library_audit_example_runs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (ROOT / "docs" / "library.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert len(blocks) >= 2, "docs/library.md has no audit example"
    monkeypatch.chdir(ROOT)
    namespace: dict[str, object] = {"__name__": "library_example"}
    exec(compile(blocks[1], "docs/library.md", "exec"), namespace)
    main = namespace["main"]
    assert callable(main)
    reports = main()
    out = capsys.readouterr().out
    assert "ImportResult(networks=19, memberships=88" in out
    assert "<Report 'BARROW AND MILLOM PCN' (U17992): not_compliant" in out
    assert "<AuditReport pack 2019/20 as of 2019-06-30: not_compliant; 19 networks" in out
    assert "participation: entitled £" in out
    assert "practices" in out
    assert "<RulePack 2019/20 " in out
    assert isinstance(reports, list)
    assert len(reports) == 19
