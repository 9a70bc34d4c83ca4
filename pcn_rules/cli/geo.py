"""``pcn-check geo BOUNDARIES.geojson``: contiguous areas, gaps, overlaps and practice locations
from real boundaries (the optional ``geo`` extra: ``pip install 'pcn-rules[geo]'``).

Exit codes: 0 when no finding at warning severity or above fails (GEO-PRACTICE-LOCATION is
info: shown, never failing); 1 when one does (a network not contiguous, an overlap, a gap);
2 for a usage error, including an installation without the ``geo`` extra; 3 for an unreadable
boundaries, practices or submission file.
"""

# No `from __future__ import annotations` here: typer reads every command's annotations on each
# run, and string annotations would have to be evaluated.

import math
from pathlib import Path
from typing import Annotated

import typer

from pcn_rules.cli.app import (
    EXIT_NOT_COMPLIANT,
    Fail,
    emit,
    find_format,
)
from pcn_rules.cli.options import (
    format_option,
)
from pcn_rules.cli.output import refuse_inputs, write_file
from pcn_rules.errors import UsageError
from pcn_rules.render import GEO_FORMATS


def _measure(value: float, option: str) -> float:
    if not math.isfinite(value) or value < 0:
        raise UsageError(f"{option} must be a number 0 or more, got {value!r}")
    return value


def geo_command(
    boundaries: Annotated[
        Path,
        typer.Argument(
            metavar="BOUNDARIES.geojson",
            help="Network boundaries: a GeoJSON FeatureCollection of (Multi)Polygons in "
            "longitude/latitude, one feature (or more) per network.",
            show_default=False,
        ),
    ],
    practices: Annotated[
        Path | None,
        typer.Option(
            "--practices",
            metavar="CSV",
            help="A CSV of practices: code, network, latitude, longitude (name optional; "
            "Code/PCN/lat/long accepted).",
        ),
    ] = None,
    submissions: Annotated[
        list[Path] | None,
        typer.Option(
            "--submissions",
            metavar="PATH",
            help="Submission files or directories: a declared `contiguous: true` that the "
            "boundaries contradict is reported.",
        ),
    ] = None,
    tolerance: Annotated[
        float,
        typer.Option(
            "--tolerance",
            metavar="METRES",
            help="Metres: pieces of an area closer than this are joined, and a practice this "
            "close to its network's area is near it (published boundaries are simplified).",
        ),
    ] = 250.0,
    sliver: Annotated[
        float,
        typer.Option(
            "--sliver",
            metavar="KM2",
            help="km²: gaps and overlaps smaller than this are slivers from simplification, "
            "listed apart (0.05 km² = 5 hectares).",
        ),
    ] = 0.05,
    name_property: Annotated[
        str | None,
        typer.Option(
            "--name-property",
            metavar="NAME",
            help="The feature property with the network's name (default: the first of name, "
            "pcn_name, pcn, network, network_name).",
        ),
    ] = None,
    code_property: Annotated[
        str | None,
        typer.Option(
            "--code-property",
            metavar="NAME",
            help="The feature property with the network's ODS code (default: code, ods_code, "
            "pcn_code or pcn_ods_code, if present).",
        ),
    ] = None,
    output_format: Annotated[str, format_option(GEO_FORMATS)] = "text",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", metavar="FILE", help="Write to this file."),
    ] = None,
) -> None:
    """Check network boundaries: contiguous areas, gaps, overlaps and practice locations (needs
    the geo extra). Exit 1 when a warning fails.

    Examples:

    \b
      pcn-check geo boundaries.geojson
      pcn-check geo boundaries.geojson --practices practices.csv -f html -o geo.html
      pcn-check geo boundaries.geojson --submissions submissions/ --tolerance 500
    """
    from pcn_rules.geo import Settings, check_geo

    rendering = find_format(GEO_FORMATS, output_format)
    settings = Settings(_measure(tolerance, "--tolerance"), _measure(sliver, "--sliver"))
    if output is not None:
        refuse_inputs(output, [boundaries, practices, *(submissions or [])])
    report = check_geo(
        boundaries,
        practices=practices,
        submissions=submissions or [],
        settings=settings,
        name_property=name_property,
        code_property=code_property,
    )
    if output is None:
        emit(rendering, report, None)
    else:
        write_file(output, rendering.text(report))
    if not report.compliant:
        raise Fail(EXIT_NOT_COMPLIANT)
