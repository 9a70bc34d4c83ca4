"""Output for a console or pipe that cannot show every character (a Windows code page such as
cp1252 or cp850, an ASCII locale): pcn-check never fails on the output's encoding, and what it
writes stays readable, or exact where the format allows.

- Text for people (the ``text`` format, messages, help): a character the output's encoding
  lacks is written as an ASCII equivalent (``✓`` as ``+``, ``→`` as ``->``, ``é`` as ``e``),
  and ``?`` when there is none.  This is the error handler :data:`UNENCODABLE`, set on standard
  output and standard error (:func:`pcn_rules.cli.app.guard_text_streams`).
- Machine formats (:data:`FORMAT_SYNTAX`): when the output is not a Unicode encoding, every
  character beyond ASCII is written as the format's own escape (``\\u00e9`` in JSON and SARIF,
  ``&#233;`` in JUnit XML and HTML), so the output is plain ASCII, valid in any code page and
  as UTF-8, and a reader decodes the same text as from a UTF-8 run.  CSV has no escape: its
  text is written in the output's encoding, and a character that encoding lacks falls back as
  in text (:func:`fit` says so, and the command warns).
- Files written with ``--output`` are always UTF-8, whatever the console.
"""

from __future__ import annotations

import codecs
import re

#: The error handler of every text pcn-check writes: a character the output cannot encode is
#: replaced, never an error.  A file name that is not UTF-8 reaches Python as "surrogate
#: escapes" (byte 0xff as U+DCFF): in UTF-8 each is written as U+FFFD, the replacement
#: character; in any other encoding each character it lacks is written as its ASCII
#: equivalent (:func:`ascii_fallback`).
UNENCODABLE = "pcn-rules-replace"

#: ASCII for the symbols pcn-check's reports, packs and messages use, and for common
#: typography in names.  One character where the symbol lines up columns (✓ ✗ ·).
ASCII_FALLBACK: dict[str, str] = {
    "\N{CHECK MARK}": "+",
    "\N{HEAVY CHECK MARK}": "+",
    "\N{BALLOT X}": "x",
    "\N{HEAVY BALLOT X}": "x",
    "\N{MIDDLE DOT}": "-",
    "\N{BULLET}": "*",
    "\N{HYPHEN}": "-",
    "\N{NON-BREAKING HYPHEN}": "-",
    "\N{FIGURE DASH}": "-",
    "\N{EN DASH}": "-",
    "\N{EM DASH}": "-",
    "\N{HORIZONTAL BAR}": "-",
    "\N{MINUS SIGN}": "-",
    "\N{LEFT SINGLE QUOTATION MARK}": "'",
    "\N{RIGHT SINGLE QUOTATION MARK}": "'",
    "\N{SINGLE LOW-9 QUOTATION MARK}": "'",
    "\N{SINGLE HIGH-REVERSED-9 QUOTATION MARK}": "'",
    "\N{LEFT DOUBLE QUOTATION MARK}": '"',
    "\N{RIGHT DOUBLE QUOTATION MARK}": '"',
    "\N{DOUBLE LOW-9 QUOTATION MARK}": '"',
    "\N{SINGLE LEFT-POINTING ANGLE QUOTATION MARK}": "<",
    "\N{SINGLE RIGHT-POINTING ANGLE QUOTATION MARK}": ">",
    "\N{LEFT-POINTING DOUBLE ANGLE QUOTATION MARK}": '"',
    "\N{RIGHT-POINTING DOUBLE ANGLE QUOTATION MARK}": '"',
    "\N{HORIZONTAL ELLIPSIS}": "...",
    "\N{POUND SIGN}": "GBP ",
    "\N{EURO SIGN}": "EUR ",
    "\N{LEFTWARDS ARROW}": "<-",
    "\N{RIGHTWARDS ARROW}": "->",
    "\N{LEFT RIGHT ARROW}": "<->",
    "\N{RIGHTWARDS DOUBLE ARROW}": "=>",
    "\N{LESS-THAN OR EQUAL TO}": "<=",
    "\N{GREATER-THAN OR EQUAL TO}": ">=",
    "\N{NOT EQUAL TO}": "!=",
    "\N{PLUS-MINUS SIGN}": "+/-",
    "\N{MULTIPLICATION SIGN}": "x",
    "\N{DIVISION SIGN}": "/",
    "\N{DEGREE SIGN}": " deg",
    "\N{VULGAR FRACTION ONE HALF}": "1/2",
    "\N{VULGAR FRACTION ONE QUARTER}": "1/4",
    "\N{VULGAR FRACTION THREE QUARTERS}": "3/4",
    "\N{COPYRIGHT SIGN}": "(c)",
    "\N{REGISTERED SIGN}": "(R)",
    "\N{TRADE MARK SIGN}": "(TM)",
    "\N{LATIN SMALL LETTER SHARP S}": "ss",
    "\N{LATIN SMALL LETTER AE}": "ae",
    "\N{LATIN CAPITAL LETTER AE}": "AE",
    "\N{LATIN SMALL LIGATURE OE}": "oe",
    "\N{LATIN CAPITAL LIGATURE OE}": "OE",
    "\N{LATIN SMALL LETTER O WITH STROKE}": "o",
    "\N{LATIN CAPITAL LETTER O WITH STROKE}": "O",
    "\N{LATIN SMALL LETTER L WITH STROKE}": "l",
    "\N{LATIN CAPITAL LETTER L WITH STROKE}": "L",
    "\N{LATIN SMALL LETTER ETH}": "d",
    "\N{LATIN CAPITAL LETTER ETH}": "D",
    "\N{LATIN SMALL LETTER THORN}": "th",
    "\N{LATIN CAPITAL LETTER THORN}": "Th",
    "\N{LATIN SMALL LETTER DOTLESS I}": "i",
    "\N{NO-BREAK SPACE}": " ",
    "\N{FIGURE SPACE}": " ",
    "\N{THIN SPACE}": " ",
    "\N{NARROW NO-BREAK SPACE}": " ",
    "\N{ZERO WIDTH SPACE}": "",
    "\N{ZERO WIDTH NO-BREAK SPACE}": "",
    "\N{REPLACEMENT CHARACTER}": "?",
}


def _is_surrogate(char: str) -> bool:
    return 0xD800 <= ord(char) <= 0xDFFF


def ascii_fallback(char: str) -> str:
    """CHAR in ASCII for someone reading: a known symbol's equivalent (:data:`ASCII_FALLBACK`);
    a box-drawing or block character as ``-``, ``|``, ``+`` or ``#``; a letter with accents
    without them (``é`` as ``e``, ``ŵ`` as ``w``); otherwise ``?``."""
    if char.isascii():
        return char
    import unicodedata  # (only when a character falls back: not at every start)

    known = ASCII_FALLBACK.get(char)
    if known is not None:
        return known
    if _is_surrogate(char):
        return "?"  # a byte of a file name that is not UTF-8
    code = ord(char)
    if 0x2500 <= code <= 0x257F:  # box drawing, should rich's own ASCII boxes be bypassed
        name = unicodedata.name(char, "")
        if "HORIZONTAL" in name and "VERTICAL" not in name:
            return "-"
        if "VERTICAL" in name and "HORIZONTAL" not in name:
            return "|"
        return "+"
    if 0x2580 <= code <= 0x259F:  # block elements (bars)
        return "#"
    # compatibility decomposition without the combining marks: é, ŵ, ŷ, ﬁ, ², fullwidth forms
    stripped = "".join(
        part
        for part in unicodedata.normalize("NFKD", char)
        if part.isascii() and part.isprintable()
    )
    return stripped or "?"


def _codec(encoding: str) -> str:
    """The codec's own name for ENCODING (``UTF8`` and ``utf_8`` are ``utf-8``)."""
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        return encoding.lower()


def _is_utf(encoding: str) -> bool:
    """Whether ENCODING can encode every character (UTF-8, -16, -32)."""
    return _codec(encoding).startswith("utf")


def _replace_unencodable(exc: UnicodeError) -> tuple[str | bytes, int]:
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    chars = exc.object[exc.start : exc.end]
    if _codec(exc.encoding) == "utf-8":
        # only a lone surrogate fails to encode in UTF-8 (whose encoder takes only ASCII text,
        # or bytes, from an error handler)
        return "\ufffd".encode() * len(chars), exc.end
    return "".join(ascii_fallback(char) for char in chars), exc.end


codecs.register_error(UNENCODABLE, _replace_unencodable)

#: The syntax of each machine output format, by the format's name (``--format``); text for
#: people is everything else.
FORMAT_SYNTAX: dict[str, str] = {
    "json": "json",
    "sarif": "json",
    "junit": "xml",
    "html": "xml",
    "csv": "csv",
}

#: A character beyond ASCII (a pattern string: compiled, and cached by re, at its first use).
_NON_ASCII = "[^\x00-\x7f]"


def _json_escape(found: re.Match[str]) -> str:
    char = found.group()
    if _is_surrogate(char):
        char = "\ufffd"  # as a UTF-8 run writes a byte of a file name that is not UTF-8
    code = ord(char)
    if code > 0xFFFF:  # a pair of surrogates, as JSON writes a character beyond the BMP
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def _character_reference(found: re.Match[str]) -> str:
    char = found.group()
    return f"&#{0xFFFD if _is_surrogate(char) else ord(char)};"


def fit(text: str, syntax: str, encoding: str | None) -> tuple[str, bool]:
    """TEXT as it is to be written to a stream in ENCODING (None: UTF-8): in a machine format
    (SYNTAX ``json`` or ``xml``) on an output that is not Unicode, with every character beyond
    ASCII escaped as the format allows (outside strings and text, JSON and the XML pcn-check
    writes are ASCII).  The flag: whether some of TEXT, in a machine format, will still be
    written only approximately (CSV in an encoding that lacks some of its characters)."""
    if encoding is None or text.isascii() or _is_utf(encoding):
        return text, False
    if syntax == "json":
        return re.sub(_NON_ASCII, _json_escape, text), False
    if syntax == "xml":
        return re.sub(_NON_ASCII, _character_reference, text), False
    if syntax == "text":
        return text, False
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return text, True
    except LookupError:
        return text, False
    return text, False
