"""Contiguity of one network's area given in its submission (``network.area.boundary``), for
GEO-CONTIGUOUS in ``pcn-check``: the same computation as ``pcn-check geo`` (pieces more than the
default 250 m apart are detached), without printing.  Needs the ``geo`` extra."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pcn_rules.geo.model import Settings


def boundary_split(geometry: Mapping[str, Any], name: str) -> tuple[int, str]:
    """How many pieces the area of GEOMETRY (GeoJSON, longitude/latitude) is in, and, for more
    than one, what they are in words ("a main piece of 19.56 km² and 2 detached (0.71 km² at
    1,596 m; ...)").  Raises :class:`~pcn_rules.geo.deps.GeoExtraMissing` without the extra and
    :class:`~pcn_rules.errors.InputError` for a geometry that makes no area."""
    from pcn_rules.geo.findings import contiguity
    from pcn_rules.geo.geometry import Geo, to_shape
    from pcn_rules.geo.model import area_text
    from pcn_rules.geo.read import Boundary

    geo = Geo()
    shape, _repair = to_shape(geo, Boundary(0, name, None, geometry), "network.area.boundary")
    finding, _polygons, pieces, _shapes = contiguity(geo, name, shape, Settings(), [])
    if pieces == 1:
        return 1, ""
    evidence = finding.evidence
    detached = "; ".join(
        f"{area_text(p['area_km2'])} at {p['distance_m']:,} m" for p in evidence["detached_pieces"]
    )
    main = area_text(float(evidence["main_piece_km2"]))
    return pieces, f"a main piece of {main} and {pieces - 1} detached ({detached})"
