"""Bad submissions and bad options: exit 3 (or 2 for usage) with one clear paragraph naming the
file and the location, never a traceback.  Broken rule packs are cases of the corpus
(tests/corpus/cases.yaml, run by tests/test_corpus.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cli_runner import run

import pcn_rules
from pcn_rules import InputError, PackError, UsageError


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
