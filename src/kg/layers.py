"""The served dataset: the built release (read-only) plus the graphs written through the update API.

Writes go to a scratch copy first; the copy replaces the live dataset only when the graphs built
from the sources are untouched (else ReadOnlyGraph), and the written graphs are saved to
``<store>-userdata/`` with an atomic rename, so they survive restarts and rebuilds and a crash
never leaves half a write.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from . import store as built_store
from .errors import GraphNotFound, ReadOnlyGraph, StoreCorrupt
from .formats import rdf_format_of_media_type
from .namespaces import PREDECLARED_PREFIXES
from .sparqlerrors import plain_errors
from .sparqltext import with_using

USER_GRAPHS = "graphs.nq"
USER_META = "version.json"


@dataclass
class ServedDataset:
    store: ox.Store
    release_id: str
    built_graphs: frozenset[str]
    user_version: int
    userdata_dir: Path
    _fingerprints: dict[str, int] | None = None

    @property
    def version(self) -> str:
        """Changes whenever what a query can see changes (a rebuild or a write)."""
        return f"{self.release_id}.{self.user_version}"

    @classmethod
    def open(cls, store_dir: Path, userdata_dir: Path) -> ServedDataset:
        graph_store, manifest = built_store.open_store(store_dir)
        built = frozenset(g.value for g in graph_store.named_graphs())
        version = 0
        if (userdata_dir / USER_GRAPHS).exists():
            try:
                graph_store.bulk_load(path=userdata_dir / USER_GRAPHS, format=ox.RdfFormat.N_QUADS)
                version = json.loads((userdata_dir / USER_META).read_text())["version"]
            except (OSError, SyntaxError, ValueError, KeyError) as err:
                raise StoreCorrupt(f"{userdata_dir}: unreadable written graphs ({err})") from None
        return cls(graph_store, manifest["id"], built, version, userdata_dir)

    # -- writes ------------------------------------------------------------------------------------

    def update(
        self, text: str, *, base_iri: str | None = None, using: Sequence[str] = (), using_named: Sequence[str] = ()
    ) -> None:
        """Apply a SPARQL Update. Raises SyntaxError, DatasetConflict, ReadOnlyGraph, OSError (LOAD)."""
        if using or using_named:
            text = with_using(text, list(using), list(using_named))

        def apply(scratch: ox.Store) -> None:
            with plain_errors(text, update=True):
                scratch.update(text, base_iri=base_iri, prefixes=PREDECLARED_PREFIXES)

        self._write(apply)

    def replace_graph(self, graph: str | None, data: bytes, media_type: str, *, base_iri: str | None = None) -> bool:
        """Graph Store PUT: the graph's content becomes ``data``. Returns whether the graph existed."""
        fmt, existed = _upload_format(media_type), self.has_graph(graph)

        def put(scratch: ox.Store) -> None:
            if graph is None:
                scratch.clear_graph(ox.DefaultGraph())
            elif existed:
                scratch.remove_graph(ox.NamedNode(graph))
            scratch.load(data, format=fmt, base_iri=base_iri, to_graph=_graph_node(graph))

        self._write(put, touches=graph)
        return existed

    def add_to_graph(self, graph: str | None, data: bytes, media_type: str, *, base_iri: str | None = None) -> bool:
        """Graph Store POST: merge ``data`` into the graph. Returns whether the graph existed."""
        fmt, existed = _upload_format(media_type), self.has_graph(graph)
        self._write(
            lambda scratch: scratch.load(data, format=fmt, base_iri=base_iri, to_graph=_graph_node(graph)),
            touches=graph,
        )
        return existed

    def delete_graph(self, graph: str | None) -> None:
        """Graph Store DELETE. Raises GraphNotFound for an unknown named graph."""
        if not self.has_graph(graph):
            raise GraphNotFound(f"no graph <{graph}>")

        def delete(scratch: ox.Store) -> None:
            if graph is None:
                scratch.clear_graph(ox.DefaultGraph())
            else:
                scratch.remove_graph(ox.NamedNode(graph))

        self._write(delete, touches=graph)

    def has_graph(self, graph: str | None) -> bool:
        return graph is None or self.store.contains_named_graph(ox.NamedNode(graph))

    def _write(self, change, *, touches: str | None = None) -> None:
        if touches is not None and touches in self.built_graphs:
            raise ReadOnlyGraph(f"<{touches}> is built from the sources by `kg build` and cannot be written")
        scratch = ox.Store()
        scratch.extend(self.store)
        change(scratch)
        changed = [g for g, fp in self._built_fingerprints().items() if _fingerprint(scratch, g) != fp]
        if changed:
            raise ReadOnlyGraph(
                f"the update would change graphs built from the sources by `kg build`: "
                f"{', '.join(f'<{g}>' for g in sorted(changed))}; write to other graphs"
            )
        self._save(scratch)
        self.store = scratch
        self.user_version += 1

    def _built_fingerprints(self) -> dict[str, int]:
        if self._fingerprints is None:
            self._fingerprints = {g: _fingerprint(self.store, g) for g in self.built_graphs}
        return self._fingerprints

    def _save(self, scratch: ox.Store) -> None:
        """Write every quad outside the built graphs to the userdata directory, atomically."""
        self.userdata_dir.mkdir(parents=True, exist_ok=True)
        user_quads = [
            q
            for q in scratch
            if not (isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value in self.built_graphs)
        ]
        tmp = self.userdata_dir / f".{USER_GRAPHS}.tmp"
        with open(tmp, "wb") as out:
            ox.serialize(user_quads, out, format=ox.RdfFormat.N_QUADS)
            out.flush()
            os.fsync(out.fileno())
        meta_tmp = self.userdata_dir / f".{USER_META}.tmp"
        meta_tmp.write_text(json.dumps({"version": self.user_version + 1}))
        os.replace(tmp, self.userdata_dir / USER_GRAPHS)
        os.replace(meta_tmp, self.userdata_dir / USER_META)


def _upload_format(media_type: str) -> ox.RdfFormat:
    fmt = rdf_format_of_media_type(media_type)
    if fmt is None:
        raise ValueError(f"cannot read {media_type!r} as RDF")
    return fmt


def _graph_node(graph: str | None) -> ox.NamedNode | ox.DefaultGraph:
    return ox.DefaultGraph() if graph is None else ox.NamedNode(graph)


def _fingerprint(graph_store: ox.Store, graph: str) -> int:
    """An order-independent digest of one graph's triples (sum of their hashes, with the count)."""
    total, count = 0, 0
    for quad in graph_store.quads_for_pattern(None, None, None, ox.NamedNode(graph)):
        total = (total + hash(str(quad))) & 0xFFFFFFFFFFFFFFFF
        count += 1
    return total ^ (count << 1)
