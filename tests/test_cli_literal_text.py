"""Text from the input (a network's name, a file name) is printed as written, never read as rich
markup or emoji codes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cli_runner import run


@pytest.mark.parametrize("name", ["Oak [red]Valley[/red] :sun: PCN", "Oak [/b] PCN"])
def test_a_network_name_is_shown_as_written(
    name: str,
    tmp_path: Path,
    load_fixture: Callable[[str], dict[str, Any]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    doc = load_fixture("compliant.json")
    doc["network"]["name"] = name
    path = tmp_path / "named.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    code, out, _ = run([path], capsys)
    assert code == 0
    assert name in out


def test_an_error_quoting_markup_like_text_is_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "no[/b]such:sun:.json"
    code, _, err = run([missing], capsys)
    assert code == 3
    assert "no[/b]such:sun:.json" in err
    assert "file not found" in err
