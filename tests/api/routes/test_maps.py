"""The maps (kg.maps) on the pages, through HTTP: an SVG with a title and description, a caption, a legend and
the map's data as a table of links; and the country shapes read over /sparql with GeoSPARQL terms."""

from __future__ import annotations

import re
from html import unescape

import pytest
import shapely

from tests.helpers import bindings

PAGES = {
    "/": ("Range states of the programmes", ["Kazakhstan", "Altai-Sayan"]),
    "/id/country/KZ": ("Kazakhstan, its neighbours and its landscapes", ["Kyrgyzstan", "Ustyurt landscape"]),
    "/id/landscape/pamir": ("Pamir: its approximate extent and its countries", ["Tajikistan", "Afghanistan"]),
    "/id/taxon/saiga": ("Range states of the programme covering saiga", ["Kazakhstan", "Mongolia"]),
    "/id/activity/cami/2.1.1": ("Where CAMI activity 2.1.1 takes place", ["Mongolia", "Pamir"]),
}


def _figure(text: str) -> str:
    found = re.search(r'<figure class="map-figure">(.*?)</figure>', text, re.S)
    assert found, "no map on the page"
    return found.group(1)


@pytest.mark.parametrize("path", PAGES)
def test_a_page_shows_its_map_with_caption_legend_and_description(client, path):
    page = client.get(path, headers={"Accept": "text/html"})
    assert page.status_code == 200
    figure = _figure(page.text)
    title, named = PAGES[path]
    svg = re.search(r"<svg [^>]*class=\"map\"[^>]*>(.*?)</svg>", figure, re.S)
    assert svg and 'role="img"' in svg.group(0) and 'aria-labelledby="map-title map-desc"' in svg.group(0)
    assert "<a " not in svg.group(1)  # nothing interactive inside an image
    heading = unescape(re.search(r'<title id="map-title">(.*?)</title>', svg.group(1)).group(1))
    description = unescape(re.search(r'<desc id="map-desc">(.*?)</desc>', svg.group(1)).group(1))
    assert heading.startswith(title)
    assert all(name in description for name in named), description
    assert len(re.findall(r"<path ", svg.group(1))) >= 8  # countries drawn
    caption = re.search(r"<figcaption>(.*?)</figcaption>", figure, re.S).group(1)
    assert '<ul class="map-legend">' in caption and caption.count("<li>") >= 2
    assert "Natural Earth" in caption
    links = re.findall(r'<a href="(/id/[^"]+)">', caption)  # the text equivalent links to the places
    assert links
    for link in links[:3]:
        assert client.get(link, headers={"Accept": "text/html"}).status_code == 200


def test_the_entry_map_shades_range_states_by_their_activities(client):
    figure = _figure(client.get("/").text)
    rows = re.findall(r'<tr><td><a href="/id/country/([A-Z]{2})">[^<]+</a></td><td>(\d+)</td></tr>', figure)
    counts = {code: int(n) for code, n in rows}
    assert len(counts) == 14 and "EC" not in counts  # the 14 CAMI range states
    assert counts["KZ"] > 0 and max(counts.values()) == sorted(counts.values())[-1]
    svg = re.search(r"<svg .*?</svg>", figure, re.S).group(0)
    fills = set(re.findall(r'fill="(#[0-9a-f]{6})" stroke="#3b3b3b"', svg))
    assert len(fills) >= 3  # several classes of the colour scale
    assert re.search(r"\d+–\d+ activities", figure)  # the legend's classes


def test_a_page_in_french_has_a_french_map(client):
    figure = _figure(client.get("/id/country/KZ?lang=fr", headers={"Accept": "text/html"}).text)
    assert "ses voisins et ses paysages" in figure and "Positions approximatives" in unescape(figure)


def test_a_place_with_no_extent_shows_its_countries_and_says_so(client):
    figure = _figure(client.get("/id/landscape/tugai-forests", headers={"Accept": "text/html"}).text)
    assert "No public source gives its extent" in figure and "Turkmenistan" in figure


def test_a_page_with_nothing_to_place_has_no_map(client):
    page = client.get("/id/landscape/gobi-desert-eastern-steppe", headers={"Accept": "text/html"})
    assert page.status_code == 200 and '<figure class="map-figure">' not in page.text


def test_country_shapes_are_read_over_sparql(client):
    query = """PREFIX geo: <http://www.opengis.net/ont/geosparql#>
PREFIX mea: <https://w3id.org/mea-kg/ontology#>
SELECT ?code ?wkt WHERE { ?c mea:isoCode ?code ; geo:hasGeometry/geo:asWKT ?wkt } ORDER BY ?code"""
    answer = client.get("/sparql", params={"query": query, "format": "json"})
    rows = bindings(answer)
    assert answer.status_code == 200 and len(rows) == 15
    kazakhstan = next(shapely.from_wkt(r["wkt"]) for r in rows if r["code"] == "KZ")
    assert kazakhstan.contains(shapely.Point(71.4, 51.2))
