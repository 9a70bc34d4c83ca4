"""The bad-input corpus (tests/corpus/cases.yaml): exact exit codes and messages, no tracebacks.

Every case runs through the CLI in-process; submission cases also through the library, which must
raise the documented exception type.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

import pcn_rules
from pcn_rules.cli import main
from pcn_rules.submission.jsontext import MAX_JSON_DEPTH, MAX_SUBMISSION_BYTES

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).resolve().parent / "corpus"
CASES = yaml.safe_load((CORPUS / "cases.yaml").read_text(encoding="utf-8"))
COMPLIANT = ROOT / "fixtures" / "2019-20" / "compliant.json"


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out + err


def assert_clean(code: int, text: str, want: int, contains: list[str], name: str) -> None:
    assert code == want, f"expected exit {want}, got {code}: {text}"
    assert "Traceback" not in text
    assert name in text, f"message does not name {name!r}: {text}"
    for part in contains:
        assert part in text, f"message lacks {part!r}: {text}"


@pytest.mark.parametrize("case", CASES["submissions"], ids=lambda c: c["file"])
def test_bad_submission(
    case: dict[str, Any], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(CORPUS / "submissions")
    code, text = run_cli([case["file"]], capsys)
    assert_clean(code, text, case["exit"], case["contains"], case["file"])
    chosen: dict[str, Any] = (
        {} if case.get("own_pack") else {"pack": "2019/20", "as_of": "2019-06-28"}
    )
    with pytest.raises(pcn_rules.InputError) as raised:
        pcn_rules.check(CORPUS / "submissions" / case["file"], **chosen)
    assert raised.value.problems, "InputError must list its problems"
    assert case["file"] in raised.value.source


def test_corpus_is_large_enough() -> None:
    assert len(CASES["submissions"]) + len(CASES["packs"]) >= 30


def _edit_pack(directory: Path, edit: dict[str, Any]) -> None:
    target = directory / edit["file"]
    if edit.get("delete"):
        target.unlink()
    elif "content" in edit:
        target.write_text(edit["content"], encoding="utf-8")
    else:
        old, new = edit["replace"]
        text = target.read_text(encoding="utf-8")
        assert old in text, f"corpus edit does not apply to {edit['file']}: {old!r}"
        target.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def pack_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the bundled 2019/20 pack to break (the working directory is its parent)."""
    pack_dir = tmp_path / "pack"
    shutil.copytree(ROOT / "rules" / "2019-20", pack_dir)
    monkeypatch.chdir(tmp_path)
    return pack_dir


def test_the_unbroken_copy_loads(pack_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # the control for every pack case: only the corpus edit breaks the copy
    code, text = run_cli([str(COMPLIANT), "--pack", str(pack_copy)], capsys)
    assert code == 0, text
    assert "COMPLIANT" in text
    code, text = run_cli(["rules", "lint", str(pack_copy)], capsys)
    assert code == 0, text


def one_paragraph(text: str) -> str:
    text = text.strip()
    assert text, "no message"
    assert "\n\n" not in text, f"more than one paragraph:\n{text}"
    return text


@pytest.mark.parametrize("command", ["check", "lint"])
@pytest.mark.parametrize("case", CASES["packs"], ids=lambda c: c["name"])
def test_bad_pack(
    case: dict[str, Any],
    command: str,
    tmp_path: Path,
    pack_copy: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _edit_pack(pack_copy, case["edit"])
    args = (
        [str(COMPLIANT), "--pack", str(pack_copy)]
        if command == "check"
        else ["rules", "lint", str(pack_copy)]
    )
    started = time.perf_counter()
    code = main(args)
    elapsed = time.perf_counter() - started
    out, err = capsys.readouterr()
    assert_clean(code, out + err, case["exit"], case["contains"], case["edit"]["file"])
    assert "COMPLIANT" not in out, "nothing is checked against a broken pack"
    one_paragraph(err)
    if "max_seconds" in case:
        assert elapsed < case["max_seconds"], f"took {elapsed:.1f} s"
    if "must_not_create" in case:
        assert not (tmp_path / case["must_not_create"]).exists(), "a pack tag ran code"


@pytest.mark.parametrize("case", CASES["packs"], ids=lambda c: c["name"])
def test_bad_pack_through_the_library(
    case: dict[str, Any], tmp_path: Path, pack_copy: Path
) -> None:
    _edit_pack(pack_copy, case["edit"])
    expected = pcn_rules.PackError if case["exit"] == 3 else pcn_rules.UsageError
    with pytest.raises(expected) as raised:
        pcn_rules.load_pack(pack_copy)
    assert case["edit"]["file"] in str(raised.value)
    with pytest.raises(expected) as raised:
        pcn_rules.check(COMPLIANT, pack=pack_copy)
    assert case["edit"]["file"] in str(raised.value)
    if "must_not_create" in case:
        assert not (tmp_path / case["must_not_create"]).exists(), "a pack tag ran code"


def test_file_over_the_size_limit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    big = tmp_path / "big.json"
    padding = " " * (MAX_SUBMISSION_BYTES + 1)
    big.write_text('{"format_version": 1}' + padding, encoding="utf-8")
    code, text = run_cli([str(big)], capsys)
    assert_clean(code, text, 3, ["the limit is"], "big.json")


def test_deeply_nested_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * (MAX_JSON_DEPTH + 5) + "]" * (MAX_JSON_DEPTH + 5), encoding="utf-8")
    code, text = run_cli([str(deep)], capsys)
    assert_clean(code, text, 3, ["nests deeper"], "deep.json")


def test_extremely_deep_json_is_refused_without_recursion(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deep = tmp_path / "deeper.json"
    deep.write_text('{"a":' * 100_000 + "1" + "}" * 100_000, encoding="utf-8")
    code, text = run_cli([str(deep)], capsys)
    assert_clean(code, text, 3, ["nests deeper"], "deeper.json")


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, text = run_cli([str(tmp_path / "nowhere.json")], capsys)
    assert_clean(code, text, 3, ["file not found"], "nowhere.json")


def test_directory_without_submissions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "inbox"
    empty.mkdir()
    (empty / "notes.txt").write_text("not a submission", encoding="utf-8")
    code, text = run_cli([str(empty)], capsys)
    assert_clean(code, text, 3, ["no submission (*.json) files"], "inbox")


def test_one_bad_file_among_good_ones_loses_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("[]", encoding="utf-8")
    code, text = run_cli([str(COMPLIANT), str(bad)], capsys)
    assert code == 3
    assert "Stroud Cotswold PCN" in text, "the readable file is still reported"
    assert "bad.json" in text
    assert "Traceback" not in text


def test_library_rejects_non_submission_values() -> None:
    with pytest.raises(pcn_rules.InputError):
        pcn_rules.check([1, 2], pack="2019/20")  # type: ignore[arg-type]
    with pytest.raises(pcn_rules.InputError) as raised:
        pcn_rules.check({"format_version": 1}, pack="2019/20")
    paths = {path for path, _ in raised.value.problems}
    assert {"submission", "network", "practices"} <= paths


def test_corpus_files_are_what_they_claim(tmp_path: Path) -> None:
    """Guard the corpus itself: the typed-value cases are valid JSON with one wrong value."""
    for name in ("list-size-string.json", "unknown-nested-field.json", "bad-enum.json"):
        doc = json.loads((CORPUS / "submissions" / name).read_text(encoding="utf-8"))
        assert doc["format_version"] == 1


def test_path_with_a_nul_byte_is_an_input_error() -> None:
    """Found by the long property run: a string with a NUL byte is taken as a path."""
    with pytest.raises(pcn_rules.InputError, match="not a usable file name"):
        pcn_rules.check("\x00", pack="2019/20")
