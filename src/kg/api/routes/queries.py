"""``/queries``: the canned-query catalogue (one ``queries/*.rq`` file = one route = one CLI name)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse

from ... import engine
from ...catalogue import CannedQuery
from ..answers import chosen_formats, run
from ..deps import PoolDep, SettingsDep
from ..problems import Problem
from .sparql import ERROR_RESPONSES

router = APIRouter(tags=["Canned queries"])


def _catalogue(request: Request) -> dict[str, CannedQuery]:
    return request.app.state.catalogue


@router.get("/queries", summary="The canned queries, their parameters and links")
async def list_queries(request: Request) -> JSONResponse:
    base = str(request.url_for("list_queries"))
    return JSONResponse([{**q.as_dict(), "url": f"{base}/{q.name}", "sparql": f"{base}/{q.name}.rq"}
                         for q in _catalogue(request).values()])


@router.get("/queries/{name}", summary="Run a canned query (parameters as query-string values)",
            responses={200: {"description": "SPARQL results, JSON by default, any results format by content negotiation"},
                       404: {"description": "No such query"}, **ERROR_RESPONSES})
async def run_query(name: str, request: Request, pool: PoolDep, settings: SettingsDep) -> Response:
    catalogue = _catalogue(request)
    if name.endswith(".rq") and name[:-3] in catalogue:
        return PlainTextResponse(catalogue[name[:-3]].text, media_type="application/sparql-query")
    query = catalogue.get(name)
    if query is None:
        raise Problem(404, "not-found", f"no canned query {name!r}; see /queries")
    params = request.query_params
    repeated = sorted({k for k in params if len(params.getlist(k)) > 1})
    if repeated:
        raise Problem(400, "bad-request", f"parameter(s) given more than once: {', '.join(repeated)}")
    try:
        bindings = query.bindings(dict(params))
    except ValueError as err:
        raise Problem(400, "bad-request", str(err)) from None
    results_format, graph_format = chosen_formats(request)
    return await run(request, pool, settings, engine.Request(query.text, results_format=results_format, graph_format=graph_format,
                                                              bindings=bindings, max_rows=settings.max_rows))
