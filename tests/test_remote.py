"""A remote store behind the same commands: `kg publish`, `kg query --store-url`, `kg serve --store-url`.

Runs on real servers (Virtuoso, `oxigraph serve`); the service's routes are covered on them by the
whole of tests/api/routes (parametrised by back-end).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import httpx
import pyoxigraph as ox
import pytest

from kg import build, catalogue, publish, store
from kg.cli import app
from kg.config import Settings
from kg.remote import PUBLICATION, Endpoints, read_publication, select
from support.live import free_port, serve
from tests.conftest import REMOTE_QUERY_LIMIT_S, REMOTE_SERVERS
from tests.helpers import bindings

XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


@pytest.fixture(params=REMOTE_SERVERS)
def remote(request, remote_servers) -> dict:
    """Settings overrides of a running remote server holding the built graph."""
    return remote_servers(request.param)


def _env(remote: dict) -> dict[str, str]:
    env = {
        **os.environ,
        "KG_STORE_URL": remote["store_url"],
        "KG_UPDATE_URL": remote["update_url"] or "",
        "KG_REMOTE_AUTH": remote["remote_auth"],
    }
    if remote["remote_user"]:
        env |= {
            "KG_REMOTE_USER": remote["remote_user"],
            "KG_REMOTE_PASSWORD": remote["remote_password"].get_secret_value(),
        }
    return env


def _rows(answer: dict, text: str) -> list[tuple]:
    """Result rows as sorted tuples; GROUP_CONCAT lists ("a; b", "a, b") compared unordered and without language
    (their order is the engine's; Oxigraph keeps the common language tag of the parts, Virtuoso does not)."""
    variables = answer["head"]["vars"]
    concatenated = set(re.findall(r"GROUP_CONCAT\(.*?\)\s+AS\s+\?(\w+)", text, flags=re.IGNORECASE | re.DOTALL))

    def value(variable: str, binding: dict | None) -> object:
        if binding is None:
            return None
        if variable in concatenated:
            binding = {k: v for k, v in binding.items() if k != "xml:lang"}
        text = binding["value"]
        if binding.get("datatype") == XSD_BOOLEAN:  # Virtuoso has no booleans: it answers "1"/"0"^^xsd:integer
            binding = {**binding, "datatype": XSD_INTEGER}
            text = {"true": "1", "false": "0"}.get(text, text)
        return (
            (tuple(sorted(re.split(r"[;,] ", text))), binding.get("xml:lang"), binding.get("datatype"))
            if binding["type"] == "literal"
            else (binding["type"], text)
        )

    return sorted((tuple(value(v, row.get(v)) for v in variables) for row in answer["results"]["bindings"]), key=repr)


def test_every_canned_query_answers_alike_on_the_remote_store(runner, settings, built, remote):
    queries = catalogue.load(settings.queries_dir)
    assert len(queries) >= 11
    local_index = ["--store", str(settings.store_dir)]
    for name, query in queries.items():
        local = runner.invoke(app, ["query", "--canned", name, "--format", "json", "--store", str(settings.store_dir)])
        far = runner.invoke(  # the search's index is the local build's, whichever store holds the data
            app,
            ["query", "--canned", name, "--format", "json", "--store-url", remote["store_url"], *local_index],
        )
        assert local.exit_code == 0 and far.exit_code == 0, (name, far.stderr)
        far_rows, local_rows = _rows(json.loads(far.stdout), query.text), _rows(json.loads(local.stdout), query.text)
        assert far_rows == local_rows, (
            name,
            "only remote:",
            [r for r in far_rows if r not in local_rows][:2],
            "only embedded:",
            [r for r in local_rows if r not in far_rows][:2],
        )


def test_kg_query_on_a_remote_store_reports_bad_queries_and_formats(runner, remote):
    bad = runner.invoke(app, ["query", "--store-url", remote["store_url"], "SELECT ?x WHERE { ?x ?y }"])
    assert bad.exit_code == 2 and "bad query" in bad.stderr
    wrong = runner.invoke(
        app, ["query", "--store-url", remote["store_url"], "--format", "turtle", "SELECT * WHERE { ?s ?p ?o }"]
    )
    assert wrong.exit_code == 2 and "does not fit" in wrong.stderr
    page = runner.invoke(
        app,
        [
            "query",
            "--store-url",
            remote["store_url"],
            "--canned",
            "activities-by-taxon",
            "--page",
            "1",
            "--format",
            "csv",
        ],
    )
    assert page.exit_code == 0 and len(page.stdout.strip().splitlines()) == 1 + 100


def test_kg_query_on_an_unreachable_store_exits_4(runner):
    result = runner.invoke(app, ["query", "--store-url", f"http://127.0.0.1:{free_port()}/sparql", "ASK {}"])
    assert result.exit_code == 4 and "cannot be read" in result.stderr


def test_kg_serve_on_a_remote_store_answers_over_http_and_refuses_writes(settings, remote):
    with serve(settings.store_dir, "--store-url", remote["store_url"], "--update-token", "t0ken") as base:
        design_card = httpx.get(base + "/queries/activities-by-listing", params={"narrower": "false"}, timeout=30)
        assert design_card.status_code == 200 and len(bindings(design_card)) >= 17
        page = httpx.get(base + "/id/taxon/uncia-uncia", headers={"Accept": "text/html"}, timeout=30)
        assert page.status_code == 200 and "Uncia uncia" in page.text
        feed = httpx.get(base + "/informea/Decisions", params={"$format": "json"}, timeout=30)
        assert feed.status_code == 200
        write = httpx.post(
            base + "/sparql",
            content="INSERT DATA { GRAPH <urn:x> { <urn:a> <urn:b> <urn:c> } }",
            headers={"Content-Type": "application/sparql-update", "Authorization": "Bearer t0ken"},
            timeout=30,
        )
        assert write.status_code == 403 and write.json()["type"].endswith("#remote-store-read-only")


def test_kg_serve_refuses_to_start_on_an_empty_or_unreachable_store(tmp_path):
    from support.remote_servers import available, oxigraph_server

    if available("oxigraph"):
        pytest.skip(available("oxigraph"))
    with oxigraph_server(tmp_path) as empty:
        started = subprocess.run(
            [sys.executable, "-m", "kg", "serve", "--store-url", empty.query_url, "--port", str(free_port())],
            check=False,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert started.returncode == 3 and "nothing is published" in started.stderr
    unreachable = subprocess.run(
        [sys.executable, "-m", "kg", "serve", "--store-url", f"http://127.0.0.1:{free_port()}/q", "--port", "0"],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert unreachable.returncode == 4 and "cannot be read" in unreachable.stderr


# --- publishing: a failed push leaves the published graphs as they were ------------------------------------


class FaultyProxy:
    """An HTTP proxy in front of a store that fails (500) the Nth upload it sees, or delays each one."""

    def __init__(self, target: str, *, fail_upload: int | None = None, delay: float = 0.0):
        self.target, self.fail_upload, self.delay, self.uploads = target.rstrip("/"), fail_upload, delay, 0
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_):
                pass

            def do_GET(self):
                self._forward()

            def do_POST(self):
                self._forward()

            def do_PUT(self):
                self._forward()

            def _forward(self):
                body = self.rfile.read(int(self.headers.get("content-length", 0) or 0))
                upload = (
                    self.command == "PUT"
                    or b"INSERT" in body[:200]
                    or self.headers.get("content-type", "").startswith("application/n-triples")
                )
                if upload and self.command != "GET":
                    proxy.uploads += 1
                    time.sleep(proxy.delay)
                    if proxy.uploads == proxy.fail_upload:
                        self.send_response(500)
                        self.end_headers()
                        self.wfile.write(b"injected failure")
                        return
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                answer = httpx.request(
                    self.command, proxy.target + self.path, content=body, headers=headers, timeout=60
                )
                self.send_response(answer.status_code)
                for key, value in answer.headers.items():
                    if key.lower() not in ("content-length", "transfer-encoding", "connection", "content-encoding"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    def url(self, real: str | None) -> str | None:
        return None if real is None else self.base + urlsplit(real).path

    def __enter__(self) -> FaultyProxy:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_):
        self.server.shutdown()


def _published_state(remote: dict) -> tuple:
    async def read():
        endpoints = Endpoints.from_settings(Settings(**remote))
        async with endpoints.client() as client:
            publication = await read_publication(client, endpoints)
            counts = {row["g"].value: int(row["n"].value) for row in await select(client, endpoints, COUNTS)}
        return publication, counts

    publication, counts = asyncio.run(read())
    published = {g: n for g, n in counts.items() if g in publication.graphs or g == PUBLICATION}
    leftovers = sorted(g for g in counts if g.startswith((publish.STAGING, publish.BACKUP)))
    return publication, published, leftovers


@pytest.fixture(scope="module")
def smaller_build(tmp_path_factory):
    """A second, different build (one source file fewer), to publish over the session's."""
    from support.project import copy_sources

    root = copy_sources(tmp_path_factory.mktemp("smaller"))
    (root / "data" / "turtle" / "keywords.ttl").unlink()
    settings = Settings(project_dir=root, store=root / "store", owl_check=False)
    build.build(settings)
    return settings


def test_a_failed_push_leaves_the_published_graphs_intact(remote, smaller_build):
    before = _published_state(remote)
    for failing in (1, 5):  # the first upload, and one in the middle of the push
        with FaultyProxy(remote["store_url"].rsplit("/", 1)[0], fail_upload=failing) as proxy:
            faulty = Settings(
                **{
                    **remote,
                    "store_url": proxy.url(remote["store_url"]),
                    "update_url": proxy.url(remote["update_url"]),
                    "gsp_url": proxy.url(remote["gsp_url"]),
                }
            )
            with pytest.raises(publish.PublishFailed, match="remote store is unchanged"):
                asyncio.run(publish.publish(smaller_build.store_dir, Endpoints.from_settings(faulty)))
        assert _published_state(remote) == before  # same release, same graphs and sizes, no staging left


def test_a_killed_push_leaves_the_published_graphs_intact_and_the_next_push_cleans_up(remote, settings, smaller_build):
    before = _published_state(remote)
    with FaultyProxy(remote["store_url"].rsplit("/", 1)[0], delay=0.5) as proxy:
        env = _env(remote) | {
            "KG_STORE_URL": proxy.url(remote["store_url"]),
            "KG_UPDATE_URL": proxy.url(remote["update_url"]),
            "KG_GSP_URL": proxy.url(remote["gsp_url"]) or "",
        }
        pushing = subprocess.Popen(
            [sys.executable, "-m", "kg", "publish", "--store", str(smaller_build.store_dir)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while proxy.uploads < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        pushing.send_signal(signal.SIGKILL)
        pushing.wait(timeout=10)
    publication, published, staging = _published_state(remote)
    assert (publication, published) == before[:2] and staging  # the push died half-way: its staging graphs are left
    env = _env(remote) | {"KG_GSP_URL": remote["gsp_url"] or ""}
    for store_dir in (
        smaller_build.store_dir,
        settings.store_dir,
    ):  # publish the smaller build, then the session's again
        pushed = subprocess.run(
            [sys.executable, "-m", "kg", "publish", "--store", str(store_dir)],
            check=False,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert pushed.returncode == 0, pushed.stderr
        publication, published, staging = _published_state(remote)
        assert not staging
        assert ("https://w3id.org/mea-kg/graph/keywords" in publication.graphs) == (store_dir == settings.store_dir)
    assert _published_state(remote) == before


def test_a_switch_that_fails_half_way_is_undone(remote, smaller_build, monkeypatch):
    """The switching update fails after its first operations (Virtuoso keeps those; Oxigraph rolls back): undone."""
    before = _published_state(remote)
    real = publish.switch_operations
    monkeypatch.setattr(
        publish,
        "switch_operations",
        lambda *args: [*real(*args)[:-1], "DROP GRAPH <urn:kg:test:no-such-graph>", real(*args)[-1]],
    )
    with pytest.raises(publish.PublishFailed, match=r"switch was refused .* and undone"):
        asyncio.run(publish.publish(smaller_build.store_dir, Endpoints.from_settings(Settings(**remote))))
    publication, published, staging = _published_state(remote)
    assert (publication, published, staging) == before  # the same release, graphs and sizes; no staging or backup left


def test_publishing_without_a_graph_store_endpoint_uses_insert_data(remote, settings):
    before = _published_state(remote)
    report = asyncio.run(
        publish.publish(settings.store_dir, Endpoints.from_settings(Settings(**{**remote, "gsp_url": None})))
    )
    assert report.quads == sum(n for g, n in before[1].items() if g != PUBLICATION)
    assert _published_state(remote) == before


def test_a_query_past_the_time_limit_on_a_remote_store_is_503(settings, remote):
    from kg.api.main import create_app
    from tests.api.conftest import TestClient

    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    with TestClient(create_app(settings.model_copy(update={**remote, "query_timeout": 1.0, "cache_mb": 0}))) as client:
        started = time.monotonic()
        response = client.get("/sparql", params={"query": runaway})
        assert response.status_code == 503 and response.json()["type"].endswith("#query-timeout")
        # far above the service's 1 s limit, below the server's own: the service stopped waiting, not the server
        assert time.monotonic() - started < REMOTE_QUERY_LIMIT_S


def test_replicas_over_one_remote_store_switch_together_after_a_publish(settings, remote_servers, smaller_build):
    """Two stateless `kg serve` replicas over one store: same answers and ETags, and both follow `kg publish`.
    Run over Virtuoso only (22 s a server): replicas follow the publication record, written alike on every server."""
    remote = remote_servers("virtuoso")
    endpoints = Endpoints.from_settings(Settings(**remote))

    def etags(bases: list[str]) -> set[str]:
        return {httpx.get(base + "/queries/taxa-listed-by-both", timeout=30).headers["etag"] for base in bases}

    with (
        serve(settings.store_dir, "--store-url", remote["store_url"]) as first,
        serve(settings.store_dir, "--store-url", remote["store_url"]) as second,
    ):
        before = etags([first, second])
        assert len(before) == 1
        try:
            asyncio.run(publish.publish(smaller_build.store_dir, endpoints))
            deadline = time.monotonic() + 120  # the replicas poll the publication record: generous on a busy machine
            while (now := etags([first, second])) & before and time.monotonic() < deadline:
                time.sleep(0.2)
            assert len(now) == 1 and not now & before  # both switched to the new release
            graphs = httpx.get(
                second + "/sparql", params={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"}, timeout=30
            )
            names = {row["g"] for row in bindings(graphs)}
            assert "https://w3id.org/mea-kg/graph/jwp" in names
            assert "https://w3id.org/mea-kg/graph/keywords" not in names  # the new build has no keywords graph
        finally:
            asyncio.run(publish.publish(settings.store_dir, endpoints))


def test_a_push_sends_each_graph_whole_whatever_the_order_of_the_release_dump(remote, settings, tmp_path):
    """A release written from a store filled subject by subject (as bench/synthetic.py's graphs are) lists its
    graphs interleaved; the push still sends each graph in one request (none reaches publish.CHUNK_TRIPLES)."""
    lines = sorted((settings.store_dir / "current" / store.DATASET).read_text().splitlines())
    interleaved = ox.Store()
    interleaved.load("\n".join(lines).encode(), format=ox.RdfFormat.N_QUADS)
    store.publish(tmp_path / "store", interleaved, {"id": store.new_release_id()})
    graphs = [
        line.rsplit(" ", 2)[-2] for line in (tmp_path / "store" / "current" / store.DATASET).read_text().splitlines()
    ]
    assert 1 + sum(a != b for a, b in itertools.pairwise(graphs)) > 10 * len(
        set(graphs)
    )  # the dump interleaves its graphs
    before = _published_state(remote)
    with FaultyProxy(remote["store_url"].rsplit("/", 1)[0]) as proxy:
        counted = Settings(
            **{
                **remote,
                "store_url": proxy.url(remote["store_url"]),
                "update_url": proxy.url(remote["update_url"]),
                "gsp_url": proxy.url(remote["gsp_url"]),
            }
        )
        steps: list[str] = []
        report = asyncio.run(
            publish.publish(tmp_path / "store", Endpoints.from_settings(counted), on_step=steps.append)
        )
    loads = [step for step in steps if step.startswith("load ")]
    assert len(loads) == len(set(loads)) == len(report.graphs) == len(set(graphs))
    assert proxy.uploads <= 2 * len(
        report.graphs
    )  # one upload per graph (digest auth may answer each first with a 401)
    assert report.quads == len(lines)
    asyncio.run(publish.publish(settings.store_dir, Endpoints.from_settings(Settings(**remote))))
    assert _published_state(remote) == before


def test_insert_requests_keep_each_blank_node_whole():
    """Without a Graph Store endpoint, a graph with blank nodes (the ontology's OWL lists) goes in several INSERT
    requests, each holding every triple of its blank nodes (their labels are scoped to one request)."""
    from kg.publish import _chunks_keeping_blank_nodes

    ex = "https://example.org/"
    triples = [ox.Triple(ox.NamedNode(f"{ex}s{i}"), ox.NamedNode(ex + "p"), ox.Literal(str(i))) for i in range(7)]
    chain = [ox.BlankNode(f"b{i}") for i in range(5)]  # a list: s → b0 → b1 → … → b4
    triples.append(ox.Triple(ox.NamedNode(ex + "s"), ox.NamedNode(ex + "list"), chain[0]))
    triples += [ox.Triple(a, ox.NamedNode(ex + "rest"), b) for a, b in itertools.pairwise(chain)]
    chunks = list(_chunks_keeping_blank_nodes(triples, 3))
    assert sorted(map(str, (t for c in chunks for t in c))) == sorted(map(str, triples))
    holding = {b: {i for i, c in enumerate(chunks) for t in c if b in (t.subject, t.object)} for b in chain}
    assert all(len(found) == 1 for found in holding.values()) and len(set().union(*holding.values())) == 1
    assert max(len(c) for c in chunks if not any(isinstance(t.object, ox.BlankNode) for t in c)) <= 3


def test_what_virtuoso_changes_in_geometries_is_put_back():
    """Virtuoso answers a geo:wktLiteral typed as its own geometry, points in single precision and multipoints
    without their inner parentheses; the remote back-end gives the release's literal back."""
    from kg.remote import _from_virtuoso

    wkt = "<http://www.opengis.net/ont/geosparql#wktLiteral>"
    geometry = b"http://www.openlinksw.com/schemas/virtrdf#Geometry"
    virtuoso = b'<a> <b> "MULTIPOINT(82.466 47.188,85.567 47.0670001)"^^<' + geometry + b"> ."
    assert _from_virtuoso(virtuoso).decode() == f'<a> <b> "MULTIPOINT((82.466 47.188),(85.567 47.067))"^^{wkt} .'
    point = b'<literal datatype="' + geometry + b'">POINT(103.43000030518 42.590000152588)</literal>'
    assert b">POINT(103.43 42.59)</literal>" in _from_virtuoso(point)
    other = b'<a> <b> "3.14159265358979"^^<http://www.w3.org/2001/XMLSchema#double> .'
    assert _from_virtuoso(other) == other
