"""Country shapes for the graph and the maps, made at build time from Natural Earth.

The shapes come from the npm package world-atlas (Natural Earth's 1:50m Admin 0 countries as TopoJSON,
public domain), which the set-up installs next to YASGUI. topojson-client's ``topo2geo`` (the reference
TopoJSON decoder, by the format's author) turns it into GeoJSON; shapely simplifies it and writes WKT.
Nothing is decoded by hand.

Two products:

- GeoSPARQL triples for every ``mea:Country`` of the sources: ``<country/KZ> geo:hasGeometry
  <country/KZ/geometry>``, whose ``geo:asWKT`` is the simplified (multi)polygon in CRS84 longitude/latitude
  (the GeoSPARQL default), with the citation of its source;
- the map background: every Natural Earth country (more simplified), with its name and its neighbours
  (the countries it touches), as a JSON document of the release, read by kg.maps.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyoxigraph as ox
import shapely
from shapely.geometry import shape

from .errors import SourceError
from .namespaces import DCTERMS, GEO, GRAPH, MEA, RDF_TYPE
from .typed_query import select

WORLD_ATLAS = Path("node_modules/world-atlas/countries-50m.json")
TOPO2GEO = Path("node_modules/topojson-client/bin/topo2geo")
WORLD_ATLAS_VERSION = "2.0.2"
ANTARCTICA = "010"  # left out: no map reaches it, and its ring around the pole does not survive projection
GEOMETRY_GRAPH = ox.NamedNode(GRAPH + "geometries")
BACKGROUND = "maps/background.json"  # the release document the maps draw their background from
TOLERANCE = 0.02  # degrees (about 2 km): the graph's country shapes
BACKGROUND_TOLERANCE = 0.05  # degrees: the background, drawn a few hundred pixels wide
DIGITS = 3  # decimals of a coordinate (about 100 m)
SOURCE = "https://www.naturalearthdata.com/"
CITATION = (
    f"Natural Earth, 1:50m Cultural Vectors, Admin 0 – Countries (public domain), as TopoJSON in the npm package "
    f"world-atlas {WORLD_ATLAS_VERSION} (countries-50m.json), converted by topojson-client and simplified with "
    f"shapely to {TOLERANCE}°; boundaries as Natural Earth draws them, which takes no position on disputed ones."
)


@dataclass(frozen=True)
class Country:
    id: str  # ISO 3166-1 numeric
    name: str  # Natural Earth's English short name
    geometry: shapely.Geometry


def natural_earth(project_dir: Path) -> tuple[list[Country], str]:
    """The countries of world-atlas's countries-50m.json and the file's SHA-256. SourceError (no traceback)
    when the npm packages or Node.js are missing or the conversion fails."""
    atlas, topo2geo = project_dir / WORLD_ATLAS, project_dir / TOPO2GEO
    for path in (atlas, topo2geo):
        if not path.exists():
            raise SourceError(path, "missing: the country shapes come from npm packages; run `make setup` (npm ci)")
    node = shutil.which("node")
    if node is None:
        raise SourceError(topo2geo, "Node.js (`node`) is not on the PATH: it converts the country shapes")
    data = atlas.read_bytes()
    try:
        done = subprocess.run(
            [node, str(topo2geo), "countries=-"], input=data, capture_output=True, check=True, timeout=120
        )
        features = json.loads(done.stdout)["features"]
    except (subprocess.SubprocessError, OSError, ValueError, KeyError) as err:
        stderr = getattr(err, "stderr", b"") or b""
        raise SourceError(
            atlas, f"topo2geo could not convert it: {stderr.decode(errors='replace')[:300] or err}"
        ) from None
    countries = [
        Country(str(f["id"]), f["properties"]["name"], cut_at_antimeridian(shape(f["geometry"])))
        for f in features
        if f.get("geometry") and f.get("id") is not None and str(f["id"]) != ANTARCTICA
    ]
    return countries, hashlib.sha256(data).hexdigest()


def cut_at_antimeridian(geometry: shapely.Geometry) -> shapely.Geometry:
    """The geometry with every polygon that crosses the 180th meridian (TopoJSON keeps Russia's and Fiji's
    whole, a ring jumping from +180 to −180) cut in two there: a valid shape in −180…180."""
    parts = []
    for polygon in getattr(geometry, "geoms", [geometry]):
        west, _, east, _ = shapely.bounds(polygon)
        if east - west <= 180:
            parts.append(polygon)
            continue
        shifted = shapely.make_valid(shapely.transform(polygon, _east_of_greenwich))
        parts.append(shapely.clip_by_rect(shifted, -180, -90, 180, 90))
        parts.append(shapely.transform(shapely.clip_by_rect(shifted, 180, -90, 540, 90), _back_west))
    return shapely.make_valid(shapely.union_all(parts))


def _east_of_greenwich(xy: np.ndarray) -> np.ndarray:
    return np.column_stack([np.where(xy[:, 0] < 0, xy[:, 0] + 360, xy[:, 0]), xy[:, 1]])


def _back_west(xy: np.ndarray) -> np.ndarray:
    return np.column_stack([xy[:, 0] - 360, xy[:, 1]])


def wkt(geometry: shapely.Geometry, tolerance: float) -> str:
    """The geometry simplified (topology kept, slivers dropped) as WKT with DIGITS decimals, written without
    optional spaces ("POLYGON((66.5 37.3,66.8 37.4,…))"): the form Virtuoso gives back, so that every store
    answers the literal the release holds."""
    simplified = shapely.make_valid(shapely.simplify(geometry, tolerance, preserve_topology=True))
    polygons = [g for g in getattr(simplified, "geoms", [simplified]) if g.geom_type in ("Polygon", "MultiPolygon")]
    merged = shapely.union_all(polygons) if len(polygons) > 1 else polygons[0] if polygons else simplified
    return re.sub(r"\s*,\s*", ",", re.sub(r"\s+\(", "(", shapely.to_wkt(merged, rounding_precision=DIGITS, trim=True)))


def country_quads(dataset: ox.Store, countries: list[Country]) -> list[ox.Quad]:
    """The GeoSPARQL geometry of every mea:Country of the dataset, matched on its ISO 3166-1 numeric code (the
    cited mea:isoNumeric of data/turtle/links.ttl, the ids of world-atlas's features)."""
    by_id = {c.id: c for c in countries}
    rows = select(
        dataset,
        f"SELECT ?c ?code ?numeric WHERE {{ ?c a <{MEA}Country> ; <{MEA}isoCode> ?code"
        f" OPTIONAL {{ ?c <{MEA}isoNumeric> ?numeric }} }}",
        use_default_graph_as_union=True,
    )
    quads = []
    for row in sorted(rows, key=lambda r: r["code"].value):
        code = row["code"].value
        numeric = row["numeric"]
        country = by_id.get(numeric.value) if numeric is not None else None
        if country is None:
            raise SourceError(
                Path(WORLD_ATLAS), f"no Natural Earth shape for the country {code} (its mea:isoNumeric, links.ttl)"
            )
        node = ox.NamedNode(row["c"].value + "/geometry")
        literal = ox.Literal(wkt(country.geometry, TOLERANCE), datatype=GEO.node("wktLiteral"))
        for s, p, o in (
            (row["c"], GEO.node("hasGeometry"), node),
            (node, RDF_TYPE, GEO.node("Geometry")),
            (node, GEO.node("asWKT"), literal),
            (node, DCTERMS.node("source"), ox.NamedNode(SOURCE)),
            (node, MEA.node("citation"), ox.Literal(CITATION)),
        ):
            quads.append(ox.Quad(s, p, o, GEOMETRY_GRAPH))
    return quads


def background(countries: list[Country]) -> bytes:
    """Every country, simplified for drawing, with its neighbours: the maps' background (JSON)."""
    tree = shapely.STRtree([c.geometry for c in countries])
    items = []
    for country in countries:
        touching = tree.query(shapely.buffer(country.geometry, 0.01), predicate="intersects")
        neighbours = sorted(countries[i].id for i in touching if countries[i].id != country.id)
        items.append(
            {
                "id": country.id,
                "name": country.name,
                "wkt": wkt(country.geometry, BACKGROUND_TOLERANCE),
                "neighbours": neighbours,
            }
        )
    document = {"source": CITATION, "tolerance": BACKGROUND_TOLERANCE, "countries": items}
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()
