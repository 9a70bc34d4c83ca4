"""Bad submissions, bad options and bad rule packs: exit 3 (or 2 for usage) with one clear
paragraph naming the file and the location, never a traceback."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cli_runner import run

import pcn_rules
from pcn_rules import InputError, PackError, UsageError
from pcn_rules.packs.discover import resolve_pack_dir


def one_paragraph(text: str) -> str:
    text = text.strip()
    assert text, "no message"
    assert "\n\n" not in text, f"more than one paragraph:\n{text}"
    return text


# ------------------------------------------------------------------------------------------------
# Unreadable submissions: exit 3
# ------------------------------------------------------------------------------------------------


def _with(change: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], bytes]:
    def build(doc: dict[str, Any]) -> bytes:
        change(doc)
        return json.dumps(doc, indent=2).encode("utf-8")

    return build


def _set_list_size(doc: dict[str, Any]) -> None:
    doc["practices"][0]["list_size"] = "25000"


def _unknown_field(doc: dict[str, Any]) -> None:
    doc["network"]["colour"] = "green"


def _bad_date(doc: dict[str, Any]) -> None:
    doc["submission"]["submitted_on"] = "15/05/2019"


def _lowercase_ods(doc: dict[str, Any]) -> None:
    doc["practices"][0]["ods_code"] = doc["practices"][0]["ods_code"].lower()


# (id, content builder from the compliant fixture, texts the message must contain)
BAD_FILES: list[tuple[str, Callable[[dict[str, Any]], bytes], list[str]]] = [
    (
        "malformed JSON",
        lambda _: b'{"format_version": 1,\n  "contract_year": }\n',
        ["not valid JSON", "line 2, column"],
    ),
    ("array at top level", lambda _: b"[1, 2]", ["expected a JSON object at the top level"]),
    (
        "list size as a string",
        _with(_set_list_size),
        ["practices[0].list_size", "expected an integer", "'25000'"],
    ),
    ("unknown field", _with(_unknown_field), ["network.colour", "unknown field"]),
    ("empty file", lambda _: b"", ["empty"]),
    ("whitespace only", lambda _: b"  \n\t\n", ["empty"]),
    (
        "byte order mark",
        lambda doc: b"\xef\xbb\xbf" + json.dumps(doc).encode("utf-8"),
        ["byte order mark"],
    ),
    (
        "duplicate keys",
        lambda _: b'{"format_version": 1, "format_version": 1}',
        ["duplicate key 'format_version'"],
    ),
    ("bad date format", _with(_bad_date), ["submission.submitted_on", "15/05/2019", "YYYY-MM-DD"]),
    ("lowercase ODS code", _with(_lowercase_ods), ["practices[0].ods_code", "l84005"]),
    ("not UTF-8", lambda _: b'{"format_version": 1, "x": "\xff"}', ["not UTF-8"]),
]


@pytest.mark.parametrize(
    ("content", "texts"), [c[1:] for c in BAD_FILES], ids=[c[0] for c in BAD_FILES]
)
def test_unreadable_submission_exits_3(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    compliant_doc: dict[str, Any],
    content: Callable[[dict[str, Any]], bytes],
    texts: list[str],
) -> None:
    path = tmp_path / "submission-under-test.json"
    path.write_bytes(content(compliant_doc))
    code, out, err = run([path], capsys)
    assert code == 3
    assert out == ""
    message = one_paragraph(err)
    assert "submission-under-test.json" in message
    for text in texts:
        assert text in message, f"{text!r} not in {message!r}"


def test_missing_file_exits_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run([tmp_path / "nowhere.json"], capsys)
    assert code == 3
    message = one_paragraph(err)
    assert "nowhere.json" in message
    assert "not found" in message


def test_every_problem_of_a_file_is_listed_with_its_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], compliant_doc: dict[str, Any]
) -> None:
    compliant_doc["practices"][0]["list_size"] = "25000"
    compliant_doc["practices"][2]["ods_code"] = "x1"
    path = tmp_path / "two-problems.json"
    path.write_text(json.dumps(compliant_doc), encoding="utf-8")
    code, _, err = run([path], capsys)
    assert code == 3
    message = one_paragraph(err)
    assert "practices[0].list_size" in message
    assert "practices[2].ods_code" in message


def test_one_unreadable_file_among_several_still_reports_the_others(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fixtures_dir: Path
) -> None:
    bad = tmp_path / "broken.json"
    bad.write_text("{", encoding="utf-8")
    code, out, err = run([fixtures_dir / "compliant.json", bad], capsys)
    assert code == 3
    assert "Stroud Cotswold PCN" in out  # the readable one is still reported
    assert "broken.json" in err


# ------------------------------------------------------------------------------------------------
# Usage errors: exit 2
# ------------------------------------------------------------------------------------------------

USAGE = [
    ("bad --as-of date", ["--as-of", "2019-13-01"], ["--as-of", "2019-13-01"]),
    ("unknown --format", ["--format", "xml"], ["--format", "xml"]),
    ("unknown pack", ["--pack", "2017/18"], ["2017/18", "2019/20"]),
    ("unknown option", ["--frobnicate"], ["--frobnicate"]),
]


@pytest.mark.parametrize(("args", "texts"), [u[1:] for u in USAGE], ids=[u[0] for u in USAGE])
def test_usage_error_exits_2(
    fixtures_dir: Path, capsys: pytest.CaptureFixture[str], args: list[str], texts: list[str]
) -> None:
    code, out, err = run([fixtures_dir / "compliant.json", *args], capsys)
    assert code == 2
    assert "COMPLIANT" not in out  # nothing was checked
    for text in texts:
        assert text in err


# ------------------------------------------------------------------------------------------------
# Invalid rule packs: exit 3, naming the file and key path
# ------------------------------------------------------------------------------------------------


@pytest.fixture
def pack_copy(tmp_path: Path) -> Path:
    """A copy of the bundled 2019/20 pack to break."""
    target = tmp_path / "pack-2019-20"
    shutil.copytree(resolve_pack_dir("2019/20"), target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}: the pack changed; update this test"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _check_with_pack(
    pack: Path, fixtures_dir: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str]:
    code, out, err = run([fixtures_dir / "compliant.json", "--pack", pack], capsys)
    assert "COMPLIANT" not in out  # nothing was evaluated against a broken pack
    return code, err


def test_the_unbroken_copy_loads(
    pack_copy: Path, fixtures_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the control for every broken-pack test below
    code, out, _ = run([fixtures_dir / "compliant.json", "--pack", pack_copy], capsys)
    assert code == 0
    assert "COMPLIANT" in out


def test_typo_in_a_condition_field(
    pack_copy: Path, fixtures_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _edit(
        pack_copy / "population.yaml",
        "network.list_size >= params.population_min",
        "network.list_sise >= params.population_min",
    )
    code, err = _check_with_pack(pack_copy, fixtures_dir, capsys)
    assert code == 3
    message = one_paragraph(err)
    assert "population.yaml" in message
    assert "POP-MIN" in message
    assert "expect" in message
    assert "did you mean 'list_size'" in message


def test_cel_syntax_error(
    pack_copy: Path, fixtures_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _edit(
        pack_copy / "population.yaml",
        "expect: network.list_size >= params.population_min",
        "expect: network.list_size >= = params.population_min",
    )
    code, err = _check_with_pack(pack_copy, fixtures_dir, capsys)
    assert code == 3
    assert "population.yaml" in err
    assert "POP-MIN" in err
    assert "does not compile" in err


def test_unknown_key_in_a_rule(
    pack_copy: Path, fixtures_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _edit(pack_copy / "population.yaml", "  - id: POP-MIN\n", "  - id: POP-MIN\n    colour: red\n")
    code, err = _check_with_pack(pack_copy, fixtures_dir, capsys)
    assert code == 3
    message = one_paragraph(err)
    assert "population.yaml → rules[0] (POP-MIN) → colour" in message
    assert "unknown key" in message


def test_duplicate_rule_id(
    pack_copy: Path, fixtures_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _edit(pack_copy / "population.yaml", "id: POP-TYPICAL-MAX", "id: POP-MIN")
    code, err = _check_with_pack(pack_copy, fixtures_dir, capsys)
    assert code == 3
    message = one_paragraph(err)
    assert "duplicate rule ID" in message
    assert "POP-MIN" in message
    assert "population.yaml" in message


def test_unknown_milestone_in_due(
    pack_copy: Path, fixtures_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _edit(pack_copy / "population.yaml", "due: commissioner_confirmation", "due: tea_time")
    code, err = _check_with_pack(pack_copy, fixtures_dir, capsys)
    assert code == 3
    message = one_paragraph(err)
    assert "POP-MIN" in message
    assert "due" in message
    assert "unknown milestone 'tea_time'" in message


def test_unsupported_pack_version(
    pack_copy: Path, fixtures_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _edit(pack_copy / "pack.yaml", "version: 1\n", "version: 2\n")
    code, err = _check_with_pack(pack_copy, fixtures_dir, capsys)
    assert code == 3
    message = one_paragraph(err)
    assert "pack.yaml" in message
    assert "version 2" in message


def test_python_tag_is_refused_and_not_run(
    pack_copy: Path, tmp_path: Path, fixtures_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    marker = tmp_path / "the-command-ran"
    _edit(
        pack_copy / "population.yaml",
        "    title: The network serves at least 30,000 patients\n",
        f'    title: !!python/object/apply:os.system ["touch {marker}"]\n',
    )
    code, err = _check_with_pack(pack_copy, fixtures_dir, capsys)
    assert code == 3
    message = one_paragraph(err)
    assert "population.yaml" in message
    assert "tag" in message
    assert not marker.exists(), "a YAML tag in a rule pack executed a command"


def test_yaml_anchor_bomb_is_refused_quickly(
    pack_copy: Path, fixtures_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # billion laughs: 9 levels of 9 aliases would expand to 9**9 (387 million) strings
    lines = ["version: 1", 'a0: &a0 ["lol"]']
    for level in range(1, 10):
        lines.append(f"a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * 9)}]")
    lines.append("rules: []")
    (pack_copy / "bomb.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    started = time.perf_counter()
    code, err = _check_with_pack(pack_copy, fixtures_dir, capsys)
    elapsed = time.perf_counter() - started
    assert code == 3
    assert "bomb.yaml" in err
    assert "alias" in err
    assert elapsed < 5, f"took {elapsed:.1f} s"


def test_rules_lint_reports_the_same_problem(
    pack_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _edit(pack_copy / "population.yaml", "due: commissioner_confirmation", "due: tea_time")
    code, _, err = run(["rules", "lint", pack_copy], capsys)
    assert code == 3
    assert "unknown milestone 'tea_time'" in err


# ------------------------------------------------------------------------------------------------
# The library raises the matching exceptions
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [[1, 2], {"format_version": 1}, 42], ids=repr)
def test_check_raises_input_error(value: Any) -> None:
    with pytest.raises(InputError):
        pcn_rules.check(value)


def test_input_error_names_the_path(compliant_doc: dict[str, Any]) -> None:
    compliant_doc["practices"][0]["list_size"] = "25000"
    with pytest.raises(InputError) as caught:
        pcn_rules.check(compliant_doc)
    assert any(path == "practices[0].list_size" for path, _ in caught.value.problems)


def test_check_raises_input_error_for_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        pcn_rules.check(tmp_path / "absent.json")
    assert "absent.json" in str(caught.value)


def test_check_raises_pack_error(pack_copy: Path, compliant_doc: dict[str, Any]) -> None:
    _edit(pack_copy / "pack.yaml", "version: 1\n", "version: 2\n")
    with pytest.raises(PackError) as caught:
        pcn_rules.check(compliant_doc, pack=pack_copy)
    assert "pack.yaml" in str(caught.value)
    with pytest.raises(PackError):
        pcn_rules.load_pack(pack_copy)


@pytest.mark.parametrize(
    "kwargs",
    [{"pack": "2017/18"}, {"as_of": "15/05/2019"}, {"as_of": "2019-02-30"}],
    ids=["unknown pack", "bad as_of", "impossible as_of"],
)
def test_check_raises_usage_error(compliant_doc: dict[str, Any], kwargs: dict[str, Any]) -> None:
    with pytest.raises(UsageError):
        pcn_rules.check(compliant_doc, **kwargs)


def test_all_errors_share_one_base_class() -> None:
    for error in (InputError, PackError, UsageError):
        assert issubclass(error, pcn_rules.PcnRulesError)
