"""pcn-check where the console is not UTF-8: a Windows code page (cp1252) and an ASCII locale.

The command runs in a subprocess with ``PYTHONIOENCODING`` set, as it would on a Windows desktop
whose output is redirected to a file (Python then writes in the ANSI code page).  It must exit
with the verdict's code, print no traceback and no ``\\u`` escapes in text, and lose nothing a
machine format can carry: JSON and SARIF use ``\\u`` escapes, JUnit and HTML character
references; ``--output`` files are UTF-8 whatever the console.
"""

from __future__ import annotations

import ast
import csv
import html
import io
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

import pytest

from pcn_rules.cli.encoding import (
    ASCII_FALLBACK,
    FORMAT_SYNTAX,
    UNENCODABLE,
    ascii_fallback,
    fit,
)
from pcn_rules.render import AUDIT_FORMATS, CHECK_FORMATS

ROOT = Path(__file__).resolve().parent.parent
F19 = ROOT / "fixtures" / "2019-20"
F20 = ROOT / "fixtures" / "2020-21"
ODS = ROOT / "fixtures" / "ods"

#: Welsh and typographic characters a name may hold: cp1252 has all four, ASCII none.
WELSH = "Ysbyty Gwynedd \u2013 Meddygfa\u2019r Bont \u00e9"
#: The same as a console in an ASCII locale shows it.
WELSH_ASCII = "Ysbyty Gwynedd - Meddygfa'r Bont e"
#: The practice of the imported network that is renamed (a Welsh name of its own).
PRACTICE = f"{WELSH} (Lunesdale)"

CONSOLES = {
    "cp1252": {"PYTHONIOENCODING": "cp1252"},
    "ascii": {"PYTHONIOENCODING": "ascii", "LC_ALL": "C"},
}


def pcn_check(
    args: Sequence[str | Path], console: str | None = None
) -> subprocess.CompletedProcess[bytes]:
    """``pcn-check ARGS`` in a subprocess writing to a console in the encoding CONSOLE (None:
    UTF-8); its output as bytes, undecoded."""
    env = {key: value for key, value in os.environ.items() if key not in ("LC_ALL", "LANG")}
    env.update(CONSOLES[console] if console else {"PYTHONIOENCODING": "utf-8"})
    env["PYTHONUTF8"] = "0"  # the console's encoding, not Python's UTF-8 mode
    done = subprocess.run(
        [sys.executable, "-m", "pcn_rules", *map(str, args)],
        capture_output=True,
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    text = done.stdout + done.stderr
    assert b"Traceback" not in text, text.decode("utf-8", "replace")
    assert b"internal error" not in text, text.decode("utf-8", "replace")
    return done


_REFERENCES: dict[tuple[str, ...], subprocess.CompletedProcess[bytes]] = {}


def reference(args: Sequence[str | Path]) -> subprocess.CompletedProcess[bytes]:
    """``pcn-check ARGS`` on a UTF-8 console, run once per module."""
    key = tuple(map(str, args))
    if key not in _REFERENCES:
        _REFERENCES[key] = pcn_check(args)
    return _REFERENCES[key]


def as_shown(text: str, encoding: str) -> str:
    """TEXT as a console in ENCODING shows it (what the fallback writes for what it lacks)."""
    return text.encode(encoding, UNENCODABLE).decode(encoding)


# --- the fallback itself ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("char", "expected"),
    [
        ("\u2713", "+"),  # met
        ("\u2717", "x"),  # not met
        ("\u00b7", "-"),  # separator
        ("\u2014", "-"),
        ("\u2013", "-"),
        ("\u2019", "'"),
        ("\u00a3", "GBP "),
        ("\u2192", "->"),
        ("\u00e9", "e"),  # accents dropped
        ("\u0175", "w"),  # Welsh w with circumflex (not in cp1252)
        ("\u2500", "-"),  # box drawing
        ("\u2502", "|"),
        ("\u250c", "+"),
        ("\u2588", "#"),
        ("\u4e2d", "?"),  # nothing in ASCII
        ("\udcff", "?"),  # a byte of a file name that is not UTF-8
    ],
)
def test_ascii_fallback(char: str, expected: str) -> None:
    assert ascii_fallback(char) == expected


def test_every_fallback_is_printable_ascii() -> None:
    for char, fallback in ASCII_FALLBACK.items():
        assert not char.isascii()
        assert fallback.isascii(), char
        assert fallback == "" or fallback.isprintable(), char


def test_a_code_page_keeps_what_it_has_and_falls_back_for_the_rest() -> None:
    text = f"\u2713 met \u00b7 {WELSH} \u2192 \u00a3100 \u0175"
    # cp1252 has the middle dot, the en dash, the apostrophe, é and £; not ✓, → or ŵ
    assert as_shown(text, "cp1252") == f"+ met \u00b7 {WELSH} -> \u00a3100 w"
    assert as_shown(text, "ascii") == f"+ met - {WELSH_ASCII} -> GBP 100 w"
    # cp850 (a console's OEM code page) has the middle dot, é and £; not the dash or apostrophe
    assert as_shown(text, "cp850") == (
        "+ met \u00b7 Ysbyty Gwynedd - Meddygfa'r Bont \u00e9 -> \u00a3100 w"
    )


def test_utf8_writes_a_byte_that_was_not_utf8_as_the_replacement_character() -> None:
    assert "name\udcff.json".encode("utf-8", UNENCODABLE) == "name\ufffd.json".encode()


@pytest.mark.parametrize("encoding", ["cp1252", "ascii", "cp850"])
def test_json_escaped_for_a_code_page_decodes_to_the_same_data(encoding: str) -> None:
    data = {"name": WELSH, "emoji": "\U0001f3e5 clinic", "mark": "\u2713", "bad": "x\udcffy"}
    text = json.dumps(data, ensure_ascii=False, indent=2)
    fitted, approximate = fit(text, "json", encoding)
    assert not approximate
    assert fitted.isascii()
    assert json.loads(fitted) == {**data, "bad": "x\ufffdy"}  # as a UTF-8 run writes it
    assert fit(text, "json", "utf-8") == (text, False)  # UTF-8 needs no escapes


def test_xml_escaped_for_a_code_page_parses_to_the_same_text() -> None:
    root = ET.Element("suite", {"name": WELSH})
    root.text = "\u2713 \U0001f3e5"
    text = ET.tostring(root, encoding="unicode")
    fitted, approximate = fit(text, "xml", "cp1252")
    assert not approximate
    assert fitted.isascii()
    parsed = ET.fromstring(fitted)
    assert parsed.get("name") == WELSH
    assert parsed.text == "\u2713 \U0001f3e5"
    assert html.unescape(fit(f"<p>{WELSH}</p>", "xml", "ascii")[0]) == f"<p>{WELSH}</p>"


def test_csv_says_when_a_code_page_cannot_hold_it() -> None:
    assert fit(f"name\n{WELSH}\n", "csv", "cp1252") == (f"name\n{WELSH}\n", False)
    assert fit(f"name\n{WELSH}\n", "csv", "ascii") == (f"name\n{WELSH}\n", True)


def test_every_machine_format_has_its_escapes() -> None:
    """A format written as text (not drawn for people) is JSON, XML or CSV: a new format must
    say which, or a console that is not UTF-8 would approximate it silently."""
    for formats in (CHECK_FORMATS, AUDIT_FORMATS):
        for name, output_format in formats.items():
            if output_format.draw is None and output_format.binary is None:
                assert name in FORMAT_SYNTAX, name


# --- the command line on consoles that are not UTF-8 ---------------------------------------------

TEXT_COMMANDS = [
    pytest.param([F20 / "compliant.json"], 0, id="check-compliant"),
    pytest.param([F19 / "rural-no-waiver.json"], 1, id="check-not-met"),
    pytest.param(["audit", F19, "--as-of", "2019-06-30"], 1, id="audit"),
    pytest.param(["rules", "diff", "2019/20", "2020/21"], 0, id="rules-diff"),
]


@pytest.mark.parametrize("console", ["cp1252", "ascii"])
@pytest.mark.parametrize(("args", "code"), TEXT_COMMANDS)
def test_text_is_readable_on_the_console(console: str, args: list[str | Path], code: int) -> None:
    utf8 = reference(args)
    assert utf8.returncode == code
    done = pcn_check(args, console)
    assert done.returncode == code, done.stderr
    encoding = CONSOLES[console]["PYTHONIOENCODING"]
    out = done.stdout.decode(encoding)  # what the console shows: valid in its encoding
    assert "\\u" not in out
    assert "\\x" not in out
    # the same report, each symbol the console lacks in ASCII, and nothing else changed
    assert out == as_shown(utf8.stdout.decode("utf-8"), encoding)
    assert out.count("?") == utf8.stdout.decode("utf-8").count("?")  # no unknown symbol
    if console == "ascii":
        assert done.stdout.isascii()


def test_the_symbols_of_a_report_fall_back_readably() -> None:
    out = pcn_check([F19 / "rural-no-waiver.json"], "ascii").stdout.decode("ascii")
    assert "x not met     POP-MIN [error] - overdue by 28 days" in out
    assert "+ 9 met: CORE-CONTRACT" in out
    assert "31 May 2019 - Commissioner confirms registration" in out
    assert "+-----" in out  # rich's ASCII box
    windows = pcn_check([F19 / "rural-no-waiver.json"], "cp1252").stdout.decode("cp1252")
    assert "31 May 2019 \u00b7 Commissioner confirms" in windows  # cp1252 has the middle dot
    assert "x not met     POP-MIN" in windows


@pytest.mark.parametrize("console", ["cp1252", "ascii"])
@pytest.mark.parametrize(
    "args",
    [
        pytest.param([F19 / "rural-no-waiver.json", "--format", "json"], id="check"),
        pytest.param(["rules", "diff", "2019/20", "2020/21", "--format", "json"], id="diff"),
    ],
)
def test_json_on_the_console_is_the_same_data(console: str, args: list[str | Path]) -> None:
    utf8 = reference(args)
    done = pcn_check(args, console)
    assert done.returncode == utf8.returncode
    assert done.stdout.isascii()  # valid in any code page, and as UTF-8
    assert json.loads(done.stdout) == json.loads(utf8.stdout.decode("utf-8"))


def test_errors_on_a_console_that_is_not_utf8() -> None:
    done = pcn_check([F19 / "no-such-\u2192-\u00e9.json"], "cp1252")
    assert done.returncode == 3
    assert "no-such-->-\u00e9.json: file not found" in done.stderr.decode("cp1252")
    done = pcn_check([F19 / "no-such-\u00e9.json"], "ascii")
    assert done.returncode == 3
    if os.name == "posix":
        # in an ASCII locale the name's two UTF-8 bytes are not text: each is shown as "?"
        assert b"no-such-??.json: file not found" in done.stderr
    else:  # Windows passes arguments as Unicode
        assert b"no-such-e.json: file not found" in done.stderr


# --- a Welsh name through import-ods, check and every format ------------------------------------


@pytest.fixture(scope="module")
def welsh_import(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ODS slices with Western Dales PCN renamed WELSH and its practice Lunesdale Surgery
    PRACTICE, imported on a cp1252 console: the directory of submissions."""
    work = tmp_path_factory.mktemp("welsh")
    details = (ODS / "epcn_2019-12_pcn_details_slice.csv").read_text(encoding="utf-8")
    partners = (ODS / "epcn_2019-12_core_partners_slice.csv").read_text(encoding="utf-8")
    assert "WESTERN DALES PCN" in details
    assert "LUNESDALE SURGERY" in partners
    # as NHS Digital's files come: UTF-8 with a byte order mark, or Windows-1252
    (work / "details.csv").write_text(
        details.replace("WESTERN DALES PCN", WELSH), encoding="utf-8-sig"
    )
    (work / "partners.csv").write_text(
        partners.replace("WESTERN DALES PCN", WELSH).replace("LUNESDALE SURGERY", PRACTICE),
        encoding="cp1252",
    )
    out = work / "imported"
    done = pcn_check(
        [
            "import-ods",
            "--epcn",
            work / "details.csv",
            work / "partners.csv",
            "--list-sizes",
            ODS / "qof_1819_practice_list_size_slice.csv",
            "--out",
            out,
        ],
        "cp1252",
    )
    assert done.returncode == 0, done.stderr
    return out


def test_import_keeps_the_welsh_names(welsh_import: Path) -> None:
    submission = json.loads((welsh_import / "U59980.json").read_text(encoding="utf-8"))
    assert submission["network"]["name"] == WELSH
    assert PRACTICE in [practice["name"] for practice in submission["practices"]]


def _content(name: str, data: bytes, encoding: str) -> object:
    """What a reader of format NAME gets from DATA written in ENCODING."""
    if name in ("json", "sarif"):
        return json.loads(data.decode(encoding))
    if name == "junit":
        return ET.canonicalize(data.decode(encoding))
    if name == "html":
        return html.unescape(data.decode(encoding))
    if name == "csv":
        return list(csv.reader(io.StringIO(data.decode(encoding))))
    return data.decode(encoding)


def _runs(welsh_import: Path) -> list[tuple[str, list[str | Path], str]]:
    check: list[str | Path] = [welsh_import / "U59980.json", "--as-of", "2019-06-30"]
    audit: list[str | Path] = ["audit", welsh_import, "--as-of", "2019-06-30"]
    # (xlsx is binary, written as it is whatever the console)
    return [("check", check, name) for name, f in CHECK_FORMATS.items() if f.binary is None] + [
        ("audit", audit, name) for name, f in AUDIT_FORMATS.items() if f.binary is None
    ]


@pytest.mark.parametrize("command", ["check", "audit"])
def test_welsh_names_in_every_format_on_a_windows_console(
    command: str, welsh_import: Path, tmp_path: Path
) -> None:
    for kind, args, name in _runs(welsh_import):
        if kind != command:
            continue
        utf8 = reference([*args, "--format", name])
        assert utf8.returncode == 1, (name, utf8.stderr)
        expected = utf8.stdout.decode("utf-8")
        assert WELSH in expected, name

        # to standard output in cp1252: the format's escapes, or cp1252 itself
        done = pcn_check([*args, "--format", name], "cp1252")
        assert done.returncode == 1, (name, done.stderr)
        assert b"warning" not in done.stderr, name  # cp1252 holds every character here
        if name in ("text", "csv"):
            assert done.stdout.decode("cp1252") == as_shown(expected, "cp1252"), name
            assert WELSH in done.stdout.decode("cp1252"), name
        else:
            assert done.stdout.isascii(), name
            assert _content(name, done.stdout, "ascii") == _content(name, utf8.stdout, "utf-8")

        # to a file: UTF-8, the same bytes as from a UTF-8 console
        written = tmp_path / f"{command}-{name}.out"
        done = pcn_check([*args, "--format", name, "--output", written], "cp1252")
        assert done.returncode == 1, (name, done.stderr)
        if name == "text":  # drawn for a file: 100 columns, perhaps wrapped within the name
            utf8_file = tmp_path / f"{command}-{name}.utf8"
            assert pcn_check([*args, "--format", name, "--output", utf8_file]).returncode == 1
            assert written.read_bytes() == utf8_file.read_bytes()
            assert WELSH in " ".join(written.read_text(encoding="utf-8").split())
        else:
            # (standard output writes a Windows line end where --output writes "\n")
            assert written.read_bytes() == utf8.stdout.replace(b"\r\n", b"\n"), name
            assert WELSH in written.read_text(encoding="utf-8"), name


def test_welsh_names_on_an_ascii_console(welsh_import: Path) -> None:
    for _, args, name in _runs(welsh_import):
        utf8 = reference([*args, "--format", name])
        done = pcn_check([*args, "--format", name], "ascii")
        assert done.returncode == utf8.returncode == 1, (name, done.stderr)
        assert done.stdout.isascii(), name
        if name == "text":
            assert WELSH_ASCII in done.stdout.decode("ascii")
        elif name == "csv":
            # CSV has no escapes: the documented fallback, and a warning saying so
            assert WELSH_ASCII in done.stdout.decode("ascii")
            assert b"warning" in done.stderr
            assert b"--output" in done.stderr
        else:
            assert _content(name, done.stdout, "ascii") == _content(name, utf8.stdout, "utf-8")


# --- every file names its encoding --------------------------------------------------------------


def test_every_text_file_opened_names_its_encoding() -> None:
    """``open``, ``Path.open``, ``read_text`` and ``write_text`` in text mode name an encoding
    (ruff's PLW1514 checks ``open``, but not a method of a path it cannot infer)."""
    unnamed = []
    for folder in ("pcn_rules", "tests", "benchmarks"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                function = node.func
                name = function.attr if isinstance(function, ast.Attribute) else None
                if isinstance(function, ast.Name):
                    name = function.id
                keywords = {keyword.arg for keyword in node.keywords}
                if "encoding" in keywords or name not in ("open", "read_text", "write_text"):
                    continue
                positional = len(node.args)
                if name == "read_text" and positional >= 1:
                    continue  # read_text("utf-8") (or a distribution's file by name)
                if name == "write_text" and positional >= 2:
                    continue  # write_text(text, "utf-8")
                if name == "open":
                    if isinstance(function, ast.Attribute) and ast.unparse(function.value) in (
                        "os",
                        "self.book",  # a member of a zip file (bytes)
                    ):
                        continue
                    modes = [keyword.value for keyword in node.keywords if keyword.arg == "mode"]
                    modes += node.args[1:2] if isinstance(function, ast.Name) else node.args[:1]
                    if any(
                        isinstance(mode, ast.Constant) and "b" in str(mode.value) for mode in modes
                    ):
                        continue  # binary
                unnamed.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)}")
    assert not unnamed, "\n".join(unnamed)
