"""``/sparql``: the SPARQL 1.1 Protocol (query and update operations) and the Service Description."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import pyoxigraph as ox
from fastapi import APIRouter, Request, Response
from starlette.datastructures import ImmutableMultiDict, MultiDict

from ... import engine, guard, limits
from ...formats import Format, Kind, formats_of, negotiate
from ...namespaces import FORMATS, PREDECLARED_PREFIXES, RDF_TYPE, SD, SH, VOID, XSD
from ...namespaces import SERVICE as KGS
from ..answers import cache_headers, chosen_formats, etag_for, media_type_header, not_modified, run
from ..deps import PoolDep, SettingsDep, require_writer
from ..openapi import ERROR_RESPONSES, GRAPH_OR_DATASET, NOT_MODIFIED, RESULTS_OR_GRAPH, answer, problems
from ..problems import Problem

router = APIRouter(tags=["SPARQL"])

FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"

_QUERY_PARAMETERS = [
    {
        "name": "query",
        "in": "query",
        "required": False,
        "schema": {"type": "string"},
        "description": "The SPARQL query. Without it, GET returns the Service Description.",
    },
    {
        "name": "default-graph-uri",
        "in": "query",
        "required": False,
        "schema": {"type": "array", "items": {"type": "string"}},
        "description": "Default graph(s) of the dataset (default: the union of all graphs).",
    },
    {
        "name": "named-graph-uri",
        "in": "query",
        "required": False,
        "schema": {"type": "array", "items": {"type": "string"}},
        "description": "Named graphs of the dataset (default: all).",
    },
    {
        "name": "format",
        "in": "query",
        "required": False,
        "schema": {"type": "string", "enum": [f.value for f in Format]},
        "description": "Answer format, overriding the Accept header.",
    },
]
_POST_BODY = {
    "required": True,
    "content": {
        FORM: {
            "schema": {
                "type": "object",
                "properties": {
                    "query": {"type": "string"},
                    "update": {"type": "string"},
                    "default-graph-uri": {"type": "array", "items": {"type": "string"}},
                    "named-graph-uri": {"type": "array", "items": {"type": "string"}},
                    "using-graph-uri": {"type": "array", "items": {"type": "string"}},
                    "using-named-graph-uri": {"type": "array", "items": {"type": "string"}},
                },
            }
        },
        QUERY: {"schema": {"type": "string"}},
        UPDATE: {"schema": {"type": "string"}},
    },
}
PRECONDITION_FAILED = problems({412: "If-None-Match matches the query's current answer (a POST is not answered 304)"})
_ANSWERS = answer(
    "Query results (SELECT/ASK) or an RDF graph (CONSTRUCT/DESCRIBE), as negotiated; the Service Description",
    *RESULTS_OR_GRAPH,
    *GRAPH_OR_DATASET,
)


@router.get(
    "/sparql",
    summary="SPARQL query (GET) or Service Description",
    responses={200: _ANSWERS, **NOT_MODIFIED, **ERROR_RESPONSES},
    openapi_extra={"parameters": _QUERY_PARAMETERS},
)
async def sparql_get(request: Request, pool: PoolDep, settings: SettingsDep) -> Response:
    params = request.query_params
    if "update" in params:
        raise Problem(400, "bad-request", "the update operation needs POST")
    queries = params.getlist("query")
    if not queries:
        return await service_description(request, pool, settings)
    return await _query(request, pool, settings, _single(queries, "query"), params)


@router.post(
    "/sparql",
    summary="SPARQL query or update (POST)",
    responses={200: _ANSWERS, 204: {"description": "Update applied"}, **ERROR_RESPONSES, **PRECONDITION_FAILED},
    openapi_extra={"requestBody": _POST_BODY, "parameters": _QUERY_PARAMETERS[1:]},
)
async def sparql_post(request: Request, pool: PoolDep, settings: SettingsDep) -> Response:
    media_type, charset = _content_type(request)
    body = await request.body()
    url_params = request.query_params
    if media_type == FORM:
        form = MultiDict(_parse_form(_utf8(body)))
        params = MultiDict([*url_params.multi_items(), *form.multi_items()])
        queries, updates = form.getlist("query") + url_params.getlist("query"), form.getlist("update")
        if queries and updates:
            raise Problem(400, "bad-request", "a request carries either a query or an update, not both")
        if updates:
            return await _update(request, pool, settings, _single(updates, "update"), params)
        return await _query(request, pool, settings, _single(queries, "query"), params)
    if media_type in (QUERY, UPDATE):
        if charset not in (None, "utf-8"):
            raise Problem(400, "bad-request", f"SPARQL bodies must be UTF-8, not {charset}")
        if "query" in url_params or "update" in url_params:
            raise Problem(400, "bad-request", "the operation is in the body; do not repeat it in the URL")
        if media_type == UPDATE:
            return await _update(request, pool, settings, _utf8(body), url_params)
        return await _query(request, pool, settings, _utf8(body), url_params)
    if media_type is None:
        raise Problem(415, "unsupported-media-type", f"POST /sparql needs a Content-Type: {FORM}, {QUERY} or {UPDATE}")
    raise Problem(415, "unsupported-media-type", f"cannot read {media_type}; use {FORM}, {QUERY} or {UPDATE}")


async def _query(
    request: Request, pool: PoolDep, settings: SettingsDep, text: str, params: ImmutableMultiDict
) -> Response:
    results_format, graph_format = chosen_formats(request)
    _admit(text, settings)
    default_graphs, named_graphs = params.getlist("default-graph-uri"), params.getlist("named-graph-uri")
    dataset_given = bool(default_graphs or named_graphs)
    query = engine.Request(
        text,
        results_format=results_format,
        graph_format=graph_format,
        default_graphs=tuple(_iris(default_graphs)) if dataset_given else None,
        named_graphs=tuple(_iris(named_graphs)) if dataset_given else None,
        max_rows=settings.max_rows,
        base_iri=_endpoint(request),
    )
    return await run(request, pool, settings, query, public=True)


async def _update(
    request: Request, pool: PoolDep, settings: SettingsDep, text: str, params: ImmutableMultiDict
) -> Response:
    require_writer(request, settings)
    _admit(text, settings, update=True)
    await pool.write(
        "update",
        text=text,
        base_iri=_endpoint(request),
        using=_iris(params.getlist("using-graph-uri")),
        using_named=_iris(params.getlist("using-named-graph-uri")),
    )
    return Response(status_code=204)


def _admit(text: str, settings: SettingsDep, *, update: bool = False) -> None:
    """Refuse, before anything parses or evaluates it, a query or update that is too complex or reaches out."""
    limits.check(text, max_depth=settings.query_max_depth, max_patterns=settings.query_max_patterns)
    guard.check(text, settings.service_allowlist, update=update)


# --- Service Description ------------------------------------------------------------------------------

_W3C_FORMAT = {
    Format.JSON: "SPARQL_Results_JSON",
    Format.XML: "SPARQL_Results_XML",
    Format.CSV: "SPARQL_Results_CSV",
    Format.TSV: "SPARQL_Results_TSV",
    Format.TURTLE: "Turtle",
    Format.NTRIPLES: "N-Triples",
    Format.JSONLD: "JSON-LD",
    Format.RDFXML: "RDF_XML",
    Format.NQUADS: "N-Quads",
    Format.TRIG: "TriG",
}
_GRAPH_SIZES = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"


async def service_description(request: Request, pool: PoolDep, settings: SettingsDep) -> Response:
    """Describe the endpoint at the URL the request came to: languages, formats, dataset, limits."""
    fmt = negotiate(request.headers.get("accept"), Kind.GRAPH)
    if fmt is None:
        raise Problem(
            406, "not-acceptable", "the Service Description is RDF: accept Turtle, N-Triples, JSON-LD or RDF/XML"
        )
    endpoint = _endpoint(request)
    headers = cache_headers(etag_for(pool.version, "service-description", endpoint, fmt, settings.update_token is None))
    cached = not_modified(request, headers)
    if cached is not None:
        return cached
    sizes = await pool.query(engine.Request(_GRAPH_SIZES, max_rows=10_000), timeout=settings.query_timeout)
    graph_sizes = {b["g"]["value"]: int(b["n"]["value"]) for b in json.loads(sizes.body)["results"]["bindings"]}
    body = ox.serialize(
        _description(endpoint, settings, graph_sizes),
        format=fmt.rdf_format,
        prefixes={"sd": SD, "formats": FORMATS, "void": VOID, "kgs": KGS, "sh": SH},
    )
    return Response(body, media_type=media_type_header(fmt.media_type), headers=headers)


def _description(endpoint: str, settings: SettingsDep, graph_sizes: dict[str, int]) -> list[ox.Triple]:
    service, dataset, default = ox.NamedNode(endpoint), ox.BlankNode(), ox.BlankNode()
    sd = lambda name: ox.NamedNode(SD + name)  # noqa: E731
    triples = [
        ox.Triple(service, RDF_TYPE, sd("Service")),
        ox.Triple(service, sd("endpoint"), service),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), default),
        ox.Triple(default, RDF_TYPE, sd("Graph")),
        ox.Triple(
            default, ox.NamedNode(VOID + "triples"), ox.Literal(str(sum(graph_sizes.values())), datatype=_INTEGER)
        ),
        ox.Triple(
            service,
            ox.NamedNode(KGS + "queryTimeoutSeconds"),
            ox.Literal(str(settings.query_timeout), datatype=_DECIMAL),
        ),
        ox.Triple(service, ox.NamedNode(KGS + "maxResultRows"), ox.Literal(str(settings.max_rows), datatype=_INTEGER)),
        ox.Triple(
            service, ox.NamedNode(KGS + "maxRequestBytes"), ox.Literal(str(settings.max_body_bytes), datatype=_INTEGER)
        ),
        ox.Triple(
            service, ox.NamedNode(KGS + "queryMaxDepth"), ox.Literal(str(settings.query_max_depth), datatype=_INTEGER)
        ),
        ox.Triple(
            service,
            ox.NamedNode(KGS + "queryMaxPatterns"),
            ox.Literal(str(settings.query_max_patterns), datatype=_INTEGER),
        ),
        *_prefix_declarations(service),
    ]
    if settings.update_token is not None and not settings.store_url:  # a remote store's service takes no writes
        triples.append(ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Update")))
    if settings.service_allowlist:
        triples.append(ox.Triple(service, sd("feature"), sd("BasicFederatedQuery")))
    for fmt in [*formats_of(Kind.RESULTS), *formats_of(Kind.GRAPH)]:
        triples.append(ox.Triple(service, sd("resultFormat"), ox.NamedNode(FORMATS + _W3C_FORMAT[fmt])))
    for name, size in graph_sizes.items():
        named, graph = ox.BlankNode(), ox.BlankNode()
        triples += [
            ox.Triple(dataset, sd("namedGraph"), named),
            ox.Triple(named, RDF_TYPE, sd("NamedGraph")),
            ox.Triple(named, sd("name"), ox.NamedNode(name)),
            ox.Triple(named, sd("graph"), graph),
            ox.Triple(graph, RDF_TYPE, sd("Graph")),
            ox.Triple(graph, ox.NamedNode(VOID + "triples"), ox.Literal(str(size), datatype=_INTEGER)),
        ]
    return triples


def _prefix_declarations(service: ox.NamedNode) -> list[ox.Triple]:
    """The predeclared prefixes, as SHACL declares prefixes: ``sh:declare [ sh:prefix "rdfs"; sh:namespace "…" ]``."""
    triples = []
    for prefix, namespace in PREDECLARED_PREFIXES.items():
        declaration = ox.BlankNode()
        triples += [
            ox.Triple(service, ox.NamedNode(SH + "declare"), declaration),
            ox.Triple(declaration, ox.NamedNode(SH + "prefix"), ox.Literal(prefix)),
            ox.Triple(declaration, ox.NamedNode(SH + "namespace"), ox.Literal(namespace, datatype=_ANY_URI)),
        ]
    return triples


_INTEGER = XSD.node("integer")
_ANY_URI = XSD.node("anyURI")
_DECIMAL = XSD.node("decimal")


# --- request parsing --------------------------------------------------------------------------------


def _content_type(request: Request) -> tuple[str | None, str | None]:
    header = request.headers.get("content-type")
    if not header:
        return None, None
    fields = [f.strip() for f in header.split(";")]
    charset = next(
        (f.split("=", 1)[1].strip().strip('"').lower() for f in fields[1:] if f.lower().startswith("charset=")), None
    )
    return fields[0].lower(), charset


def _utf8(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as err:
        raise Problem(
            400, "bad-request", f"the request body is not valid UTF-8 ({err.reason} at byte {err.start})"
        ) from None


def _parse_form(text: str) -> list[tuple[str, str]]:
    try:
        parsed = parse_qs(text, keep_blank_values=True, strict_parsing=bool(text), encoding="utf-8", errors="strict")
    except (ValueError, UnicodeDecodeError) as err:
        raise Problem(400, "bad-request", f"malformed form body: {err}") from None
    return [(k, v) for k, values in parsed.items() for v in values]


def _single(values: list[str], name: str) -> str:
    if not values:
        raise Problem(400, "bad-request", f"no {name} given")
    if len(values) > 1:
        raise Problem(400, "bad-request", f"exactly one {name} per request ({len(values)} given)")
    return values[0]


def _iris(values: list[str]) -> list[str]:
    for value in values:
        try:
            ox.NamedNode(value)
        except ValueError:
            raise Problem(400, "bad-request", f"not an absolute IRI: {value!r}") from None
    return values


def _endpoint(request: Request) -> str:
    """The URL the request came to, without its query string (the Service Description's sd:endpoint)."""
    return str(request.url.replace(query="", fragment=""))
