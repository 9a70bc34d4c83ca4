"""Reading the inputs of ``pcn-check geo``: a GeoJSON FeatureCollection of network boundaries,
a CSV of practice locations, and submissions' declared contiguity.  Plain data out; every
problem an :class:`~pcn_rules.errors.InputError` naming the file and the feature, row or key.

The network's name is read from the first of these properties that the features have (case
ignored): ``name``, ``pcn_name``, ``pcn``, ``network``, ``network_name``; its code, if any, from
``code``, ``ods_code``, ``pcn_code``, ``pcn_ods_code``; either can be named instead.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pcn_rules.errors import InputError
from pcn_rules.ingest.files import REGISTER_LIMIT, FileRefused, read_limited
from pcn_rules.ingest.tables import Row, decode, parse_rows

#: A boundaries file: the West Sussex one is 0.4 MB; a whole country's simplified PCN
#: boundaries are some tens of megabytes.
BOUNDARIES_LIMIT = 256 * 1024 * 1024

NAME_KEYS = ("name", "pcn_name", "pcn", "network", "network_name")
CODE_KEYS = ("code", "ods_code", "pcn_code", "pcn_ods_code")
#: The coordinate reference systems a boundaries file may declare (``crs``): longitude and
#: latitude on WGS 84, which RFC 7946 makes the only one.
LONLAT_CRS = frozenset(
    {
        "urn:ogc:def:crs:OGC:1.3:CRS84",
        "urn:ogc:def:crs:OGC::CRS84",
        "EPSG:4326",
        "urn:ogc:def:crs:EPSG::4326",
    }
)
POLYGONAL = ("Polygon", "MultiPolygon")


@dataclass(frozen=True, slots=True)
class Boundary:
    feature: int
    name: str
    code: str | None
    #: the GeoJSON geometry object, as read
    geometry: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class PracticeLocation:
    code: str
    name: str
    network: str
    latitude: float
    longitude: float
    line: int


@dataclass(frozen=True, slots=True)
class Declared:
    """A submission's network and what it declares about its area's contiguity."""

    file: str
    network: str
    code: str | None
    contiguous: bool | None


def _boundaries_error(source: str, problems: Sequence[tuple[str, str]]) -> InputError:
    return InputError(source, problems, kind="boundaries file")


def _find_key(properties: Mapping[str, Any], wanted: str | None, keys: Sequence[str]) -> str | None:
    """The property of PROPERTIES that is WANTED (case ignored), or the first of KEYS it has."""
    lower = {key.lower(): key for key in properties}
    if wanted is not None:
        return lower.get(wanted.lower())
    return next((lower[key] for key in keys if key in lower), None)


def _text(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return " ".join(value.split())
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _listed(properties: Mapping[str, Any]) -> str:
    names = ", ".join(repr(key) for key in list(properties)[:20])
    return f"it has {names}" if names else "it has none"


def parse_boundaries(
    data: Any, source: str, name_property: str | None = None, code_property: str | None = None
) -> list[Boundary]:
    """The boundaries of parsed GeoJSON DATA (a FeatureCollection of polygons)."""
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        kind = data.get("type") if isinstance(data, dict) else type(data).__name__
        raise _boundaries_error(
            source, [("type", f"expected a GeoJSON FeatureCollection, got {kind!r}")]
        )
    crs = data.get("crs")
    if crs is not None:
        name = crs.get("properties", {}).get("name") if isinstance(crs, dict) else None
        if name not in LONLAT_CRS:
            raise _boundaries_error(
                source,
                [("crs", f"coordinates must be longitude and latitude (CRS84), got {name!r}")],
            )
    features = data.get("features")
    if not isinstance(features, list) or not features:
        raise _boundaries_error(source, [("features", "expected a non-empty list of features")])
    out: list[Boundary] = []
    problems: list[tuple[str, str]] = []
    for index, feature in enumerate(features):
        where = f"features[{index}]"
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            problems.append((where, "expected a GeoJSON Feature"))
            continue
        properties = feature.get("properties")
        if not isinstance(properties, dict):
            problems.append((f"{where}.properties", "expected an object of properties"))
            continue
        name_key = _find_key(properties, name_property, NAME_KEYS)
        if name_key is None:
            wanted = (
                repr(name_property)
                if name_property
                else f"a network name ({', '.join(NAME_KEYS)}; or give --name-property)"
            )
            problems.append((f"{where}.properties", f"no property {wanted}: {_listed(properties)}"))
            continue
        name = _text(properties[name_key])
        if name is None:
            problems.append((f"{where}.properties.{name_key}", "expected a network name"))
            continue
        code_key = _find_key(properties, code_property, CODE_KEYS)
        if code_property is not None and code_key is None:
            problems.append(
                (f"{where}.properties", f"no property {code_property!r}: {_listed(properties)}")
            )
            continue
        code = _text(properties[code_key]) if code_key is not None else None
        geometry = feature.get("geometry")
        if not isinstance(geometry, dict):
            problems.append((f"{where}.geometry", "missing: expected a Polygon or MultiPolygon"))
            continue
        if geometry.get("type") not in POLYGONAL:
            problems.append(
                (
                    f"{where}.geometry.type",
                    f"expected Polygon or MultiPolygon, got {geometry.get('type')!r}",
                )
            )
            continue
        if not isinstance(geometry.get("coordinates"), list) or not geometry["coordinates"]:
            problems.append((f"{where}.geometry.coordinates", "expected a non-empty list"))
            continue
        out.append(Boundary(index, name, code, geometry))
    if problems:
        raise _boundaries_error(source, problems)
    return out


def read_boundaries(
    path: Path, name_property: str | None = None, code_property: str | None = None
) -> list[Boundary]:
    """The boundaries in the GeoJSON file at PATH."""
    from pcn_rules.submission.jsontext import loads_json

    source = str(path)
    try:
        raw = read_limited(path, BOUNDARIES_LIMIT)
    except FileRefused as exc:
        raise _boundaries_error(source, [("", str(exc))]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _boundaries_error(
            source, [("", f"not UTF-8 text (invalid byte at offset {exc.start})")]
        ) from None
    try:
        data = loads_json(text, source)
    except InputError as exc:
        raise _boundaries_error(source, exc.problems) from None
    except ValueError as exc:  # json.JSONDecodeError
        raise _boundaries_error(source, [("", f"not JSON: {exc}")]) from None
    except RecursionError:
        raise _boundaries_error(source, [("", "JSON nests too deeply")]) from None
    return parse_boundaries(data, source, name_property, code_property)


#: The columns of a practices CSV, by the names each may have (case ignored); the West Sussex
#: file's ``Code``, ``Name``, ``lat``, ``long`` and ``PCN`` among them.
PRACTICE_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "code": ("code", "practice_code", "ods_code"),
    "network": ("network", "pcn", "pcn_name", "pcn_code", "network_code"),
    "latitude": ("latitude", "lat"),
    "longitude": ("longitude", "long", "lon", "lng"),
    "name": ("name", "practice_name"),
}


def _practices_error(source: str, problems: Sequence[tuple[str, str]]) -> InputError:
    return InputError(source, problems, kind="practices file")


def _column(header: Row, names: Iterable[str]) -> int | None:
    cells = [cell.strip().lower() for cell in header]
    return next((cells.index(name) for name in names if name in cells), None)


def _degrees(text: str, low: float, high: float, what: str) -> float | str:
    try:
        value = float(text.strip())
    except ValueError:
        return f"expected a {what} in degrees, got {text[:40]!r}"
    if not math.isfinite(value) or not low <= value <= high:
        return f"expected a {what} between {low:g} and {high:g}, got {text[:40]!r}"
    return value


def parse_practices(text: str, source: str) -> list[PracticeLocation]:
    rows = parse_rows(text, source, _practices_error, "a practices file")
    if not rows:
        raise _practices_error(source, [("", "file is empty; expected a header row")])
    header, body = rows[0], rows[1:]
    columns = {key: _column(header, names) for key, names in PRACTICE_COLUMNS.items()}
    missing = [key for key, at in columns.items() if at is None and key != "name"]
    if missing:
        found = ", ".join(repr(c) for c in header[:20])
        wanted = "; ".join(f"{key} ({'/'.join(PRACTICE_COLUMNS[key])})" for key in missing)
        raise _practices_error(source, [("line 1", f"no column for {wanted}: found {found}")])
    if not body:
        raise _practices_error(source, [("", "no practices after the header row")])
    out: list[PracticeLocation] = []
    problems: list[tuple[str, str]] = []
    for row in body:

        def cell(key: str, row: Row = row) -> str:
            at = columns[key]
            return row[at].strip() if at is not None and at < len(row) else ""

        where = f"line {row.line}"
        lat = _degrees(cell("latitude"), -90, 90, "latitude")
        lon = _degrees(cell("longitude"), -180, 180, "longitude")
        for value in (lat, lon):
            if isinstance(value, str):
                problems.append((where, value))
        if not cell("code") or not cell("network"):
            problems.append((where, "expected a practice code and its network"))
        if isinstance(lat, float) and isinstance(lon, float) and cell("code") and cell("network"):
            name = cell("name") or cell("code")
            network = " ".join(cell("network").split())
            out.append(PracticeLocation(cell("code"), name, network, lat, lon, row.line))
    if problems:
        raise _practices_error(source, problems)
    return out


def read_practices(path: Path) -> list[PracticeLocation]:
    """The practices in the CSV at PATH (code, network, latitude, longitude; name optional)."""
    rows_text = decode(_practice_bytes(path))
    return parse_practices(rows_text, str(path))


def _practice_bytes(path: Path) -> bytes:
    try:
        return read_limited(path, REGISTER_LIMIT)
    except FileRefused as exc:
        raise _practices_error(str(path), [("", str(exc))]) from None


def read_declared(paths: Iterable[Path]) -> list[Declared]:
    """Each submission's network and its declared contiguity (``network.area.contiguous``)."""
    from pcn_rules.submission.read import expand_paths, read_submission

    out: list[Declared] = []
    for path in expand_paths(paths):
        network = read_submission(path).network
        contiguous = network.area.contiguous if network.area is not None else None
        out.append(Declared(str(path), network.name, network.ods_code, contiguous))
    return out


__all__ = [
    "Boundary",
    "Declared",
    "PracticeLocation",
    "parse_boundaries",
    "parse_practices",
    "read_boundaries",
    "read_declared",
    "read_practices",
]
