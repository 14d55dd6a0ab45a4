"""One page of a canned query's ordered answer, on any back-end.

A page is ``LIMIT/OFFSET`` over the ordered answer, and an ORDER BY makes every page cost the whole
evaluation. A query with a page driver (``#+ page-driver:``) is paged in two steps instead: the driver
gives the answer's first values of one variable, in the answer's order (say the first 101 activities by
programme and code), and the page is evaluated over the rows of those values only. The rows of the first
*k* driver values are the answer's first rows, so the page is the same; when they are too few for the
page (a driver value with no row) and the driver has more, or the driver gives blank nodes, the page
falls back to the whole evaluation.
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


async def page(query: CannedQuery, number: int, request: engine.Request, evaluate: Evaluate) -> engine.Answer:
    """Page ``number`` of ``query``: ``request`` is the page's plain request (``query.page(number)``, its
    bindings, formats and ``max_rows=query.page_size``); ``evaluate`` runs a request on the back-end."""
    if query.driver is None:
        return await evaluate(request)
    wanted = number * query.page_size + 1
    keys = await evaluate(dataclasses.replace(request, text=query.driver_page(number), results_format=Format.JSON,
                                              graph_format=None, max_rows=wanted))
    values = [solution[0] for solution in ox.parse_query_results(keys.body, format=ox.QueryResultsFormat.JSON)
              if solution[0] is not None]
    if any(isinstance(value, ox.BlankNode) for value in values):
        return await evaluate(request)  # a blank node cannot be written back into the query
    answer = await evaluate(dataclasses.replace(request, text=query.page(number, among=values, bindings=request.bindings)))
    if answer.truncated or len(values) < wanted:
        return answer  # a full page, or the driver's last values: the page the whole evaluation gives
    return await evaluate(request)
