"""A crawl as a harvester and a link checker would do it: every page reachable from `/` answers, no local
link is broken, every resource IRI found through SPARQL dereferences, and its RDF agrees with the store."""

from __future__ import annotations

import html
import re
import zlib
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from kg.api.routes.resources import DESCRIPTIONS
from kg.namespaces import ID

HTML = {"Accept": "text/html"}
FORMATS = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/n-triples": "nt", "application/rdf+xml": "xml"}
_HREF = re.compile(r'(?:href|src)="([^"]+)"')


def _local_links(page: str) -> set[str]:
    links = set()
    for raw in _HREF.findall(page):
        url, _ = urldefrag(html.unescape(raw))
        if url.startswith("/") and not url.startswith("//"):
            links.add(url)
    return links


@pytest.fixture()
def crawled_backend(backend) -> str:
    """The crawl runs on the embedded store and on Virtuoso; `oxigraph serve` answers the same routes in
    tests/api/routes, and a third crawl (1.5 minutes) would push CI past its time."""
    if backend == "oxigraph":
        pytest.skip("crawled on the embedded store and on Virtuoso")
    return backend


def test_crawl_from_the_entry_page_finds_no_broken_link(client, select, crawled_backend):
    seen, queue, broken, pages = {"/"}, deque(["/"]), [], 0
    while queue:
        url = queue.popleft()
        answer = client.get(url, headers=HTML)
        if answer.status_code != 200:
            broken.append((url, answer.status_code))
            continue
        if not answer.headers["content-type"].startswith("text/html"):
            continue
        pages += 1
        for link in _local_links(answer.text) - seen:
            seen.add(link)
            path = urlsplit(link).path
            # Follow every page; check other local links (raw formats, queries, static files) once each.
            if path.startswith("/id/") and "format=" not in link or path in ("/", "/ontology"):
                queue.append(link)
            elif path == "/sparql" and zlib.crc32(link.encode()) % 8:  # reproducing queries: a sample of one in eight
                continue
            elif (status := client.get(link).status_code) != 200:
                broken.append((link, status))
    assert not broken, broken[:20]
    resources = {row["s"] for row in select(f'SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{ID}")) }}')}
    crawled = {ID + link[len("/id/"):].split("?")[0] for link in seen if link.startswith("/id/")}
    assert pages > 1000 and crawled <= resources
    unreached = resources - crawled
    assert len(unreached) < len(resources) / 2, "most resources are linked from the pages"
    for iri in sorted(unreached):
        assert client.get("/id/" + iri[len(ID):], headers=HTML).status_code == 200, iri


def test_every_resource_dereferences_and_agrees_with_the_store(client, graph, select, crawled_backend):
    resources = sorted({row["s"] for row in select(f'SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{ID}")) }}')})
    assert len(resources) > 1000
    kinds = {}
    for iri in resources:
        kinds.setdefault(iri[len(ID):].split("/")[0], iri)  # one resource of each kind in every format
    for iri in resources:
        expected = _expected(graph, iri)
        media_types = FORMATS if iri in kinds.values() else {"text/turtle": "turtle"}
        for media_type, parser in media_types.items():
            answer = client.get("/id/" + iri[len(ID):], headers={"Accept": media_type})
            assert answer.status_code == 200 and answer.headers["vary"].startswith("Accept"), (iri, media_type)
            assert isomorphic(rdflib.Graph().parse(data=answer.content, format=parser), expected), (iri, media_type)


def _expected(graph: ox.Store, iri: str) -> rdflib.Graph:
    triples = graph.query(DESCRIPTIONS[None], substitutions={ox.Variable("r"): ox.NamedNode(iri)}, use_default_graph_as_union=True)
    return rdflib.Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
