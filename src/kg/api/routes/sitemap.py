"""``/sitemap.xml`` and ``/robots.txt`` for crawlers: a sitemap of every resource page, with the Semantic
Web crawling extension (``sc:dataset``: the dataset's URI, its linked-data prefix, SPARQL endpoint and dumps)."""

from __future__ import annotations

import json
from xml.sax.saxutils import escape

from fastapi import APIRouter, Request, Response

from ... import engine
from ...namespaces import ID
from ..answers import cache_headers, etag_for, not_modified
from ..deps import PoolDep, SettingsDep
from ..openapi import NOT_MODIFIED, answer
from ..releases import served_dumps

router = APIRouter(tags=["Linked data"])

_RESOURCES = f'SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{ID}")) }} ORDER BY ?s'
MAX_URLS = 50_000  # the sitemap protocol's limit per file


@router.get(
    "/sitemap.xml",
    summary="Sitemap of the resource pages, with the Semantic Web crawling extension",
    responses={200: answer("The sitemap", "application/xml"), **NOT_MODIFIED},
)
async def sitemap(request: Request, pool: PoolDep, settings: SettingsDep) -> Response:
    base = str(request.base_url).rstrip("/")
    headers = cache_headers(etag_for(pool.version, "sitemap", base), vary=None)
    cached = not_modified(request, headers)
    if cached is not None:
        return cached
    answer = await pool.query(engine.Request(_RESOURCES, max_rows=MAX_URLS), timeout=settings.query_timeout)
    resources = [row["s"]["value"] for row in json.loads(answer.body)["results"]["bindings"]]
    urls = "".join(f"<url><loc>{escape(base + '/id/' + iri[len(ID) :])}</loc></url>\n" for iri in resources)
    dumps = "".join(
        f"<sc:dataDumpLocation>{base}/dumps/{name}</sc:dataDumpLocation>" for name in served_dumps(settings)
    )
    body = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:sc="http://sw.deri.org/2007/07/sitemapextension/scschema.xsd">
<sc:dataset><sc:datasetLabel>MEA knowledge graph: CMS–CITES cooperation</sc:datasetLabel>
<sc:datasetURI>{base}/.well-known/void#dataset</sc:datasetURI>
<sc:linkedDataPrefix slicing="subject-object">{base}/id/</sc:linkedDataPrefix>
<sc:sampleURI>{base}/id/activity/cami/2.3.8</sc:sampleURI>
<sc:sparqlEndpointLocation slicing="subject-object">{base}/sparql</sc:sparqlEndpointLocation>
{dumps}
<changefreq>monthly</changefreq></sc:dataset>
<url><loc>{base}/</loc></url>
<url><loc>{base}/ontology</loc></url>
{urls}</urlset>
"""
    return Response(body, media_type="application/xml", headers=headers)


@router.get(
    "/robots.txt",
    summary="Crawling rules: everything may be crawled; the sitemap's address",
    responses={200: answer("The crawling rules", "text/plain")},
)
async def robots(request: Request) -> Response:
    base = str(request.base_url).rstrip("/")
    return Response(f"User-agent: *\nAllow: /\nSitemap: {base}/sitemap.xml\n", media_type="text/plain")
