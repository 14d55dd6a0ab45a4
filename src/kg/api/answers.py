"""Turning an engine answer into an HTTP response: negotiation, ETag/304, caching and truncation headers."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable

from fastapi import Request, Response

from .. import engine, paging
from ..backends import Backend
from ..formats import Format, Kind, by_name, negotiate, parse_accept
from .deps import Settings
from .problems import Problem

CACHE_CONTROL = "public, no-cache"
TEXT_TYPES = (
    "text/",
    "application/sparql-results+json",
    "application/json",
    "application/ld+json",
    "application/sparql-results+xml",
    "application/rdf+xml",
    "application/n-triples",
    "application/n-quads",
    "application/trig",
)


def chosen_formats(request: Request) -> tuple[Format | None, Format | None]:
    """The results format and the graph format the client gets, from ``?format=`` or the Accept header."""
    override = request.query_params.get("format")
    if override:
        try:
            fmt = by_name(override)
        except ValueError as err:
            raise Problem(400, "bad-request", str(err)) from None
        return (None, fmt) if fmt.is_graph else (fmt, None)
    accept = request.headers.get("accept")
    results, graph = negotiate(accept, Kind.RESULTS), negotiate(accept, Kind.GRAPH)
    if results is None and graph is None:
        raise Problem(406, "not-acceptable", f"cannot answer with any of: {accept}")
    return results, graph


def html_or_graph(request: Request) -> tuple[bool, Format | None]:
    """(HTML?, RDF format): ``?format=`` first, then the Accept header (a browser's text/html → HTML)."""
    override = request.query_params.get("format")
    if override:
        if override == "html":
            return True, None
        try:
            fmt = by_name(override)
        except ValueError as err:
            raise Problem(400, "bad-request", str(err)) from None
        if not fmt.is_graph:
            raise Problem(400, "bad-request", f"{override} is a results format; resources are RDF or HTML")
        return False, fmt
    ranked = [media for media, q in parse_accept(request.headers.get("accept")) if q > 0]
    if ranked and ranked[0] in ("text/html", "application/xhtml+xml"):
        return True, None
    fmt = negotiate(request.headers.get("accept"), Kind.GRAPH)
    if fmt is None:
        raise Problem(406, "not-acceptable", "resources are HTML, Turtle, JSON-LD, N-Triples, RDF/XML, N-Quads or TriG")
    return False, fmt


def etag_for(version: str, *parts: object) -> str:
    digest = hashlib.blake2b(repr((version, parts)).encode(), digest_size=12).hexdigest()
    return f'"{digest}"'


def not_modified(request: Request, etag: str) -> Response | None:
    candidates = [t.strip() for t in request.headers.get("if-none-match", "").split(",")]
    if etag in candidates or "*" in candidates:
        return Response(status_code=304, headers={"ETag": etag, "Cache-Control": CACHE_CONTROL, "Vary": "Accept"})
    return None


def media_type_header(media_type: str) -> str:
    return f"{media_type}; charset=utf-8" if media_type.startswith(TEXT_TYPES) else media_type


async def run(
    request: Request,
    pool: Backend,
    settings: Settings,
    query: engine.Request,
    *,
    public: bool = False,
    answer_with: Callable[[paging.Evaluate], Awaitable[engine.Answer]] | None = None,
) -> Response:
    """Evaluate ``query`` (or answer 304) and build the response. ``answer_with``, given the back-end's
    evaluation, answers for ``query`` another way (a page through its driver: same rows, same ETag). ``public``
    marks an ad-hoc query (see :attr:`kg.workers.QueryPool.public_slots`)."""
    etag = etag_for(pool.version, query)
    cached = not_modified(request, etag)
    if cached is not None:
        return cached

    async def on_backend(q: engine.Request) -> engine.Answer:
        return await pool.query(q, timeout=settings.query_timeout, public=public)  # cached there (kg.api.cache)

    answer = await (on_backend(query) if answer_with is None else answer_with(on_backend))
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL, "Vary": "Accept"}
    if answer.truncated:
        headers["X-Result-Truncated"] = str(query.max_rows)
    return Response(answer.body, media_type=media_type_header(answer.media_type), headers=headers)
