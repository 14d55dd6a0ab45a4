"""``/``: the entry page — what the dataset is, a SPARQL form, the canned queries and an index of the
programmes, taxa, countries and actors (server-rendered, no JavaScript)."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request, Response

from ... import engine
from ...dataset_description import schema_org
from ...formats import Format
from ...namespaces import ID, MEA, RDFS
from ..dataset import describe
from ..deps import CatalogueDep, PoolDep, SettingsDep, YasguiDep
from ..rendering import templates
from .resources import page_map

router = APIRouter(tags=["Web UI"])

_INDEX = (
    f"PREFIX mea: <{MEA}>\nPREFIX rdfs: <{RDFS}>\n"
    + """SELECT ?kind ?item ?label WHERE {
  VALUES (?kind ?class) { ("Programmes" mea:WorkProgramme) ("Taxa" mea:Taxon) ("Countries" mea:Country)
                          ("Landscapes" mea:Landscape) ("Actors" mea:Actor) }
  ?item a ?class ; rdfs:label ?label FILTER(LANG(?label) = "en")
} ORDER BY ?kind LCASE(?label)"""
)
_SIZE = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
EXAMPLE = """PREFIX mea: <https://w3id.org/mea-kg/ontology#>
SELECT ?activity ?code ?text WHERE {
  ?activity a mea:ActivityTouchingCitesAppendixITaxon ; mea:code ?code ; mea:text ?text .
  FILTER(LANG(?text) = "en")
} ORDER BY ?code"""
ORDER = ("Programmes", "Taxa", "Countries", "Landscapes", "Actors")


@router.get("/", summary="The web entry page", include_in_schema=False)
async def index(
    request: Request, pool: PoolDep, settings: SettingsDep, catalogue: CatalogueDep, yasgui: YasguiDep
) -> Response:
    listing = await pool.query(engine.Request(_INDEX, max_rows=settings.max_rows), timeout=settings.query_timeout)
    size = await pool.query(engine.Request(_SIZE), timeout=settings.query_timeout)
    drawn = await page_map(pool, settings, "home", None, lang="en", name="")
    groups: dict[str, list[dict]] = {kind: [] for kind in ORDER}
    for row in json.loads(listing.body)["results"]["bindings"]:
        groups[row["kind"]["value"]].append(
            {
                "label": row["label"]["value"],
                "href": row["item"]["value"].replace(ID, "/id/", 1),
            }
        )
    context = {
        "request": request,
        "version": pool.version,
        "example": EXAMPLE,
        "triples": json.loads(size.body)["results"]["bindings"][0]["n"]["value"],
        "formats": [f.value for f in Format if not f.is_graph],
        "queries": list(catalogue.values()),
        "yasgui": yasgui,
        "tabs": [{"name": "Example: activities touching CITES Appendix I taxa", "query": EXAMPLE}]
        + [{"name": q.name, "query": q.text} for q in catalogue.values()],
        "map": drawn,
        "index": [{"title": kind, "items": groups[kind]} for kind in ORDER],
        "dataset": schema_org(await describe(request, pool, settings)),
    }
    return templates.TemplateResponse(request, "index.html", context)
