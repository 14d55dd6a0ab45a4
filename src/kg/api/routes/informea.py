"""``/informea/``: the InforMEA-style OData v2 feed (service document, ``$metadata``, entity sets).

HTTP only: the resource path and options are parsed here and by :mod:`kg.informea.options`, the
entities come from :class:`kg.informea.feed.Feed`, the documents from :mod:`kg.informea.documents`.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response

from ...backends import Backend
from ...config import Settings
from ...informea import documents, options
from ...informea.feed import Feed, release_time
from ...informea.model import MODEL, EntityType
from ...informea.options import ODataError
from ..answers import cache_headers, etag_for, not_modified
from ..deps import FeedDep, PoolDep, SettingsDep
from ..openapi import ERROR_RESPONSES, NOT_MODIFIED, answer

router = APIRouter(prefix="/informea", tags=["InforMEA OData feed"])

_PATH = re.compile(
    r"^(?P<set>[A-Za-z_]\w*)(?:\((?P<key>'(?:[^']|'')*')\))?(?:/(?P<nav>[A-Za-z_]\w*))?(?P<count>/\$count)?$"
)
_ODATA = ("application/json", "application/xml", "application/atom+xml", "application/atomsvc+xml", "text/plain")
_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: answer("OData V2 JSON (verbose), Atom or XML, as $format or Accept asks; $count as text", *_ODATA),
    304: NOT_MODIFIED[304],
    400: answer("A malformed query option: an OData error body", *_ODATA),
    404: answer("No such entity set, entity or navigation: an OData error body", *_ODATA),
    **{s: r for s, r in ERROR_RESPONSES.items() if s in (406, 503)},
}


_METADATA_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: answer("The EDMX document", "application/xml"),
    304: NOT_MODIFIED[304],
}


def _base(request: Request) -> str:
    return str(request.url_for("informea_service")).rstrip("/") + "/"


def _headers(request: Request, version: str, fmt: str) -> dict[str, str]:
    """The OData version and the caching headers of the answer to this URL in this format."""
    return {"DataServiceVersion": "2.0", **cache_headers(etag_for(version, "informea", str(request.url), fmt))}


def _respond(body: bytes, media_type: str, headers: dict[str, str]) -> Response:
    return Response(body, media_type=media_type, headers=headers)


def _params(request: Request) -> dict[str, list[str]]:
    params = request.query_params
    return {name: params.getlist(name) for name in params}


@router.get("/", name="informea_service", summary="OData service document: the entity sets", responses=_RESPONSES)
async def service(request: Request, pool: PoolDep) -> Response:
    parsed = options.parse(_params(request), None)
    fmt = documents.negotiate(parsed.format, request.headers.get("accept"))
    headers = _headers(request, pool.version, fmt)
    return not_modified(request, headers) or _respond(*documents.service_document(MODEL, _base(request), fmt), headers)


@router.get(
    "/$metadata",
    summary="OData $metadata (EDMX, namespace informea)",
    responses=_METADATA_RESPONSES,
)
async def metadata(request: Request, pool: PoolDep) -> Response:
    headers = _headers(request, pool.version, "edmx")
    return not_modified(request, headers) or _respond(documents.metadata(MODEL), documents.XML_TYPE, headers)


@router.get(
    "/{path:path}",
    summary="An entity set, one entity, one of its properties, its navigation records, or a $count",
    responses=_RESPONSES,
)
async def resource(path: str, request: Request, pool: PoolDep, settings: SettingsDep, feed: FeedDep) -> Response:
    match = _PATH.match(path.rstrip("/"))
    if match is None or (entity_type := MODEL.by_set(match["set"])) is None:
        raise ODataError(404, f"no resource {path!r}; the entity sets are listed at {_base(request)}", "NotFound")
    params = _params(request)
    fmt = documents.negotiate(next(iter(params.get("$format", [])), None), request.headers.get("accept"))
    headers = _headers(request, pool.version, fmt)
    cached = not_modified(request, headers)
    if cached is not None:
        return cached
    timeout = settings.query_timeout
    entities = await feed.entities(pool, timeout, entity_type)
    if match["key"] is None:
        if match["nav"] is not None:
            raise ODataError(400, f"navigate from one entity: {entity_type.entity_set}('id')/{match['nav']}")
        return await _collection(
            request,
            pool,
            settings,
            path,
            count_only=match["count"],
            entity_type=entity_type,
            entities=entities,
            feed=feed,
            fmt=fmt,
            headers=headers,
        )
    key = match["key"][1:-1].replace("''", "'")  # the path is already percent-decoded
    entity = next((e for e in entities if e[entity_type.key] == key), None)
    if entity is None:
        raise ODataError(404, f"no {entity_type.name} with id {key!r} in {entity_type.entity_set}", "NotFound")
    if match["nav"] is None:
        if match["count"]:
            raise ODataError(400, "$count applies to collections, not to one entity")
        return await _entity(request, pool, timeout, entity_type, entity, feed=feed, fmt=fmt, headers=headers)
    prop = entity_type.property(match["nav"])
    if prop is not None and not match["count"]:
        _single_options(params, entity_type)
        body, media_type = documents.property_document(prop, entity.get(prop.name), fmt)
        return _respond(body, media_type, headers)
    navigation = entity_type.navigation(match["nav"])
    if navigation is None:
        names = [p.name for p in entity_type.properties] + [n.name for n in entity_type.navigations]
        raise ODataError(
            404,
            f"{entity_type.name} has no property or navigation {match['nav']!r}; it has {', '.join(names)}",
            "NotFound",
        )
    related = await _children(feed, pool, timeout, entity_type, (navigation.name,))
    return await _collection(
        request,
        pool,
        settings,
        path,
        count_only=match["count"],
        entity_type=MODEL.type(navigation.target),
        entities=related(entity, navigation.name),
        feed=feed,
        fmt=fmt,
        headers=headers,
    )


async def _entity(
    request: Request,
    pool: Backend,
    timeout: float,
    entity_type: EntityType,
    entity: dict,
    *,
    feed: Feed,
    fmt: str,
    headers: dict[str, str],
) -> Response:
    """One entity, with the navigations ``$expand`` asks for inline."""
    parsed = _single_options(_params(request), entity_type)
    children = await _children(feed, pool, timeout, entity_type, parsed.expand)
    if fmt == "json":
        body = documents.json_single(
            MODEL, entity_type, entity, _base(request), expand=parsed.expand, select=parsed.select, children=children
        )
        return _respond(body, documents.JSON_TYPE, headers)
    body = documents.atom_single(
        MODEL,
        entity_type,
        entity,
        _base(request),
        release_time(pool.version),
        expand=parsed.expand,
        select=parsed.select,
        children=children,
    )
    return _respond(body, documents.ATOM_ENTRY_TYPE, headers)


async def _collection(
    request: Request,
    pool: Backend,
    settings: Settings,
    path: str,
    *,
    feed: Feed,
    count_only: str | None,
    entity_type: EntityType,
    entities: list[dict],
    fmt: str,
    headers: dict[str, str],
) -> Response:
    """A collection after ``$filter``, ``$orderby``, ``$skip``, ``$top`` and the server's page size, or its
    ``$count``."""
    parsed = options.parse(_params(request), entity_type)
    selected, total = options.apply(entities, parsed, entity_type.key)
    window = selected[parsed.skip :] if parsed.top is None else selected[parsed.skip : parsed.skip + parsed.top]
    if count_only:  # $count honours $filter, $skip and $top, not the page size
        return _respond(str(len(window)).encode(), "text/plain;charset=utf-8", headers)
    page = window[: settings.informea_page_size]
    next_link = None
    if len(window) > len(page):
        next_link = _next_link(
            request,
            _base(request),
            path,
            parsed.skip + len(page),
            None if parsed.top is None else parsed.top - len(page),
        )
    children = await _children(feed, pool, settings.query_timeout, entity_type, parsed.expand)
    count = total if parsed.inlinecount else None
    base = _base(request)
    if fmt == "json":
        body = documents.json_collection(
            MODEL,
            entity_type,
            page,
            base,
            count=count,
            next_link=next_link,
            expand=parsed.expand,
            select=parsed.select,
            children=children,
        )
        return _respond(body, documents.JSON_TYPE, headers)
    body = documents.atom_feed(
        MODEL,
        entity_type,
        page,
        base,
        release_time(pool.version),
        href=path,
        count=count,
        next_link=next_link,
        expand=parsed.expand,
        select=parsed.select,
        children=children,
    )
    return _respond(body, documents.ATOM_FEED_TYPE, headers)


def _single_options(params: dict[str, list[str]], entity_type: EntityType) -> options.Options:
    parsed = options.parse(params, entity_type)
    if parsed.filter is not None or parsed.orderby or parsed.top is not None or parsed.skip or parsed.inlinecount:
        raise ODataError(400, "$filter, $orderby, $top, $skip and $inlinecount apply to collections, not to one entity")
    return parsed


async def _children(feed: Feed, pool: Backend, timeout: float, entity_type: EntityType, names: tuple[str, ...]):
    """A function giving the related entities of an entity for each navigation in ``names``."""
    targets = {}
    for name in names:
        navigation = entity_type.navigation(name)
        if navigation is None:  # options.parse accepts only the type's navigations
            raise ODataError(400, f"{entity_type.name} has no navigation {name!r}")
        target = MODEL.type(navigation.target)
        if target.mapping:  # a navigation to another entity set holds ids: resolve them
            targets[name] = {e[target.key]: e for e in await feed.entities(pool, timeout, target)}

    def related(entity: dict, name: str) -> list[dict]:
        if name in targets:
            return [targets[name][i] for i in entity[name] if i in targets[name]]
        return entity[name]

    return related


def _next_link(request: Request, base: str, path: str, skip: int, top: int | None) -> str:
    items = [(k, v) for k, v in request.query_params.multi_items() if k not in ("$skip", "$top")]
    items.append(("$skip", str(skip)))
    if top is not None:
        items.append(("$top", str(top)))
    return f"{base}{path}?{urlencode(items)}"
