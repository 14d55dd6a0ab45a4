"""/sparql over the real graph: negotiation, errors, caching, CORS, limits, timeouts and the federation guard."""

from __future__ import annotations

import threading
import time

import pytest
import rdflib

from kg.api.main import create_app
from support import live
from tests.api.conftest import TestClient
from tests.helpers import ask, bindings

from ..conftest import auth

ACTIVITIES = (
    "PREFIX mea: <https://w3id.org/mea-kg/ontology#> SELECT ?a ?code WHERE { ?a a mea:Activity ; mea:code ?code }"
)
DESCRIBE = "DESCRIBE <https://w3id.org/mea-kg/id/activity/jwp/B5>"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
"""A cube of the graph's triples: it can never finish within LIMIT_S."""
LIMIT_S = 10.0
"""The query time limit of the tests about it: long beside the light requests sent meanwhile (milliseconds each)."""
LIGHT = ["/queries/activities-by-listing", "/queries/taxa-listed-by-both", "/id/taxon/uncia-uncia", "/.well-known/void"]
"""The service's own bounded queries, which the workers held back from ad-hoc queries keep answering."""


@pytest.fixture(scope="module")
def limited_client(served_settings, embedded_only):
    """The service on the embedded store with a query time limit of LIMIT_S, and no answer cache."""
    limited = served_settings.model_copy(update={"query_timeout": LIMIT_S, "cache_mb": 0})
    with TestClient(create_app(limited)) as test_client:
        yield test_client


def test_get_query_json_by_default(client):
    response = client.get("/sparql", params={"query": ACTIVITIES})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    assert len(bindings(response)) == 33 + 121


def test_post_form_and_direct(client):
    form = client.post("/sparql", data={"query": ACTIVITIES})
    direct = client.post("/sparql", content=ACTIVITIES, headers={"Content-Type": "application/sparql-query"})
    assert form.status_code == direct.status_code == 200
    assert form.json() == direct.json()


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("application/json", "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "application/sparql-results+json"),
        ("text/csv;q=0.5, text/tab-separated-values", "text/tab-separated-values"),
    ],
)
def test_results_negotiation(client, accept, media_type):
    response = client.get("/sparql", params={"query": ACTIVITIES}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    assert "Accept" in response.headers["vary"]


@pytest.mark.parametrize(
    ("accept", "media_type", "rdflib_format"),
    [
        ("text/turtle", "text/turtle", "turtle"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
        ("application/n-quads", "application/n-quads", "nquads"),
        ("application/trig", "application/trig", "trig"),
        ("*/*", "text/turtle", "turtle"),
    ],
)
def test_graph_negotiation_and_formats_agree(client, accept, media_type, rdflib_format):
    response = client.get("/sparql", params={"query": DESCRIBE}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    graph = (
        rdflib.Dataset().parse(data=response.content, format=rdflib_format)
        if rdflib_format in ("nquads", "trig")
        else rdflib.Graph().parse(data=response.content, format=rdflib_format)
    )
    reference = rdflib.Graph().parse(
        data=client.get("/sparql", params={"query": DESCRIBE}, headers={"Accept": "application/n-triples"}).content,
        format="nt",
    )
    assert len(graph) == len(reference) > 10


def test_format_parameter_overrides_accept(client):
    response = client.get(
        "/sparql", params={"query": ACTIVITIES, "format": "csv"}, headers={"Accept": "application/json"}
    )
    assert response.headers["content-type"].startswith("text/csv")


def test_406_for_unservable_accept(client):
    response = client.get("/sparql", params={"query": ACTIVITIES}, headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert response.headers["content-type"] == "application/problem+json"


def test_406_when_the_answer_kind_is_not_accepted(client):
    response = client.get("/sparql", params={"query": ACTIVITIES}, headers={"Accept": "text/turtle"})
    assert response.status_code == 406


def test_syntax_error_is_400_with_message_and_position(client):
    response = client.get("/sparql", params={"query": "SELECT ?x WHERE { ?x ?y }"})
    assert response.status_code == 400
    problem = response.json()
    assert problem["type"].endswith("#query-syntax") and problem["status"] == 400
    assert "1:26" in problem["detail"] or problem.get("line") == 1


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"params": [("query", "ASK {}"), ("query", "ASK {}")]}, 400),
        ({"params": {"query": "INSERT DATA { <a:b> <a:c> <a:d> }"}}, 400),
        ({"params": {"update": "CLEAR ALL"}}, 400),
        ({"params": {"query": "ASK {}", "default-graph-uri": "not an iri"}}, 400),
        ({"params": {"query": "ASK {}", "format": "png"}}, 400),
    ],
)
def test_bad_get_requests(client, kwargs, status):
    response = client.get("/sparql", **kwargs)
    assert response.status_code == status
    assert response.json()["status"] == status


@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [
        (b"ASK {}", "text/plain", 415),
        (b"ASK {}", None, 415),
        ("ASK {}".encode("utf-16"), "application/sparql-query; charset=UTF-16", 400),
        (b"\xff\xfe\x00A", "application/sparql-query", 400),
        (b"query=%FF", "application/x-www-form-urlencoded", 400),
        (b"query=ASK+%7B%7D&update=CLEAR+ALL", "application/x-www-form-urlencoded", 400),
    ],
)
def test_bad_post_requests(client, content, content_type, status):
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.post("/sparql", content=content, headers=headers)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"


def test_request_body_cap_is_413(client, served_settings):
    response = client.post(
        "/sparql",
        content=b"#" * (served_settings.max_body_bytes + 1),
        headers={"Content-Type": "application/sparql-query"},
    )
    assert response.status_code == 413
    assert response.json()["type"].endswith("#payload-too-large")


def test_etag_and_304(client):
    first = client.get("/sparql", params={"query": ACTIVITIES})
    assert first.headers["etag"] and "no-cache" in first.headers["cache-control"]
    again = client.get("/sparql", params={"query": ACTIVITIES}, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    other_format = client.get(
        "/sparql", params={"query": ACTIVITIES}, headers={"Accept": "text/csv", "If-None-Match": first.headers["etag"]}
    )
    assert other_format.status_code == 200


def test_cors_for_any_origin_without_credentials(client):
    response = client.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://example.org"})
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers
    preflight = client.options(
        "/sparql",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Authorization",
        },
    )
    assert preflight.status_code == 400  # Authorization is not an allowed cross-origin header


def test_gzip_and_server_header(client):
    response = client.get("/sparql", params={"query": ACTIVITIES}, headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["server"].startswith("mea-kg/")
    assert len(bindings(response)) == 154  # httpx decoded the gzip body


def test_row_cap_truncates_with_a_header(client, served_settings):
    response = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert response.status_code == 200, response.text
    assert response.headers["x-result-truncated"] == str(served_settings.max_rows)
    assert len(bindings(response)) == served_settings.max_rows


def test_runaway_query_is_stopped_with_503_before_any_result(limited_client):
    started = time.monotonic()
    response = limited_client.get("/sparql", params={"query": RUNAWAY})
    assert time.monotonic() - started >= LIMIT_S  # cut at the limit, not before (the service's clock is monotonic too)
    assert response.status_code == 503
    assert response.json()["type"].endswith("#query-timeout")
    assert response.headers["retry-after"]
    assert ask(limited_client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})) is True  # and it answers again


def test_other_requests_are_answered_while_a_query_runs_away(limited_client):
    """While a runaway holds the one worker open to ad-hoc queries, the service's own queries are answered
    before it is cut: the runaway's answer comes after theirs."""
    answered: list[str] = []

    def runaway():
        status = limited_client.get("/sparql", params={"query": RUNAWAY}).status_code
        answered.append(f"runaway {status}")

    thread = threading.Thread(target=runaway)
    thread.start()
    until_busy(limited_client)
    for path in LIGHT:
        status = limited_client.get(path).status_code
        answered.append(f"{path} {status}")
    thread.join()
    assert answered == [*(f"{path} 200" for path in LIGHT), "runaway 503"]


def until_busy(client, seconds: float = 60) -> None:
    """Wait until every slot open to ad-hoc queries is taken (the runaway holds its worker)."""
    deadline = time.monotonic() + seconds
    while not client.app.state.pool._public.locked():
        assert time.monotonic() < deadline, "the runaway query never reached a worker"
        time.sleep(0.01)


def test_service_is_refused_and_never_reaches_the_network(client):
    with live.loopback_listener() as (endpoint, hits):
        for query in (
            f"SELECT * WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}",
            f"SELECT * WHERE {{ \\u0053ERVICE <{endpoint}> {{ ?s ?p ?o }} }}",
            f"SELECT * WHERE {{ BIND(<{endpoint}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
        ):
            response = client.get("/sparql", params={"query": query})
            assert response.status_code == 400, response.text
        assert (
            client.get("/sparql", params={"query": f"SELECT * WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}"})
            .json()["type"]
            .endswith("#federation-refused")
        )
        time.sleep(0.2)
        assert hits == []


def test_the_word_service_in_a_literal_is_not_refused(client):
    response = client.get("/sparql", params={"query": 'SELECT * WHERE { ?s ?p "SERVICE <http://x/>" }'})
    assert response.status_code == 200


def test_updates_are_disabled_by_default(client):
    response = client.post("/sparql", content="CLEAR ALL", headers={"Content-Type": "application/sparql-update"})
    assert response.status_code == 403
    assert ask(client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})) is True


def test_service_description(client, served_settings):
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = rdflib.Graph().parse(data=response.content, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    endpoint = rdflib.URIRef("http://testserver/sparql")
    assert (endpoint, sd.endpoint, endpoint) in graph
    assert (endpoint, sd.supportedLanguage, sd.SPARQL11Query) in graph
    assert (endpoint, sd.supportedLanguage, sd.SPARQL11Update) not in graph
    names = set(graph.objects(None, sd.name))
    assert rdflib.URIRef("https://w3id.org/mea-kg/graph/jwp") in names
    assert len(list(graph.objects(endpoint, sd.resultFormat))) == 10


def test_openapi_documents_every_route_and_error(client):
    spec = client.get("/openapi.json").json()
    assert {"/sparql", "/store"} <= set(spec["paths"])
    get_sparql = spec["paths"]["/sparql"]["get"]
    assert {"400", "406", "503"} <= set(get_sparql["responses"])
    docs = client.get("/docs")
    assert (
        docs.status_code == 200
        and "/static/swagger-ui/swagger-ui-bundle.js" in docs.text
        and "cdn" not in docs.text.lower()
    )
    assert client.get("/static/swagger-ui/swagger-ui-bundle.js").status_code == 200


# --- friendlier SPARQL: predeclared prefixes, plain parse errors, hostile queries refused ---------------------

DEEP = "SELECT * WHERE " + "{ " * 5000 + "?s ?p ?o" + " }" * 5000
HUGE_GROUP = "SELECT * WHERE { " + " ".join(f"?s <urn:p{i}> ?o{i} ." for i in range(20_000)) + " }"


def test_common_prefixes_are_predeclared(client):
    response = client.get("/sparql", params={"query": "SELECT DISTINCT ?a WHERE { ?a a mea:Activity ; mea:code 'B5' }"})
    assert response.status_code == 200, response.text
    assert [b["a"]["value"] for b in response.json()["results"]["bindings"]] == [
        "https://w3id.org/mea-kg/id/activity/jwp/B5"
    ]


def test_a_querys_own_prefix_declaration_wins(client):
    query = "PREFIX mea: <urn:not-mea#> ASK { ?a a mea:Activity }"
    assert client.post("/sparql", data={"query": query}).json()["boolean"] is False


def test_an_undeclared_prefix_is_named_in_plain_words(client):
    response = client.get("/sparql", params={"query": "SELECT * WHERE {\n  ?item wdt:P31 ?class }"})
    assert response.status_code == 400
    problem = response.json()
    assert problem["type"].endswith("#query-syntax")
    assert problem["detail"] == (
        "line 2, column 9: unknown prefix wdt: — declare it with PREFIX wdt: <http://www.wikidata.org/prop/direct/>"
    )
    assert (problem["line"], problem["column"]) == (2, 9)


@pytest.mark.parametrize(
    ("query", "setting", "found"),
    [(DEEP, "query_max_depth", 5000), (HUGE_GROUP, "query_max_patterns", 20_001)],
)
def test_hostile_queries_are_refused_with_400_naming_the_limit(client, served_settings, query, setting, found):
    for response in (
        client.post("/sparql", content=query, headers={"Content-Type": "application/sparql-query"}),
        client.post("/sparql", data={"query": query}),
    ):
        assert response.status_code == 400, response.text[:300]
        problem = response.json()
        assert problem["type"].endswith("#query-too-complex") and problem["title"] == "Query too complex"
        assert (problem["setting"], problem["found"]) == (setting, found)
        assert problem["limit"] == getattr(served_settings, setting)
        assert f"({setting})" in problem["detail"]
    assert client.get("/sparql", params={"query": "ASK {}"}).json()["boolean"] is True


def test_hostile_updates_are_refused_with_400(writable_client):
    update = "INSERT { ?s ?p ?o } WHERE " + "{ " * 500 + "?s ?p ?o" + " }" * 500
    response = writable_client.post(
        "/sparql", content=update, headers={"Content-Type": "application/sparql-update", **auth()}
    )
    assert response.status_code == 400 and response.json()["setting"] == "query_max_depth"


def test_updates_know_the_common_prefixes(writable_client):
    update = 'INSERT DATA { GRAPH <urn:g:prefixes> { <urn:x> rdfs:label "x" ; skos:note "n" } }'
    response = writable_client.post(
        "/sparql", content=update, headers={"Content-Type": "application/sparql-update", **auth()}
    )
    assert response.status_code == 204, response.text
    ask = 'ASK { GRAPH <urn:g:prefixes> { <urn:x> rdfs:label "x" } }'
    assert writable_client.get("/sparql", params={"query": ask}).json()["boolean"] is True


def test_the_service_description_lists_the_prefixes_and_the_limits(client, served_settings):
    graph = rdflib.Graph().parse(data=client.get("/sparql", headers={"Accept": "text/turtle"}).content, format="turtle")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    kgs = rdflib.Namespace("https://w3id.org/mea-kg/service#")
    endpoint = rdflib.URIRef("http://testserver/sparql")
    declared = {
        str(graph.value(d, sh.prefix)): str(graph.value(d, sh.namespace)) for d in graph.objects(endpoint, sh.declare)
    }
    assert declared["rdfs"] == "http://www.w3.org/2000/01/rdf-schema#"
    assert declared["mea"] == "https://w3id.org/mea-kg/ontology#"
    assert declared["geo"] == "http://www.opengis.net/ont/geosparql#"
    assert int(graph.value(endpoint, kgs.queryMaxDepth)) == served_settings.query_max_depth
    assert int(graph.value(endpoint, kgs.queryMaxPatterns)) == served_settings.query_max_patterns
