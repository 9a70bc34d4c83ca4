"""``pcn-check geo`` as text and as JSON: the headline, the repairs, the findings that are not
met (each with its evidence), the slivers set apart, and the networks' areas."""

from __future__ import annotations

import json

from pcn_rules.geo.model import GeoFinding, GeoReport, area_text
from pcn_rules.render.safe import json_escaped, one_line
from pcn_rules.vocab import plural

_SYMBOL = {"met": "ok  ", "not_met": "FAIL", "error": "ERR "}


def _line(f: GeoFinding) -> str:
    mark = _SYMBOL.get(f.status, f.status)
    return one_line(f"  {mark} {f.rule_id} [{f.severity}] {f.subject}: {f.message}")


def render_geo_text(report: GeoReport) -> str:
    s = report.settings
    verdict = "no failing finding" if report.compliant else "NOT CLEAR"
    lines = [
        one_line(f"Geography of {report.source}: {verdict}"),
        one_line(report.headline()),
        f"Tolerance {s.tolerance_m:g} m (closer pieces are joined); slivers under "
        f"{s.sliver_km2:g} km² are set apart.",
        "",
    ]
    if report.repairs:
        lines.append("Invalid geometries repaired (shapely make_valid):")
        lines.extend(
            one_line(
                f"  features[{r.feature}] {r.network}: {r.problem}; repaired area "
                f"{area_text(r.area_km2)}"
            )
            for r in report.repairs
        )
        lines.append("")
    rules = ("GEO-CONTIGUOUS", "GEO-OVERLAP", "GEO-GAP", "GEO-PRACTICE-LOCATION")
    for rule in rules:
        found = [f for f in report.findings if f.rule_id == rule]
        if not found:
            continue
        failing = [f for f in found if f.status != "met"]
        lines.append(f"{rule} ({found[0].rule.title}): {len(failing)} of {len(found)} not met")
        lines.extend(_line(f) for f in failing)
        if rule == "GEO-PRACTICE-LOCATION":
            near = [f for f in found if f.status == "met" and "distance_m" in f.evidence]
            lines.extend(_line(f) for f in near)
        lines.append("")
    if report.slivers:
        lines.append("Slivers (likely artefacts of simplified boundaries; not gaps or overlaps):")
        for sliver in report.slivers:
            between = f" between {' and '.join(sliver.networks)}" if sliver.networks else ""
            lines.append(
                one_line(
                    f"  {sliver.kind} of {area_text(sliver.area_km2)} at {sliver.latitude:.5f}, "
                    f"{sliver.longitude:.5f}{between}"
                )
            )
        lines.append("")
    if report.unmatched_submissions:
        lines.append("Submissions whose network is not in the boundaries file:")
        lines.extend(one_line(f"  {file}: {name}") for file, name in report.unmatched_submissions)
        lines.append("")
    lines.append("Networks:")
    for n in report.networks:
        code = f" ({n.code})" if n.code else ""
        lines.append(
            one_line(
                f"  {n.name}{code}: {area_text(n.area_km2)}, {plural(n.polygons, 'polygon')}, "
                f"{plural(n.groups, 'piece')}"
            )
        )
    return "\n".join(lines) + "\n"


def render_geo_json(report: GeoReport) -> str:
    return json_escaped(json.dumps(report.to_dict(), indent=2, ensure_ascii=False)) + "\n"
