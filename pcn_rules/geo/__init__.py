"""Geography from boundary files (``pcn-check geo``): contiguous areas, gaps, overlaps and
practice locations, computed with shapely and pyproj (the optional ``geo`` extra).

Every module here imports without the extra: shapely and pyproj are imported when geometry is
computed, through :func:`pcn_rules.geo.deps.require`, which says how to install them when they
are missing.
"""

from __future__ import annotations

from pcn_rules.geo.compute import check_geo
from pcn_rules.geo.deps import EXTRA_HINT, GeoExtraMissing
from pcn_rules.geo.model import GeoFinding, GeoReport, Settings

__all__ = ["EXTRA_HINT", "GeoExtraMissing", "GeoFinding", "GeoReport", "Settings", "check_geo"]
