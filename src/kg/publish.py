"""``kg publish``: push the current build to a remote store, switching to it in one step.

1. **Load** every named graph of the release into a fresh *staging* graph
   (``…/graph/staging/<release>/<name>``) with the Graph Store Protocol (PUT, then POST in chunks),
   or with ``INSERT DATA`` when the store has no Graph Store endpoint.
2. **Check** that each staging graph holds exactly the release's triples.
3. **Switch** with one SPARQL Update request — ``MOVE`` each staging graph onto its published name,
   drop graphs the new build no longer has, and replace the publication record
   (:data:`kg.remote.PUBLICATION`) — which a transactional store applies all or nothing.

Anything that fails before the switch leaves the published graphs as they were; the staging graphs
are dropped (and a crashed push's leftovers are dropped by the next one).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path
from urllib.parse import quote

import httpx
import pyoxigraph as ox

from . import store as built_store
from .errors import KgError, StoreMissing
from .namespaces import DCTERMS, GRAPH
from .remote import PUBLICATION, Endpoints, RemoteFailed, authenticate, read_publication, run_update, select

STAGING = GRAPH + "staging/"
CHUNK_TRIPLES = 50_000
"""Triples per load request; a graph with blank nodes goes in one request (their labels are scoped to it)."""

Step = Callable[[str], None]


class PublishFailed(KgError):
    """The push did not complete; the remote store still serves what it served before."""


@dataclass
class PublishReport:
    release: str
    previous: str | None
    graphs: dict[str, int]
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def quads(self) -> int:
        return sum(self.graphs.values())


def staging_graph(release_id: str, graph: str) -> str:
    name = graph[len(GRAPH):] if graph.startswith(GRAPH) else quote(graph, safe="")
    return f"{STAGING}{release_id}/{name}"


async def publish(store_dir: Path, endpoints: Endpoints, *, on_step: Step = lambda _: None,
                  timeout: float = 600.0) -> PublishReport:
    """Push the current release of ``store_dir``; return what was published. Raises PublishFailed, StoreMissing."""
    if endpoints.update_url is None:
        raise PublishFailed("publishing needs the remote store's update endpoint (--update-url)")
    release = built_store.current_release(store_dir)
    if release is None:
        raise StoreMissing(f"no built store in {store_dir} (run `kg build`)")
    manifest = built_store.verify(store_dir)
    release_id, seconds = manifest["id"], {}
    async with endpoints.client(timeout=timeout) as client:
        try:
            await authenticate(client, endpoints)
            previous = await read_publication(client, endpoints)
            on_step("clean")
            await _drop_staging(client, endpoints)
            start = time.perf_counter()
            on_step("load")
            loaded = await _load(client, endpoints, release / built_store.DATASET, release_id, on_step)
            seconds["load"] = time.perf_counter() - start
            on_step("check")
            await _check(client, endpoints, release_id, loaded)
            start = time.perf_counter()
            on_step("switch")
            await run_update(client, endpoints, _switch(release_id, loaded, previous), timeout=timeout)
            seconds["switch"] = time.perf_counter() - start
        except (httpx.HTTPError, RemoteFailed, PublishFailed, OSError, SyntaxError) as err:
            await _drop_staging(client, endpoints, quietly=True)
            raise PublishFailed(f"publishing {release_id} failed, the remote store is unchanged: {str(err) or type(err).__name__}") from None
    return PublishReport(release_id, previous.id if previous else None, loaded, seconds)


async def _load(client: httpx.AsyncClient, endpoints: Endpoints, dataset: Path, release_id: str, on_step: Step) -> dict[str, int]:
    """Copy each named graph of the release into its staging graph; return the triples sent per graph."""
    sizes: dict[str, int] = {}
    for graph, triples in _graphs(dataset):
        target = staging_graph(release_id, graph)
        on_step(f"load {graph.removeprefix(GRAPH)}")
        first = graph not in sizes
        for chunk in _chunks(triples):
            await _send(client, endpoints, target, chunk, replace=first)
            sizes[graph] = sizes.get(graph, 0) + len(chunk)
            first = False
    return sizes


def _graphs(dataset: Path) -> Iterator[tuple[str, list[ox.Triple]]]:
    """The release's named graphs, one run of triples at a time (a dump lists each graph's quads together)."""
    quads = ox.parse(path=dataset, format=ox.RdfFormat.N_QUADS)
    for graph, run in groupby(quads, key=lambda q: q.graph_name):
        if not isinstance(graph, ox.NamedNode):
            raise PublishFailed("the release has triples in the default graph; only named graphs are published")
        yield graph.value, [q.triple for q in run]


def _chunks(triples: list[ox.Triple]) -> Iterator[list[ox.Triple]]:
    if any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in triples):
        yield triples
        return
    for start in range(0, len(triples), CHUNK_TRIPLES):
        yield triples[start:start + CHUNK_TRIPLES]


async def _send(client: httpx.AsyncClient, endpoints: Endpoints, graph: str, triples: list[ox.Triple], *, replace: bool) -> None:
    body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    if endpoints.gsp_url is not None:
        method = client.put if replace else client.post
        response = await method(endpoints.gsp_url, params={"graph": graph}, content=body,
                                headers={"Content-Type": "application/n-triples"})
        if response.status_code >= 400:
            raise RemoteFailed(f"loading <{graph}> was refused ({response.status_code}): {' '.join(response.text.split())[:300]}")
        return
    prefix = f"DROP SILENT GRAPH <{graph}> ;\n" if replace else ""
    await run_update(client, endpoints, f"{prefix}INSERT DATA {{ GRAPH <{graph}> {{\n{body.decode()}\n}} }}")


async def _check(client: httpx.AsyncClient, endpoints: Endpoints, release_id: str, sizes: dict[str, int]) -> None:
    """Every staging graph holds as many triples as the release's graph (no silent truncation)."""
    for graph, expected in sizes.items():
        rows = await select(client, endpoints, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{staging_graph(release_id, graph)}> {{ ?s ?p ?o }} }}")
        found = int(rows[0]["n"].value) if rows else 0
        if found != expected:
            raise PublishFailed(f"<{graph}>: the remote store holds {found} of its {expected} triples after loading")


def _switch(release_id: str, sizes: dict[str, int], previous) -> str:
    """One update: staging graphs onto their names, obsolete graphs dropped, the publication record replaced."""
    operations = [f"MOVE <{staging_graph(release_id, g)}> TO <{g}>" for g in sorted(sizes)]
    operations += [f"DROP SILENT GRAPH <{g}>" for g in sorted(set(previous.graphs if previous else ()) - set(sizes))]
    record = ox.NamedNode(PUBLICATION)
    facts = [ox.Triple(record, ox.NamedNode(DCTERMS + "identifier"), ox.Literal(release_id))]
    facts += [ox.Triple(record, ox.NamedNode(DCTERMS + "hasPart"), ox.NamedNode(g)) for g in sorted(sizes)]
    operations += [f"DROP SILENT GRAPH <{PUBLICATION}>",
                   f"INSERT DATA {{ GRAPH <{PUBLICATION}> {{ {ox.serialize(facts, format=ox.RdfFormat.N_TRIPLES).decode()} }} }}"]
    return " ;\n".join(operations)


async def _drop_staging(client: httpx.AsyncClient, endpoints: Endpoints, *, quietly: bool = False) -> None:
    """Drop every staging graph left on the store (by this push, or by one that crashed)."""
    try:
        rows = await select(client, endpoints, f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), \"{STAGING}\")) }}")
        leftovers = [row["g"].value for row in rows]
        if leftovers:
            await run_update(client, endpoints, " ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in leftovers))
    except (httpx.HTTPError, RemoteFailed):
        if not quietly:
            raise
