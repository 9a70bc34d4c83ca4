"""Text from submissions, file names and packs, made safe to show: on a terminal, no control
character reaches it (an escape sequence in a network name could clear the screen or rewrite
lines of a report), and no text is read as rich markup; in XML, no character XML forbids.

:func:`one_line` is for a value shown within a line (a name, a message, a file name);
:func:`literal` guards everything a renderer draws on a console, whatever it is.
"""

from __future__ import annotations

import functools
import re
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from rich.console import Console, RenderHook
from rich.segment import Segment

if TYPE_CHECKING:  # only for annotations
    from rich.console import (
        ConsoleOptions,
        ConsoleRenderable,
        RenderableType,
        RenderResult,
    )
    from rich.text import Text

#: C0 controls but newline, DEL, C1 controls, the line and paragraph separators, and the
#: bidirectional embeddings, overrides and isolates (which reorder what a line appears to say).
CONTROLS = "\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_CONTROL = re.compile(f"[{CONTROLS}]")
#: A run of control characters, newline included.
_BREAK = re.compile(f"[{CONTROLS}\n]+")
#: What XML 1.0 does not allow in a document (not even as a character reference), C1, and the
#: separators and bidirectional controls of :data:`CONTROLS` (JUnit is often read in a log).
_NOT_XML = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
    "|[\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
#: Control characters but tab, newline and carriage return (which a CSV cell or an HTML page
#: may hold), DEL and C1.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

#: What ``json.dumps(..., ensure_ascii=False)`` leaves raw that a terminal or a JavaScript
#: reader may act on: DEL, C1, the line and paragraph separators and the bidirectional controls.
_JSON_RAW = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")

P = ParamSpec("P")
R = TypeVar("R")


def strip_controls(text: str) -> str:
    """TEXT without control characters (newlines kept)."""
    return _CONTROL.sub("", text)


def one_line(text: str) -> str:
    """TEXT on one line: each run of line breaks, tabs and other control characters becomes one
    space (a name or a message from a submission must not start a line of its own)."""
    return _BREAK.sub(" ", text)


def visible(text: str) -> str:
    """TEXT with each control character but tab, newline and carriage return replaced by
    U+FFFD (for a CSV cell or an HTML page: shown, so that it is seen, never acted on)."""
    return _UNPRINTABLE.sub("\ufffd", text)


def json_escaped(text: str) -> str:
    """JSON text (from ``json.dumps``) with DEL, C1 controls, the line and paragraph
    separators and the bidirectional controls written as ``\\uXXXX`` escapes: the same data,
    and no raw control character in the output (these can only occur inside JSON strings,
    where the escape is valid)."""
    return _JSON_RAW.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


def xml_text(text: str) -> str:
    """TEXT with each character XML 1.0 forbids (and each other control character of
    :data:`CONTROLS`) replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


class _Literal:
    """A renderable drawn as another is, without a control character in its text."""

    __slots__ = ("inner",)

    def __init__(self, inner: RenderableType) -> None:
        self.inner = inner

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for segment in console.render(self.inner, options):
            if segment.control or not _CONTROL.search(segment.text):
                yield segment
            else:
                # a control character takes no cell: removing it keeps every line's width
                yield Segment(_CONTROL.sub("", segment.text), segment.style)


class _LiteralHook(RenderHook):
    """A rich render hook: every renderable printed is drawn through :class:`_Literal`."""

    def process_renderables(self, renderables: list[ConsoleRenderable]) -> list[ConsoleRenderable]:
        return [_Literal(r) for r in renderables]


#: The consoles :func:`literal` guards at the moment (a renderer may call another).
_GUARDED: weakref.WeakSet[Console] = weakref.WeakSet()


@contextmanager
def literal(console: Console) -> Iterator[Console]:
    """While in the block, what is printed on CONSOLE reaches it without control characters
    (the styles rich adds itself are kept)."""
    if console in _GUARDED:
        yield console
        return
    console.push_render_hook(_LiteralHook())
    _GUARDED.add(console)
    try:
        yield console
    finally:
        _GUARDED.discard(console)
        console.pop_render_hook()


def drawn_literally(draw: Callable[P, R]) -> Callable[P, R]:
    """A renderer whose drawing on the console it is given (its first argument that is a
    :class:`~rich.console.Console`) is guarded by :func:`literal`."""

    @functools.wraps(draw)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
        console = next((a for a in (*args, *kwargs.values()) if isinstance(a, Console)), None)
        if console is None:
            return draw(*args, **kwargs)
        with literal(console):
            return draw(*args, **kwargs)

    return guarded


def print_phrases(console: Console, phrases: list[Text], indent: int = 2) -> None:
    """PHRASES on as few lines as the console's width allows, never breaking one of them across
    lines where it fits on a line of its own ("(28 days ago)" stays whole); lines after the first
    are indented by INDENT."""
    from rich.text import Text

    line, started = Text(), False
    for phrase in phrases:
        if started and line.cell_len + 1 + phrase.cell_len > console.width:
            console.print(line)
            line, started = Text(" " * indent), False
        elif started:
            line.append(" ")
        line.append_text(phrase)
        started = True
    if started:
        console.print(line)
