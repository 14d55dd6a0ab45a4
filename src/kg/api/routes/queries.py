"""``/queries``: the canned-query catalogue (one ``queries/*.rq`` file = one route = one CLI name)."""

from __future__ import annotations

import functools

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse

from ... import engine, paging
from ..answers import chosen_formats, run
from ..deps import CatalogueDep, PoolDep, SettingsDep
from ..openapi import ERROR_RESPONSES, NOT_MODIFIED, RESULTS_OR_GRAPH, answer
from ..problems import Problem

router = APIRouter(tags=["Canned queries"])


@router.get("/queries", summary="The canned queries, their parameters and links")
async def list_queries(request: Request, catalogue: CatalogueDep) -> JSONResponse:
    base = str(request.url_for("list_queries"))
    return JSONResponse(
        [{**q.as_dict(), "url": f"{base}/{q.name}", "sparql": f"{base}/{q.name}.rq"} for q in catalogue.values()]
    )


@router.get(
    "/queries/{name}",
    summary="Run a canned query (parameters as query-string values)",
    responses={
        200: answer(
            "SPARQL results, JSON by default, any results format by content negotiation; the query's text for NAME.rq",
            *RESULTS_OR_GRAPH,
            "application/sparql-query",
        ),
        **NOT_MODIFIED,
        **ERROR_RESPONSES,
    },
)
async def run_query(
    name: str, request: Request, pool: PoolDep, settings: SettingsDep, catalogue: CatalogueDep
) -> Response:
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
        page = _page_number(params.get("page"))
        text = query.text if page is None else query.page(page)
    except ValueError as err:
        raise Problem(400, "bad-request", str(err)) from None
    results_format, graph_format = chosen_formats(request)
    max_rows = settings.max_rows if page is None else query.page_size
    plain = engine.Request(
        text, results_format=results_format, graph_format=graph_format, bindings=bindings, max_rows=max_rows
    )
    answer_with = None if page is None else functools.partial(paging.page, query, page, plain)
    response = await run(request, pool, settings, plain, answer_with=answer_with)
    if page is not None:
        _link_pages(request, response, page)
    return response


def _page_number(raw: str | None) -> int | None:
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"page must be a whole number (1 for the first page), not {raw!r}") from None


def _link_pages(request: Request, response: Response, page: int) -> None:
    """grlc-style ``Link`` headers: first, prev, and next while rows remain (the engine fetched one row past the
    page)."""
    more = response.headers.get("x-result-truncated") is not None
    if more:
        del response.headers["x-result-truncated"]
    links = {"first": 1} | ({"prev": page - 1} if page > 1 else {}) | ({"next": page + 1} if more else {})
    response.headers["Link"] = ", ".join(
        f'<{request.url.include_query_params(page=n)}>; rel="{rel}"' for rel, n in links.items()
    )
