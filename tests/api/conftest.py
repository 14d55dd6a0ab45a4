"""HTTP fixtures: the app over the real built store, an app over an empty store that accepts writes, and a real
server with a headless Chromium for the browser tests."""

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
from support import browser as chromium
from support.live import serve
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


@pytest.fixture(scope="session")
def base_url(embedded_only, served_settings):
    """A real `kg serve` over the built store, for the browser tests (one for the session)."""
    with serve(served_settings.store_dir, "--workers", "2") as base:
        yield base


@pytest.fixture(scope="session")
def browser(embedded_only):
    """Debian's Chromium, headless (skips when it or Playwright is missing). The browser tests run on the
    embedded store only: a remote server is set up with asyncio.run, which cannot run beside Playwright's loop."""
    playwright_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is in the dev extra: pip install -e '.[dev]'"
    )
    if not chromium.CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    with playwright_api.sync_playwright() as playwright:
        launched = chromium.launch(playwright)
        yield launched
        launched.close()


@pytest.fixture()
def page(browser):
    """A fresh page (1280×1000) that fails the test on any JavaScript error."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    opened = context.new_page()
    opened.set_default_timeout(20_000)
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert not errors, f"JavaScript errors: {errors}"
