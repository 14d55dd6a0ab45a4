"""``/dumps`` and ``/dumps/{name}``: the dumps `kg build` writes into each release, with an ETag per release; the
listing is JSON for machines and, for browsers, a landing page carrying the dataset's schema.org description."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse, JSONResponse

from ... import store
from ...accept import choose
from ...dataset_description import schema_org
from ..answers import cache_headers, not_modified
from ..dataset import describe
from ..deps import PoolDep, SettingsDep
from ..openapi import ERROR_RESPONSES, GRAPH_OR_DATASET, NOT_MODIFIED, Responses, answer
from ..problems import Problem
from ..releases import DUMP_MEDIA_TYPES, served_dumps
from ..rendering import templates

router = APIRouter(tags=["Linked data"])

_LISTING_RESPONSES: Responses = {
    200: answer("The dumps: JSON for machines, an HTML landing page for browsers", "application/json", "text/html"),
    **ERROR_RESPONSES,
}


@router.get(
    "/dumps",
    summary="The downloadable dumps of the current release",
    description="JSON (name, url, mediaType of each dump); a browser (``Accept: text/html`` first) gets a landing "
    "page with the same list and the dataset's schema.org ``Dataset`` as embedded JSON-LD.",
    responses=_LISTING_RESPONSES,
)
async def list_dumps(request: Request, pool: PoolDep, settings: SettingsDep) -> Response:
    offers = ("application/json", "text/html", "application/xhtml+xml")
    if (choose(request.headers.get("accept"), offers, named_only=offers[1:]) or 0) > 0:  # a browser
        facts = await describe(request, pool, settings)
        context = {"facts": facts, "dataset": schema_org(facts)}
        return templates.TemplateResponse(request, "dumps.html", context, headers={"Vary": "Accept"})
    return JSONResponse(
        [
            {"name": n, "url": str(request.url_for("dump", name=n)), "mediaType": DUMP_MEDIA_TYPES[n]}
            for n in served_dumps(settings)
        ],
        headers={"Vary": "Accept"},
    )


@router.get(
    "/dumps/{name}",
    summary="One dump of the whole graph",
    responses={200: answer("The dump", *GRAPH_OR_DATASET, "application/gzip"), **NOT_MODIFIED, **ERROR_RESPONSES},
)
async def dump(name: str, request: Request, settings: SettingsDep) -> Response:
    if name not in DUMP_MEDIA_TYPES:  # a fixed set of names: no path from the request ever reaches the file system
        raise Problem(404, "not-found", f"no dump {name!r}; see /dumps")
    if settings.store_url:
        raise Problem(
            404,
            "not-found",
            "dumps are files of an embedded build; this service fronts a remote store "
            "(export it with the store's own tools, or `kg export` on the build it was published from)",
        )
    release = store.current_release(settings.store_dir)
    if release is None or not (release / name).exists():
        raise Problem(404, "not-found", f"the current release has no {name} (rebuild with `kg build`)")
    headers = cache_headers(f'"{release.name}-{name}"', vary=None)
    cached = not_modified(request, headers)
    if cached is not None:
        return cached
    if name.endswith(".gz"):
        headers["Content-Encoding"] = "gzip"
    return FileResponse(
        release / name,
        media_type=DUMP_MEDIA_TYPES[name],
        headers=headers,
        filename=name if name.endswith(".gz") else None,
    )
