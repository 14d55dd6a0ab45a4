"""HTTP fixtures: the app over the real built store, and an app over an empty store that accepts writes."""

from __future__ import annotations

import warnings

import pyoxigraph as ox
import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from kg import store
from kg.api.main import create_app
from kg.config import Settings
from tests.conftest import REMOTE_SERVERS

TOKEN = "test-token-0123456789"
QUERY_TIMEOUT = 60.0
"""Generous: no test depends on a query finishing within a short limit on a loaded machine. The tests about the
limit set their own short one and send a query that can never finish within it (tests/api/routes/test_sparql.py)."""


BACKENDS = ("embedded", *REMOTE_SERVERS)


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request, remote_servers) -> str:
    """Which store the service answers from: every test of the service runs on each (a missing server skips)."""
    if request.param != "embedded":
        remote_servers(request.param)
    return request.param


@pytest.fixture(scope="session")
def served_settings(settings, built, backend, remote_servers) -> Settings:
    remote = {} if backend == "embedded" else remote_servers(backend)
    return settings.model_copy(update={"workers": 2, "query_timeout": QUERY_TIMEOUT, "max_rows": 5000, **remote})


@pytest.fixture(scope="session")
def embedded_only(backend) -> None:
    """For behaviour only the embedded store has (its worker processes, dumps written by kg build)."""
    if backend != "embedded":
        pytest.skip(f"the embedded store's own behaviour (this run is on {backend})")


@pytest.fixture(scope="session")
def client(served_settings):
    """A client of the service over the real graph (read-only: no update token), on each back-end."""
    with TestClient(create_app(served_settings)) as test_client:
        yield test_client


def empty_store(directory) -> Settings:
    """Settings for a service over a store with no built graphs, with updates enabled."""
    store.publish(directory / "store", ox.Store(), {"id": store.new_release_id()})
    return Settings(store=directory / "store", workers=2, query_timeout=QUERY_TIMEOUT, update_token=TOKEN)


@pytest.fixture(scope="module")
def writable_client(tmp_path_factory):
    """A client of a service over an empty store, with writes enabled by TOKEN."""
    with TestClient(create_app(empty_store(tmp_path_factory.mktemp("writable")))) as test_client:
        yield test_client


def auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKEN}"}
