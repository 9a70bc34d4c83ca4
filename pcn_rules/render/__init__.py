"""Renderers for integrations: each turns reports into text (no printing).  Picked by name."""

from __future__ import annotations

from collections.abc import Callable

from pcn_rules.render.csv import render_csv
from pcn_rules.render.junit import render_junit
from pcn_rules.render.sarif import render_sarif
from pcn_rules.report.model import Report

RENDERERS: dict[str, Callable[[list[Report]], str]] = {
    "junit": render_junit,
    "sarif": render_sarif,
    "csv": render_csv,
}

__all__ = ["RENDERERS", "render_csv", "render_junit", "render_sarif"]
