"""``pcn-check geo --format html``: a self-contained page with an inline SVG map of the
networks' areas (a network that is not contiguous outlined in red, its detached pieces filled
red; gaps in black, overlaps in purple, slivers as orange rings, practices as dots: red when
outside their network's area), then the findings, slivers, repairs and networks as tables.
No external assets; every text is escaped (see :func:`pcn_rules.render.html.escape`)."""

from __future__ import annotations

import hashlib

from pcn_rules.geo.model import GeoReport, MapShape, Rings, area_text
from pcn_rules.render.html import escape

_CSS = (
    "body{font-family:system-ui,'Segoe UI',Arial,sans-serif;margin:2rem;color:#1d1d1d;"
    "max-width:1100px}h1{font-size:1.6rem;margin-bottom:.2rem}"
    "h2{font-size:1.2rem;margin-top:2rem;border-bottom:2px solid #005eb8}"
    ".headline{font-size:1.15rem;font-weight:600;padding:.8rem 1rem;background:#fff4e5;"
    "border-left:6px solid #ed8b00}.ok{border-left-color:#007f3b;background:#e8f5ec}"
    "table{border-collapse:collapse;width:100%;margin:.6rem 0;font-size:.9rem}"
    "th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}"
    "th{background:#f0f4f5}.met{color:#007f3b}.not_met{color:#b00020}.muted{color:#666}"
    "svg{border:1px solid #ccc;background:#f7fbff;max-width:100%;height:auto}"
    ".legend span{display:inline-block;margin-right:1.2rem}"
)
_WIDTH = 900
_PAD = 10


class _Frame:
    """From metres on the British National Grid to the map's pixels (north up)."""

    def __init__(self, shapes: list[MapShape]) -> None:
        xs = [x for s in shapes for rings in s.polygons for ring in rings for x, _ in ring]
        ys = [y for s in shapes for rings in s.polygons for ring in rings for _, y in ring]
        self.left, self.top = min(xs, default=0.0), max(ys, default=1.0)
        span_x = max(max(xs, default=1.0) - self.left, 1.0)
        span_y = max(self.top - min(ys, default=0.0), 1.0)
        self.scale = (_WIDTH - 2 * _PAD) / max(span_x, span_y)
        self.height = round(span_y * self.scale + 2 * _PAD)

    def point(self, x: float, y: float) -> tuple[float, float]:
        return (_PAD + (x - self.left) * self.scale, _PAD + (self.top - y) * self.scale)

    def path(self, polygons: tuple[Rings, ...]) -> str:
        out = []
        for rings in polygons:
            for ring in rings:
                points = [self.point(x, y) for x, y in ring]
                out.append("M" + "L".join(f"{px:.1f} {py:.1f}" for px, py in points) + "Z")
        return "".join(out)


def _colour(name: str) -> str:
    """A pale colour of its own for each network (the same on every run)."""
    hue = int(hashlib.sha256(name.encode("utf-8")).hexdigest()[:4], 16) % 360
    return f"hsl({hue},45%,78%)"


def _shape(frame: _Frame, shape: MapShape) -> str:
    title = f"<title>{escape(shape.label)}</title>"
    if shape.kind == "practice":
        x, y = frame.point(*shape.polygons[0][0][0])
        colour = "#b00020" if shape.failing else "#1d1d1d"
        size = 5 if shape.failing else 2.5
        return (
            f'<circle class="practice{" outside" if shape.failing else ""}" cx="{x:.1f}" '
            f'cy="{y:.1f}" r="{size}" fill="{colour}" stroke="#fff" stroke-width="1">'
            f"{title}</circle>"
        )
    path = frame.path(shape.polygons)
    if shape.kind == "area":
        stroke = (
            ' stroke="#b00020" stroke-width="2.5"'
            if shape.failing
            else (' stroke="#555" stroke-width="0.6"')
        )
        return (
            f'<path class="area{" failing" if shape.failing else ""}" d="{path}" '
            f'fill="{_colour(shape.label)}" fill-rule="evenodd"{stroke}>{title}</path>'
        )
    if shape.kind == "sliver":
        x, y = frame.point(*shape.polygons[0][0][0])
        return (
            f'<circle class="sliver" cx="{x:.1f}" cy="{y:.1f}" r="6" fill="none" '
            f'stroke="#ed8b00" stroke-width="2">{title}</circle>'
        )
    fill = {"piece": "#b00020", "gap": "#000", "overlap": "#7a2b8c"}[shape.kind]
    return (
        f'<path class="{shape.kind}" d="{path}" fill="{fill}" fill-opacity="0.75" '
        f'fill-rule="evenodd" stroke="{fill}" stroke-width="1.5">{title}</path>'
    )


def render_map(report: GeoReport) -> str:
    """The SVG map: areas first, then what is marked on them."""
    shapes = list(report.map)
    frame = _Frame([s for s in shapes if s.kind == "area"] or shapes)
    order = ("area", "piece", "overlap", "gap", "sliver", "practice")
    body = "".join(
        _shape(frame, s) for kind in order for s in shapes if s.kind == kind and s.polygons
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" id="map" width="{_WIDTH}" '
        f'height="{frame.height}" viewBox="0 0 {_WIDTH} {frame.height}" '
        f'aria-label="Map of the networks\' areas">{body}</svg>'
    )


def _findings(report: GeoReport) -> str:
    rows = []
    for f in report.findings:
        if f.status == "met" and "distance_m" not in f.evidence:
            continue
        rows.append(
            f"<tr><td>{escape(f.rule_id)}</td><td class='{escape(f.status)}'>"
            f"{escape(f.status)}</td><td>{escape(f.severity)}</td><td>{escape(f.subject)}</td>"
            f"<td>{escape(f.message)}</td></tr>"
        )
    if not rows:
        return "<p class='muted'>Nothing to review.</p>"
    return (
        "<table id='findings'><tr><th>Rule</th><th>Status</th><th>Severity</th><th>Subject</th>"
        f"<th>Finding</th></tr>{''.join(rows)}</table>"
    )


def render_geo_html(report: GeoReport) -> str:
    ok = " ok" if report.compliant else ""
    s = report.settings
    slivers = "".join(
        f"<tr><td>{escape(v.kind)}</td><td>{escape(area_text(v.area_km2))}</td>"
        f"<td>{v.latitude:.5f}, {v.longitude:.5f}</td>"
        f"<td>{escape(' / '.join(v.networks))}</td></tr>"
        for v in report.slivers
    )
    repairs = "".join(
        f"<tr><td>{r.feature}</td><td>{escape(r.network)}</td><td>{escape(r.problem)}</td>"
        f"<td>{escape(area_text(r.area_km2))}</td></tr>"
        for r in report.repairs
    )
    networks = "".join(
        f"<tr><td>{escape(n.name)}</td><td>{escape(n.code or '')}</td>"
        f"<td>{escape(area_text(n.area_km2))}</td><td>{n.polygons}</td><td>{n.groups}</td></tr>"
        for n in report.networks
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>PCN geography: {escape(report.source)}</title>
<style>{_CSS}</style></head><body>
<h1>Primary Care Network geography</h1>
<p class="muted">Boundaries: {escape(report.source)}. Pieces closer than {s.tolerance_m:g} m are
joined; gaps and overlaps under {s.sliver_km2:g} km² are slivers. Generated by pcn-rules.</p>
<p class="headline{ok}" id="headline">{escape(report.headline())}</p>
<h2>Map</h2>
<p class="legend"><span style="color:#b00020">■ not contiguous (red outline) and its detached
pieces</span><span>■ gap (black)</span><span style="color:#7a2b8c">■ overlap</span>
<span style="color:#ed8b00">○ sliver</span><span style="color:#b00020">● practice outside its
network's area</span><span>• practice</span></p>
{render_map(report)}
<h2>Findings to review</h2>{_findings(report)}
<h2>Slivers set apart</h2><table id="slivers"><tr><th>Kind</th><th>Area</th>
<th>Where (latitude, longitude)</th><th>Networks</th></tr>{slivers}</table>
<h2>Repaired geometries</h2><table id="repairs"><tr><th>Feature</th><th>Network</th>
<th>Problem</th><th>Area after repair</th></tr>{repairs}</table>
<h2>Networks</h2><table id="networks"><tr><th>Network</th><th>Code</th><th>Area</th>
<th>Polygons</th><th>Pieces</th></tr>{networks}</table>
</body></html>
"""
