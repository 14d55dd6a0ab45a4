"""Turning an answer into an HTTP response: negotiation, ETag/304 (for every route), caching and truncation headers."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Awaitable, Callable, Mapping

from fastapi import Request, Response

from .. import engine, paging
from ..accept import choose
from ..backends import Backend
from ..formats import HTML, Format, Kind, by_name, negotiate, offers
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
    choices: list[tuple[str, Format | None]] = [*offers(Kind.GRAPH), *((media, None) for media in HTML)]
    index = choose(request.headers.get("accept"), [media for media, _ in choices], named_only=HTML)
    if index is None:
        raise Problem(406, "not-acceptable", "resources are HTML, Turtle, JSON-LD, N-Triples, RDF/XML, N-Quads or TriG")
    chosen = choices[index][1]
    return chosen is None, chosen


def etag_for(version: str, *parts: object) -> str:
    digest = hashlib.blake2b(repr((version, parts)).encode(), digest_size=12).hexdigest()
    return f'"{digest}"'


def cache_headers(etag: str, *, vary: str | None = "Accept", content_location: str | None = None) -> dict[str, str]:
    """The caching headers of a representation: sent with its 200 and, the same, with its 304."""
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
    if vary:
        headers["Vary"] = vary
    if content_location:
        headers["Content-Location"] = content_location
    return headers


def not_modified(request: Request, headers: Mapping[str, str]) -> Response | None:
    """The answer to a request whose ``If-None-Match`` matches ``headers["ETag"]`` (RFC 9110 §13.1.2), else None:
    304 to GET and HEAD, carrying the headers of ``headers`` a 304 must repeat from the 200 (§15.4.5); 412 to
    other methods. A malformed ``If-None-Match`` is ignored."""
    if not etag_matches(request.headers.get("if-none-match"), headers["ETag"]):
        return None
    if request.method not in ("GET", "HEAD"):
        raise Problem(412, "precondition-failed", "If-None-Match matches the current answer")
    kept = {name: value for name, value in headers.items() if name.lower() in NOT_MODIFIED_HEADERS}
    return Response(status_code=304, headers=kept)


NOT_MODIFIED_HEADERS = ("cache-control", "content-location", "date", "etag", "expires", "vary")
"""What a 304 repeats of the 200 it stands for (RFC 9110 §15.4.5)."""
_OPAQUE_TAG = r'"[\x21\x23-\x7e\x80-\xff]*"'
_ENTITY_TAGS = re.compile(rf"[ \t,]*(?:(?:W/)?{_OPAQUE_TAG}[ \t]*(?:,[ \t,]*|$))+")


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an If-None-Match value matches ``etag`` by weak comparison: ``*``, or a list of entity-tags of
    which one has the same opaque tag (``W/"x"`` matches ``"x"``). False for an absent or malformed value."""
    value = (if_none_match or "").strip()
    if value == "*":
        return True
    if not _ENTITY_TAGS.fullmatch(value):
        return False
    return etag.removeprefix("W/") in re.findall(_OPAQUE_TAG, value)


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
    headers = cache_headers(etag_for(pool.version, query))
    cached = not_modified(request, headers)
    if cached is not None:
        return cached

    async def on_backend(q: engine.Request) -> engine.Answer:
        return await pool.query(q, timeout=settings.query_timeout, public=public)  # cached there (kg.api.cache)

    answer = await (on_backend(query) if answer_with is None else answer_with(on_backend))
    if answer.truncated:
        headers["X-Result-Truncated"] = str(query.max_rows)
    return Response(answer.body, media_type=media_type_header(answer.media_type), headers=headers)
