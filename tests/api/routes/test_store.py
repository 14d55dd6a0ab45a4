"""Writes: SPARQL Update and the Graph Store Protocol — off by default, token-guarded, durable, and never
touching the graphs `kg build` produces."""

from __future__ import annotations

import warnings

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from kg import build
from kg.api.main import create_app
from kg.config import Settings
from tests import helpers

from ..conftest import QUERY_TIMEOUT, TOKEN, auth

MINE = "http://example.org/my-annotations"
TURTLE = b'<http://example.org/s> <http://example.org/p> "o" .'
JWP_GRAPH = "https://w3id.org/mea-kg/graph/jwp"


@pytest.fixture()
def writable_real(built_copy):
    """A service over a private copy of the real sources and their build, with updates enabled."""
    return Settings(
        project_dir=built_copy.project_dir,
        store=built_copy.store_dir,
        owl_check=False,
        workers=2,
        query_timeout=QUERY_TIMEOUT,
        update_token=TOKEN,
    )


def ask(client, query: str) -> bool:
    return helpers.ask(client.get("/sparql", params={"query": query}))


def test_writes_need_the_token(writable_client):
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}):
        update = writable_client.post(
            "/sparql", content="CLEAR ALL", headers={"Content-Type": "application/sparql-update", **headers}
        )
        put = writable_client.put(
            "/store", params={"graph": MINE}, content=TURTLE, headers={"Content-Type": "text/turtle", **headers}
        )
        assert update.status_code == put.status_code == 401
        assert update.headers["www-authenticate"].startswith("Bearer")


def test_graph_store_round_trip(writable_client):
    created = writable_client.put(
        "/store", params={"graph": MINE}, content=TURTLE, headers={"Content-Type": "text/turtle", **auth()}
    )
    assert created.status_code == 201
    replaced = writable_client.put(
        "/store", params={"graph": MINE}, content=TURTLE, headers={"Content-Type": "text/turtle", **auth()}
    )
    assert replaced.status_code == 204
    added = writable_client.post(
        "/store",
        params={"graph": MINE},
        content=b'<http://example.org/s> <http://example.org/p> "o2" .',
        headers={"Content-Type": "application/n-triples", **auth()},
    )
    assert added.status_code == 204
    read = writable_client.get("/store", params={"graph": MINE}, headers={"Accept": "application/n-triples"})
    assert read.status_code == 200 and read.text.count("\n") == 2
    assert writable_client.delete("/store", params={"graph": MINE}, headers=auth()).status_code == 204
    assert writable_client.get("/store", params={"graph": MINE}).status_code == 404
    assert writable_client.delete("/store", params={"graph": MINE}, headers=auth()).status_code == 404


@pytest.mark.parametrize(
    ("params", "headers", "status"),
    [
        ({}, {}, 400),
        ({"graph": MINE, "default": ""}, {}, 400),
        ({"graph": "not an iri"}, {}, 400),
        ({"graph": MINE}, {"Content-Type": "image/png"}, 415),
    ],
)
def test_bad_graph_store_requests(writable_client, params, headers, status):
    response = writable_client.put(
        "/store", params=params, content=TURTLE, headers={"Content-Type": "text/turtle", **headers, **auth()}
    )
    assert response.status_code == status


def test_malformed_upload_is_400_and_changes_nothing(writable_client):
    writable_client.put(
        "/store", params={"graph": MINE}, content=TURTLE, headers={"Content-Type": "text/turtle", **auth()}
    )
    broken = writable_client.put(
        "/store", params={"graph": MINE}, content=b"<a> <b> .", headers={"Content-Type": "text/turtle", **auth()}
    )
    assert broken.status_code == 400
    assert ask(writable_client, f'ASK {{ GRAPH <{MINE}> {{ ?s ?p "o" }} }}')


def test_built_graphs_are_read_only_and_writes_survive_restarts_and_rebuilds(writable_real):
    with TestClient(create_app(writable_real)) as client:
        for update in (
            f'INSERT DATA {{ GRAPH <{JWP_GRAPH}> {{ <http://example.org/x> <http://example.org/y> "z" }} }}',
            "DROP ALL",
            "CLEAR NAMED",
            f"DELETE WHERE {{ GRAPH <{JWP_GRAPH}> {{ ?s ?p ?o }} }}",
        ):
            response = client.post(
                "/sparql", content=update, headers={"Content-Type": "application/sparql-update", **auth()}
            )
            assert response.status_code == 403, (update, response.text)
        assert (
            client.put(
                "/store", params={"graph": JWP_GRAPH}, content=TURTLE, headers={"Content-Type": "text/turtle", **auth()}
            ).status_code
            == 403
        )
        annotate = f"""PREFIX mea: <https://w3id.org/mea-kg/ontology#>
            INSERT {{ GRAPH <{MINE}> {{ ?a <http://example.org/flag> true }} }}
            WHERE {{ GRAPH ?g {{ ?a mea:code "B5" }} }}"""
        assert (
            client.post(
                "/sparql", content=annotate, headers={"Content-Type": "application/sparql-update", **auth()}
            ).status_code
            == 204
        )
        assert ask(client, f"ASK {{ GRAPH <{MINE}> {{ <https://w3id.org/mea-kg/id/activity/jwp/B5> ?p true }} }}")
    with TestClient(create_app(writable_real)) as restarted:
        assert ask(restarted, f"ASK {{ GRAPH <{MINE}> {{ <https://w3id.org/mea-kg/id/activity/jwp/B5> ?p true }} }}")
        assert ask(restarted, f"ASK {{ GRAPH <{JWP_GRAPH}> {{ ?s ?p ?o }} }}")
    build.build(writable_real)
    with TestClient(create_app(writable_real)) as rebuilt:
        assert ask(rebuilt, f"ASK {{ GRAPH <{MINE}> {{ ?s ?p ?o }} }}")


def test_writes_are_seen_by_the_next_query(writable_client):
    for n in range(3):
        update = f"INSERT DATA {{ GRAPH <{MINE}-{n}> {{ <http://example.org/s> <http://example.org/n> {n} }} }}"
        assert writable_client.post("/sparql", data={"update": update}, headers=auth()).status_code == 204
        assert ask(writable_client, f"ASK {{ GRAPH <{MINE}-{n}> {{ ?s ?p {n} }} }}")


def test_load_is_refused_by_the_federation_guard(writable_client):
    response = writable_client.post(
        "/sparql",
        content="LOAD <http://127.0.0.1:9/data.ttl>",
        headers={"Content-Type": "application/sparql-update", **auth()},
    )
    assert response.status_code == 400
    assert response.json()["type"].endswith("#federation-refused")


def test_update_syntax_error_is_400(writable_client):
    response = writable_client.post(
        "/sparql", content="INSERT DATA { <a> }", headers={"Content-Type": "application/sparql-update", **auth()}
    )
    assert response.status_code == 400
    assert response.json()["type"].endswith("#query-syntax")
