"""kg.geometry and the built graph's GeoSPARQL: every country's Natural Earth shape, the landscapes' and sites'
cited approximate extents, and a clear error without the npm packages."""

from __future__ import annotations

import json

import pytest
import shapely

from kg import geometry, store
from kg.errors import SourceError

GEO = "PREFIX geo: <http://www.opengis.net/ont/geosparql#>\n"
WKT = "http://www.opengis.net/ont/geosparql#wktLiteral"


def test_every_country_has_its_natural_earth_shape(select, graph):
    countries = select("SELECT ?c ?code WHERE { ?c a mea:Country ; mea:isoCode ?code }")
    rows = select(
        GEO
        + """SELECT ?code ?wkt (DATATYPE(?wkt) AS ?type) ?citation WHERE {
             ?c a mea:Country ; mea:isoCode ?code ; geo:hasGeometry ?g .
             ?g a geo:Geometry ; geo:asWKT ?wkt ; mea:citation ?citation }"""
    )
    assert sorted(r["code"] for r in rows) == sorted(c["code"] for c in countries)
    assert len(rows) == 15
    shapes = {}
    for row in rows:
        assert row["type"] == WKT and "Natural Earth" in row["citation"] and "world-atlas 2.0.2" in row["citation"]
        shape = shapely.from_wkt(row["wkt"])
        assert shape.geom_type in ("Polygon", "MultiPolygon") and shape.is_valid, row["code"]
        west, south, east, north = shapely.bounds(shape)
        assert -180 <= west <= east <= 180 and -90 <= south <= north <= 90
        shapes[row["code"]] = shape
    # the shapes are where the countries are (CRS84: longitude first)
    assert shapes["KZ"].contains(shapely.Point(71.4, 51.2))  # Astana
    assert shapes["MN"].contains(shapely.Point(106.9, 47.9))  # Ulaanbaatar
    assert shapes["EC"].contains(shapely.Point(-78.5, -0.2))  # Quito
    assert shapes["KZ"].area > shapes["KG"].area > shapes["BT"].area
    assert shapes["KZ"].distance(shapes["KG"]) < 0.05  # neighbours touch (up to the simplification)


def test_landscape_and_site_extents_are_cited_and_marked_approximate(select):
    rows = select(
        GEO
        + """SELECT ?place ?wkt ?approximate ?citation WHERE {
             ?place a ?kind ; geo:hasGeometry ?g . VALUES ?kind { mea:Landscape mea:Site }
             ?g geo:asWKT ?wkt ; mea:approximate ?approximate ; mea:citation ?citation }"""
    )
    assert len(rows) >= 12
    for row in rows:
        assert row["approximate"] == "true"
        assert "http" in row["citation"] and "consulted 2026-12-07" in row["citation"], row["place"]
        west, south, east, north = shapely.bounds(shapely.from_wkt(row["wkt"]))
        assert 50 <= west <= east <= 110 and 25 <= south <= north <= 52, row["place"]  # Central Asia


def test_a_place_with_no_source_gets_no_geometry(select):
    rows = select(GEO + "SELECT ?g WHERE { <https://w3id.org/mea-kg/id/landscape/tugai-forests> geo:hasGeometry ?g }")
    assert rows == []


def test_the_build_records_the_world_atlas_and_the_maps_background(settings, built):
    manifest = store.read_manifest(built.release)
    atlas = [s for s in manifest["sources"] if s["path"] == str(geometry.WORLD_ATLAS)]
    assert atlas and atlas[0]["graph"] == geometry.GEOMETRY_GRAPH.value and len(atlas[0]["sha256"]) == 64
    assert "geometries" in built.seconds
    assert built.graphs[geometry.GEOMETRY_GRAPH.value] == 15 * 5
    background = json.loads((built.release / geometry.BACKGROUND).read_bytes())
    by_name = {c["name"]: c for c in background["countries"]}
    assert len(by_name) > 200 and "Antarctica" not in by_name
    kazakhstan = by_name["Kazakhstan"]
    names = {c["id"]: c["name"] for c in background["countries"]}
    assert {names[i] for i in kazakhstan["neighbours"]} == {
        "Russia",
        "China",
        "Kyrgyzstan",
        "Uzbekistan",
        "Turkmenistan",
    }


def test_russia_is_cut_at_the_antimeridian(built):
    background = json.loads((built.release / geometry.BACKGROUND).read_bytes())
    russia = shapely.from_wkt(next(c["wkt"] for c in background["countries"] if c["id"] == "643"))
    parts = list(russia.geoms)
    assert all(shapely.bounds(p)[2] - shapely.bounds(p)[0] < 180 for p in parts)  # no ring jumps across the map
    assert any(shapely.bounds(p)[0] < -170 for p in parts)  # Chukotka, west of the antimeridian


def test_without_the_npm_packages_the_error_says_what_to_do(tmp_path):
    with pytest.raises(SourceError, match=r"countries-50m\.json: missing: .*make setup"):
        geometry.natural_earth(tmp_path)


def test_the_cli_build_fails_cleanly_without_the_npm_packages(project_copy, runner):
    from kg.cli import app

    (project_copy.project_dir / "node_modules").unlink()
    result = runner.invoke(
        app, ["build"], env={"KG_PROJECT_DIR": str(project_copy.project_dir), "KG_STORE": str(project_copy.store_dir)}
    )
    assert result.exit_code != 0
    assert "world-atlas" in result.output and "Traceback" not in result.output
