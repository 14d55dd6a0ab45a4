"""/.well-known/void: the dataset's VoID description agrees with the store."""

from __future__ import annotations

import rdflib

VOID = rdflib.Namespace("http://rdfs.org/ns/void#")


def test_void_describes_the_dataset(client, graph):
    response = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.headers["etag"]
    void = rdflib.Graph().parse(data=response.content, format="turtle")
    dataset = rdflib.URIRef("http://testserver/.well-known/void#dataset")
    assert (dataset, rdflib.RDF.type, VOID.Dataset) in void
    assert int(void.value(dataset, VOID.triples)) == len(list(graph.query("SELECT * WHERE { ?s ?p ?o }", use_default_graph_as_union=True)))
    assert void.value(dataset, VOID.sparqlEndpoint) == rdflib.URIRef("http://testserver/sparql")
    assert str(void.value(dataset, VOID.uriSpace)) == "https://w3id.org/mea-kg/id/"
    assert (dataset, rdflib.DCTERMS.license, rdflib.URIRef("https://creativecommons.org/licenses/by/4.0/")) in void
    partitions = {void.value(p, VOID["class"]): int(void.value(p, VOID.entities)) for p in void.objects(dataset, VOID.classPartition)}
    assert partitions[rdflib.URIRef("https://w3id.org/mea-kg/ontology#Activity")] == 154
    dumps = set(void.objects(dataset, VOID.dataDump))
    assert rdflib.URIRef("http://testserver/dumps/mea-kg.ttl") in dumps and len(dumps) == 4
    assert all(client.get(str(d).replace("http://testserver", "")).status_code == 200 for d in dumps)
    linksets = list(void.objects(dataset, VOID.subset))
    targets = {void.value(linkset, VOID.target): int(void.value(linkset, VOID.triples)) for linkset in linksets}
    assert targets[rdflib.URIRef("http://www.informea.org/")] == 2  # keywords mapped to InforMEA/LEO terms (skos:exactMatch)
    assert client.get("/.well-known/void", headers={"Accept": "image/png"}).status_code == 406
