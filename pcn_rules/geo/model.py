"""What ``pcn-check geo`` finds, as plain immutable data: the findings (rule ID, status,
severity, message, evidence, like the engine's), the networks' areas, the repairs made to invalid
geometries, the slivers set apart, and the shapes of the map (in metres on the British National
Grid, for the HTML page).  Nothing here needs shapely or pyproj."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pcn_rules import __version__
from pcn_rules.geo.shapes import GEO_VERSION, GeoJSONReport, GeoSummaryJSON
from pcn_rules.vocab import SEVERITY_RANK, UNSETTLED, Severity, Status, plural


@dataclass(frozen=True, slots=True)
class GeoRule:
    """A requirement of the catalogue that geography checks: its title, severity and source
    (``../shared/domain/requirements.md``)."""

    id: str
    title: str
    severity: Severity
    source: str


#: The catalogue's geography requirements, with its severities.
RULES: Mapping[str, GeoRule] = {
    rule.id: rule
    for rule in (
        GeoRule(
            "GEO-CONTIGUOUS",
            "The network area is geographically contiguous",
            "warning",
            "BMA (via Pulse, Feb 2019); BMA Law / Mills & Reeve (SEC+)",
        ),
        GeoRule(
            "GEO-OVERLAP",
            "No two networks' areas overlap",
            "warning",
            "Follows from 100% coverage with one network per area (NHS England FAQ) (SEC)",
        ),
        GeoRule(
            "GEO-GAP",
            "The networks' areas leave no land of the area uncovered",
            "warning",
            "NHS England FAQ: 100% population coverage (SEC)",
        ),
        GeoRule(
            "GEO-PRACTICE-LOCATION",
            "A member practice is located in or near its network's area",
            "info",
            "BMA: areas that make sense to members and the community (SEC)",
        ),
    )
}


def area_text(km2: float) -> str:
    """An area in words: "12.35 km²", or "2,053 m²" below a hundredth of a km²."""
    if km2 < 0.01:
        metres = round(km2 * 1_000_000)
        return f"{metres:,} m²" if metres else "under 1 m²"
    return f"{km2:,.2f} km²"


@dataclass(frozen=True, slots=True)
class Settings:
    """``tolerance_m``: pieces of an area closer than this (metres) are joined, and a practice
    this close to its area counts as near it; ``sliver_km2``: a gap or overlap smaller than this
    (km²) is a sliver, an artefact of simplified boundaries, listed apart."""

    tolerance_m: float = 250.0
    sliver_km2: float = 0.05


@dataclass(frozen=True, slots=True)
class GeoFinding:
    rule_id: str
    status: Status
    #: the network, the pair of networks ("A / B"), the practice or "the area"
    subject: str
    message: str
    evidence: Mapping[str, Any] = field(default_factory=dict)

    @property
    def rule(self) -> GeoRule:
        return RULES[self.rule_id]

    @property
    def severity(self) -> Severity:
        return self.rule.severity

    @property
    def failing(self) -> bool:
        """Unsettled at warning severity or above: it makes the command exit 1."""
        return self.status in UNSETTLED and SEVERITY_RANK[self.severity] <= SEVERITY_RANK["warning"]


@dataclass(frozen=True, slots=True)
class NetworkArea:
    name: str
    code: str | None
    #: the indexes of the features it was read from
    features: tuple[int, ...]
    area_km2: float
    #: polygons, and groups of them once pieces closer than the tolerance are joined
    polygons: int
    groups: int


@dataclass(frozen=True, slots=True)
class Repair:
    feature: int
    network: str
    problem: str
    area_km2: float


@dataclass(frozen=True, slots=True)
class Sliver:
    kind: Literal["gap", "overlap"]
    area_km2: float
    latitude: float
    longitude: float
    networks: tuple[str, ...] = ()


#: A polygon as rings of (x, y) in metres (British National Grid); the first ring is the outer.
Rings = tuple[tuple[tuple[float, float], ...], ...]


@dataclass(frozen=True, slots=True)
class MapShape:
    """Something drawn on the map: a network's area (``area``), a detached piece, a gap, an
    overlap, a sliver or a practice (a point: one ring of one point)."""

    kind: Literal["area", "piece", "gap", "overlap", "sliver", "practice"]
    label: str
    polygons: tuple[Rings, ...]
    failing: bool = False


@dataclass(frozen=True, slots=True)
class GeoReport:
    source: str
    settings: Settings
    networks: tuple[NetworkArea, ...]
    repairs: tuple[Repair, ...]
    findings: tuple[GeoFinding, ...]
    slivers: tuple[Sliver, ...]
    #: submissions naming a network the boundaries do not have (file, network)
    unmatched_submissions: tuple[tuple[str, str], ...] = ()
    map: tuple[MapShape, ...] = ()

    @property
    def compliant(self) -> bool:
        return not any(f.failing for f in self.findings)

    def count(self, rule_id: str, status: Status = "not_met") -> int:
        return sum(1 for f in self.findings if f.rule_id == rule_id and f.status == status)

    def summary(self) -> GeoSummaryJSON:
        return {
            "networks": len(self.networks),
            "not_contiguous": self.count("GEO-CONTIGUOUS"),
            "overlaps": self.count("GEO-OVERLAP"),
            "gaps": self.count("GEO-GAP"),
            "slivers": len(self.slivers),
            "practices_outside": self.count("GEO-PRACTICE-LOCATION"),
            "repairs": len(self.repairs),
        }

    def headline(self) -> str:
        s = self.summary()
        parts = [
            plural(s["networks"], "network"),
            f"{s['not_contiguous']} not contiguous",
            plural(s["overlaps"], "overlap"),
            f"{plural(s['gaps'], 'gap')} ({plural(s['slivers'], 'sliver')} set apart)",
        ]
        if any(f.rule_id == "GEO-PRACTICE-LOCATION" for f in self.findings):
            outside = plural(s["practices_outside"], "practice")
            whose = "its" if s["practices_outside"] == 1 else "their"
            parts.append(f"{outside} outside {whose} network's area")
        if s["repairs"]:
            kind = "geometry" if s["repairs"] == 1 else "geometries"
            parts.append(f"{s['repairs']} invalid {kind} repaired")
        return "; ".join(parts) + "."

    def to_dict(self) -> GeoJSONReport:
        return {
            "geo_version": GEO_VERSION,
            "tool": {"name": "pcn-rules", "version": __version__},
            "source": self.source,
            "settings": {
                "tolerance_m": self.settings.tolerance_m,
                "sliver_km2": self.settings.sliver_km2,
            },
            "verdict": "compliant" if self.compliant else "not_compliant",
            "summary": self.summary(),
            "networks": [
                {
                    "name": n.name,
                    "code": n.code,
                    "features": list(n.features),
                    "area_km2": n.area_km2,
                    "polygons": n.polygons,
                    "groups": n.groups,
                }
                for n in self.networks
            ],
            "repairs": [
                {
                    "feature": r.feature,
                    "network": r.network,
                    "problem": r.problem,
                    "area_km2": r.area_km2,
                }
                for r in self.repairs
            ],
            "findings": [
                {
                    "rule_id": f.rule_id,
                    "title": f.rule.title,
                    "status": f.status,
                    "severity": f.severity,
                    "subject": f.subject,
                    "message": f.message,
                    "evidence": dict(f.evidence),
                    "source": f.rule.source,
                }
                for f in self.findings
            ],
            "slivers": [
                {
                    "kind": s.kind,
                    "area_km2": s.area_km2,
                    "latitude": s.latitude,
                    "longitude": s.longitude,
                    "networks": list(s.networks),
                }
                for s in self.slivers
            ],
            "unmatched_submissions": [
                {"file": file, "network": name} for file, name in self.unmatched_submissions
            ],
        }
