"""External identifiers (data/turtle/links.ttl): every link is sourced and of its scheme's shape, the QC queries
that say so fire on a broken link, and `kg build` prints the coverage."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg import links
from kg.cli import app
from kg.config import PROJECT_DIR
from kg.namespaces import DCTERMS, ID, MEA, RDF_TYPE, SKOS

QC = PROJECT_DIR / "queries" / "qc"
WIKIDATA = "http://www.wikidata.org/entity/"
LINKS_FILE = PROJECT_DIR / "data" / "turtle" / "links.ttl"


def _violations(store: ox.Store, name: str) -> list[str]:
    text = (QC / f"{name}-violation.rq").read_text(encoding="utf-8")
    return [str(row[0].value) for row in store.query(text, use_default_graph_as_union=True)]


def _links_store(*, drop: list[tuple[str, str]] = (), add: list[ox.Quad] = ()) -> ox.Store:
    """links.ttl with the ontology, less the triples (subject suffix, predicate) in ``drop``, plus ``add``."""
    store = ox.Store()
    store.load(path=PROJECT_DIR / "ontology" / "mea.ttl", format=ox.RdfFormat.TURTLE)
    store.load(path=LINKS_FILE, format=ox.RdfFormat.TURTLE)
    for subject, predicate in drop:
        for quad in list(store.quads_for_pattern(ox.NamedNode(ID + subject), ox.NamedNode(predicate), None)):
            store.remove(quad)
    for quad in add:
        store.add(quad)
    return store


AF_WIKIDATA = "link/country/AF/wikidata"


def test_the_links_pass_both_qc_queries():
    store = _links_store()
    assert _violations(store, "link-source") == []
    assert _violations(store, "identifier-shape") == []


def test_a_link_without_its_source_makes_the_qc_query_fire():
    store = _links_store(drop=[(AF_WIKIDATA, DCTERMS + "source")])
    assert _violations(store, "link-source") == [ID + AF_WIKIDATA]


def test_a_plain_link_no_sourced_link_states_makes_the_qc_query_fire():
    afghanistan = ox.NamedNode(ID + "country/AF")
    store = _links_store(add=[ox.Quad(afghanistan, ox.NamedNode(SKOS + "exactMatch"), ox.NamedNode(WIKIDATA + "Q1"))])
    store.add(ox.Quad(afghanistan, RDF_TYPE, MEA.node("Country")))
    assert _violations(store, "link-source") == [ID + "country/AF"]


@pytest.mark.parametrize(
    ("link", "identifier"),
    [
        (AF_WIKIDATA, "889"),  # a Wikidata item is Q + digits
        ("link/country/AF/iso-alpha3", "afg"),  # alpha-3 is three upper-case letters
        ("link/country/AF/iso-numeric", "4"),  # numeric codes have three digits
        ("link/country/AF/m49", "04"),
        ("link/country/AF/geonames", "G1149361"),  # GeoNames ids are digits
    ],
)
def test_an_identifier_of_the_wrong_shape_makes_the_qc_query_fire(link, identifier):
    store = _links_store(
        drop=[(link, MEA + "identifier")],
        add=[ox.Quad(ox.NamedNode(ID + link), MEA.node("identifier"), ox.Literal(identifier))],
    )
    assert _violations(store, "identifier-shape") == [ID + link]


def test_a_target_that_is_not_the_identifiers_iri_makes_the_qc_query_fire():
    store = _links_store(
        drop=[(AF_WIKIDATA, MEA + "linkTarget")],
        add=[ox.Quad(ox.NamedNode(ID + AF_WIKIDATA), MEA.node("linkTarget"), ox.NamedNode(WIKIDATA + "Q2"))],
    )
    assert _violations(store, "identifier-shape") == [ID + AF_WIKIDATA]


def test_build_reports_the_coverage_of_each_scheme(built, graph):
    coverage = {(row.scheme, row.kind): row for row in built.coverage}
    assert (coverage["Wikidata", "Country"].found, coverage["Wikidata", "Country"].total) == (15, 15)
    assert coverage["ISO 3166-1 alpha-3", "Country"].found == 15
    taxa = {row.total for row in built.coverage if row.kind == "Taxon"}
    assert len(taxa) == 1 and taxa.pop() >= 80  # a taxon linked in one scheme still counts in the others
    assert all(0 <= row.found <= row.total for row in built.coverage)
    assert links.coverage(graph) == built.coverage  # the published store (with its inferred graph) says the same


def test_kg_build_prints_the_coverage(runner, tmp_path):
    result = runner.invoke(app, ["build", "--store", str(tmp_path / "store"), "--no-owl-check"])
    assert result.exit_code == 0, result.output
    assert "external identifiers" in result.stderr
    assert "Wikidata" in result.stderr and "15/15" in result.stderr


def test_the_docs_show_the_coverage_the_build_computes(built):
    text = (PROJECT_DIR / "docs" / "links.md").read_text(encoding="utf-8")
    table = text.split("<!-- coverage:start -->", 1)[1].split("<!-- coverage:end -->", 1)[0]
    rows = [line.strip("|").split("|") for line in table.strip().splitlines()[2:]]
    documented = [(scheme.strip(), kind.strip(), found.strip()) for scheme, kind, found in rows]
    assert documented == [(row.scheme, row.kind, f"{row.found}/{row.total}") for row in built.coverage]
