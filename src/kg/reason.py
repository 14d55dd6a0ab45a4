"""Materialise inferences with SPARQL rules into their own named graph."""

from __future__ import annotations

from importlib import resources

import pyoxigraph as ox

from .namespaces import INFERRED_GRAPH
from .typed_query import construct

MAX_ROUNDS = 10


def rules() -> dict[str, str]:
    """The materialisation rules shipped with the package: name → CONSTRUCT query."""
    folder = resources.files("kg") / "rules"
    return {
        f.name.removesuffix(".rq"): f.read_text(encoding="utf-8")
        for f in sorted(folder.iterdir(), key=lambda f: f.name)
        if f.name.endswith(".rq")
    }


def materialise(store: ox.Store) -> int:
    """Apply every rule until nothing new follows; add the new triples to the inferred graph.

    Returns the number of inferred triples. Triples already asserted in any graph are not repeated.
    """
    compiled = list(rules().values())
    added = 0
    for _ in range(MAX_ROUNDS):
        new = set()
        for query in compiled:
            for triple in construct(store, query, use_default_graph_as_union=True):
                if not _asserted(store, triple):
                    new.add(triple)
        if not new:
            return added
        store.extend(ox.Quad(t.subject, t.predicate, t.object, INFERRED_GRAPH) for t in new)
        added += len(new)
    raise RuntimeError(f"inference did not reach a fixpoint in {MAX_ROUNDS} rounds")


def _asserted(store: ox.Store, triple: ox.Triple) -> bool:
    return next(iter(store.quads_for_pattern(triple.subject, triple.predicate, triple.object)), None) is not None
