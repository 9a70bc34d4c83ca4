"""The findings of GEO-CONTIGUOUS, GEO-OVERLAP, GEO-GAP and GEO-PRACTICE-LOCATION, from the
networks' areas on the British National Grid (see :mod:`pcn_rules.geo.compute`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pcn_rules.errors import InputError
from pcn_rules.geo.geometry import KM2, Geo, km2, rings
from pcn_rules.geo.model import GeoFinding, MapShape, Settings, Sliver, area_text
from pcn_rules.geo.read import Declared, PracticeLocation
from pcn_rules.vocab import Status


def _groups(geo: Geo, parts: list[Any], tolerance: float) -> list[list[int]]:
    """Indexes of PARTS, grouped: parts closer than TOLERANCE (directly or through others)."""
    parent = list(range(len(parts)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    tree = geo.shapely.STRtree(parts)
    left, right = tree.query(parts, predicate="dwithin", distance=tolerance)
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        parent[root(i)] = root(j)
    grouped: dict[int, list[int]] = {}
    for i in range(len(parts)):
        grouped.setdefault(root(i), []).append(i)
    return list(grouped.values())


def contiguity(
    geo: Geo, name: str, area: Any, settings: Settings, declared: Sequence[Declared]
) -> tuple[GeoFinding, int, int, list[MapShape]]:
    parts = geo.polygons(area)
    groups = [
        geo.union([parts[i] for i in group]) for group in _groups(geo, parts, settings.tolerance_m)
    ]
    groups.sort(key=lambda g: -g.area)
    main, detached = groups[0], groups[1:]
    pieces = []
    shapes = []
    for number, piece in enumerate(detached, start=1):
        lat, lon = geo.lonlat(piece)
        distance = round(piece.distance(main))
        pieces.append(
            {"area_km2": km2(piece.area), "distance_m": distance, "latitude": lat, "longitude": lon}
        )
        label = (
            f"{name}: detached piece {number}, {area_text(km2(piece.area))}, {distance:,} m away"
        )
        shapes.append(MapShape("piece", label, rings(geo, piece, 0), failing=True))
    evidence: dict[str, Any] = {
        "polygons": len(parts),
        "pieces": len(groups),
        "main_piece_km2": km2(main.area),
        "detached_pieces": pieces,
        "tolerance_m": settings.tolerance_m,
    }
    said = [d for d in declared if d.contiguous is not None]
    if said:
        evidence["declared"] = [{"file": d.file, "contiguous": d.contiguous} for d in said]
    contradicted = [d.file for d in said if d.contiguous and detached]
    if not detached:
        message = (
            f"The area is one piece ({len(parts)} polygons, none more than "
            f"{settings.tolerance_m:g} m from the rest)."
        )
        if any(d.contiguous is False for d in said):
            message += " Its submission declares it not contiguous."
        return GeoFinding("GEO-CONTIGUOUS", "met", name, message, evidence), len(parts), 1, shapes
    listed = "; ".join(f"{area_text(p['area_km2'])} at {p['distance_m']:,} m" for p in pieces[:10])
    message = (
        f"The area is in {len(groups)} pieces more than {settings.tolerance_m:g} m apart: "
        f"a main piece of {area_text(km2(main.area))} and {len(detached)} detached ({listed})."
    )
    if contradicted:
        message += f" This contradicts `contiguous: true` in {', '.join(contradicted)}."
        evidence["contradicts"] = contradicted
    finding = GeoFinding("GEO-CONTIGUOUS", "not_met", name, message, evidence)
    return finding, len(parts), len(groups), shapes


def overlaps(
    geo: Geo, names: list[str], areas: list[Any], settings: Settings
) -> tuple[list[GeoFinding], list[Sliver], list[MapShape]]:
    findings: list[GeoFinding] = []
    slivers: list[Sliver] = []
    shapes: list[MapShape] = []
    tree = geo.shapely.STRtree(areas)
    left, right = tree.query(areas, predicate="intersects")
    for i, j in sorted(
        {
            (min(a, b), max(a, b))
            for a, b in zip(left.tolist(), right.tolist(), strict=True)
            if a != b
        }
    ):
        shared = geo.overlay("intersection", areas[i], areas[j])
        polygons = geo.polygons(shared)
        if not polygons:
            continue  # they touch along a line or at a point
        overlap = geo.shapely.MultiPolygon(polygons)
        lat, lon = geo.lonlat(overlap)
        size = km2(overlap.area)
        pair = (names[i], names[j])
        if overlap.area < settings.sliver_km2 * KM2:
            if overlap.area > 0:
                slivers.append(Sliver("overlap", size, lat, lon, pair))
                label = f"sliver overlap: {area_text(size)}, {names[i]} / {names[j]}"
                shapes.append(MapShape("sliver", label, rings(geo, overlap, 0)))
            continue
        subject = f"{names[i]} / {names[j]}"
        findings.append(
            GeoFinding(
                "GEO-OVERLAP",
                "not_met",
                subject,
                f"{names[i]} and {names[j]} overlap by {area_text(size)} (around {lat:.4f}, "
                f"{lon:.4f}).",
                {"networks": list(pair), "area_km2": size, "latitude": lat, "longitude": lon},
            )
        )
        shapes.append(
            MapShape(
                "overlap", f"overlap {subject}: {area_text(size)}", rings(geo, overlap, 0), True
            )
        )
    if not findings:
        findings.append(
            GeoFinding(
                "GEO-OVERLAP",
                "met",
                "the area",
                f"No two networks overlap by {settings.sliver_km2:g} km² or more.",
                {"sliver_km2": settings.sliver_km2, "slivers": len(slivers)},
            )
        )
    return findings, slivers, shapes


def gaps(
    geo: Geo, union: Any, settings: Settings
) -> tuple[list[GeoFinding], list[Sliver], list[MapShape]]:
    holes = [
        geo.shapely.make_valid(geo.shapely.Polygon(ring))
        for polygon in geo.polygons(union)
        for ring in polygon.interiors
    ]
    uncovered = geo.overlay("difference", geo.union(holes), union) if holes else None
    findings: list[GeoFinding] = []
    slivers: list[Sliver] = []
    shapes: list[MapShape] = []
    gaps = sorted(geo.polygons(uncovered) if uncovered is not None else [], key=lambda g: -g.area)
    for gap in gaps:
        lat, lon = geo.lonlat(gap)
        size = km2(gap.area)
        if gap.area < settings.sliver_km2 * KM2:
            slivers.append(Sliver("gap", size, lat, lon))
            shapes.append(MapShape("sliver", f"sliver gap: {area_text(size)}", rings(geo, gap, 0)))
            continue
        bordering = sorted(
            name for name, area in geo.areas.items() if area.distance(gap) <= settings.tolerance_m
        )
        findings.append(
            GeoFinding(
                "GEO-GAP",
                "not_met",
                f"gap at {lat:.4f}, {lon:.4f}",
                f"{area_text(size)} around {lat:.4f}, {lon:.4f} is inside the area but in no "
                f"network (bordered by {', '.join(bordering) or 'no network'}).",
                {"area_km2": size, "latitude": lat, "longitude": lon, "bordering": bordering},
            )
        )
        shapes.append(MapShape("gap", f"gap: {area_text(size)}", rings(geo, gap, 0), True))
    if not findings:
        findings.append(
            GeoFinding(
                "GEO-GAP",
                "met",
                "the area",
                f"No land inside the area's outer boundary is left uncovered, but for "
                f"{len(slivers)} slivers under {settings.sliver_km2:g} km².",
                {"sliver_km2": settings.sliver_km2, "slivers": len(slivers)},
            )
        )
    return findings, slivers, shapes


def practices_located(
    geo: Geo,
    practices: Sequence[PracticeLocation],
    settings: Settings,
    source: str,
) -> tuple[list[GeoFinding], list[MapShape]]:
    findings: list[GeoFinding] = []
    shapes: list[MapShape] = []
    problems = [
        (f"line {p.line}", f"network {p.network!r} is not in the boundaries file")
        for p in practices
        if geo.find(p.network) is None
    ]
    if problems:
        raise InputError(source, problems, kind="practices file")
    for p in practices:
        own = geo.find(p.network)
        assert own is not None
        x, y = geo.to_bng.transform(p.longitude, p.latitude)
        point = geo.shapely.Point(x, y)
        area = geo.areas[own]
        subject = f"{p.code} {p.name}" if p.name != p.code else p.code
        inside = [name for name, other in geo.areas.items() if other.covers(point)]
        evidence: dict[str, Any] = {
            "practice": p.code,
            "network": own,
            "latitude": p.latitude,
            "longitude": p.longitude,
            "in_networks": inside,
        }
        if area.covers(point):
            shapes.append(MapShape("practice", f"{subject} (in {own})", ((((x, y),),),)))
            findings.append(
                GeoFinding("GEO-PRACTICE-LOCATION", "met", subject, f"Inside {own}.", evidence)
            )
            continue
        distance = round(area.distance(point))
        evidence["distance_m"] = distance
        sits = ", ".join(inside) if inside else "no network's area"
        where = (
            f"{distance:,} m outside {own}, in {sits}"
            if distance
            else f"on the edge of {own} (under 1 m outside), in {sits}"
        )
        near = distance <= settings.tolerance_m
        status: Status = "met" if near else "not_met"
        message = (
            f"Near its network's area: {where} (within the {settings.tolerance_m:g} m tolerance)."
            if near
            else f"Located {where}."
        )
        shapes.append(MapShape("practice", f"{subject}: {where}", ((((x, y),),),), not near))
        findings.append(GeoFinding("GEO-PRACTICE-LOCATION", status, subject, message, evidence))
    return findings, shapes
