"""``kg publish``: push the current build to a remote store, switching to it in one step.

1. **Load** every named graph of the release into a fresh *staging* graph
   (``…/graph/staging/<release>/<name>``) with the Graph Store Protocol (PUT, then POST in chunks),
   or with ``INSERT DATA`` when the store has no Graph Store endpoint.
2. **Check** that each staging graph holds exactly the release's triples.
3. **Switch** with one SPARQL Update request: ``MOVE`` each published graph (and the publication
   record, :data:`kg.remote.PUBLICATION`) aside to a *backup* graph, then each staging graph onto its
   published name, then write the new record. A transactional store (Oxigraph) applies the request
   all or nothing. Virtuoso applies its operations one by one and keeps those done before a failure,
   so a failed switch is **undone**: every backup graph moved back, graphs new in this build dropped.
4. Drop the backups.

Anything that fails leaves the published graphs as they were; the staging graphs are dropped (and a
crashed push's leftovers are dropped by the next one).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from urllib.parse import quote, unquote

import httpx
import pyoxigraph as ox

from . import store as built_store
from .errors import KgError
from .namespaces import DCTERMS, GRAPH
from .remote import (
    PUBLICATION,
    Endpoints,
    Publication,
    RemoteFailed,
    authenticate,
    read_publication,
    run_update,
    select,
)
from .typed_query import ask

STAGING = GRAPH + "staging/"
BACKUP = GRAPH + "backup/"
CHUNK_TRIPLES = 50_000
"""Triples per Graph Store request; a graph with blank nodes goes in one request (their labels are scoped to it)."""
CHUNK_INSERT = 2_000
"""Triples per INSERT DATA request, when the store has no Graph Store endpoint (Virtuoso's parser stops near 5,000)."""
CHUNK_BLANK_INSERT = 500
"""Triples per INSERT request of a graph with blank nodes (each blank node's triples kept in one request): the
template of blank nodes costs Virtuoso far more SQL (it refuses more than 10,000 lines, about 1,500 triples)."""

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
    return f"{STAGING}{release_id}/{_name(graph)}"


def backup_graph(graph: str) -> str:
    return BACKUP + _name(graph)


def _name(graph: str) -> str:
    return graph[len(GRAPH) :] if graph.startswith(GRAPH) else quote(graph, safe="")


def _backed_up(backup: str) -> str:
    """The graph a backup graph holds the published content of (the inverse of :func:`backup_graph`)."""
    name = backup[len(BACKUP) :]
    return unquote(name) if "%" in name else GRAPH + name


async def publish(
    store_dir: Path, endpoints: Endpoints, *, on_step: Step = lambda _: None, timeout: float = 600.0
) -> PublishReport:
    """Push the current release of ``store_dir``; return what was published. Raises PublishFailed, StoreMissing,
    StoreCorrupt."""
    if endpoints.update_url is None:
        raise PublishFailed("publishing needs the remote store's update endpoint (--update-url)")
    manifest = built_store.verify(store_dir)
    dataset, _ = built_store.open_store(store_dir)
    release_id, seconds = manifest["id"], {}
    async with endpoints.client(timeout=timeout) as client:
        try:
            await authenticate(client, endpoints)
            on_step("clean")
            await _recover(client, endpoints, timeout)
            await _drop_prefixed(client, endpoints, STAGING)  # left by a push that crashed
            previous = await read_publication(client, endpoints)
            start = time.perf_counter()
            on_step("load")
            loaded = await _load(client, endpoints, dataset, release_id, on_step)
            seconds["load"] = time.perf_counter() - start
            on_step("check")
            await _check(client, endpoints, release_id, loaded)
            start = time.perf_counter()
            on_step("switch")
            await _switch(client, endpoints, release_id, loaded, previous, timeout)
            seconds["switch"] = time.perf_counter() - start
        except (httpx.HTTPError, RemoteFailed, PublishFailed, OSError, SyntaxError) as err:
            await _drop_prefixed(client, endpoints, STAGING, quietly=True)
            raise PublishFailed(
                f"publishing {release_id} failed, the remote store is unchanged: {str(err) or type(err).__name__}"
            ) from None
        await _drop_prefixed(client, endpoints, BACKUP, quietly=True)
    return PublishReport(release_id, previous.id if previous else None, loaded, seconds)


async def _load(
    client: httpx.AsyncClient, endpoints: Endpoints, dataset: ox.Store, release_id: str, on_step: Step
) -> dict[str, int]:
    """Copy each named graph of the release into its staging graph; return the triples sent per graph."""
    sizes: dict[str, int] = {}
    for graph, triples, has_blank_nodes in _graphs(dataset):
        target = staging_graph(release_id, graph)
        on_step(f"load {graph.removeprefix(GRAPH)}")
        if not has_blank_nodes:
            chunks = _chunks(triples, CHUNK_TRIPLES if endpoints.gsp_url else CHUNK_INSERT)
        elif endpoints.gsp_url:
            chunks = _chunks(triples, None)
        else:
            chunks = _chunks_keeping_blank_nodes(list(triples), CHUNK_BLANK_INSERT)
        for chunk in chunks:
            await _send(client, endpoints, target, chunk, replace=graph not in sizes, blank_nodes=has_blank_nodes)
            sizes[graph] = sizes.get(graph, 0) + len(chunk)
    return sizes


def _graphs(dataset: ox.Store) -> Iterator[tuple[str, Iterator[ox.Triple], bool]]:
    """Each named graph of the release, whole (a dump may interleave graphs quad by quad), with whether it
    holds blank nodes."""
    if next(dataset.quads_for_pattern(None, None, None, ox.DefaultGraph()), None) is not None:
        raise PublishFailed("the release has triples in the default graph; only named graphs are published")
    for graph in sorted(dataset.named_graphs(), key=str):
        if not isinstance(graph, ox.NamedNode):
            raise PublishFailed("the release has a graph named by a blank node; only IRI-named graphs are published")
        blank = ask(dataset, f"ASK {{ GRAPH {graph} {{ ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) }} }}")
        yield graph.value, (q.triple for q in dataset.quads_for_pattern(None, None, None, graph)), blank


def _ntriples(triples: list[ox.Triple]) -> bytes:
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


def _chunks(triples: Iterator[ox.Triple], size: int | None) -> Iterator[list[ox.Triple]]:
    """``triples`` in lists of ``size`` (all in one when ``size`` is None: blank node labels are scoped to one
    request)."""
    while chunk := list(islice(triples, size)):
        yield chunk


def _chunks_keeping_blank_nodes(triples: list[ox.Triple], size: int) -> Iterator[list[ox.Triple]]:
    """``triples`` in lists of about ``size``, every triple of a blank node (and of the blank nodes linked to it)
    in the same list: blank node labels are scoped to one request."""
    parent: dict[ox.BlankNode, ox.BlankNode] = {}

    def root(node: ox.BlankNode) -> ox.BlankNode:
        while parent.setdefault(node, node) != node:
            node = parent[node]
        return node

    for triple in triples:
        blanks = [t for t in (triple.subject, triple.object) if isinstance(t, ox.BlankNode)]
        if len(blanks) == 2:
            parent[root(blanks[0])] = root(blanks[1])
    groups: dict[object, list[ox.Triple]] = {}
    for index, triple in enumerate(triples):
        blank = next((t for t in (triple.subject, triple.object) if isinstance(t, ox.BlankNode)), None)
        groups.setdefault(root(blank) if blank is not None else index, []).append(triple)
    chunk: list[ox.Triple] = []
    for group in groups.values():
        if chunk and len(chunk) + len(group) > size:
            yield chunk
            chunk = []
        chunk += group
    if chunk:
        yield chunk


async def _send(
    client: httpx.AsyncClient,
    endpoints: Endpoints,
    graph: str,
    triples: list[ox.Triple],
    *,
    replace: bool,
    blank_nodes: bool,
) -> None:
    body = _ntriples(triples)
    if endpoints.gsp_url is not None:
        method = client.put if replace else client.post
        response = await method(
            endpoints.gsp_url, params={"graph": graph}, content=body, headers={"Content-Type": "application/n-triples"}
        )
        if response.status_code >= 400:
            raise RemoteFailed(
                f"loading <{graph}> was refused ({response.status_code}): {' '.join(response.text.split())[:300]}"
            )
        return
    prefix = f"DROP SILENT GRAPH <{graph}> ;\n" if replace else ""
    data = f"GRAPH <{graph}> {{\n{body.decode()}\n}}"
    # Virtuoso takes no blank node in INSERT DATA; a template instantiated once keeps them (one request: one scope)
    insert = f"INSERT {{ {data} }} WHERE {{}}" if blank_nodes else f"INSERT DATA {{ {data} }}"
    await run_update(client, endpoints, prefix + insert)


async def _check(client: httpx.AsyncClient, endpoints: Endpoints, release_id: str, sizes: dict[str, int]) -> None:
    """Every staging graph holds as many triples as the release's graph (no silent truncation)."""
    for graph, expected in sizes.items():
        rows = await select(
            client,
            endpoints,
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{staging_graph(release_id, graph)}> {{ ?s ?p ?o }} }}",
        )
        found = int(rows[0]["n"].value) if rows else 0
        if found != expected:
            raise PublishFailed(f"<{graph}>: the remote store holds {found} of its {expected} triples after loading")


def switch_operations(release_id: str, sizes: dict[str, int], previous: Publication | None) -> list[str]:
    """The switching update: published graphs and record aside, staging graphs onto their names, the new record."""
    published = sorted({*(previous.graphs if previous else ()), PUBLICATION})
    operations = [f"MOVE SILENT <{g}> TO <{backup_graph(g)}>" for g in published]
    operations += [f"MOVE <{staging_graph(release_id, g)}> TO <{g}>" for g in sorted(sizes)]
    record = ox.NamedNode(PUBLICATION)
    facts = [ox.Triple(record, ox.NamedNode(DCTERMS + "identifier"), ox.Literal(release_id))]
    facts += [ox.Triple(record, ox.NamedNode(DCTERMS + "hasPart"), ox.NamedNode(g)) for g in sorted(sizes)]
    operations.append(f"INSERT DATA {{ GRAPH <{PUBLICATION}> {{ {_ntriples(facts).decode()} }} }}")
    return operations


async def _switch(
    client: httpx.AsyncClient,
    endpoints: Endpoints,
    release_id: str,
    sizes: dict[str, int],
    previous: Publication | None,
    timeout: float,
) -> None:
    """Run the switching update; if it fails, undo what a non-transactional store kept of it, then raise."""
    try:
        await run_update(
            client, endpoints, " ;\n".join(switch_operations(release_id, sizes, previous)), timeout=timeout
        )
    except (httpx.HTTPError, RemoteFailed) as err:
        await _undo_switch(client, endpoints, sizes, previous, timeout)
        raise PublishFailed(f"the switch was refused ({str(err) or type(err).__name__}) and undone") from None


async def _undo_switch(
    client: httpx.AsyncClient, endpoints: Endpoints, sizes: dict[str, int], previous: Publication | None, timeout: float
) -> None:
    """Move every backup graph back onto its name and drop the graphs only the new build has.

    The switch moves all published graphs aside before it moves any staging graph in, so a graph with no
    backup still holds its published content, and one with a backup gets it back.
    """
    backups = set(await _graphs_prefixed(client, endpoints, BACKUP))
    published = {*(previous.graphs if previous else ()), PUBLICATION}
    operations = [f"MOVE <{backup_graph(g)}> TO <{g}>" for g in sorted(published) if backup_graph(g) in backups]
    operations += [f"DROP SILENT GRAPH <{g}>" for g in sorted(set(sizes) - published)]
    if operations:
        await run_update(client, endpoints, " ;\n".join(operations), timeout=timeout)


async def _recover(client: httpx.AsyncClient, endpoints: Endpoints, timeout: float) -> None:
    """Backups left by a push killed during its switch go back onto their names (the published build returns)."""
    backups = await _graphs_prefixed(client, endpoints, BACKUP)
    if backups:
        await run_update(
            client, endpoints, " ;\n".join(f"MOVE <{b}> TO <{_backed_up(b)}>" for b in sorted(backups)), timeout=timeout
        )


async def _graphs_prefixed(client: httpx.AsyncClient, endpoints: Endpoints, prefix: str) -> list[str]:
    rows = await select(
        client,
        endpoints,
        f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{prefix}")) }}',
    )
    return [row["g"].value for row in rows]


async def _drop_prefixed(
    client: httpx.AsyncClient, endpoints: Endpoints, prefix: str, *, quietly: bool = False
) -> None:
    """Drop every graph whose IRI starts with ``prefix`` (staging graphs, backups)."""
    try:
        leftovers = await _graphs_prefixed(client, endpoints, prefix)
        if leftovers:
            await run_update(client, endpoints, " ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in leftovers))
    except (httpx.HTTPError, RemoteFailed):
        if not quietly:
            raise
