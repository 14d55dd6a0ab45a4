"""One table from exception to problem: an error has the same type, status and title whether a route
raises it in the service or a query worker (or the manager) raises it and the service raises it again."""

from __future__ import annotations

import socket
import warnings

import pytest
from fastapi import FastAPI

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from kg import workers
from kg.api import problems
from kg.engine import NotAcceptable
from kg.errors import (
    DatasetConflict,
    GraphNotFound,
    InternalError,
    InvalidInput,
    ReadOnlyGraph,
    ServiceFailed,
    StoreCorrupt,
    StoreMissing,
)
from kg.formats import Kind
from kg.guard import FederationRefused
from kg.remote import RemoteFailed, RemoteWritesRefused

EXAMPLES: list[Exception] = [
    SyntaxError("error at 1:25: expected one of LATERAL, SERVICE, [_]"),
    workers.QueryTooComplex(workers.TOO_COMPLEX),
    DatasetConflict("the update names its dataset with USING/WITH and the request with using-graph-uri"),
    FederationRefused(["http://example.org/sparql"]),
    InvalidInput("cannot read 'text/plain' as RDF"),
    ReadOnlyGraph("<https://w3id.org/mea-kg/graph/jwp> is built from the sources by `kg build`"),
    RemoteWritesRefused("this service fronts a remote store and takes no writes"),
    GraphNotFound("no graph <urn:x-test:absent>"),
    NotAcceptable(Kind.GRAPH),
    InternalError("RuntimeError: unexpected"),
    ServiceFailed("SERVICE <http://example.org/sparql> failed: connection refused"),
    RemoteFailed("the remote store answered 500"),
    workers.QueryTimeout("the query ran longer than 2 s and was stopped"),
    workers.PoolUnavailable("the query manager exited"),
    StoreMissing("no built store in var/store (run `kg build`): search needs its index"),
    StoreCorrupt("releases/x/search/vectors.npy does not match its manifest (damaged?); run `kg build`"),
]


def through_a_worker(err: Exception) -> Exception:
    """``err`` as the service gets it from a worker: sent as a reply over a socket, read, raised again."""
    here, there = socket.socketpair()
    with here, there:
        workers._send(there, workers.Reply(error=workers._transmissible(err)))
        reply = workers._recv(here)
    assert isinstance(reply, workers.Reply)
    with pytest.raises(Exception) as raised:
        reply.result()
    return raised.value


@pytest.fixture(scope="module")
def app_client():
    """An app with the service's error handlers that raises each example in-process or from a worker's reply."""
    app = FastAPI()
    problems.install(app)

    @app.get("/raise/{index}")
    async def raise_here(index: int) -> None:
        raise EXAMPLES[index]

    @app.get("/from-worker/{index}")
    async def raise_from_worker(index: int) -> None:
        raise through_a_worker(EXAMPLES[index])

    with TestClient(app) as client:
        yield client


def test_every_table_entry_has_an_example():
    assert {type(e) for e in EXAMPLES} == set(problems.ERRORS)


@pytest.mark.parametrize("index", range(len(EXAMPLES)), ids=[type(e).__name__ for e in EXAMPLES])
def test_same_problem_in_process_and_through_a_worker(app_client, index):
    here, there = app_client.get(f"/raise/{index}"), app_client.get(f"/from-worker/{index}")
    kind = problems.ERRORS[type(EXAMPLES[index])]
    assert here.status_code == there.status_code == kind.status
    assert here.headers["content-type"] == there.headers["content-type"] == problems.MEDIA_TYPE
    assert here.json() == there.json()
    assert here.json()["type"] == problems.ERRORS_BASE + kind.slug and here.json()["title"] == kind.title
    assert here.headers.get("retry-after") == there.headers.get("retry-after")


def test_the_exception_crosses_with_its_class_and_attributes():
    refused = through_a_worker(FederationRefused(["http://example.org/sparql"]))
    assert type(refused) is FederationRefused and refused.endpoints == ["http://example.org/sparql"]
    not_acceptable = through_a_worker(NotAcceptable(Kind.RESULTS))
    assert type(not_acceptable) is NotAcceptable and not_acceptable.kind is Kind.RESULTS


def test_foreign_errors_cross_as_the_librarys(app_client):
    assert type(through_a_worker(ValueError("bad media type"))) is InvalidInput
    assert type(through_a_worker(OSError("LOAD failed"))) is ServiceFailed
    assert type(through_a_worker(OSError(28, "No space left on device"))) is InternalError
    internal = through_a_worker(ZeroDivisionError("division by zero"))
    assert type(internal) is InternalError and str(internal) == "ZeroDivisionError: division by zero"


def test_syntax_error_problem_names_its_position(app_client):
    err = SyntaxError("expected a variable")
    err.lineno, err.offset = 2, 7
    problem = problems.problem_for(through_a_worker(err))
    assert (problem.status, problem.slug, problem.extra) == (400, "query-syntax", {"line": 2, "column": 7})


def test_an_exception_outside_the_table_is_an_internal_error():
    problem = problems.problem_for(LookupError("missing"))
    assert (problem.status, problem.slug, problem.detail) == (500, "internal", "missing")


def test_a_query_that_kills_workers_is_a_400_over_http(writable_client):
    """POST /sparql with a query that overflows the engine's stack: 400 query-too-complex, twice, and the
    service goes on answering."""
    deep = "SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }"
    for _ in range(2):
        response = writable_client.post("/sparql", content=deep, headers={"Content-Type": "application/sparql-query"})
        assert response.status_code == 400
        assert response.headers["content-type"] == problems.MEDIA_TYPE
        assert response.json()["type"] == problems.ERRORS_BASE + "query-too-complex"
    ask = writable_client.get(
        "/sparql", params={"query": "ASK {}"}, headers={"Accept": "application/sparql-results+json"}
    )
    assert ask.status_code == 200 and ask.json()["boolean"] is True


def test_a_library_error_that_does_not_pickle_crosses_as_an_internal_error():
    class Unpicklable(DatasetConflict):
        pass  # a local class: pickle cannot find it by name

    crossed = through_a_worker(Unpicklable("conflict"))
    assert type(crossed) is InternalError and str(crossed) == "Unpicklable: conflict"
