"""The geography itself: boundaries projected to the British National Grid (EPSG:27700, metres)
and the findings of GEO-CONTIGUOUS, GEO-OVERLAP, GEO-GAP and GEO-PRACTICE-LOCATION.

- An invalid geometry (a self-intersecting ring) is repaired with shapely's ``make_valid``
  (its polygonal part kept) and the repair is recorded.
- A network's pieces are its polygons; pieces closer than the tolerance are joined (they touch
  once published boundaries' simplification is allowed for).  The largest group is the main
  piece; every other group is a detached piece, with its area and its distance to the main one.
- *The area* is the union of every network's area with its holes filled: the land inside its
  outer boundary.  A hole is land no network covers (a gap); the sea and land beyond the outer
  boundary are not.  A gap or an overlap smaller than the sliver size is a likely artefact of
  simplification, listed apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from pcn_rules.errors import UsageError
from pcn_rules.geo.findings import contiguity, gaps, overlaps, practices_located
from pcn_rules.geo.geometry import Geo, km2, rings, to_shape
from pcn_rules.geo.model import GeoFinding, GeoReport, MapShape, NetworkArea, Repair, Settings
from pcn_rules.geo.read import Declared, read_boundaries, read_declared, read_practices


def _match(
    declared: Iterable[Declared], geo: Geo
) -> tuple[dict[str, list[Declared]], list[tuple[str, str]]]:
    by_network: dict[str, list[Declared]] = {}
    unmatched: list[tuple[str, str]] = []
    for d in declared:
        found = (geo.find(d.code) if d.code else None) or geo.find(d.network)
        if found is None:
            unmatched.append((d.file, d.network))
        else:
            by_network.setdefault(found, []).append(d)
    return by_network, unmatched


def check_geo(
    boundaries: Path,
    *,
    practices: Path | None = None,
    submissions: Sequence[Path] = (),
    settings: Settings | None = None,
    name_property: str | None = None,
    code_property: str | None = None,
) -> GeoReport:
    """The geography of the networks whose boundaries are in the GeoJSON file BOUNDARIES; with
    the practices' locations (a CSV) and the submissions' declared contiguity, if given."""
    settings = settings or Settings()
    if settings.tolerance_m < 0 or settings.sliver_km2 < 0:
        raise UsageError("the tolerance and the sliver size must be 0 or more")
    geo = Geo()
    source = str(boundaries)
    read = read_boundaries(boundaries, name_property, code_property)
    located = read_practices(practices) if practices is not None else []
    declared = read_declared(submissions) if submissions else []
    repairs: list[Repair] = []
    features: dict[str, list[int]] = {}
    codes: dict[str, str | None] = {}
    parts: dict[str, list[Any]] = {}
    for boundary in read:
        shape, repair = to_shape(geo, boundary, source)
        if repair is not None:
            repairs.append(repair)
        features.setdefault(boundary.name, []).append(boundary.feature)
        codes.setdefault(boundary.name, boundary.code)
        parts.setdefault(boundary.name, []).append(shape)
    geo.set_areas(
        {name: geo.union(shapes) for name, shapes in parts.items()},
        {code: name for name, code in codes.items() if code},
    )
    claims, unmatched = _match(declared, geo)
    findings: list[GeoFinding] = []
    networks: list[NetworkArea] = []
    marks: list[MapShape] = []
    for name, area in geo.areas.items():
        finding, polygons, groups, shapes = contiguity(
            geo, name, area, settings, claims.get(name, [])
        )
        findings.append(finding)
        marks.extend(shapes)
        networks.append(
            NetworkArea(name, codes[name], tuple(features[name]), km2(area.area), polygons, groups)
        )
    names = list(geo.areas)
    overlapping, overlap_slivers, shapes = overlaps(geo, names, list(geo.areas.values()), settings)
    findings.extend(overlapping)
    marks.extend(shapes)
    uncovered, gap_slivers, shapes = gaps(geo, geo.union(list(geo.areas.values())), settings)
    findings.extend(uncovered)
    marks.extend(shapes)
    if located:
        found, shapes = practices_located(geo, located, settings, str(practices))
        findings.extend(found)
        marks.extend(shapes)
    failing = {f.subject for f in findings if f.rule_id == "GEO-CONTIGUOUS" and f.failing}
    areas = [
        MapShape("area", name, rings(geo, area), name in failing)
        for name, area in geo.areas.items()
    ]
    return GeoReport(
        source,
        settings,
        tuple(networks),
        tuple(repairs),
        tuple(findings),
        (*gap_slivers, *overlap_slivers),
        tuple(unmatched),
        (*areas, *marks),
    )
