"""Security over real HTTP: no write without the token, tokens compared in constant time, SERVICE and LOAD never
reach the network, CORS never allows credentials, no path out of /id/… or /dumps/…, and no secret in a log."""

from __future__ import annotations

import subprocess
import sys
import time
import warnings

import httpx
import pytest
from pydantic import SecretStr

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from kg.api import deps
from kg.api.main import create_app
from support import live
from tests.helpers import bindings
from tests.reliability.conftest import TOKEN

GRAPH = "https://w3id.org/mea-kg/graph/user/security-probe"
INSERT = f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <urn:x:s> <urn:x:p> 'probe' }} }}"


def _count(service: str) -> int:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}"
    return int(bindings(httpx.get(f"{service}/sparql", params={"query": query}))[0]["n"])


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer wrong",
        f"Basic {TOKEN}",
        f"Bearer {TOKEN}x",
        f"Bearer {TOKEN[:-1]}",
        "Bearer " + "x" * 10_000,
    ],
)
def test_no_write_without_the_token(service, authorization):
    headers = {} if authorization is None else {"Authorization": authorization}
    attempts = [
        httpx.post(f"{service}/sparql", data={"update": INSERT}, headers=headers),
        httpx.post(
            f"{service}/sparql", content=INSERT, headers={**headers, "Content-Type": "application/sparql-update"}
        ),
        httpx.put(
            f"{service}/store",
            params={"graph": GRAPH},
            content="<urn:x:s> <urn:x:p> 'x' .",
            headers={**headers, "Content-Type": "text/turtle"},
        ),
        httpx.post(
            f"{service}/store",
            params={"graph": GRAPH},
            content="<urn:x:s> <urn:x:p> 'x' .",
            headers={**headers, "Content-Type": "text/turtle"},
        ),
        httpx.delete(f"{service}/store", params={"graph": GRAPH}, headers=headers),
    ]
    for response in attempts:
        assert response.status_code == 401, (response.request.method, response.text)
        assert response.headers["www-authenticate"].startswith("Bearer") and response.json()["detail"]
    assert _count(service) == 0


def test_the_token_writes_and_is_compared_in_constant_time(service, settings, monkeypatch):
    good = {"Authorization": f"Bearer {TOKEN}"}
    assert httpx.post(f"{service}/sparql", data={"update": INSERT}, headers=good).status_code == 204
    assert _count(service) == 1
    assert httpx.delete(f"{service}/store", params={"graph": GRAPH}, headers=good).status_code == 204
    assert _count(service) == 0
    compared = []
    real = deps.hmac.compare_digest
    monkeypatch.setattr(deps.hmac, "compare_digest", lambda a, b: compared.append((a, b)) or real(a, b))
    with TestClient(create_app(settings.model_copy(update={"update_token": SecretStr(TOKEN), "workers": 1}))) as client:
        assert (
            client.post("/sparql", data={"update": INSERT}, headers={"Authorization": "Bearer nope"}).status_code == 401
        )
    assert compared == [(b"nope", TOKEN.encode())]


def test_service_and_load_never_reach_the_network(service):
    good = {"Authorization": f"Bearer {TOKEN}"}
    with live.loopback_listener() as (endpoint, hits):
        for query in (
            f"SELECT * WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}",
            f"SELECT * WHERE {{ SERVICE SILENT <{endpoint}> {{ ?s ?p ?o }} }}",
            f"SELECT * WHERE {{ VALUES ?e {{ <{endpoint}> }} SERVICE ?e {{ ?s ?p ?o }} }}",
        ):
            response = httpx.post(f"{service}/sparql", data={"query": query})
            assert response.status_code == 400 and response.json()["type"].endswith("#federation-refused"), (
                response.text
            )
        for update in (f"LOAD <{endpoint}>", f"LOAD SILENT <{endpoint}> INTO GRAPH <{GRAPH}>"):
            response = httpx.post(f"{service}/sparql", data={"update": update}, headers=good)
            assert response.status_code == 400 and response.json()["type"].endswith("#federation-refused"), (
                response.text
            )
        time.sleep(0.3)
        assert hits == []


def test_cors_allows_any_origin_but_never_credentials(service):
    origin = {"Origin": "https://evil.example"}
    simple = httpx.get(f"{service}/sparql", params={"query": "ASK {}"}, headers={**origin, "Cookie": "session=1"})
    preflight = httpx.options(
        f"{service}/sparql",
        headers={
            **origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    for response in (simple, preflight):
        assert response.headers.get("access-control-allow-origin") == "*"  # never the caller's origin echoed back
        assert "access-control-allow-credentials" not in response.headers


@pytest.mark.parametrize(
    "path",
    [
        "/id/../../../../etc/passwd",
        "/id/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/id/..%2f..%2f..%2fetc%2fpasswd",
        "/id/%252e%252e/etc/passwd",
        "/id/taxon/..%00/etc/passwd",
        "/dumps/../current/manifest.json",
        "/dumps/..%2fcurrent%2fmanifest.json",
        "/dumps/%2e%2e/releases",
        "/dumps/mea-kg.ttl%00.txt",
        "/static/../../../../etc/passwd",
        "/static/..%2f..%2f..%2f..%2fetc%2fpasswd",
        "/queries/..%2f..%2fpyproject.toml",
    ],
)
def test_no_path_leads_out_of_the_graph(service, path):
    response = httpx.get(service + path)
    assert response.status_code in (400, 404), (path, response.status_code)
    assert "root:" not in response.text and '"sha256"' not in response.text and "[project]" not in response.text


def test_no_secret_reaches_a_log(service, service_log, tmp_path):
    refused = httpx.post(
        f"{service}/sparql", data={"update": INSERT}, headers={"Authorization": f"Bearer {TOKEN}wrong"}
    )
    assert refused.status_code == 401
    log = service_log.read_text(errors="replace")  # stderr is line-buffered: what was logged is there
    assert "serving " in log and TOKEN not in log  # the service's own start line, and no token
    secret = "remote-password-never-logged-91c2"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "kg",
            "serve",
            "--port",
            str(live.free_port()),
            "--store",
            str(tmp_path),
            "--store-url",
            "http://127.0.0.1:9/sparql",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env={
            "PATH": "/usr/bin:/bin",
            "KG_REMOTE_USER": "kg",
            "KG_REMOTE_PASSWORD": secret,
            "KG_UPDATE_TOKEN": TOKEN,
            "HOME": str(tmp_path),
        },
        check=False,
    )
    assert done.returncode == 4 and done.stderr.strip()
    assert secret not in done.stdout + done.stderr and TOKEN not in done.stdout + done.stderr
