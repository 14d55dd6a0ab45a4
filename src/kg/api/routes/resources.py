"""``/id/…``: dereferenceable IRIs. Every resource IRI of the graph answers under the served base with its
description — its triples, plus the labels of what it links to — content-negotiated, answered directly
with ``Vary: Accept, Accept-Language`` (no 303). ``Accept-Language`` picks the language of those linked labels.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections import defaultdict

import pyoxigraph as ox
from fastapi import APIRouter, Request, Response
from markupsafe import Markup

from ... import engine, maps, pages, pictures
from ...accept import choose_language
from ...errors import KgError
from ...formats import Format
from ...namespaces import ID, MEA, RDF_TYPE, RDFS, RDFS_LABEL, SKOS
from ...pages import Section
from ..answers import cache_headers, etag_for, html_or_graph, media_type_header, not_modified
from ..deps import PoolDep, SectionsDep, SettingsDep
from ..openapi import ERROR_RESPONSES, GRAPH_OR_DATASET, NOT_MODIFIED, answer
from ..problems import Problem
from ..releases import jsonld_compacted
from ..rendering import templates

router = APIRouter(tags=["Linked data"])
logger = logging.getLogger("kg.api")

LANGUAGES = ("en", "fr")
_RDFS = f"PREFIX rdfs: <{RDFS}>\n"
_DESCRIPTION = (
    _RDFS
    + """CONSTRUCT {{ ?r ?p ?o . ?o rdfs:label ?label }}
WHERE {{ {{ ?r ?p ?o }} UNION {{ ?r ?p ?o . ?o rdfs:label ?label {filter} }} }}"""
)
# One fixed text per language choice (a language is never spliced from the request).
DESCRIPTIONS = {None: _DESCRIPTION.format(filter="")} | {
    lang: _DESCRIPTION.format(filter=f'FILTER(LANGMATCHES(LANG(?label), "{lang}"))') for lang in LANGUAGES
}
_EXISTS = "ASK { ?r ?p ?o }"
_PAGE_OUT = (
    _RDFS
    + """SELECT ?r ?p ?plabel ?o ?olabel ?unconfirmed WHERE {{ ?r ?p ?o .
  OPTIONAL {{ ?o a {unconfirmed} . BIND(true AS ?unconfirmed) }}
  OPTIONAL {{ ?p rdfs:label ?plabel FILTER(LANGMATCHES(LANG(?plabel), "{lang}")) }}
  OPTIONAL {{ ?o rdfs:label ?olabel FILTER(LANGMATCHES(LANG(?olabel), "{lang}")) }} }}"""
)
_PAGE_IN = (
    _RDFS
    + """SELECT ?r ?s ?p ?plabel ?slabel WHERE {{ ?s ?p ?r . FILTER(isIRI(?s))
  OPTIONAL {{ ?p rdfs:label ?plabel FILTER(LANGMATCHES(LANG(?plabel), "{lang}")) }}
  OPTIONAL {{ ?s rdfs:label ?slabel FILTER(LANGMATCHES(LANG(?slabel), "{lang}")) }} }} LIMIT 500"""
)
PAGE_QUERIES = {
    lang: (_PAGE_OUT.format(lang=lang, unconfirmed=MEA.node("UnconfirmedResponsibility")), _PAGE_IN.format(lang=lang))
    for lang in LANGUAGES
}


@router.get(
    "/id/{path:path}",
    summary="A resource of the graph, described in the negotiated RDF format",
    responses={
        200: answer(
            "An HTML page, or Turtle, JSON-LD, N-Triples or RDF/XML (and N-Quads/TriG)", "text/html", *GRAPH_OR_DATASET
        ),
        **NOT_MODIFIED,
        **ERROR_RESPONSES,
    },
)
async def resource(
    path: str, request: Request, pool: PoolDep, settings: SettingsDep, sections: SectionsDep
) -> Response:
    try:
        iri = ox.NamedNode(ID + path)
    except ValueError:
        raise Problem(400, "bad-request", f"not a resource path: {path!r}") from None
    wants_html, fmt = html_or_graph(request)
    language = request.query_params.get("lang") or preferred_language(request.headers.get("accept-language"))
    if language not in (None, *LANGUAGES):
        raise Problem(400, "bad-request", f"lang is one of: {', '.join(LANGUAGES)}")
    if wants_html:
        language = language or "en"
    headers = cache_headers(
        etag_for(pool.version, "resource", iri.value, fmt, language, wants_html),
        vary="Accept, Accept-Language",
        content_location=str(request.url),
    )
    cached = not_modified(request, headers)
    if cached is not None:
        return cached
    if wants_html:
        return await _page(
            request, pool, settings, iri, path=path, lang=language or "en", headers=headers, available=sections
        )
    exists, answer = await asyncio.gather(  # side by side: the description's serialisation is no emptiness test
        pool.query(engine.Request(_EXISTS, bindings={"r": iri}), timeout=settings.query_timeout),
        pool.query(
            engine.Request(DESCRIPTIONS[language], graph_format=fmt, bindings={"r": iri}, max_rows=settings.max_rows),
            timeout=settings.query_timeout,
        ),
    )
    if b"true" not in exists.body:
        raise _not_found(iri)
    body = jsonld_compacted(answer.body, settings, same_as=True) if fmt is Format.JSONLD else answer.body
    return Response(body, media_type=media_type_header(answer.media_type), headers=headers)


async def _page(
    request: Request,
    pool: PoolDep,
    settings: SettingsDep,
    iri: ox.NamedNode,
    *,
    path: str,
    lang: str,
    headers: dict[str, str],
    available: list[Section],
) -> Response:
    """The resource as a server-rendered HTML page: its kind's sections (with pictures), its description
    and what links to it. Independent queries run at once (a remote store answers them side by side): first
    the outgoing and incoming links, then the sections the resource's types call for."""
    outgoing_query, incoming_query = PAGE_QUERIES[lang]
    out_rows, in_rows = await asyncio.gather(
        *(
            _select(pool, settings, engine.Request(text, bindings={"r": iri}, max_rows=settings.max_rows))
            for text in (outgoing_query, incoming_query)
        )
    )
    if not out_rows:
        raise _not_found(iri)
    outgoing: defaultdict[str, dict[str, dict]] = defaultdict(dict)
    incoming: defaultdict[str, dict[str, dict]] = defaultdict(dict)
    types: dict[str, str | None] = {}
    title = None
    same_as: set[str] = set()
    for row in out_rows:
        prop, value = row["p"]["value"], row["o"]
        if prop == SKOS + "exactMatch" and value["type"] == "uri":
            same_as.add(value["value"])
        if prop == RDF_TYPE.value:
            types[value["value"]] = row.get("olabel", {}).get("value")
            continue
        if prop == RDFS_LABEL.value and value.get("xml:lang") == lang:
            title = value["value"]
        entry = pages.cell(value, row.get("olabel"))
        if "unconfirmed" in row:
            entry["note"] = pages.UNCONFIRMED[lang]
        outgoing[_label(row)][entry["text"] + entry.get("lang", "")] = entry
    for row in in_rows:
        entry = pages.cell(row["s"], row.get("slabel"))
        incoming[_label(row)][entry["text"]] = entry
    title = title or pages.local_name(iri.value)
    shown = pages.for_types(available, set(types))
    kind = maps.kind_for(types)
    drawn, answers = await asyncio.gather(
        page_map(pool, settings, kind, iri, lang=lang, name=title),
        asyncio.gather(
            *(
                pool.query(
                    engine.Request(section.text, bindings=section.bindings(iri, lang), max_rows=settings.max_rows),
                    timeout=settings.query_timeout,
                )
                for section in shown
            )
        ),
    )
    sections = [
        section.table(answer.body, lang) | {"query": section.reproducing_query(iri, lang)}
        for section, answer in zip(shown, answers, strict=True)
    ]
    context = {
        "request": request,
        "lang": lang,
        "iri": iri.value,
        "path": f"/id/{path}",
        "title": title,
        "types": sorted({label for label in types.values() if label} or {pages.local_name(iri) for iri in types}),
        "query": f"DESCRIBE <{iri.value}>",
        "sections": sections,
        "map": drawn,
        "pictures": _pictures(title, sections, lang),
        "outgoing": _listed(outgoing),
        "incoming": _listed(incoming),
        "same_as": sorted(same_as),
    }
    return templates.TemplateResponse(request, "resource.html", context, headers={**headers, "Content-Language": lang})


async def page_map(
    pool: PoolDep, settings: SettingsDep, kind: str | None, iri: ox.NamedNode | None, *, lang: str, name: str
) -> Markup:
    """The page's map (kg.maps), drawn once per dataset version, page and language."""
    if kind is None:
        return Markup("")
    key = (pool.version, kind, iri.value if iri else "", lang)
    drawn = maps.cached(key)
    if drawn is not None:
        return drawn
    bindings: dict[str, ox.NamedNode | ox.Literal] = {"lang": ox.Literal(lang)} | ({"r": iri} if iri else {})
    try:
        answer = await pool.query(
            engine.Request(maps.QUERIES[kind], bindings=bindings, max_rows=settings.max_rows),
            timeout=settings.query_timeout,
        )
    except (KgError, SyntaxError) as err:  # a store that cannot answer the map's query: the page, without its map
        logger.warning("no %s map for %s: %s", kind, iri.value if iri else "/", err)
        return Markup("")
    back = maps.background(maps.background_path(settings.store_dir))
    drawn = await asyncio.to_thread(maps.render, kind, answer.body, lang=lang, name=name, back=back)
    return maps.remember(key, drawn)


def _listed(groups: dict[str, dict[str, dict]]) -> list[dict]:
    """Values grouped by property label as the page lists them: properties and values in order."""
    return [
        {"property": label, "values": sorted(values.values(), key=lambda entry: entry["text"])}
        for label, values in sorted(groups.items())
    ]


def _not_found(iri: ox.NamedNode) -> Problem:
    return Problem(404, "not-found", f"no resource <{iri.value}> in the graph")


async def _select(pool: PoolDep, settings: SettingsDep, query: engine.Request) -> list[dict]:
    answer = await pool.query(query, timeout=settings.query_timeout)
    return json.loads(answer.body)["results"]["bindings"]


def _pictures(title: str, sections: list[dict], lang: str) -> list[pictures.Picture]:
    """The neighbourhood graph of the sections that name a picture column, and the timeline of listings."""
    groups = [(section["title"], section["nodes"]) for section in sections if section["nodes"]]
    drawn = [pictures.neighbourhood(title, groups, lang=lang)] if groups else []
    for section in sections:
        if section["timeline"]:
            bars = [_bar(row) for row in section["rows"]]
            timeline = pictures.timeline(bars, lang=lang, caption_id=f"{section['name']}-timeline")
            drawn += [timeline] if timeline else []
    return drawn


def _bar(row: dict[str, dict]) -> dict:
    """A row of a listings section as a timeline bar (a start only bounded, "at least from", is an open start)."""
    start, bound, end = row["from"]["text"], row.get("atLeastFrom", {}).get("text", ""), row["until"]["text"]
    return {
        "lane": f"{row['convention']['text']} {row['appendix']['text']} — {row['listedTaxon']['text']}",
        "convention": row["convention"]["text"],
        "start": dt.date.fromisoformat(start or bound) if start or bound else None,
        "open_start": not start and bool(bound),
        "end": dt.date.fromisoformat(end) if end else None,
    }


def _label(row: dict) -> str:
    return row.get("plabel", {}).get("value") or pages.local_name(row["p"]["value"])


def preferred_language(header: str | None) -> str | None:
    """The one of fr/en the Accept-Language header prefers, or None (labels in every language)."""
    return choose_language(header, LANGUAGES)
