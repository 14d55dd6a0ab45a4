"""``/store``: the SPARQL 1.1 Graph Store HTTP Protocol (indirect graph identification).

Reads are open; writes need the update token and never touch the graphs `kg build` produces.
"""

from __future__ import annotations

import pyoxigraph as ox
from fastapi import APIRouter, Query, Request, Response

from ... import engine
from ...formats import Kind, negotiate, rdf_format_of_media_type
from ..answers import run
from ..deps import PoolDep, SettingsDep, WriterDep
from ..openapi import ERROR_RESPONSES, GRAPH_OR_DATASET, NOT_MODIFIED, answer
from ..problems import Problem

router = APIRouter(tags=["Graph Store"])

GraphParam = Query(None, description="IRI of the graph")
DefaultParam = Query(None, description="Present (empty) to address the default graph")
_GRAPH = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"
_DEFAULT = "CONSTRUCT WHERE { ?s ?p ?o }"
_EXISTS = "ASK { GRAPH ?g { ?s ?p ?o } }"
_UPLOAD_BODY = {
    "required": True,
    "content": {
        m: {"schema": {"type": "string"}}
        for m in (
            "text/turtle",
            "application/n-triples",
            "application/ld+json",
            "application/rdf+xml",
            "application/n-quads",
        )
    },
}


@router.get(
    "/store",
    summary="Read a graph",
    responses={200: answer("The graph, as negotiated", *GRAPH_OR_DATASET), **NOT_MODIFIED, **ERROR_RESPONSES},
)
async def read_graph(
    request: Request,
    pool: PoolDep,
    settings: SettingsDep,
    graph: str | None = GraphParam,
    default: str | None = DefaultParam,
) -> Response:
    target = _target(graph, default)
    fmt = negotiate(request.headers.get("accept"), Kind.GRAPH)
    if fmt is None:
        raise Problem(
            406, "not-acceptable", "graphs are served as Turtle, N-Triples, JSON-LD, RDF/XML, N-Quads or TriG"
        )
    if target is None:
        query = engine.Request(
            _DEFAULT, graph_format=fmt, default_graphs=(), named_graphs=(), max_rows=settings.max_rows
        )
    else:
        exists = await pool.query(
            engine.Request(_EXISTS, bindings={"g": ox.NamedNode(target)}), timeout=settings.query_timeout
        )
        if b"true" not in exists.body:
            raise Problem(404, "not-found", f"no graph <{target}>")
        query = engine.Request(
            _GRAPH, graph_format=fmt, bindings={"g": ox.NamedNode(target)}, max_rows=settings.max_rows
        )
    return await run(request, pool, settings, query)


@router.put(
    "/store",
    summary="Replace a graph",
    status_code=204,
    openapi_extra={"requestBody": _UPLOAD_BODY},
    responses={201: {"description": "Graph created"}, 204: {"description": "Graph replaced"}, **ERROR_RESPONSES},
)
async def replace_graph(
    request: Request, pool: PoolDep, _: WriterDep, graph: str | None = GraphParam, default: str | None = DefaultParam
) -> Response:
    return await _upload(request, pool, "replace_graph", graph, default)


@router.post(
    "/store",
    summary="Add to a graph",
    status_code=204,
    openapi_extra={"requestBody": _UPLOAD_BODY},
    responses={201: {"description": "Graph created"}, 204: {"description": "Triples added"}, **ERROR_RESPONSES},
)
async def add_to_graph(
    request: Request, pool: PoolDep, _: WriterDep, graph: str | None = GraphParam, default: str | None = DefaultParam
) -> Response:
    return await _upload(request, pool, "add_to_graph", graph, default)


@router.delete(
    "/store",
    summary="Delete a graph",
    status_code=204,
    responses={204: {"description": "Graph deleted"}, **ERROR_RESPONSES},
)
async def delete_graph(
    pool: PoolDep, _: WriterDep, graph: str | None = GraphParam, default: str | None = DefaultParam
) -> Response:
    await pool.write("delete_graph", graph=_target(graph, default))
    return Response(status_code=204)


def _target(graph: str | None, default: str | None) -> str | None:
    """The graph addressed: its IRI, or None for the default graph."""
    if (graph is None) == (default is None):
        raise Problem(400, "bad-request", "address exactly one graph: ?graph=IRI or ?default")
    if graph is not None:
        try:
            ox.NamedNode(graph)
        except ValueError:
            raise Problem(400, "bad-request", f"not an absolute IRI: {graph!r}") from None
    return graph


async def _upload(request: Request, pool: PoolDep, operation: str, graph: str | None, default: str | None) -> Response:
    """PUT or POST a body: 201 when the graph is new, 204 otherwise."""
    target = _target(graph, default)
    media_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if rdf_format_of_media_type(media_type) is None:
        raise Problem(
            415, "unsupported-media-type", f"cannot read {media_type or 'a body without Content-Type'} as RDF"
        )
    existed = await pool.write(
        operation, graph=target, data=await request.body(), media_type=media_type, base_iri=str(request.url)
    )
    return Response(status_code=204 if existed else 201)
