"""``/informea/``: the InforMEA-style OData v2 feed (service document, ``$metadata``, entity sets).

HTTP only: the resource path and options are parsed here and by :mod:`kg.informea.options`, the
entities come from :class:`kg.informea.feed.Feed`, the documents from :mod:`kg.informea.documents`.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlencode

from fastapi import APIRouter, Request, Response

from ...informea import documents, options
from ...informea.feed import Feed, release_time
from ...informea.model import MODEL, EntityType
from ...informea.options import ODataError
from ..answers import CACHE_CONTROL, etag_for, not_modified
from ..deps import PoolDep, SettingsDep

router = APIRouter(prefix="/informea", tags=["InforMEA OData feed"])

_PATH = re.compile(r"^(?P<set>[A-Za-z_]\w*)(?:\((?P<key>'(?:[^']|'')*')\))?(?:/(?P<nav>[A-Za-z_]\w*))?(?P<count>/\$count)?$")
_ERRORS = {400: {"description": "A malformed query option: an OData error body"},
           404: {"description": "No such entity set, entity or navigation: an OData error body"}}


def _feed(request: Request) -> Feed:
    return request.app.state.informea


def _base(request: Request) -> str:
    return str(request.url_for("informea_service")).rstrip("/") + "/"


def _etag(request: Request, version: str, fmt: str) -> str:
    return etag_for(version, "informea", str(request.url), fmt)


def _respond(body: bytes, media_type: str, etag: str) -> Response:
    return Response(body, media_type=media_type, headers={"DataServiceVersion": "2.0", "Cache-Control": CACHE_CONTROL,
                                                          "ETag": etag, "Vary": "Accept"})


def _params(request: Request) -> dict[str, list[str]]:
    params = request.query_params
    return {name: params.getlist(name) for name in params}


@router.get("/", name="informea_service", summary="OData service document: the entity sets", responses=_ERRORS)
async def service(request: Request, pool: PoolDep) -> Response:
    parsed = options.parse(_params(request), None)
    fmt = documents.negotiate(parsed.format, request.headers.get("accept"))
    etag = _etag(request, pool.version, fmt)
    body, media_type = documents.service_document(MODEL, _base(request), fmt)
    return not_modified(request, etag) or _respond(body, media_type, etag)


@router.get("/$metadata", summary="OData $metadata (EDMX, namespace informea)")
async def metadata(request: Request, pool: PoolDep) -> Response:
    etag = _etag(request, pool.version, "edmx")
    return not_modified(request, etag) or _respond(documents.metadata(MODEL), documents.XML_TYPE, etag)


@router.get("/{path:path}", summary="An entity set, one entity, one of its properties, its navigation records, or a $count",
            responses=_ERRORS)
async def resource(path: str, request: Request, pool: PoolDep, settings: SettingsDep) -> Response:
    match = _PATH.match(path)
    entity_type = MODEL.by_set(match["set"]) if match else None
    if entity_type is None:
        raise ODataError(404, f"no resource {path!r}; the entity sets are listed at {_base(request)}", "NotFound")
    params, base, feed = _params(request), _base(request), _feed(request)
    timeout = settings.query_timeout
    fmt = documents.negotiate((params.get("$format") or [None])[0], request.headers.get("accept"))
    etag = _etag(request, pool.version, fmt)
    cached = not_modified(request, etag)
    if cached is not None:
        return cached
    entities = await feed.entities(pool, timeout, entity_type)
    if match["key"] is not None:
        key = unquote(match["key"][1:-1]).replace("''", "'")
        entity = next((e for e in entities if e[entity_type.key] == key), None)
        if entity is None:
            raise ODataError(404, f"no {entity_type.name} with id {key!r} in {entity_type.entity_set}", "NotFound")
        if match["nav"] is None:
            if match["count"]:
                raise ODataError(400, "$count applies to collections, not to one entity")
            parsed = _single_options(params, entity_type)
            children = await _children(feed, pool, timeout, entity_type, parsed.expand)
            body = (documents.json_single(MODEL, entity_type, entity, base, expand=parsed.expand, select=parsed.select, children=children)
                    if fmt == "json" else
                    documents.atom_single(MODEL, entity_type, entity, base, release_time(pool.version),
                                          expand=parsed.expand, select=parsed.select, children=children))
            return _respond(body, documents.JSON_TYPE if fmt == "json" else documents.ATOM_ENTRY_TYPE, etag)
        prop = entity_type.property(match["nav"])
        if prop is not None and not match["count"]:
            _single_options(params, entity_type)
            body, media_type = documents.property_document(prop, entity.get(prop.name), fmt)
            return _respond(body, media_type, etag)
        navigation = entity_type.navigation(match["nav"])
        if navigation is None:
            raise ODataError(404, f"{entity_type.name} has no property or navigation {match['nav']!r}; it has "
                                  f"{', '.join([p.name for p in entity_type.properties] + [n.name for n in entity_type.navigations])}",
                             "NotFound")
        related = await _children(feed, pool, timeout, entity_type, (navigation.name,))
        entities, entity_type = related(entity, navigation.name), MODEL.type(navigation.target)
    elif match["nav"] is not None:
        raise ODataError(400, f"navigate from one entity: {entity_type.entity_set}('id')/{match['nav']}")
    parsed = options.parse(params, entity_type)
    selected, total = options.apply(entities, parsed, entity_type.key)
    wanted = len(selected) - parsed.skip if parsed.top is None else parsed.top
    size = max(0, min(wanted, settings.informea_page_size))
    page = selected[parsed.skip: parsed.skip + size]
    if match["count"]:  # $count honours $filter, $skip and $top, not the page size
        counted = selected[parsed.skip:] if parsed.top is None else selected[parsed.skip: parsed.skip + parsed.top]
        return Response(str(len(counted)), media_type="text/plain;charset=utf-8", headers={"DataServiceVersion": "2.0", "ETag": etag})
    next_link = None
    if wanted > size and parsed.skip + size < total:
        next_link = _next_link(request, base, path, parsed.skip + size, None if parsed.top is None else wanted - size)
    children = await _children(feed, pool, timeout, entity_type, parsed.expand)
    count = total if parsed.inlinecount else None
    if fmt == "json":
        body = documents.json_collection(MODEL, entity_type, page, base, count=count, next_link=next_link,
                                         expand=parsed.expand, select=parsed.select, children=children)
        return _respond(body, documents.JSON_TYPE, etag)
    body = documents.atom_feed(MODEL, entity_type, page, base, release_time(pool.version), path, count=count,
                               next_link=next_link, expand=parsed.expand, select=parsed.select, children=children)
    return _respond(body, documents.ATOM_FEED_TYPE, etag)


def _single_options(params: dict[str, list[str]], entity_type: EntityType) -> options.Options:
    parsed = options.parse(params, entity_type)
    if parsed.filter is not None or parsed.orderby or parsed.top is not None or parsed.skip or parsed.inlinecount:
        raise ODataError(400, "$filter, $orderby, $top, $skip and $inlinecount apply to collections, not to one entity")
    return parsed


async def _children(feed: Feed, pool, timeout: float, entity_type: EntityType, names: tuple[str, ...]):
    """A function giving the related entities of an entity for each navigation in ``names``."""
    targets = {}
    for name in names:
        target = MODEL.type(entity_type.navigation(name).target)
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
