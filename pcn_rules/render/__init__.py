"""The output formats of ``pcn-check`` (:data:`CHECK_FORMATS`), ``pcn-check audit``
(:data:`AUDIT_FORMATS`) and ``pcn-check geo`` (:data:`GEO_FORMATS`), in one registry: each
format's name and how it renders.

A format gives the whole output as text (for a file or a pipe); one that draws with rich (``text``)
can also draw on a console, in colour on a terminal.  Renderers return text or draw on the
console they are given; only the CLI prints.  A format's module is imported when the format is
used, so that ``pcn-check FILE`` loads only what it prints with.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:  # only for annotations
    from rich.console import Console

    from pcn_rules.audits import AuditReport
    from pcn_rules.geo.model import GeoReport
    from pcn_rules.report import Report
    from pcn_rules.report.baseline import BaselineDiff

T = TypeVar("T")

#: The width of text drawn for a file (on a terminal, the terminal's width).
FILE_WIDTH = 100


@dataclass(frozen=True, slots=True)
class Checked:
    """What ``pcn-check FILE...`` renders: the reports, in order; the comparison with an earlier
    report (``--baseline``); whether each condition was recorded (``--explain``)."""

    reports: Sequence[Report]
    baseline: BaselineDiff | None = None
    explain: bool = False


@dataclass(frozen=True, slots=True)
class Format(Generic[T]):
    """One output format: ``text`` renders the whole output as a string; ``draw``, for a format
    drawn with rich, draws it on a console instead; ``baseline``: whether it shows the
    comparison with a baseline (``--baseline``)."""

    name: str
    text: Callable[[T], str]
    draw: Callable[[T, Console], None] | None = None
    baseline: bool = False
    #: for a binary format (xlsx): the whole output as bytes (``text`` then refuses)
    binary: Callable[[T], bytes] | None = None
    #: the module a format needs from an optional extra, and the extra: ("xlsxwriter", "xlsx")
    extra: tuple[str, str] | None = None


def plain(draw: Callable[[T, Console], None]) -> Callable[[T], str]:
    """What DRAW draws, as a string: without colour, at :data:`FILE_WIDTH` columns."""

    def text(item: T) -> str:
        return drawn_text(draw, item, FILE_WIDTH)

    return text


def drawn_text(draw: Callable[[T, Console], None], item: T, width: int) -> str:
    """What DRAW draws of ITEM at WIDTH columns, as plain text: no colour, and no line ending in
    spaces (rich pads panels and tables to their width; a file or a pipe needs none of it)."""
    from rich.console import Console

    buffer = io.StringIO()
    draw(item, Console(file=buffer, width=width, no_color=True, highlight=False))
    return "\n".join(line.rstrip() for line in buffer.getvalue().split("\n"))


def _binary_only(item: object) -> str:
    raise TypeError("a binary format has no text: use Format.binary")


def _by_name(*formats: Format[T]) -> Mapping[str, Format[T]]:
    return {f.name: f for f in formats}


def _draw_check(checked: Checked, console: Console) -> None:
    from pcn_rules.render.text import render_checked

    render_checked(checked, console)


def _check_json(checked: Checked) -> str:
    from pcn_rules.render.json import render_json

    return render_json(checked.reports, checked.baseline)


def _check_junit(checked: Checked) -> str:
    from pcn_rules.render.junit import render_junit

    return render_junit(list(checked.reports))


def _check_sarif(checked: Checked) -> str:
    from pcn_rules.render.sarif import render_sarif

    return render_sarif(list(checked.reports))


def _check_csv(checked: Checked) -> str:
    from pcn_rules.render.csv import render_csv

    return render_csv(list(checked.reports))


def _draw_audit(report: AuditReport, console: Console) -> None:
    from pcn_rules.render.text_audit import render_audit

    render_audit(report, console)


def _audit_json(report: AuditReport) -> str:
    from pcn_rules.render.json import render_audit_json

    return render_audit_json(report, detail="summary")


def _audit_csv(report: AuditReport) -> str:
    from pcn_rules.render.csv import render_audit_csv

    return render_audit_csv(report)


def _audit_html(report: AuditReport) -> str:
    from pcn_rules.render.html import render_audit_html

    return render_audit_html(report)


def _geo_text(report: GeoReport) -> str:
    from pcn_rules.render.geo import render_geo_text

    return render_geo_text(report)


def _geo_json(report: GeoReport) -> str:
    from pcn_rules.render.geo import render_geo_json

    return render_geo_json(report)


def _geo_html(report: GeoReport) -> str:
    from pcn_rules.render.geo_html import render_geo_html

    return render_geo_html(report)


def _audit_xlsx(report: AuditReport) -> bytes:
    from pcn_rules.render.xlsx import render_audit_xlsx

    return render_audit_xlsx(report)


def _check_xlsx(checked: Checked) -> bytes:
    from pcn_rules.render.xlsx import render_check_xlsx

    return render_check_xlsx(list(checked.reports))


_XLSX = ("xlsxwriter", "xlsx")

#: ``pcn-check FILE... --format NAME``.
CHECK_FORMATS: Mapping[str, Format[Checked]] = _by_name(
    Format("text", plain(_draw_check), _draw_check, baseline=True),
    Format("json", _check_json, baseline=True),
    Format("junit", _check_junit),
    Format("sarif", _check_sarif),
    Format("csv", _check_csv),
    Format("xlsx", _binary_only, binary=_check_xlsx, extra=_XLSX),
)
#: ``pcn-check audit ... --format NAME``.
AUDIT_FORMATS: Mapping[str, Format[AuditReport]] = _by_name(
    Format("text", plain(_draw_audit), _draw_audit),
    Format("json", _audit_json),
    Format("csv", _audit_csv),
    Format("html", _audit_html),
    Format("xlsx", _binary_only, binary=_audit_xlsx, extra=_XLSX),
)

#: ``pcn-check geo ... --format NAME``.
GEO_FORMATS: Mapping[str, Format[GeoReport]] = _by_name(
    Format("text", _geo_text),
    Format("json", _geo_json),
    Format("html", _geo_html),
)

__all__ = [
    "AUDIT_FORMATS",
    "CHECK_FORMATS",
    "FILE_WIDTH",
    "GEO_FORMATS",
    "Checked",
    "Format",
    "plain",
]
