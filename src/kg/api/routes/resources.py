"""``/id/…``: dereferenceable IRIs. Every resource IRI of the graph answers under the served base with its
description — its triples, plus the labels of what it links to — content-negotiated, answered directly
with ``Vary: Accept`` (no 303). ``Accept-Language`` picks the language of those linked labels.
"""

from __future__ import annotations

import pyoxigraph as ox
from fastapi import APIRouter, Request, Response

from ... import engine
from ...formats import Kind, negotiate
from ...namespaces import ID
from ..answers import CACHE_CONTROL, etag_for, media_type_header, not_modified
from ..deps import PoolDep, SettingsDep
from ..problems import Problem
from .sparql import ERROR_RESPONSES

router = APIRouter(tags=["Linked data"])

LANGUAGES = ("en", "fr")
_DESCRIPTION = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
CONSTRUCT {{ ?r ?p ?o . ?o rdfs:label ?label }}
WHERE {{ {{ ?r ?p ?o }} UNION {{ ?r ?p ?o . ?o rdfs:label ?label {filter} }} }}"""
# One fixed text per language choice (a language is never spliced from the request).
DESCRIPTIONS = {None: _DESCRIPTION.format(filter="")} | {
    lang: _DESCRIPTION.format(filter=f'FILTER(LANGMATCHES(LANG(?label), "{lang}"))') for lang in LANGUAGES}
_EXISTS = "ASK { ?r ?p ?o }"


@router.get("/id/{path:path}", summary="A resource of the graph, described in the negotiated RDF format",
            responses={200: {"description": "Turtle, JSON-LD, N-Triples or RDF/XML (and N-Quads/TriG)"},
                       404: {"description": "No such resource"}, **ERROR_RESPONSES})
async def resource(path: str, request: Request, pool: PoolDep, settings: SettingsDep) -> Response:
    try:
        iri = ox.NamedNode(ID + path)
    except ValueError:
        raise Problem(400, "bad-request", f"not a resource path: {path!r}") from None
    fmt = negotiate(request.headers.get("accept"), Kind.GRAPH)
    if fmt is None:
        raise Problem(406, "not-acceptable", "resources are described as Turtle, JSON-LD, N-Triples, RDF/XML, N-Quads or TriG")
    language = preferred_language(request.headers.get("accept-language"))
    etag = etag_for(pool.version, "resource", iri.value, fmt, language)
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL, "Vary": "Accept, Accept-Language", "Content-Location": str(request.url)}
    cached = not_modified(request, etag)
    if cached is not None:
        cached.headers.update(headers)
        return cached
    exists = await pool.query(engine.Request(_EXISTS, bindings={"r": iri}), timeout=settings.query_timeout)
    if b"true" not in exists.body:
        raise Problem(404, "not-found", f"no resource <{iri.value}> in the graph")
    answer = await pool.query(engine.Request(DESCRIPTIONS[language], graph_format=fmt, bindings={"r": iri}, max_rows=settings.max_rows),
                              timeout=settings.query_timeout)
    return Response(answer.body, media_type=media_type_header(answer.media_type), headers=headers)


def preferred_language(header: str | None) -> str | None:
    """The first of fr/en the Accept-Language header prefers, or None (labels in every language)."""
    ranked = []
    for index, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and q > 0:
            ranked.append((-q, index, primary))
    return min(ranked)[2] if ranked else None
