"""Typed wrappers over ``pyoxigraph.Store.query``, whose answer is a union of three kinds.

Each wrapper says which kind the caller expects and checks it, so a query of the wrong form fails with a
clear ``TypeError`` instead of an ``AttributeError`` further on.
"""

from __future__ import annotations

from typing import Any, TypeVar

import pyoxigraph as ox

T = TypeVar("T")


def select(store: ox.Store, query: str, **options: Any) -> ox.QuerySolutions:
    """The solutions of a SELECT query."""
    return _expect(store.query(query, **options), ox.QuerySolutions, query)


def construct(store: ox.Store, query: str, **options: Any) -> ox.QueryTriples:
    """The triples of a CONSTRUCT or DESCRIBE query."""
    return _expect(store.query(query, **options), ox.QueryTriples, query)


def ask(store: ox.Store, query: str, **options: Any) -> bool:
    """The answer of an ASK query."""
    return bool(_expect(store.query(query, **options), ox.QueryBoolean, query))


def _expect(answer: object, kind: type[T], query: str) -> T:
    if not isinstance(answer, kind):
        raise TypeError(f"expected {kind.__name__} from the query, got {type(answer).__name__}: {query[:80]}")
    return answer
