"""kg.guard, directly: which remote endpoints a query or update would contact, and which are refused."""

from __future__ import annotations

import pytest

from kg.guard import ANY_ENDPOINT, FederationRefused, check, remote_endpoints

ENDPOINT = "http://a.example/sparql"
OTHER = "http://b.example/sparql"


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { ?s ?p ?o }",
        'SELECT * WHERE { ?s ?p "SERVICE <http://a.example/sparql> { ?s ?p ?o }" }',  # the word in a literal
        "SELECT ?service ?load WHERE { ?service <http://example.org/load> ?load }",  # in names and IRIs
        "# SERVICE <http://a.example/sparql>\nSELECT * WHERE { ?s ?p ?o }",  # in a comment
    ],
    ids=["none", "literal", "names", "comment"],
)
def test_a_query_that_contacts_nothing(query):
    assert remote_endpoints(query) == []
    check(query, [])  # nothing to refuse


@pytest.mark.parametrize(
    "query",
    [
        f"SELECT * WHERE {{ SERVICE <{ENDPOINT}> {{ ?s ?p ?o }} }}",
        f"select * where {{ service silent <{ENDPOINT}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ \\u0053ERVICE <{ENDPOINT}> {{ ?s ?p ?o }} }}",  # SPARQL's \u escape
        f"SELECT * WHERE {{ \\U00000053\\u0045RVICE <{ENDPOINT}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ OPTIONAL {{ {{ SELECT * WHERE {{ SERVICE <{ENDPOINT}> {{ ?s ?p ?o }} }} }} }} }}",
    ],
    ids=["plain", "silent-lowercase", "escaped", "long-escape", "nested"],
)
def test_every_spelling_of_a_service_is_found(query):
    assert remote_endpoints(query) == [ENDPOINT]


def test_every_service_of_a_query_is_listed():
    query = f"SELECT * WHERE {{ SERVICE <{ENDPOINT}> {{ ?s ?p ?o }} SERVICE <{OTHER}> {{ ?s ?p ?x }} }}"
    assert remote_endpoints(query) == [ENDPOINT, OTHER]


def test_a_variable_endpoint_could_be_anything():
    query = f"SELECT * WHERE {{ VALUES ?e {{ <{ENDPOINT}> }} SERVICE ?e {{ ?s ?p ?o }} }}"
    assert remote_endpoints(query) == [ANY_ENDPOINT]
    with pytest.raises(FederationRefused, match="a variable endpoint") as refused:
        check(query, [ENDPOINT])  # even when every value it may take is allowed
    assert refused.value.endpoints == [ANY_ENDPOINT]


def test_an_allowed_endpoint_passes_and_any_other_is_refused_by_name():
    both = f"SELECT * WHERE {{ SERVICE <{ENDPOINT}> {{ ?s ?p ?o }} SERVICE <{OTHER}> {{ ?s ?p ?x }} }}"
    check(both, [ENDPOINT, OTHER])
    with pytest.raises(FederationRefused) as refused:
        check(both, [ENDPOINT])
    assert refused.value.endpoints == [OTHER]
    assert str(refused.value) == f"federated access is not allowed here (SERVICE/LOAD to <{OTHER}>)"


def test_a_prefixed_endpoint_is_never_trusted_unlisted():
    query = "PREFIX ex: <http://a.example/> SELECT * WHERE { SERVICE ex:sparql { ?s ?p ?o } }"
    with pytest.raises(FederationRefused):
        check(query, [OTHER])


def test_load_in_an_update_is_found_and_refused():
    assert remote_endpoints(f"LOAD <{ENDPOINT}>", update=True) == [ENDPOINT]
    assert remote_endpoints(f"LOAD SILENT <{ENDPOINT}> INTO GRAPH <urn:g>", update=True) == [ENDPOINT]
    assert remote_endpoints("INSERT DATA { <urn:a> <urn:b> 'LOAD <http://x.example/>' }", update=True) == []
    with pytest.raises(FederationRefused):
        check(f"LOAD <{ENDPOINT}>", [], update=True)


def test_text_with_the_keyword_that_cannot_be_parsed_is_refused_not_trusted():
    with pytest.raises(SyntaxError, match=r"^line 1, column \d+: "):  # refused in plain words, never trusted
        remote_endpoints(f"SELECT * WHERE {{ SERVICE <{ENDPOINT} {{ ?s ?p ?o }} }}")
