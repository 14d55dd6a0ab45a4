"""A crawl as a harvester and a link checker would do it: every page reachable from `/` answers, no local
link is broken, every resource IRI found through SPARQL dereferences, and its RDF agrees with the store."""

from __future__ import annotations

import html
import re
import zlib
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urldefrag, urlsplit

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from kg.api.routes.resources import DESCRIPTIONS
from kg.namespaces import ID

HTML = {"Accept": "text/html"}
FORMATS = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
}
IN_FLIGHT = 6
"""Requests the crawler keeps in flight, as a harvester would: pages are fetched side by side."""
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
    tests/api/routes, and a third crawl would push CI past its time."""
    if backend == "oxigraph":
        pytest.skip("crawled on the embedded store and on Virtuoso")
    return backend


def _is_page(link: str) -> bool:
    """An HTML page the crawl follows (a resource in its default format, the entry page, the ontology)."""
    path = urlsplit(link).path
    return (path.startswith("/id/") and "format=" not in link) or path in ("/", "/ontology")


def _checked(link: str, backend: str) -> bool:
    """Whether the crawl on ``backend`` gets ``link``.

    The embedded store: every page and local link but the `?format=` ones (the dereferencing test below gets
    every resource by Accept, tests/api/routes/test_resources the override) and 7 in 8 reproducing queries.
    Virtuoso (40-180 ms a page, its `?s ?p <r>` lookups over the published graphs): the pages in English only
    (tests/api/routes checks French pages on every back-end) and no other link (the same links as on the
    embedded store; tests/api/routes and the dereferencing test below check them on Virtuoso).
    """
    parts = urlsplit(link)
    if backend == "embedded":
        return "format=" not in parts.query and (parts.path != "/sparql" or not zlib.crc32(link.encode()) % 8)
    return _is_page(link) and not parts.query


def test_crawl_from_the_entry_page_finds_no_broken_link(client, select, embedded_only):
    """Every link of every page, followed from `/` (on the embedded store: the pages link alike on any store,
    and every resource's answer on Virtuoso is checked by the next test, in a third of the time)."""
    seen, frontier, broken, pages = {"/"}, ["/"], [], 0
    with ThreadPoolExecutor(IN_FLIGHT) as requests:
        while frontier:  # breadth first, one level at a time
            follow, check = [], []
            for url, answer in zip(
                frontier, requests.map(lambda url: client.get(url, headers=HTML), frontier), strict=True
            ):
                if answer.status_code != 200:
                    broken.append((url, answer.status_code))
                    continue
                if not answer.headers["content-type"].startswith("text/html"):
                    continue
                pages += 1
                for link in _local_links(answer.text) - seen:
                    seen.add(link)
                    if _checked(link, crawled_backend):  # pages are followed; other local links are got once each
                        (follow if _is_page(link) else check).append(link)
            broken += [
                (link, status)
                for link, status in zip(
                    check, requests.map(lambda url: client.get(url).status_code, check), strict=True
                )
                if status != 200
            ]
            frontier = follow
        assert not broken, broken[:20]
        resources = {
            row["s"] for row in select(f'SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{ID}")) }}')
        }
        crawled = {ID + link[len("/id/") :].split("?")[0] for link in seen if link.startswith("/id/")}
        assert pages > 1000 and crawled <= resources
        unreached = sorted(resources - crawled)
        assert len(unreached) < len(resources) / 2, "most resources are linked from the pages"
        pages_of_unreached = ["/id/" + iri[len(ID) :] for iri in unreached]
        statuses = requests.map(lambda url: client.get(url, headers=HTML).status_code, pages_of_unreached)
        assert [url for url, status in zip(pages_of_unreached, statuses, strict=True) if status != 200] == []


def test_every_resource_dereferences_and_agrees_with_the_store(client, graph, select, crawled_backend):
    resources = sorted(
        {row["s"] for row in select(f'SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{ID}")) }}')}
    )
    assert len(resources) > 1000
    kinds = {}
    for iri in resources:
        kinds.setdefault(iri[len(ID) :].split("/")[0], iri)  # one resource of each kind in every format
    with ThreadPoolExecutor(IN_FLIGHT) as requests:
        list(
            requests.map(
                lambda iri: _agrees(
                    client, graph, iri, FORMATS if iri in kinds.values() else {"text/turtle": "turtle"}
                ),
                resources,
            )
        )


def _agrees(client, graph: ox.Store, iri: str, media_types: dict[str, str]) -> None:
    expected = _expected(graph, iri)
    for media_type, parser in media_types.items():
        answer = client.get("/id/" + iri[len(ID) :], headers={"Accept": media_type})
        assert answer.status_code == 200 and answer.headers["vary"].startswith("Accept"), (iri, media_type)
        wanted = _with_schema_same_as(expected) if parser == "json-ld" else expected
        assert isomorphic(rdflib.Graph().parse(data=answer.content, format=parser), wanted), (iri, media_type)


def _with_schema_same_as(graph: rdflib.Graph) -> rdflib.Graph:
    """The JSON-LD description also gives each skos:exactMatch as schema:sameAs (kg.jsonld.compact)."""
    extended = rdflib.Graph()
    extended += graph
    for subject, target in graph.subject_objects(rdflib.SKOS.exactMatch):
        extended.add((subject, rdflib.URIRef("http://schema.org/sameAs"), target))
    return extended


def _expected(graph: ox.Store, iri: str) -> rdflib.Graph:
    triples = graph.query(
        DESCRIPTIONS[None], substitutions={ox.Variable("r"): ox.NamedNode(iri)}, use_default_graph_as_union=True
    )
    return rdflib.Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
