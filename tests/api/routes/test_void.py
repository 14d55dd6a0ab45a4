"""/.well-known/void: the dataset's VoID description agrees with the store."""

from __future__ import annotations

from xml.etree import ElementTree

import rdflib

VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")


def test_void_describes_the_dataset(client, graph, backend):
    response = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.headers["etag"]
    void = rdflib.Graph().parse(data=response.content, format="turtle")
    dataset = rdflib.URIRef("http://testserver/.well-known/void#dataset")
    assert (dataset, rdflib.RDF.type, VOID.Dataset) in void
    assert int(void.value(dataset, VOID.triples)) == len(
        list(graph.query("SELECT * WHERE { ?s ?p ?o }", use_default_graph_as_union=True))
    )
    assert void.value(dataset, VOID.sparqlEndpoint) == rdflib.URIRef("http://testserver/sparql")
    assert str(void.value(dataset, VOID.uriSpace)) == "https://w3id.org/mea-kg/id/"
    assert (dataset, rdflib.DCTERMS.license, rdflib.URIRef("https://creativecommons.org/licenses/by/4.0/")) in void
    partitions = {
        void.value(p, VOID["class"]): int(void.value(p, VOID.entities))
        for p in void.objects(dataset, VOID.classPartition)
    }
    assert partitions[rdflib.URIRef("https://w3id.org/mea-kg/ontology#Activity")] == 154
    dumps = set(void.objects(dataset, VOID.dataDump))
    assert len(dumps) == (4 if backend == "embedded" else 0)  # a remote store's service has no dump files
    assert all(client.get(str(d).replace("http://testserver", "")).status_code == 200 for d in dumps)
    linksets = list(void.objects(dataset, VOID.subset))
    targets = {void.value(linkset, VOID.target): int(void.value(linkset, VOID.triples)) for linkset in linksets}
    assert (
        targets[rdflib.URIRef("http://www.informea.org/")] == 2
    )  # keywords mapped to InforMEA/LEO terms (skos:exactMatch)
    assert client.get("/.well-known/void", headers={"Accept": "image/png"}).status_code == 406


def test_property_partitions_and_dcat_catalogue(client, graph):
    void = rdflib.Graph().parse(data=client.get("/catalog", headers={"Accept": "text/turtle"}).content, format="turtle")
    dataset = rdflib.URIRef("http://testserver/.well-known/void#dataset")
    partitions = {
        void.value(p, VOID.property): int(void.value(p, VOID.triples))
        for p in void.objects(dataset, VOID.propertyPartition)
    }
    code = "https://w3id.org/mea-kg/ontology#code"
    assert partitions[rdflib.URIRef(code)] == len(
        list(graph.query(f"SELECT * WHERE {{ ?s <{code}> ?o }}", use_default_graph_as_union=True))
    )
    catalogue = rdflib.URIRef("http://testserver/catalog#catalogue")
    assert (catalogue, rdflib.RDF.type, DCAT.Catalog) in void and (catalogue, DCAT.dataset, dataset) in void
    assert (dataset, rdflib.RDF.type, DCAT.Dataset) in void
    downloads = {void.value(d, DCAT.downloadURL) for d in void.objects(dataset, DCAT.distribution)} - {None}
    assert downloads == set(void.objects(dataset, VOID.dataDump))
    service = void.value(catalogue, DCAT.service)
    assert (
        void.value(service, DCAT.endpointURL) == rdflib.URIRef("http://testserver/sparql")
        and (service, DCAT.servesDataset, dataset) in void
    )


def test_sitemap_lists_every_resource_page_and_the_dataset(client, select, backend):
    sitemap = client.get("/sitemap.xml")
    assert sitemap.status_code == 200 and sitemap.headers["content-type"].startswith("application/xml")
    root = ElementTree.fromstring(sitemap.content)
    ns = {
        "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
        "sc": "http://sw.deri.org/2007/07/sitemapextension/scschema.xsd",
    }
    locations = [loc.text for loc in root.findall("s:url/s:loc", ns)]
    resources = select(
        'SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(STRSTARTS(STR(?s), "https://w3id.org/mea-kg/id/")) }'
    )
    assert len(locations) == len(resources) + 2 and "http://testserver/id/country/KZ" in locations
    assert root.find("sc:dataset/sc:sparqlEndpointLocation", ns).text == "http://testserver/sparql"
    assert len(root.findall("sc:dataset/sc:dataDumpLocation", ns)) == (4 if backend == "embedded" else 0)
    assert "Sitemap: http://testserver/sitemap.xml" in client.get("/robots.txt").text
