"""A real `kg serve` for the reliability suites: loopback, 2 workers, a 1 s query timeout, writes behind a token,
its log kept in a file (the security checks read it)."""

from __future__ import annotations

import os

import pytest

from support import live

TOKEN = "reliability-token-5f0c1a9e7b"
QUERY_TIMEOUT_S = 1.0


@pytest.fixture(scope="session")
def service_log(tmp_path_factory):
    return tmp_path_factory.mktemp("service") / "kg-serve.log"


@pytest.fixture(scope="session")
def served(settings, built, service_log):
    """`kg serve` over the built store, updates enabled for ``TOKEN`` (given in the environment):
    (base URL, process)."""
    env = {**os.environ, "KG_UPDATE_TOKEN": TOKEN}
    with live.serve_process(
        settings.store_dir, "--workers", "2", "--query-timeout", str(QUERY_TIMEOUT_S), log=service_log, env=env
    ) as running:
        yield running


@pytest.fixture(scope="session")
def service(served) -> str:
    return served[0]
