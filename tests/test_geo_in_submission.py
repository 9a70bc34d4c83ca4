"""GEO-CONTIGUOUS computed from a boundary given in the submission (``network.area.boundary``),
where the geo extra is installed; the declared flag stays the fallback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import pcn_rules

ROOT = Path(__file__).resolve().parent.parent
COMPLIANT = ROOT / "fixtures" / "2019-20" / "compliant.json"

#: Two squares of about 1 km² near Stroud, about 5 km apart: not contiguous.
TWO_PIECES = {
    "type": "MultiPolygon",
    "coordinates": [
        [[[-2.22, 51.74], [-2.206, 51.74], [-2.206, 51.749], [-2.22, 51.749], [-2.22, 51.74]]],
        [[[-2.15, 51.74], [-2.136, 51.74], [-2.136, 51.749], [-2.15, 51.749], [-2.15, 51.74]]],
    ],
}
ONE_PIECE = {"type": "Polygon", "coordinates": TWO_PIECES["coordinates"][0]}


def _with(boundary: Any, contiguous: bool | None = True) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(COMPLIANT.read_text(encoding="utf-8"))
    doc["network"]["area"]["boundary"] = boundary
    if contiguous is None:
        doc["network"]["area"].pop("contiguous", None)
    else:
        doc["network"]["area"]["contiguous"] = contiguous
    return doc


def _contiguous(doc: dict[str, Any]) -> pcn_rules.Finding:
    report = pcn_rules.check(doc)
    return next(f for f in report.findings if f.rule_id == "GEO-CONTIGUOUS")


def test_a_boundary_in_two_pieces_contradicts_a_declared_contiguous_area() -> None:
    pytest.importorskip("shapely", reason="the geo extra is not installed")
    finding = _contiguous(_with(TWO_PIECES))
    assert finding.status == "not_met"
    assert "is in 2 pieces more than 250 m apart" in finding.message
    assert "contradicts the declared `contiguous: true`" in finding.message


def test_a_boundary_in_one_piece_is_contiguous_without_a_declaration() -> None:
    pytest.importorskip("shapely", reason="the geo extra is not installed")
    finding = _contiguous(_with(ONE_PIECE, contiguous=None))
    assert finding.status == "met"


def test_a_boundary_that_makes_no_area_is_not_met_saying_why() -> None:
    pytest.importorskip("shapely", reason="the geo extra is not installed")
    flat = {"type": "Polygon", "coordinates": [[[-2.2, 51.7], [-2.2, 51.7], [-2.2, 51.7]]]}
    finding = _contiguous(_with(flat))
    assert finding.status == "not_met"
    assert "network.area.boundary) cannot be used" in finding.message


def test_without_the_extra_the_declared_flag_stands(monkeypatch: pytest.MonkeyPatch) -> None:
    from pcn_rules.geo import deps, geometry

    def missing() -> Any:
        raise deps.GeoExtraMissing("the geo extra is not installed")

    monkeypatch.setattr(geometry, "require", missing)
    assert _contiguous(_with(TWO_PIECES)).status == "met"
    assert _contiguous(_with(TWO_PIECES, contiguous=None)).status == "not_evidenced"
    # the report says that the boundary given was not checked, and how to check it
    report = pcn_rules.check(_with(TWO_PIECES))
    assert any(
        "network.area.boundary was not checked" in w and "pcn-rules[geo]" in w
        for w in report.warnings
    )
    assert not any("boundary" in w for w in pcn_rules.check(_with(None)).warnings)


def test_a_boundary_that_is_not_a_polygon_is_refused_by_the_format() -> None:
    with pytest.raises(pcn_rules.InputError) as raised:
        pcn_rules.check(_with({"type": "Point", "coordinates": [-2.2, 51.7]}))
    assert raised.value.problems[0].path == "network.area.boundary"
    assert "Polygon or MultiPolygon" in raised.value.problems[0].message
