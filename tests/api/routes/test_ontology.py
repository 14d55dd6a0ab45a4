"""/ontology and /context.jsonld: the ontology IRI dereferences to its documentation or to the ontology."""

from __future__ import annotations

import json
import re

import rdflib
from rdflib.compare import isomorphic

from kg import docs
from kg.config import PROJECT_DIR

ONTOLOGY = PROJECT_DIR / "ontology" / "mea.ttl"


def test_browsers_get_the_documentation_of_every_term(client):
    page = client.get("/ontology", headers={"Accept": "text/html,application/xhtml+xml"})
    assert (
        page.status_code == 200
        and page.headers["content-type"].startswith("text/html")
        and page.headers["vary"].startswith("Accept")
    )
    ontology = rdflib.Graph().parse(ONTOLOGY)
    terms = {
        str(t).split("#")[1]
        for kind in (rdflib.OWL.Class, rdflib.OWL.ObjectProperty, rdflib.OWL.DatatypeProperty)
        for t in ontology.subjects(rdflib.RDF.type, kind)
        if str(t).startswith("https://w3id.org/mea-kg/ontology#")
    }
    anchors = set(re.findall(r'id="([A-Za-z0-9]+)"', page.text))
    assert len(terms) > 90 and terms <= anchors, sorted(terms - anchors)
    assert '<pre class="mermaid"' in page.text and "Activity --> Actor : responsible" in page.text
    assert client.get("/static/mermaid/mermaid.min.js").status_code == 200


def test_machines_get_the_ontology_in_every_format(client):
    expected = rdflib.Graph().parse(ONTOLOGY)
    for media_type, parser in {
        "text/turtle": "turtle",
        "application/ld+json": "json-ld",
        "application/rdf+xml": "xml",
        "application/n-triples": "nt",
    }.items():
        answer = client.get("/ontology", headers={"Accept": media_type})
        assert answer.status_code == 200 and answer.headers["content-type"].startswith(media_type)
        assert isomorphic(rdflib.Graph().parse(data=answer.content, format=parser), expected), media_type
    assert client.get("/ontology").headers["content-type"].startswith("text/turtle")


def test_json_ld_answers_embed_the_published_context(client):
    context = client.get("/context.jsonld")
    assert context.status_code == 200 and context.headers["content-type"].startswith("application/ld+json")
    terms = context.json()["@context"]
    assert (
        terms["targetsTaxon"] == {"@id": "mea:targetsTaxon", "@type": "@id"}
        and terms["mea"] == "https://w3id.org/mea-kg/ontology#"
    )
    assert terms["effectiveFrom"] == {"@id": "mea:effectiveFrom", "@type": "xsd:date"}
    resource = client.get("/id/activity/cami/2.3.8", headers={"Accept": "application/ld+json"}).json()
    assert resource["@context"] == terms
    assert any(node.get("code") == "2.3.8" for node in resource["@graph"])


def test_the_docs_show_the_current_class_diagram():
    page = (PROJECT_DIR / "docs" / "linked-data.md").read_text(encoding="utf-8")
    block = re.search(r"```mermaid\n(.*?)```", page, re.S)
    assert block, "docs/linked-data.md has a mermaid class diagram"
    assert block.group(1) == docs.class_diagram(rdflib.Graph().parse(ONTOLOGY)), "regenerate it: python -m kg.docs"


def test_without_a_local_release_the_documents_come_from_the_ontology_file(tmp_path):
    from kg import store
    from kg.api.releases import document
    from kg.config import Settings

    settings = Settings(store=tmp_path / "no-release")  # a service over a remote store has no local release
    assert json.loads(document(settings, store.JSONLD_CONTEXT))["@context"]["targetsTaxon"]["@type"] == "@id"
    assert b'<pre class="mermaid"' in document(settings, store.ONTOLOGY_DOCS)
