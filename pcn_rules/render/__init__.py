"""Renderers for integrations: each turns reports into text (no printing).  Picked by name."""

from __future__ import annotations

from collections.abc import Callable

from ..report import Report
from .csv import render_csv
from .junit import render_junit
from .sarif import render_sarif

RENDERERS: dict[str, Callable[[list[Report]], str]] = {
    "junit": render_junit,
    "sarif": render_sarif,
    "csv": render_csv,
}

__all__ = ["RENDERERS", "render_csv", "render_junit", "render_sarif"]
