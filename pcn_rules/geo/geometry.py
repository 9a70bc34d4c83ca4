"""Geometry on the British National Grid (EPSG:27700, metres), with shapely and pyproj
imported when a :class:`Geo` is made: projection, repair of invalid geometries, overlays that
fall back to a fine grid when GEOS cannot compute them exactly, and outlines for the map."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from pcn_rules.errors import InputError
from pcn_rules.geo.deps import require
from pcn_rules.geo.model import Repair, Rings
from pcn_rules.geo.read import Boundary

KM2 = 1_000_000.0
#: The grid (metres) that overlay operations snap to when GEOS cannot compute them exactly.
_GRID = 0.01
#: How far (metres) the map's outlines are simplified: a pixel of the map is some 80 m.
_MAP_SIMPLIFY = 20.0


class Geo:
    """shapely and pyproj, with the two transformers (longitude/latitude ↔ BNG)."""

    def __init__(self) -> None:
        self.shapely, pyproj = require()
        import shapely.validation

        self.validation = shapely.validation
        self.to_bng = pyproj.Transformer.from_crs("OGC:CRS84", "EPSG:27700", always_xy=True)
        self.to_lonlat = pyproj.Transformer.from_crs("EPSG:27700", "OGC:CRS84", always_xy=True)
        #: each network's area, by name; its name by code (set once the boundaries are read)
        self.areas: dict[str, Any] = {}
        self.codes: dict[str, str] = {}
        self._folded: dict[str, str] = {}

    def set_areas(self, areas: dict[str, Any], codes: dict[str, str]) -> None:
        self.areas = areas
        self.codes = codes
        self._folded = {_fold(name): name for name in areas}
        self._folded.update({_fold(code): name for code, name in codes.items()})

    def find(self, name_or_code: str) -> str | None:
        """The network a practices file or a submission means by NAME_OR_CODE: its name or
        code as the boundaries give it (case and spacing ignored); None if none."""
        return self._folded.get(_fold(name_or_code))

    def project(self, geometry: Any) -> Any:
        return self.shapely.transform(geometry, self._forward)

    def _forward(self, coords: Any) -> Any:
        import numpy

        x, y = self.to_bng.transform(coords[:, 0], coords[:, 1])
        return numpy.column_stack([x, y])

    def lonlat(self, geometry: Any) -> tuple[float, float]:
        """Latitude and longitude (5 decimals, about a metre) of a point inside GEOMETRY."""
        point = geometry.representative_point()
        lon, lat = self.to_lonlat.transform(point.x, point.y)
        return round(float(lat), 5), round(float(lon), 5)

    def polygons(self, geometry: Any) -> list[Any]:
        """The non-empty polygons of GEOMETRY (of any type)."""
        if geometry.is_empty:
            return []
        if geometry.geom_type == "Polygon":
            return [geometry]
        if hasattr(geometry, "geoms"):
            return [p for part in geometry.geoms for p in self.polygons(part)]
        return []

    def overlay(self, name: str, a: Any, b: Any) -> Any:
        """``a.NAME(b)``, retried on a fine grid if GEOS cannot compute it exactly."""
        try:
            return getattr(self.shapely, name)(a, b)
        except self.shapely.errors.GEOSException:
            return getattr(self.shapely, name)(a, b, grid_size=_GRID)

    def union(self, geometries: Sequence[Any]) -> Any:
        try:
            return self.shapely.union_all(geometries)
        except self.shapely.errors.GEOSException:
            return self.shapely.union_all(geometries, grid_size=_GRID)


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def km2(area: float) -> float:
    return round(area / KM2, 6)


def rings(geo: Geo, geometry: Any, simplify: float = _MAP_SIMPLIFY) -> tuple[Rings, ...]:
    simple = geometry.simplify(simplify) if simplify else geometry
    out: list[Rings] = []
    for polygon in geo.polygons(simple) or geo.polygons(geometry):
        rings = [polygon.exterior, *polygon.interiors]
        out.append(
            tuple(tuple((round(x, 1), round(y, 1)) for x, y in ring.coords) for ring in rings)
        )
    return tuple(out)


def to_shape(geo: Geo, boundary: Boundary, source: str) -> tuple[Any, Repair | None]:
    """The boundary's geometry on the BNG, repaired if invalid (as given, in longitude and
    latitude); an InputError naming the feature for coordinates that make no polygon."""
    where = f"features[{boundary.feature}].geometry"

    def refuse(message: str) -> InputError:
        return InputError(source, [(where, message)], kind="boundaries file")

    try:
        shape = geo.shapely.geometry.shape(boundary.geometry)
        _check_lonlat(shape, source, where)
    except InputError:
        raise
    except Exception as exc:  # shapely says why in its own exception types
        kind = boundary.geometry.get("type")
        raise refuse(f"not a valid {kind} ({type(exc).__name__}: {exc})") from None
    if shape.is_empty:
        raise refuse("the geometry is empty")
    problem = None
    if not shape.is_valid:
        problem = geo.validation.explain_validity(shape)
        shape = geo.shapely.MultiPolygon(geo.polygons(geo.shapely.make_valid(shape)))
        if shape.is_empty:
            raise refuse(f"the polygon encloses no area ({problem})")
    projected = geo.project(shape)
    if not all(math.isfinite(value) for value in projected.bounds):
        raise refuse("coordinates beyond the British National Grid's reach (not in Great Britain)")
    if not projected.is_valid:  # made invalid by the projection's rounding
        problem = problem or f"after projection: {geo.validation.explain_validity(projected)}"
        projected = geo.shapely.MultiPolygon(geo.polygons(geo.shapely.make_valid(projected)))
    if problem is None:
        return projected, None
    return projected, Repair(boundary.feature, boundary.name, problem, km2(projected.area))


def _check_lonlat(shape: Any, source: str, where: str) -> None:
    minx, miny, maxx, maxy = shape.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise InputError(
            source,
            [(where, "coordinates are not longitude and latitude (out of range)")],
            kind="boundaries file",
        )
