"""``/.well-known/void`` and ``/catalog``: the dataset described in VoID (size, classes, properties, links,
endpoint, licence, sources, dumps) and DCAT (a catalogue with the dataset, its distributions — the dumps — and
the SPARQL data service), one document for both."""

from __future__ import annotations

import json

import pyoxigraph as ox
from fastapi import APIRouter, Request, Response

from ... import engine
from ...formats import Kind, negotiate
from ...namespaces import DCAT, DCTERMS, DWC, ID, MEA, OWL, PROV, RDF, SKOS, VOID, XSD
from ..answers import cache_headers, etag_for, media_type_header, not_modified
from ..deps import PoolDep, SettingsDep
from ..openapi import ERROR_RESPONSES, GRAPH_OR_DATASET, NOT_MODIFIED, answer
from ..problems import Problem
from ..releases import DUMP_MEDIA_TYPES, served_dumps

router = APIRouter(tags=["Linked data"])

OWL_VERSION = OWL + "versionInfo"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
SOURCES = (ID + "programme/jwp", ID + "document/cms-resolution-11.24", ID + "programme/cami")
_STATISTICS = """SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?p) AS ?properties)
                        (COUNT(DISTINCT ?o) AS ?objects) WHERE { ?s ?p ?o }"""
_CLASSES = "SELECT ?class (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a ?class } GROUP BY ?class ORDER BY ?class"
_PROPERTIES = "SELECT ?property (COUNT(*) AS ?n) WHERE { ?s ?property ?o } GROUP BY ?property ORDER BY ?property"
_LINKS = f"""SELECT ?target (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o . FILTER(isIRI(?o) && STRSTARTS(STR(?s), "{ID}")
    && !STRSTARTS(STR(?o), "{ID}") && !STRSTARTS(STR(?o), "https://w3id.org/mea-kg/") && ?p != <{RDF}type>)
    BIND(REPLACE(STR(?o), "^(https?://[^/]+/).*$", "$1") AS ?target) }} GROUP BY ?target ORDER BY DESC(?n) LIMIT 20"""


_RESPONSES = {
    200: answer("The description, in the negotiated RDF format", *GRAPH_OR_DATASET),
    **NOT_MODIFIED,
    **ERROR_RESPONSES,
}


@router.get("/.well-known/void", summary="VoID (and DCAT) description of the dataset", responses=_RESPONSES)
@router.get(
    "/catalog",
    summary="DCAT catalogue entry of the dataset (the same document as /.well-known/void)",
    responses=_RESPONSES,
)
async def void(request: Request, pool: PoolDep, settings: SettingsDep) -> Response:
    fmt = negotiate(request.headers.get("accept"), Kind.GRAPH)
    if fmt is None:
        raise Problem(406, "not-acceptable", "VoID is RDF: accept Turtle, JSON-LD, N-Triples or RDF/XML")
    base = str(request.base_url).rstrip("/")
    headers = cache_headers(etag_for(pool.version, "void", base, fmt))
    cached = not_modified(request, headers)
    if cached is not None:
        return cached
    rows = {}
    for name, text in (
        ("statistics", _STATISTICS),
        ("classes", _CLASSES),
        ("properties", _PROPERTIES),
        ("links", _LINKS),
    ):
        answer = await pool.query(engine.Request(text, max_rows=10_000), timeout=settings.query_timeout)
        rows[name] = [{k: v["value"] for k, v in b.items()} for b in json.loads(answer.body)["results"]["bindings"]]
    dumps = served_dumps(settings)
    body = ox.serialize(
        _describe(base, pool.version, rows, dumps),
        format=fmt.rdf_format,
        prefixes={"void": VOID, "dcat": DCAT, "dcterms": DCTERMS, "mea": MEA},
    )
    return Response(body, media_type=media_type_header(fmt.media_type), headers=headers)


def _describe(
    base: str, version: str, rows: dict[str, list[dict[str, str]]], dumps: tuple[str, ...]
) -> list[ox.Triple]:
    dataset = ox.NamedNode(f"{base}/.well-known/void#dataset")
    void, dc = (lambda n: ox.NamedNode(VOID + n)), (lambda n: ox.NamedNode(DCTERMS + n))
    integer = lambda v: ox.Literal(str(v), datatype=XSD.node("integer"))  # noqa: E731
    stats = rows["statistics"][0]
    triples = [
        ox.Triple(dataset, ox.NamedNode(RDF + "type"), void("Dataset")),
        ox.Triple(dataset, dc("title"), ox.Literal("MEA knowledge graph: CMS–CITES cooperation", language="en")),
        ox.Triple(
            dataset, dc("title"), ox.Literal("Graphe de connaissances des AEM : coopération CMS-CITES", language="fr")
        ),
        ox.Triple(
            dataset,
            dc("description"),
            ox.Literal(
                "The CMS–CITES Joint Work Programme 2015–2020 and CMS Resolution 11.24 with the CAMI programme of "
                "work, transcribed from the French originals with English translations, with CITES and CMS listings "
                "of their taxa.",
                language="en",
            ),
        ),
        ox.Triple(dataset, dc("license"), ox.NamedNode(LICENSE)),
        ox.Triple(dataset, void("sparqlEndpoint"), ox.NamedNode(f"{base}/sparql")),
        ox.Triple(dataset, void("uriSpace"), ox.Literal(ID)),
        ox.Triple(dataset, void("exampleResource"), ox.NamedNode(ID + "activity/cami/2.3.8")),
        ox.Triple(dataset, ox.NamedNode(OWL_VERSION), ox.Literal(version)),
        ox.Triple(dataset, void("triples"), integer(stats["triples"])),
        ox.Triple(dataset, void("distinctSubjects"), integer(stats["subjects"])),
        ox.Triple(dataset, void("properties"), integer(stats["properties"])),
        ox.Triple(dataset, void("distinctObjects"), integer(stats["objects"])),
        ox.Triple(dataset, void("classes"), integer(len(rows["classes"]))),
    ]
    triples += [ox.Triple(dataset, dc("source"), ox.NamedNode(s)) for s in SOURCES]
    triples += [ox.Triple(dataset, void("dataDump"), ox.NamedNode(f"{base}/dumps/{name}")) for name in dumps]
    triples += [ox.Triple(dataset, void("vocabulary"), ox.NamedNode(v)) for v in (MEA, DWC, SKOS, DCTERMS, PROV)]
    for row in rows["properties"]:
        partition = ox.BlankNode()
        triples += [
            ox.Triple(dataset, void("propertyPartition"), partition),
            ox.Triple(partition, void("property"), ox.NamedNode(row["property"])),
            ox.Triple(partition, void("triples"), integer(row["n"])),
        ]
    triples += _catalogue(base, dataset, version, dumps)
    for row in rows["classes"]:
        partition = ox.BlankNode()
        triples += [
            ox.Triple(dataset, void("classPartition"), partition),
            ox.Triple(partition, void("class"), ox.NamedNode(row["class"])),
            ox.Triple(partition, void("entities"), integer(row["n"])),
        ]
    for row in rows["links"]:
        linkset = ox.BlankNode()
        triples += [
            ox.Triple(dataset, void("subset"), linkset),
            ox.Triple(linkset, ox.NamedNode(RDF + "type"), void("Linkset")),
            ox.Triple(linkset, void("target"), ox.NamedNode(row["target"])),
            ox.Triple(linkset, void("triples"), integer(row["n"])),
        ]
    return triples


def _catalogue(base: str, dataset: ox.NamedNode, version: str, dumps: tuple[str, ...]) -> list[ox.Triple]:
    """DCAT: the catalogue, the dataset with one distribution per dump, and the SPARQL endpoint as a data service."""
    dcat, dc = (lambda n: ox.NamedNode(DCAT + n)), (lambda n: ox.NamedNode(DCTERMS + n))
    a = ox.NamedNode(RDF + "type")
    catalogue, service = ox.NamedNode(f"{base}/catalog#catalogue"), ox.NamedNode(f"{base}/sparql#service")
    triples = [
        ox.Triple(catalogue, a, dcat("Catalog")),
        ox.Triple(catalogue, dc("title"), ox.Literal("mea-kg catalogue", language="en")),
        ox.Triple(catalogue, dc("license"), ox.NamedNode(LICENSE)),
        ox.Triple(catalogue, dcat("dataset"), dataset),
        ox.Triple(catalogue, dcat("service"), service),
        ox.Triple(dataset, a, dcat("Dataset")),
        ox.Triple(dataset, dcat("version"), ox.Literal(version)),
        ox.Triple(dataset, dcat("keyword"), ox.Literal("migratory species", language="en")),
        ox.Triple(dataset, dcat("keyword"), ox.Literal("wildlife trade", language="en")),
        ox.Triple(dataset, dcat("keyword"), ox.Literal("CITES", language="en")),
        ox.Triple(dataset, dcat("keyword"), ox.Literal("CMS", language="en")),
        ox.Triple(dataset, dc("language"), ox.NamedNode("http://id.loc.gov/vocabulary/iso639-1/fr")),
        ox.Triple(dataset, dc("language"), ox.NamedNode("http://id.loc.gov/vocabulary/iso639-1/en")),
        ox.Triple(dataset, dcat("landingPage"), ox.NamedNode(f"{base}/")),
        ox.Triple(service, a, dcat("DataService")),
        ox.Triple(service, dc("title"), ox.Literal("mea-kg SPARQL 1.1 endpoint", language="en")),
        ox.Triple(service, dcat("endpointURL"), ox.NamedNode(f"{base}/sparql")),
        ox.Triple(service, dcat("endpointDescription"), ox.NamedNode(f"{base}/sparql")),
        ox.Triple(service, dcat("servesDataset"), dataset),
        ox.Triple(service, dc("conformsTo"), ox.NamedNode("https://www.w3.org/TR/sparql11-protocol/")),
    ]
    for name in dumps:
        distribution = ox.NamedNode(f"{base}/dumps/{name}#distribution")
        triples += [
            ox.Triple(dataset, dcat("distribution"), distribution),
            ox.Triple(distribution, a, dcat("Distribution")),
            ox.Triple(distribution, dcat("downloadURL"), ox.NamedNode(f"{base}/dumps/{name}")),
            ox.Triple(
                distribution,
                dcat("mediaType"),
                ox.NamedNode(f"https://www.iana.org/assignments/media-types/{DUMP_MEDIA_TYPES[name]}"),
            ),
            ox.Triple(distribution, dc("license"), ox.NamedNode(LICENSE)),
        ]
        if name.endswith(".gz"):
            triples.append(
                ox.Triple(
                    distribution,
                    dcat("compressFormat"),
                    ox.NamedNode("https://www.iana.org/assignments/media-types/application/gzip"),
                )
            )
    return triples
