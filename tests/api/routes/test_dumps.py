"""/dumps: the dumps written by `kg build`, served with an ETag; nothing outside the release is reachable."""

from __future__ import annotations

import pytest
import rdflib


def test_dumps_are_listed_and_parse(client, graph, embedded_only):
    listing = client.get("/dumps").json()
    assert {d["name"] for d in listing} == {"mea-kg.ttl", "mea-kg.nt.gz", "mea-kg.jsonld", "mea-kg.nq.gz"}
    merged = len(list(graph.query("SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o }", use_default_graph_as_union=True)))
    turtle = client.get("/dumps/mea-kg.ttl")
    assert turtle.status_code == 200 and turtle.headers["etag"]
    assert len(rdflib.Graph().parse(data=turtle.content, format="turtle")) == merged
    ntriples = client.get("/dumps/mea-kg.nt.gz")  # gzip content-encoding, decoded by the client
    assert ntriples.headers["content-encoding"] == "gzip"
    assert len(rdflib.Graph().parse(data=ntriples.content, format="nt")) == merged
    again = client.get("/dumps/mea-kg.ttl", headers={"If-None-Match": turtle.headers["etag"]})
    assert again.status_code == 304


def test_no_path_traversal(client):
    for name in ("../manifest.json", "..%2Fmanifest.json", "dataset.nq", "%2e%2e%2f%2e%2e%2fetc%2fpasswd"):
        response = client.get(f"/dumps/{name}")
        assert response.status_code == 404


def test_a_remote_stores_service_offers_no_dumps(client, backend):
    """Dumps are files of a local build: in front of a remote store none is listed and each is a clear 404."""
    if backend == "embedded":
        pytest.skip("the embedded store serves its dumps")
    assert client.get("/dumps").json() == []
    response = client.get("/dumps/mea-kg.ttl")
    assert response.status_code == 404 and "remote store" in response.json()["detail"]
