"""External identifiers over HTTP: the VoID linksets and their counts, the pages' "Same as / elsewhere" section,
schema:sameAs in the JSON-LD."""

from __future__ import annotations

import json

import rdflib

VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
SKOS = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")
DATASET = rdflib.URIRef("http://testserver/.well-known/void#dataset")


def _linksets(client) -> dict[str, tuple[rdflib.term.Node, rdflib.term.Node, int]]:
    void = rdflib.Graph().parse(
        data=client.get("/.well-known/void", headers={"Accept": "text/turtle"}).content, format="turtle"
    )
    found = {}
    for linkset in void.objects(DATASET, VOID.subset):
        if (linkset, VOID.linkPredicate, None) in void:
            assert void.value(linkset, VOID.subjectsTarget) == DATASET
            found[str(linkset).rsplit("#linkset-", 1)[1]] = (
                void.value(linkset, VOID.objectsTarget),
                void.value(linkset, VOID.linkPredicate),
                int(void.value(linkset, VOID.triples)),
            )
    return found


def test_void_has_one_linkset_per_target_with_its_count(client, select):
    linksets = _linksets(client)
    counted = select(
        """SELECT ?scheme ?predicate (COUNT(*) AS ?n) WHERE {
             ?link a mea:ExternalLink ; mea:identifierScheme ?scheme ; mea:linkPredicate ?predicate ;
                   mea:linkSubject ?s ; mea:linkTarget ?o . ?s ?predicate ?o } GROUP BY ?scheme ?predicate"""
    )
    expected = {
        f"{row['scheme'].rsplit('/', 1)[1]}-{row['predicate'].rsplit('#', 1)[1]}": int(row["n"]) for row in counted
    }
    assert {name: n for name, (_, _, n) in linksets.items()} == expected
    target, predicate, _ = linksets["geonames-exactMatch"]
    assert (target, predicate) == (rdflib.URIRef("https://sws.geonames.org/"), SKOS.exactMatch)
    assert linksets["wikidata-exactMatch"][0] == rdflib.URIRef("http://www.wikidata.org/")
    assert linksets["wikidata-exactMatch"][2] >= 15  # the 15 countries at least
    assert linksets["geonames-exactMatch"][2] == 15


def test_country_page_shows_its_identifiers_by_scheme(client):
    page = client.get("/id/country/KZ", headers={"Accept": "text/html"}).text
    assert "Same as / elsewhere" in page
    for scheme, identifier in [
        ("Wikidata", "Q232"),
        ("GeoNames", "1522867"),
        ("ISO 3166-1 alpha-3", "KAZ"),
        ("ISO 3166-1 numeric", "398"),
        ("UN M49", "398"),
    ]:
        assert f">{scheme}</a>" in page and f">{identifier}<" in page, scheme
    assert 'href="http://www.wikidata.org/entity/Q232"' in page
    assert "consulted 2026-12-07" in page
    embedded = page.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert "http://www.wikidata.org/entity/Q232" in json.loads(embedded)["sameAs"]
    french = client.get("/id/country/KZ?lang=fr", headers={"Accept": "text/html"}).text
    assert "Identique à / ailleurs" in french


def test_jsonld_carries_schema_same_as(client):
    answer = client.get("/id/country/KZ", headers={"Accept": "application/ld+json"})
    graph = rdflib.Graph().parse(data=answer.content, format="json-ld")
    kazakhstan = rdflib.URIRef("https://w3id.org/mea-kg/id/country/KZ")
    same_as = set(graph.objects(kazakhstan, rdflib.URIRef("http://schema.org/sameAs")))
    assert same_as == set(graph.objects(kazakhstan, SKOS.exactMatch))
    assert rdflib.URIRef("http://www.wikidata.org/entity/Q232") in same_as
    assert b"schema:sameAs" in answer.content or b"http://schema.org/sameAs" in answer.content


def test_taxon_pages_show_their_wikidata_and_gbif_links(client):
    cheetah = client.get("/id/taxon/acinonyx-jubatus", headers={"Accept": "text/html"}).text
    assert "Same as / elsewhere" in cheetah
    assert 'href="http://www.wikidata.org/entity/Q23907"' in cheetah and ">Wikidata</a>" in cheetah
    camel = client.get("/id/taxon/camelus-bactrianus", headers={"Accept": "text/html"}).text
    assert 'href="https://www.gbif.org/species/2441238"' in camel and ">GBIF Backbone Taxonomy</a>" in camel
    assert ">closeMatch<" in camel  # the sources' wild camel is not exactly GBIF's Camelus bactrianus
