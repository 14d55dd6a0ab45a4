"""``/dumps/{name}``: the dumps `kg build` writes into each release, with an ETag per release."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse, JSONResponse

from ... import store
from ..answers import cache_headers, not_modified
from ..deps import SettingsDep
from ..openapi import ERROR_RESPONSES, GRAPH_OR_DATASET, NOT_MODIFIED, answer
from ..problems import Problem
from ..releases import DUMP_MEDIA_TYPES, served_dumps

router = APIRouter(tags=["Linked data"])


@router.get("/dumps", summary="The downloadable dumps of the current release")
async def list_dumps(request: Request, settings: SettingsDep) -> JSONResponse:
    return JSONResponse(
        [
            {"name": n, "url": str(request.url_for("dump", name=n)), "mediaType": DUMP_MEDIA_TYPES[n]}
            for n in served_dumps(settings)
        ]
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
