"""``/search``: find activities, taxa, places, actors and the documents' parts by words, in any of the six UN
languages (JSON for machines, a results page for browsers); ``/search/suggest`` for type-ahead."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse

from ...namespaces import ID
from ...search.current import CurrentIndex
from ...search.documents import FACETS, KINDS
from ...search.index import SearchIndex
from ...search.processes import SearchProcesses
from ...search.ranking import MODES
from ..openapi import Responses, answer, problems
from ..problems import Problem
from ..rendering import templates

router = APIRouter(tags=["Search"])

LANGUAGES = ("ar", "en", "es", "fr", "ru", "zh")
"""The six UN languages a query may be written in (labels are shown in French or English)."""
MAX_QUERY = 500
MAX_LIMIT = 100
MAX_RESULTS = 10_000


async def get_index(request: Request) -> SearchIndex:
    """The current release's search index (loaded and checked on first use, reloaded after a rebuild)."""
    current: CurrentIndex = request.app.state.search
    return await asyncio.to_thread(current.get)


IndexDep = Annotated[SearchIndex, Depends(get_index)]


def _text(q: str | None) -> str:
    text = " ".join((q or "").split())
    if not text:
        raise Problem(400, "bad-request", "parameter q: give the words to search for")
    if len(q or "") > MAX_QUERY:
        raise Problem(400, "bad-request", f"parameter q: at most {MAX_QUERY} characters")
    return text


def _language(request: Request, lang: str | None) -> str:
    if lang is not None:
        if lang not in LANGUAGES:
            raise Problem(400, "bad-request", f"parameter lang: one of {', '.join(LANGUAGES)}")
        return lang
    for part in request.headers.get("accept-language", "").split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in LANGUAGES:
            return tag
    return "en"


def _iri(value: str | None) -> str | None:
    """A facet value given as an IRI or as its path under the instances' base (``country/PK``)."""
    if value is None:
        return None
    value = value.strip()
    return value if value.startswith(ID) else ID + value.removeprefix("/id/").lstrip("/")


_SEARCH_RESPONSES: Responses = {
    200: answer("Hits, facets and snippets (JSON), or the results page for browsers", "application/json", "text/html"),
    **problems({400: "A parameter out of its range (named in the detail)", 503: "No search index can be read"}),
}


@router.get(
    "/search",
    summary="Search the graph by words",
    responses=_SEARCH_RESPONSES,
    description="Hybrid search: BM25 over the French and English texts (stemmed, accents folded, quoted phrases, "
    "taxon names by prefix) fused with multilingual semantic matching (queries in Arabic, Chinese, English, French, "
    "Russian or Spanish). JSON hits with a highlighted snippet (matching words in `<mark>`) and facet counts; "
    "browsers get a results page.",
)
async def search(
    request: Request,
    index: IndexDep,
    q: Annotated[str | None, Query(description="the words to search for; quote a phrase to require it")] = None,
    type: Annotated[list[str] | None, Query(description=f"keep hits of these kinds: {', '.join(KINDS)}")] = None,
    programme: Annotated[str | None, Query(description="keep hits of this programme (IRI or `programme/cami`)")] = None,
    taxon: Annotated[
        str | None, Query(description="keep hits targeting this taxon (IRI or `taxon/uncia-uncia`)")
    ] = None,
    country: Annotated[str | None, Query(description="keep hits concerning this country (IRI or `country/PK`)")] = None,
    limit: Annotated[int, Query(description=f"hits per page, 1 to {MAX_LIMIT}")] = 10,
    page: Annotated[int, Query(description="page number, from 1")] = 1,
    lang: Annotated[str | None, Query(description="language of the labels (else Accept-Language)")] = None,
    mode: Annotated[str, Query(description=f"ranking: {', '.join(MODES)}")] = "hybrid",
    format: Annotated[str | None, Query(description="`html` or `json` (else Accept)")] = None,
) -> Response:
    text = _text(q)
    kinds = tuple(k for value in (type or []) for k in value.split(",") if k)
    if unknown := [k for k in kinds if k not in KINDS]:
        raise Problem(400, "bad-request", f"parameter type: unknown {', '.join(unknown)}; one of {', '.join(KINDS)}")
    if not 1 <= limit <= MAX_LIMIT:
        raise Problem(400, "bad-request", f"parameter limit: from 1 to {MAX_LIMIT}")
    if page < 1 or page * limit > MAX_RESULTS:
        raise Problem(400, "bad-request", f"parameter page: from 1, and page × limit at most {MAX_RESULTS}")
    if mode not in MODES:
        raise Problem(400, "bad-request", f"parameter mode: one of {', '.join(MODES)}")
    language = _language(request, lang)
    given = dict(zip(FACETS, (programme, taxon, country), strict=True))
    filters = {facet: iri for facet, value in given.items() if (iri := _iri(value))}
    processes: SearchProcesses = request.app.state.search_processes
    answered = await processes.answer(
        index, text, kinds=kinds, filters=filters, limit=limit, page=page, lang=language, mode=mode
    )
    if _wants_html(request, format):
        shown = {"result": json.loads(answered), "lang": language, "kinds": kinds, "filters": filters, "mode": mode}
        return templates.TemplateResponse(request, "search.html", shown)
    return Response(answered, media_type="application/json", headers={"Vary": "Accept, Accept-Language"})


def _wants_html(request: Request, format: str | None) -> bool:
    if format is not None:
        if format not in ("html", "json"):
            raise Problem(400, "bad-request", "parameter format: html or json")
        return format == "html"
    accept = request.headers.get("accept", "")
    return accept.split(",")[0].strip().startswith("text/html")


@router.get(
    "/search/suggest",
    responses={
        200: answer("Suggestions: IRI, type, code and label of each", "application/json"),
        **problems({400: "A parameter out of its range", 503: "No search index can be read"}),
    },
    summary="Type-ahead suggestions",
    description="Resources one of whose names starts with what was typed (taxa by scientific, vernacular or former "
    "names, then codes and labels).",
)
async def suggest(
    request: Request,
    index: IndexDep,
    q: Annotated[str | None, Query(description="what was typed so far")] = None,
    limit: Annotated[int, Query(description="at most this many suggestions, 1 to 20")] = 8,
    lang: Annotated[str | None, Query(description="language of the labels")] = None,
) -> JSONResponse:
    text = _text(q)
    if not 1 <= limit <= 20:
        raise Problem(400, "bad-request", "parameter limit: from 1 to 20")
    language = _language(request, lang)
    shown = language if language in ("fr", "en") else "en"
    found = await asyncio.to_thread(index.suggest, text, limit=limit, lang=shown)
    return JSONResponse(
        [{"iri": d.iri, "type": d.kind, "code": d.code, "label": d.label(shown)} for d in found],
        headers={"Vary": "Accept-Language"},
    )
