"""``pcn-check geo``: contiguity, overlaps, gaps and practice locations from boundary files, on a
slice of West Sussex County Council's PCN boundaries (fixtures/geo/) and a clearly synthetic
file for the cases the real slice lacks (an overlap, a gap); the full file in ../shared/data
where it is beside the clone.  Tests that compute geometry need the ``geo`` extra and skip
without it; the tests of the message without it, and of reading, run either way."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from pcn_rules.errors import InputError
from pcn_rules.geo.read import parse_boundaries, parse_practices
from tests.cli_runner import run

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "geo"
SLICE = FIXTURES / "wsx_pcn_boundaries_slice_2019-12.geojson"
SLICE_PRACTICES = FIXTURES / "wsx_practices_slice_2019-12.csv"
SYNTHETIC = FIXTURES / "synthetic_overlap_gap.geojson"
SYNTHETIC_PRACTICES = FIXTURES / "synthetic_practices.csv"
SHARED_GEO = ROOT.parent / "shared" / "data" / "geo"

HOW = "pip install 'pcn-rules[geo]'"


@pytest.fixture
def extra() -> None:
    """Skip unless shapely and pyproj are installed (CI installs them: '.[test,geo]')."""
    for name in ("shapely", "pyproj"):
        pytest.importorskip(name, reason=f"the geo extra is not installed ({HOW})")


def _json(args: list[str | Path], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict]:  # type: ignore[type-arg]
    code, out, _err = run(["geo", *args, "--format", "json"], capsys)
    return code, json.loads(out)


def _by_subject(report: dict, rule: str) -> dict[str, dict]:  # type: ignore[type-arg]
    return {f["subject"]: f for f in report["findings"] if f["rule_id"] == rule}


# --- without the extra ---------------------------------------------------------------------


def test_without_the_extra_the_command_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "shapely", None)  # `import shapely` raises ImportError
    code, out, err = run(["geo", SLICE], capsys)
    assert code == 2
    assert HOW in err
    assert "shapely is not installed" in err
    assert out == ""


def test_the_core_works_without_the_extra(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "shapely", None)
    monkeypatch.setitem(sys.modules, "pyproj", None)
    code, out, _err = run([ROOT / "fixtures" / "2019-20" / "compliant.json"], capsys)
    assert code == 0
    assert "Stroud Cotswold PCN" in out


# --- reading (no extra needed) -------------------------------------------------------------


def _problem(data: object, **options: str) -> str:
    with pytest.raises(InputError) as caught:
        parse_boundaries(data, "areas.geojson", **options)
    return str(caught.value)


def test_bad_boundaries_are_named_by_file_and_feature() -> None:
    assert "areas.geojson at type: expected a GeoJSON FeatureCollection, got 'Feature'" in (
        _problem({"type": "Feature"})
    )
    assert "got 'list'" in _problem([1, 2])
    square = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}
    features = [
        {"type": "Feature", "properties": {"name": "A"}, "geometry": square},
        {"type": "Feature", "properties": {"name": "B"}, "geometry": None},
    ]
    message = _problem({"type": "FeatureCollection", "features": features})
    assert "features[1].geometry: missing" in message
    features[1]["geometry"] = {"type": "Point", "coordinates": [0, 0]}
    message = _problem({"type": "FeatureCollection", "features": features})
    assert "features[1].geometry.type: expected Polygon or MultiPolygon, got 'Point'" in message
    message = _problem({"type": "FeatureCollection", "features": features[:1]}, name_property="PCN")
    assert "features[0].properties: no property 'PCN': it has 'name'" in message
    unnamed = [{"type": "Feature", "properties": {"id": 3}, "geometry": square}]
    message = _problem({"type": "FeatureCollection", "features": unnamed})
    assert "features[0].properties: no property a network name" in message
    assert "--name-property" in message
    osgb = {"type": "name", "properties": {"name": "EPSG:27700"}}
    message = _problem({"type": "FeatureCollection", "crs": osgb, "features": features[:1]})
    assert "crs: coordinates must be longitude and latitude" in message


def test_bad_practice_rows_are_named_by_line() -> None:
    with pytest.raises(InputError) as caught:
        parse_practices("Code,PCN,lat,long\nA1,X,51.0,-0.5\nA2,X,north,-0.5\n", "p.csv")
    assert "p.csv at line 3: expected a latitude in degrees, got 'north'" in str(caught.value)
    with pytest.raises(InputError) as caught:
        parse_practices("Code,PCN,where\nA1,X,here\n", "p.csv")
    assert "no column for latitude (latitude/lat); longitude" in str(caught.value)


@pytest.mark.usefixtures("extra")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{not json", "Expecting property name"),
        ('{"type": "FeatureCollection", "features": []}', "features: expected a non-empty list"),
    ],
)
def test_an_unreadable_boundaries_file_exits_3(
    text: str, expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "areas.geojson"
    path.write_text(text, encoding="utf-8")
    code, _out, err = run(["geo", path], capsys)
    assert code == 3
    assert "cannot read boundaries file" in err
    assert "areas.geojson" in err
    assert expected in err


@pytest.mark.usefixtures("extra")
@pytest.mark.parametrize(
    ("ring", "expected"),
    [
        ([[0, 50], [1], [0, 51], [0, 50]], "features[0].geometry: not a valid Polygon"),
        ([[0, 50], [1, 50], [0, 50]], "features[0].geometry: the polygon encloses no area"),
        # on the grid's central meridian (2° W) a line stays a line
        ([[-2, 50], [-2, 51], [-2, 52], [-2, 50]], "the polygon encloses no area"),
        ([[0, 95], [1, 95], [1, 96], [0, 95]], "not longitude and latitude"),
    ],
)
def test_a_feature_that_is_no_polygon_exits_3(
    ring: list[list[float]], expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feature = {
        "type": "Feature",
        "properties": {"name": "Flat PCN"},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }
    path = tmp_path / "flat.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), "utf-8")
    code, _out, err = run(["geo", path], capsys)
    assert code == 3
    assert "flat.geojson" in err
    assert expected in err


@pytest.mark.usefixtures("extra")
def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["geo", SLICE, "--tolerance", "-5"], capsys)[0] == 2
    code, _out, err = run(["geo", SLICE, "--format", "svg"], capsys)
    assert code == 2
    assert "text, json, html" in err
    code, _out, err = run(["geo", FIXTURES / "missing.geojson"], capsys)
    assert code == 3
    assert "missing.geojson" in err


# --- the real slice ------------------------------------------------------------------------


@pytest.mark.usefixtures("extra")
def test_the_real_slice_multi_part_areas_repair_and_practice(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, report = _json([SLICE, "--practices", SLICE_PRACTICES], capsys)
    assert code == 1  # networks that are not contiguous (a warning) fail
    contiguity = _by_subject(report, "GEO-CONTIGUOUS")
    horsham = contiguity["West Sussex - Horsham Collaborative PCN"]
    assert horsham["status"] == "not_met"
    assert horsham["severity"] == "warning"
    pieces = [(p["area_km2"], p["distance_m"]) for p in horsham["evidence"]["detached_pieces"]]
    assert [(round(a, 2), d) for a, d in pieces] == [(24.68, 8469), (3.84, 913)]
    # Champ's self-intersecting polygon is repaired and reported, and its pieces 20 to 180 m
    # apart are joined at the default tolerance of 250 m
    assert [r["network"] for r in report["repairs"]] == ["West Sussex - Champ PCN"]
    assert "Self-intersection" in report["repairs"][0]["problem"]
    assert contiguity["West Sussex - Champ PCN"]["status"] == "met"
    outside = _by_subject(report, "GEO-PRACTICE-LOCATION")["H82028 The Courtyard Surgery"]
    assert outside["status"] == "not_met"
    assert outside["severity"] == "info"
    assert outside["evidence"]["distance_m"] == 2623
    assert outside["evidence"]["in_networks"] == ["West Sussex - Horsham Central PCN"]
    # Champ's own holes are slivers, set apart, not gaps
    assert report["summary"]["gaps"] == 0
    assert report["summary"]["slivers"] == 8
    assert all(s["area_km2"] < 0.05 for s in report["slivers"])


@pytest.mark.usefixtures("extra")
def test_a_larger_tolerance_joins_the_pieces_and_exits_0(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _err = run(["geo", SLICE, "--tolerance", "9000"], capsys)
    assert code == 0
    assert "0 not contiguous" in out


# --- the synthetic file: overlaps, gaps, slivers, codes, submissions -----------------------


@pytest.mark.usefixtures("extra")
def test_overlaps_gaps_and_slivers(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = _json([SYNTHETIC, "--practices", SYNTHETIC_PRACTICES], capsys)
    assert code == 1
    (overlap,) = _by_subject(report, "GEO-OVERLAP").values()
    assert overlap["subject"] == "Synthetic Alpha PCN / Synthetic Bravo PCN"
    assert overlap["evidence"]["area_km2"] == pytest.approx(2.0, abs=0.01)
    (gap,) = _by_subject(report, "GEO-GAP").values()
    assert gap["status"] == "not_met"
    assert gap["evidence"]["area_km2"] == pytest.approx(1.0, abs=0.01)
    assert gap["evidence"]["bordering"] == ["Synthetic Charlie PCN"]
    kinds = sorted((s["kind"], round(s["area_km2"], 3)) for s in report["slivers"])
    assert ("gap", 0.0) in kinds  # the 400 m² hole
    assert ("overlap", 0.04) in kinds  # Bravo and Charlie share a 10 m strip
    delta = _by_subject(report, "GEO-CONTIGUOUS")["Synthetic Delta PCN"]
    # the piece 100 m away is joined; the one 1,400 m beyond it is detached
    assert delta["evidence"]["pieces"] == 2
    assert delta["evidence"]["detached_pieces"][0]["distance_m"] == 1400
    practices = _by_subject(report, "GEO-PRACTICE-LOCATION")
    # the practices file names Delta by its code, U00004
    far = practices["Z00002 Synthetic Delta Surgery"]
    assert (far["status"], far["evidence"]["distance_m"]) == ("not_met", 2000)
    near = practices["Z00003 Synthetic Bravo Surgery"]
    assert (near["status"], near["evidence"]["distance_m"]) == ("met", 100)


@pytest.mark.usefixtures("extra")
def test_the_sliver_size_is_an_option(capsys: pytest.CaptureFixture[str]) -> None:
    _code, report = _json([SYNTHETIC, "--sliver", "0.01"], capsys)
    assert report["summary"]["overlaps"] == 2  # the 0.04 km² strip is now an overlap


@pytest.mark.usefixtures("extra")
def test_a_declared_contiguous_area_that_the_boundaries_contradict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = json.loads((ROOT / "fixtures" / "2019-20" / "compliant.json").read_text("utf-8"))
    base["network"]["name"] = "Synthetic Delta PCN"
    base["network"]["ods_code"] = "U00004"
    (tmp_path / "delta.json").write_text(json.dumps(base), encoding="utf-8")
    shutil.copy(ROOT / "fixtures" / "2019-20" / "compliant.json", tmp_path / "stroud.json")
    code, report = _json([SYNTHETIC, "--submissions", tmp_path], capsys)
    assert code == 1
    delta = _by_subject(report, "GEO-CONTIGUOUS")["Synthetic Delta PCN"]
    assert "contradicts `contiguous: true`" in delta["message"]
    assert delta["evidence"]["contradicts"] == [str(tmp_path / "delta.json")]
    assert report["unmatched_submissions"] == [
        {"file": str(tmp_path / "stroud.json"), "network": "Stroud Cotswold PCN"}
    ]


@pytest.mark.usefixtures("extra")
def test_a_practice_of_an_unknown_network_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "p.csv"
    path.write_text("code,network,latitude,longitude\nZ1,Nowhere PCN,51.0,-0.5\n", "utf-8")
    code, _out, err = run(["geo", SYNTHETIC, "--practices", path], capsys)
    assert code == 3
    assert "line 2: network 'Nowhere PCN' is not in the boundaries file" in err


@pytest.mark.usefixtures("extra")
def test_the_json_follows_its_schema(capsys: pytest.CaptureFixture[str]) -> None:
    import jsonschema

    from pcn_rules.geo.shapes import geo_json_schema

    schema = geo_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    for args in ([SLICE, "--practices", SLICE_PRACTICES], [SYNTHETIC]):
        jsonschema.validate(_json(list(args), capsys)[1], schema)


# --- HTML ----------------------------------------------------------------------------------


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def classes(self, tag: str) -> list[str]:
        return [a.get("class") or "" for t, a in self.found if t == tag]


@pytest.mark.usefixtures("extra")
def test_the_html_map_marks_failing_areas_and_escapes_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads(SYNTHETIC.read_text("utf-8"))
    data["features"][3]["properties"]["name"] = "<script>alert(1)</script> & Delta"
    hostile = tmp_path / "hostile.geojson"
    hostile.write_text(json.dumps(data), encoding="utf-8")
    page = tmp_path / "geo.html"
    code, _out, _err = run(["geo", hostile, "--format", "html", "--output", page], capsys)
    assert code == 1
    html = page.read_text("utf-8")
    assert "<script" not in html
    parsed = _Elements()
    parsed.feed(html)
    paths = parsed.classes("path")
    assert paths.count("area") + paths.count("area failing") == 4
    assert paths.count("area failing") == 1
    assert {"piece", "overlap", "gap"} <= set(paths)
    assert parsed.classes("circle").count("sliver") == 3  # 1 gap, 2 overlaps
    assert "<script>alert(1)</script> & Delta" in "".join(parsed.text)
    assert not any(t in ("script", "img", "link", "iframe") for t, _ in parsed.found)


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.mark.usefixtures("extra")
def test_the_html_map_renders_in_a_headless_browser(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    browser = _chromium()
    if browser is None:
        pytest.skip("no chromium on this machine (.ci/run installs Debian's chromium when it can)")
    page = tmp_path / "geo.html"
    args = ["geo", SLICE, "--practices", SLICE_PRACTICES, "-f", "html", "-o", page]
    assert run(args, capsys)[0] == 1
    shot = tmp_path / "geo.png"
    done = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=1100,1400",
            f"--screenshot={shot}",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    png = shot.read_bytes()
    assert png.startswith(b"\x89PNG")
    assert len(png) > 20_000  # a drawn map, not a blank page


# --- the full West Sussex file -------------------------------------------------------------


@pytest.mark.usefixtures("extra")
@pytest.mark.skipif(not SHARED_GEO.is_dir(), reason="../shared/data/geo is not beside the clone")
def test_the_full_west_sussex_file(capsys: pytest.CaptureFixture[str]) -> None:
    boundaries = SHARED_GEO / "wsx_pcn_boundaries_simple_2019-12.geojson"
    practices = SHARED_GEO / "wsx_practices_latlong_listsize_2019-12.csv"
    code, report = _json([boundaries, "--practices", practices], capsys)
    assert code == 1
    assert report["summary"]["networks"] == 21
    failing = {
        s.removeprefix("West Sussex - ")
        for s, f in _by_subject(report, "GEO-CONTIGUOUS").items()
        if f["status"] == "not_met"
    }
    assert failing == {
        "Haywards Heath Villages PCN",
        "Healthy Crawley PCN",
        "Horsham Collaborative PCN",
        "South Crawley PCN",
    }
    assert report["summary"]["overlaps"] == 0
    assert report["summary"]["gaps"] == 0
    assert len(report["repairs"]) == 1
    outside = [
        f["subject"]
        for f in report["findings"]
        if f["rule_id"] == "GEO-PRACTICE-LOCATION" and "distance_m" in f["evidence"]
    ]
    assert len(outside) == 4
