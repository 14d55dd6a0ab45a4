"""Real SPARQL clients (SPARQLWrapper, rdflib's SPARQLStore) over loopback HTTP, against `kg serve` in a
subprocess and against the same app served in-process by uvicorn."""

from __future__ import annotations

import threading

import pytest
import rdflib
import uvicorn
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from kg.api.main import create_app
from support.live import free_port, remote_options, serve, wait_until_up
from tests.helpers import ask, bindings

ACTIVITIES = "PREFIX mea: <https://w3id.org/mea-kg/ontology#> SELECT ?code WHERE { ?a a mea:Activity ; mea:code ?code }"


@pytest.fixture(scope="module", params=["subprocess", "in-process"])
def endpoint(request, served_settings):
    if request.param == "subprocess":
        with serve(
            served_settings.store_dir,
            *remote_options(served_settings),
            "--workers",
            "2",
            "--query-timeout",
            str(served_settings.query_timeout),
        ) as base:
            yield base + "/sparql"
    else:
        port = free_port()
        url = f"http://127.0.0.1:{port}/sparql"
        server = uvicorn.Server(
            uvicorn.Config(create_app(served_settings), host="127.0.0.1", port=port, log_level="warning")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        try:
            wait_until_up(url)
            yield url
        finally:
            server.should_exit = True
            thread.join(timeout=15)


def test_sparqlwrapper_select(endpoint):
    client = SPARQLWrapper(endpoint)
    client.setQuery(ACTIVITIES)
    client.setReturnFormat(JSON)
    codes = {row["code"] for row in bindings(client.query().convert())}
    assert len(codes) == 154 and {"B5", "2.3.8"} <= codes


def test_sparqlwrapper_post_ask_and_construct(endpoint):
    client = SPARQLWrapper(endpoint)
    client.setMethod(POST)
    client.setQuery("ASK { <https://w3id.org/mea-kg/id/taxon/uncia-uncia> ?p ?o }")
    client.setReturnFormat(JSON)
    assert ask(client.query().convert()) is True
    client.setQuery("CONSTRUCT WHERE { <https://w3id.org/mea-kg/id/activity/cami/2.3.8> ?p ?o }")
    client.setReturnFormat(TURTLE)
    graph = rdflib.Graph().parse(data=client.query().convert(), format="turtle")
    assert len(graph) > 10


def test_sparqlwrapper_reports_bad_queries(endpoint):
    client = SPARQLWrapper(endpoint)
    client.setQuery("SELECT ?x WHERE { ?x ?y }")
    client.setReturnFormat(JSON)
    with pytest.raises(QueryBadFormed):
        client.query()


def test_rdflib_sparqlstore(endpoint):
    graph = rdflib.Graph(store=SPARQLStore(endpoint, returnFormat="json"))
    rows = list(
        graph.query("""PREFIX mea: <https://w3id.org/mea-kg/ontology#>
        SELECT ?actor WHERE { <https://w3id.org/mea-kg/id/activity/cami/1.1.6> mea:responsible ?actor }""")
    )
    actors = {str(r[0]).rsplit("/", 1)[-1] for r in rows}
    assert actors == {"government-agencies", "ngos", "traffic", "cites-secretariat"}
    assert graph.query("ASK { ?s ?p ?o }").askAnswer is True
