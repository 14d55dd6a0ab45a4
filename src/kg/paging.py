"""One page of a canned query's ordered answer, on any back-end.

A page is ``LIMIT/OFFSET`` over the ordered answer, and an ORDER BY makes every page cost the whole
evaluation. A query with a page driver (``#+ page-driver:``) is paged in two steps instead: the driver
gives the answer's values of one variable, in the answer's order (say the activities by programme and
code), and the page is evaluated over the rows of its first values only. The rows of the first *k*
driver values are the answer's first rows, so the page is the same; when they are too few for the page
(a driver value with no row) and the driver has more, or the driver gives blank nodes, the page falls
back to the whole evaluation.

The driver's ``ORDER BY STR(?v)`` is applied here, not by the engine: the driver is evaluated unordered
and its values sorted by their string, which is that order (code-point order, as SPARQL compares simple
literals). pyoxigraph sorts slowly (at 1M triples, 120 ms for the 7,400 activities touching a taxon,
against 85 ms to evaluate them unordered, ship them as TSV and sort them in Python).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable

import pyoxigraph as ox

from . import engine
from .catalogue import CannedQuery
from .formats import Format

Evaluate = Callable[[engine.Request], Awaitable[engine.Answer]]
"""Runs one request on a back-end."""

DRIVER_MAX_ROWS = 10_000_000
"""A driver with more values than this is not sorted here: the page falls back to the whole evaluation."""


async def page(query: CannedQuery, number: int, request: engine.Request, evaluate: Evaluate) -> engine.Answer:
    """Page ``number`` of ``query``: ``request`` is the page's plain request (``query.page(number)``, its
    bindings, formats and ``max_rows=query.page_size``); ``evaluate`` runs a request on the back-end."""
    if query.driver is None:
        return await evaluate(request)
    values = await _driver_values(query, request, evaluate)
    if values is None:
        return await evaluate(request)
    wanted = number * query.page_size + 1
    first = [ox.NamedNode(value) if isinstance(value, str) else value for value in values[:wanted]]
    answer = await evaluate(
        dataclasses.replace(request, text=query.page(number, among=first, bindings=request.bindings))
    )
    if answer.truncated or len(first) < wanted:
        return answer  # a full page, or the driver's last values: the page the whole evaluation gives
    return await evaluate(request)


async def _driver_values(
    query: CannedQuery, request: engine.Request, evaluate: Evaluate
) -> list[str | ox.NamedNode | ox.Literal] | None:
    """The driver's distinct values in its ``ORDER BY STR(?v)`` order (IRIs as strings, the usual driver), or
    None when they cannot serve: a blank node (it cannot be written back into the query) or more than
    DRIVER_MAX_ROWS values."""
    if query.driver_keys is None:
        return None
    keys = await evaluate(
        dataclasses.replace(
            request, text=query.driver_keys, results_format=Format.TSV, graph_format=None, max_rows=DRIVER_MAX_ROWS
        )
    )
    if keys.truncated:
        return None
    lines = set(keys.body.split(b"\n")[1:])
    lines.discard(b"")  # the last line break; an unbound value
    if all(line.startswith(b"<") for line in lines):  # IRIs only, written <iri> unescaped: read without a parser
        return sorted(line[1:-1].decode() for line in lines)
    solutions = ox.parse_query_results(keys.body, format=ox.QueryResultsFormat.TSV)
    if not isinstance(solutions, ox.QuerySolutions):
        return None
    values = {solution[0] for solution in solutions if solution[0] is not None}
    if any(isinstance(value, ox.BlankNode) for value in values):
        return None
    return sorted(values, key=lambda value: value.value)
