"""/id/…: every resource IRI dereferences, in every RDF format, agreeing with the store."""

from __future__ import annotations

import re

import pytest
import rdflib
from rdflib.compare import isomorphic

B5 = "/id/activity/jwp/B5"
B5_IRI = rdflib.URIRef("https://w3id.org/mea-kg/id/activity/jwp/B5")
FORMATS = [("text/turtle", "turtle"), ("application/ld+json", "json-ld"), ("application/n-triples", "nt"),
           ("application/rdf+xml", "xml")]


@pytest.mark.parametrize(("accept", "rdflib_format"), FORMATS)
def test_formats_agree(client, accept, rdflib_format):
    response = client.get(B5, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(accept)
    assert "Accept" in response.headers["vary"]
    graph = rdflib.Graph().parse(data=response.content, format=rdflib_format)
    reference = rdflib.Graph().parse(data=client.get(B5, headers={"Accept": "application/n-triples"}).content, format="nt")
    assert isomorphic(graph, reference)
    assert (B5_IRI, rdflib.URIRef("https://w3id.org/mea-kg/ontology#code"), rdflib.Literal("B5")) in graph


def test_description_matches_the_store(client, graph):
    served = rdflib.Graph().parse(data=client.get(B5, headers={"Accept": "application/n-triples"}).content, format="nt")
    stored = {(row["p"].value, row["o"].value) for row in
              graph.query(f"SELECT DISTINCT ?p ?o WHERE {{ <{B5_IRI}> ?p ?o }}", use_default_graph_as_union=True)}
    assert {(str(p), str(o)) for p, o in served.predicate_objects(B5_IRI)} == stored


RESPONSIBILITY = rdflib.URIRef("https://w3id.org/mea-kg/ontology#responsibility")


def linked_label_languages(graph: rdflib.Graph) -> set[str]:
    return {label.language for node in graph.objects(B5_IRI, RESPONSIBILITY) for label in graph.objects(node, rdflib.RDFS.label)}


def test_accept_language_picks_linked_labels(client):
    french = client.get(B5, headers={"Accept": "text/turtle", "Accept-Language": "fr-CH, en;q=0.5"})
    assert "Accept-Language" in french.headers["vary"]
    assert linked_label_languages(rdflib.Graph().parse(data=french.content, format="turtle")) == {"fr"}
    english = client.get(B5, headers={"Accept": "text/turtle", "Accept-Language": "en-GB"})
    assert linked_label_languages(rdflib.Graph().parse(data=english.content, format="turtle")) == {"en"}
    both = client.get(B5, headers={"Accept": "text/turtle"})
    assert linked_label_languages(rdflib.Graph().parse(data=both.content, format="turtle")) == {"fr", "en"}


def test_unknown_resource_is_404_and_bad_accept_406(client):
    assert client.get("/id/activity/jwp/Z99").status_code == 404
    assert client.get(B5, headers={"Accept": "image/png"}).status_code == 406


def test_every_activity_dereferences(client, select):
    activities = [r["a"] for r in select("SELECT ?a WHERE { ?a a mea:Activity }")]
    assert len(activities) == 154
    for iri in activities[::10]:
        assert client.get(iri.replace("https://w3id.org/mea-kg", ""), headers={"Accept": "text/turtle"}).status_code == 200


def test_browsers_get_an_html_page(client):
    page = client.get("/id/activity/cami/1.1.6", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Promouvoir l’échange d’informations" in page.text and "Promote the exchange of information" in page.text
    assert 'href="/id/actor/traffic"' in page.text and "Activity with an unconfirmed actor" in page.text
    assert re.search(r"1\.1\.6: TRAFFIC</a> <span class=\"unconfirmed\">\(to be confirmed\)", page.text)
    assert page.text.count("(to be confirmed)") == 2  # TRAFFIC and the CITES Secretariat
    assert '?format=turtle' in page.text and "/sparql?query=" in page.text


def test_page_links_resolve(client):
    import re

    page = client.get("/id/taxon/uncia-uncia", headers={"Accept": "text/html"})
    assert "/id/activity/jwp/B5" in page.text  # incoming: the activities that target it
    links = set(re.findall(r'href="(/[^"?#]*)', page.text))
    assert len(links) > 10
    for link in links:
        assert client.get(link).status_code == 200, link


def test_language_and_format_overrides(client):
    french = client.get("/id/activity/cami/1.1.6", params={"lang": "fr"}, headers={"Accept": "text/html"})
    assert french.headers["content-language"] == "fr" and "Activité CAMI 1.1.6</h1>" in french.text
    turtle = client.get("/id/activity/cami/1.1.6", params={"format": "turtle"}, headers={"Accept": "text/html"})
    assert turtle.headers["content-type"].startswith("text/turtle")
    assert client.get("/id/activity/cami/1.1.6", params={"lang": "de"}).status_code == 400
    assert client.get("/id/activity/cami/1.1.6", params={"format": "csv"}).status_code == 400
