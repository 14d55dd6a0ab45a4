"""``/.well-known/void`` and ``/catalog``: the dataset described in VoID (size, classes, properties, links,
endpoint, dumps) and DCAT-AP (a catalogue with the dataset, its distributions — the dumps — and the SPARQL data
service; see kg.dataset_description), one document for both."""

from __future__ import annotations

import pyoxigraph as ox
from fastapi import APIRouter, Request, Response

from ...dataset_description import dcat
from ...formats import Kind, negotiate
from ...namespaces import DCAT, DCATAP, DCTERMS, DWC, FOAF, ID, MEA, PROV, RDF, RDFS, SKOS, SPDX, VCARD, VOID, XSD
from ..answers import cache_headers, etag_for, media_type_header, not_modified
from ..dataset import describe, kept, select
from ..deps import PoolDep, SettingsDep
from ..openapi import ERROR_RESPONSES, GRAPH_OR_DATASET, NOT_MODIFIED, Responses, answer
from ..problems import Problem

router = APIRouter(tags=["Linked data"])

_STATISTICS = """SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?p) AS ?properties)
                        (COUNT(DISTINCT ?o) AS ?objects) WHERE { ?s ?p ?o }"""
_CLASSES = "SELECT ?class (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a ?class } GROUP BY ?class ORDER BY ?class"
_PROPERTIES = "SELECT ?property (COUNT(*) AS ?n) WHERE { ?s ?property ?o } GROUP BY ?property ORDER BY ?property"
_LINKS = f"""SELECT ?target (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o . FILTER(isIRI(?o) && STRSTARTS(STR(?s), "{ID}")
    && !STRSTARTS(STR(?o), "{ID}") && !STRSTARTS(STR(?o), "https://w3id.org/mea-kg/") && ?p != <{RDF}type>)
    FILTER NOT EXISTS {{ ?link <{MEA}linkTarget> ?o }}
    BIND(REPLACE(STR(?o), "^(https?://[^/]+/).*$", "$1") AS ?target) }} GROUP BY ?target ORDER BY DESC(?n) LIMIT 20"""
# The external identifiers (data/turtle/links.ttl): one linkset per scheme and link predicate, counting the plain
# link triples that a sourced mea:ExternalLink states.
_LINKSETS = f"""PREFIX mea: <{MEA}>
SELECT ?scheme ?label ?target ?predicate (COUNT(*) AS ?n) WHERE {{
  ?scheme a mea:IdentifierScheme ; mea:targetDataset ?target .
  OPTIONAL {{ ?scheme <{RDFS}label> ?label FILTER(LANG(?label) = "en") }}
  ?link a mea:ExternalLink ; mea:identifierScheme ?scheme ; mea:linkSubject ?s ; mea:linkPredicate ?predicate ;
        mea:linkTarget ?o .
  ?s ?predicate ?o .
}} GROUP BY ?scheme ?label ?target ?predicate ORDER BY ?scheme ?predicate"""
_QUERIES = {
    "statistics": _STATISTICS,
    "classes": _CLASSES,
    "properties": _PROPERTIES,
    "links": _LINKS,
    "linksets": _LINKSETS,
}
_PREFIXES: dict[str, str] = {
    "void": VOID,
    "dcat": DCAT,
    "dcterms": DCTERMS,
    "foaf": FOAF,
    "prov": PROV,
    "skos": SKOS,
    "mea": MEA,
    "dcatap": DCATAP,
    "vcard": VCARD,
    "spdx": SPDX,
}


_RESPONSES: Responses = {
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
    headers = cache_headers(etag_for(pool.version, "void", str(request.base_url), fmt))
    cached = not_modified(request, headers)
    if cached is not None:
        return cached

    async def statistics() -> dict[str, list[dict[str, str]]]:
        return {name: await select(pool, settings, text) for name, text in _QUERIES.items()}

    rows = await kept(pool, settings, "void", statistics)
    facts = await describe(request, pool, settings)
    body = ox.serialize(
        _void(facts.dataset, rows, tuple(d.url for d in facts.dumps)) + dcat(facts),
        format=fmt.rdf_format,
        prefixes=_PREFIXES,
    )
    return Response(body, media_type=media_type_header(fmt.media_type), headers=headers)


def _void(iri: str, rows: dict[str, list[dict[str, str]]], dumps: tuple[str, ...]) -> list[ox.Triple]:
    """The VoID statements: size, partitions, linksets, endpoint, dumps (the rest is said by the DCAT)."""
    dataset = ox.NamedNode(iri)
    void = lambda n: ox.NamedNode(VOID + n)  # noqa: E731
    integer = lambda v: ox.Literal(str(v), datatype=ox.NamedNode(XSD + "integer"))  # noqa: E731
    stats = rows["statistics"][0]
    base = iri.removesuffix("/.well-known/void#dataset")
    triples = [
        ox.Triple(dataset, ox.NamedNode(RDF + "type"), void("Dataset")),
        ox.Triple(dataset, void("sparqlEndpoint"), ox.NamedNode(f"{base}/sparql")),
        ox.Triple(dataset, void("uriSpace"), ox.Literal(ID)),
        ox.Triple(dataset, void("exampleResource"), ox.NamedNode(ID + "activity/cami/2.3.8")),
        ox.Triple(dataset, void("triples"), integer(stats["triples"])),
        ox.Triple(dataset, void("distinctSubjects"), integer(stats["subjects"])),
        ox.Triple(dataset, void("properties"), integer(stats["properties"])),
        ox.Triple(dataset, void("distinctObjects"), integer(stats["objects"])),
        ox.Triple(dataset, void("classes"), integer(len(rows["classes"]))),
    ]
    triples += [ox.Triple(dataset, void("dataDump"), ox.NamedNode(url)) for url in dumps]
    triples += [ox.Triple(dataset, void("vocabulary"), ox.NamedNode(v)) for v in (MEA, DWC, SKOS, DCTERMS, PROV)]
    for row in rows["properties"]:
        partition = ox.BlankNode()
        triples += [
            ox.Triple(dataset, void("propertyPartition"), partition),
            ox.Triple(partition, void("property"), ox.NamedNode(row["property"])),
            ox.Triple(partition, void("triples"), integer(row["n"])),
        ]
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
    for row in rows.get("linksets", []):
        scheme, predicate = row["scheme"].rsplit("/", 1)[-1], row["predicate"].rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        named = ox.NamedNode(f"{iri.removesuffix('#dataset')}#linkset-{scheme}-{predicate}")
        target = ox.NamedNode(row["target"])
        triples += [
            ox.Triple(dataset, void("subset"), named),
            ox.Triple(named, ox.NamedNode(RDF + "type"), void("Linkset")),
            ox.Triple(named, void("subjectsTarget"), dataset),
            ox.Triple(named, void("objectsTarget"), target),
            ox.Triple(named, void("linkPredicate"), ox.NamedNode(row["predicate"])),
            ox.Triple(named, void("triples"), integer(row["n"])),
            ox.Triple(target, ox.NamedNode(RDF + "type"), void("Dataset")),
        ]
        if row.get("label"):
            triples.append(ox.Triple(named, ox.NamedNode(DCTERMS + "title"), ox.Literal(row["label"], language="en")))
    return triples
