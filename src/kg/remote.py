"""A remote SPARQL store behind the service, reached over the SPARQL 1.1 Protocol and Graph Store Protocol.

:class:`RemoteStore` has the interface of the embedded :class:`~kg.workers.QueryPool` (``start``,
``stop``, ``query``, ``write``, ``version``), so every route works unchanged on either. What it does
to make a remote server answer exactly as the embedded store does:

- **The dataset.** ``kg publish`` records which named graphs make up the published build in one small
  graph, :data:`PUBLICATION`. A query that names no dataset is sent with those graphs as both its
  default graph (their union, as the embedded store's default graph is the union of its graphs) and
  its named graphs, so a server's own system graphs, or a push in progress, are never seen.
- **Parameters.** Canned-query and page parameters go as one-row ``VALUES`` blocks of RDF terms
  (:func:`kg.sparqltext.with_values`), the same text the embedded store evaluates.
- **Answers.** The server answers in SPARQL XML results or N-Triples; they are parsed with pyoxigraph
  and written by the same serialiser as the embedded store's answers (:func:`kg.engine.answer`), so
  the formats, the row cap and the truncation header are the same.
- **Errors.** A query is checked locally first (pyoxigraph's parser on an empty store), so a malformed
  query gets the same 400 as on the embedded store; a server that cannot be reached is a 503, a
  server that refuses a valid query a 502, a query past its time a 503 (the server should have its
  own execution limit too: the service stops waiting, it cannot stop the server).

Writes through the service (SPARQL Update, Graph Store PUT/POST/DELETE) are refused on a remote
store: it is written by ``kg publish``, or directly by its own tools.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from dataclasses import dataclass
from typing import Literal

import httpx
import pyoxigraph as ox
from pydantic import SecretStr

from . import engine
from .config import Settings
from .errors import KgError, ServiceFailed, StoreMissing
from .formats import Kind, rdf_format_of_media_type
from .namespaces import DCTERMS, GEO, GRAPH, PREDECLARED_PREFIXES
from .sparqlerrors import plain_errors
from .sparqltext import names_dataset, query_form, with_prefixes, with_values
from .workers import PoolUnavailable, QueryTimeout

logger = logging.getLogger("kg.remote")

PUBLICATION = GRAPH + "publication"
"""The graph recording the published build:
``<PUBLICATION> dcterms:identifier "<release id>"; dcterms:hasPart <graph> …``."""
EMPTY_GRAPH = GRAPH + "empty"
"""Sent as the default graph when a request asks for the store's own (empty) default graph."""
REFRESH_SECONDS = 1.0
RESULTS_ACCEPT = "application/sparql-results+xml"
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9"
_PUBLICATION_QUERY = (
    f"SELECT ?id ?graph WHERE {{ GRAPH <{PUBLICATION}> {{ <{PUBLICATION}> <{DCTERMS}identifier> ?id . "
    f"OPTIONAL {{ <{PUBLICATION}> <{DCTERMS}hasPart> ?graph }} }} }}"
)


class RemoteWritesRefused(KgError):
    """Writes through the service are refused when it fronts a remote store."""

    exit_code = 4


class RemoteFailed(KgError):
    """The remote server answered a valid request with an error (or with something unreadable)."""

    exit_code = 4


@dataclass(frozen=True)
class Endpoints:
    """Where a remote store answers, and how to authenticate (credentials come from the environment)."""

    query_url: str
    update_url: str | None = None
    gsp_url: str | None = None
    user: str | None = None
    password: SecretStr | None = None
    auth_scheme: Literal["basic", "digest"] = "basic"

    @classmethod
    def from_settings(cls, settings: Settings) -> Endpoints:
        if settings.store_url is None:
            raise ValueError("no remote store configured (--store-url)")
        return cls(
            settings.store_url,
            settings.update_url,
            settings.gsp_url,
            settings.remote_user,
            settings.remote_password,
            settings.remote_auth,
        )

    @property
    def auth(self) -> httpx.Auth | None:
        if self.user is None:
            return None
        secret = self.password.get_secret_value() if self.password else ""
        return (
            httpx.DigestAuth(self.user, secret) if self.auth_scheme == "digest" else httpx.BasicAuth(self.user, secret)
        )

    def client(self, *, connections: int = 8, timeout: float | None = 60.0) -> httpx.AsyncClient:
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        return httpx.AsyncClient(
            auth=self.auth, limits=limits, timeout=timeout, trust_env=False, headers={"User-Agent": "mea-kg"}
        )


@dataclass(frozen=True)
class Publication:
    """The build a remote store serves: its release id and its named graphs."""

    id: str
    graphs: tuple[str, ...]


async def read_publication(client: httpx.AsyncClient, endpoints: Endpoints) -> Publication | None:
    """The published build, or None when nothing was ever published. Raises RemoteFailed, httpx.HTTPError."""
    rows = await select(client, endpoints, _PUBLICATION_QUERY)
    if not rows:
        return None
    graphs = sorted({row["graph"].value for row in rows if row["graph"] is not None})
    return Publication(rows[0]["id"].value, tuple(graphs))


async def authenticate(client: httpx.AsyncClient, endpoints: Endpoints) -> None:
    """Take a digest challenge with a body-less request first: a server may drop the connection when it
    answers 401 to a large upload (Virtuoso does), and httpx then reuses the challenge for every request."""
    if endpoints.auth_scheme == "digest" and endpoints.user and endpoints.update_url:
        response = await client.get(endpoints.update_url, params={"query": "ASK {}"})
        if response.status_code == 401:
            raise RemoteFailed(f"the remote store refused the credentials of {endpoints.user!r} (401)")


async def run_update(
    client: httpx.AsyncClient, endpoints: Endpoints, text: str, *, timeout: float | None = None
) -> None:
    """Send one SPARQL Update request. Raises RemoteFailed, httpx.HTTPError."""
    if endpoints.update_url is None:
        raise RemoteFailed("no update endpoint configured (--update-url)")
    response = await client.post(endpoints.update_url, data={"update": text}, timeout=timeout)
    _raise_for_status(response, "update")


async def select(client: httpx.AsyncClient, endpoints: Endpoints, text: str) -> list[ox.QuerySolution]:
    """Run a SELECT over the server's own dataset (for bookkeeping queries). Raises RemoteFailed, httpx.HTTPError."""
    response = await client.post(endpoints.query_url, data={"query": text}, headers={"Accept": RESULTS_ACCEPT})
    solutions = _solutions(response)
    if not isinstance(solutions, ox.QuerySolutions):
        raise RemoteFailed("the remote store answered a SELECT with a boolean")
    return list(solutions)


class RemoteStore:
    """The service's handle on a remote SPARQL store: the embedded pool's interface over HTTP."""

    def __init__(self, endpoints: Endpoints, *, connections: int = 8, refresh_seconds: float = REFRESH_SECONDS):
        self.endpoints, self.connections, self.refresh_seconds = endpoints, connections, refresh_seconds
        self.publication: Publication | None = None
        self._client: httpx.AsyncClient | None = None
        self._refresher: asyncio.Task | None = None

    @property
    def version(self) -> str:
        """The published release id (changes whenever `kg publish` switches to a new build)."""
        return f"{self.publication.id}.0" if self.publication else ""

    async def start(self) -> None:
        """Connect and read the publication.

        Raises PoolUnavailable (unreachable) or StoreMissing (nothing published)."""
        self._client = self.endpoints.client(connections=self.connections, timeout=None)
        try:
            self.publication = await read_publication(self._client, self.endpoints)
        except (httpx.HTTPError, RemoteFailed) as err:
            await self.stop()
            raise PoolUnavailable(
                f"the remote store at {self.endpoints.query_url} cannot be read: {_reason(err)}"
            ) from None
        if self.publication is None:
            await self.stop()
            raise StoreMissing(f"nothing is published on {self.endpoints.query_url} (run `kg publish`)")
        self._refresher = asyncio.create_task(self._refresh())

    async def __aenter__(self) -> RemoteStore:
        await self.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.stop()

    async def stop(self) -> None:
        if self._refresher is not None:
            self._refresher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._refresher
            self._refresher = None
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            raise PoolUnavailable("the remote store is not connected")
        return self._client

    async def _refresh(self) -> None:
        """Follow `kg publish`: re-read the publication every ``refresh_seconds`` (keep the last one on failure)."""
        while self._client is not None:
            await asyncio.sleep(self.refresh_seconds)
            if self._client is None:
                return  # stopped
            try:
                publication = await read_publication(self.client, self.endpoints)
            except (httpx.HTTPError, RemoteFailed) as err:
                logger.warning("cannot re-read the publication of %s: %s", self.endpoints.query_url, _reason(err))
                continue
            if publication is not None and publication != self.publication:
                logger.info("remote store switched to release %s", publication.id)
                self.publication = publication

    async def query(self, request: engine.Request, *, timeout: float, public: bool = False) -> engine.Answer:
        """Evaluate ``request`` on the remote store (``public`` is for the embedded pool: the remote server admits
        its own). Raises SyntaxError, NotAcceptable, ServiceFailed, QueryTimeout, PoolUnavailable."""
        kind = _check(request)
        if (request.results_format if kind is Kind.RESULTS else request.graph_format) is None:
            raise engine.NotAcceptable(kind)
        form = {"query": self._text(request), **self._dataset(request)}
        accept = RESULTS_ACCEPT if kind is Kind.RESULTS else GRAPH_ACCEPT
        if self._client is None:
            raise PoolUnavailable(f"not connected to the remote store at {self.endpoints.query_url}")
        try:
            response = await asyncio.wait_for(
                self.client.post(self.endpoints.query_url, data=form, headers={"Accept": accept}), timeout
            )
        except TimeoutError:
            raise QueryTimeout(f"the query ran longer than {timeout:g} s and the service stopped waiting") from None
        except httpx.HTTPError as err:
            raise PoolUnavailable(f"the remote store cannot be reached: {_reason(err)}") from None
        try:
            result = _result(response, kind)
            return engine.answer(result, request, again=lambda: _result(response, kind))
        except RemoteFailed as err:
            raise ServiceFailed(str(err)) from None
        except SyntaxError as err:  # results are parsed lazily, while they are written
            raise ServiceFailed(f"the remote store's answer is unreadable: {err.msg or err}") from None

    async def write(self, operation: str, **_: object) -> object:
        raise RemoteWritesRefused(
            "this service fronts a remote store and takes no writes: publish a build with "
            "`kg publish`, or write to the store directly"
        )

    def _text(self, request: engine.Request) -> str:
        """The text the remote store gets: parameters as VALUES blocks, and PREFIX lines for the predeclared
        prefixes the query uses without declaring them (the remote store knows none of ours)."""
        text = with_prefixes(with_values(request.text, request.bindings), PREDECLARED_PREFIXES)
        return f"BASE <{request.base_iri}>\n{text}" if request.base_iri else text

    def _dataset(self, request: engine.Request) -> dict[str, list[str]]:
        """Protocol dataset parameters: the request's own, else the published graphs (unless the query has FROM)."""
        if request.default_graphs is not None or request.named_graphs is not None:
            return {
                "default-graph-uri": list(request.default_graphs or ()) or [EMPTY_GRAPH],
                "named-graph-uri": list(request.named_graphs or ()) or [EMPTY_GRAPH],
            }
        if names_dataset(request.text):
            return {}
        graphs = list(self.publication.graphs) if self.publication else [EMPTY_GRAPH]
        return {"default-graph-uri": graphs, "named-graph-uri": graphs}


def _check(request: engine.Request) -> Kind:
    """Parse the query locally, as the embedded store would (raising SyntaxError), and tell its answer kind.

    The text is parsed on an empty store: SELECT, CONSTRUCT and DESCRIBE answers are lazy, so nothing is
    evaluated; an ASK (answered at once) is checked as the SELECT with the same pattern.
    """
    text, form = request.text, query_form(request.text)
    if form is not None and form[0] == "ASK":  # the same pattern as a SELECT
        text = f"{text[: form[1]]}SELECT (1 AS ?kg_ask_probe){text[form[1] + 3 :]}"
    # the parameters are VALUES blocks, as on the embedded store: a parameter the query does not project is fine
    with plain_errors(text):
        result = ox.Store().query(text, base_iri=request.base_iri, prefixes=PREDECLARED_PREFIXES)
    return Kind.RESULTS if isinstance(result, ox.QuerySolutions | ox.QueryBoolean) else Kind.GRAPH


def _result(response: httpx.Response, kind: Kind) -> engine.Result:
    if kind is Kind.RESULTS:
        return _solutions(response)
    _raise_for_status(response, "query")
    media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    fmt = ox.RdfFormat.N_TRIPLES if media_type == "text/plain" else rdf_format_of_media_type(media_type)
    if fmt is None:
        raise RemoteFailed(f"the remote store answered a graph query with {media_type or 'no Content-Type'}")
    try:
        return [quad.triple for quad in ox.parse(_from_virtuoso(response.content), format=fmt)]
    except SyntaxError as err:
        raise RemoteFailed(f"the remote store's {media_type} answer is unreadable: {err}") from None


def _solutions(response: httpx.Response) -> ox.QuerySolutions | ox.QueryBoolean:
    _raise_for_status(response, "query")
    media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    fmt = {
        "application/sparql-results+xml": ox.QueryResultsFormat.XML,
        "application/xml": ox.QueryResultsFormat.XML,
        "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    }.get(media_type)
    if fmt is None:
        raise RemoteFailed(f"the remote store answered a SELECT/ASK with {media_type or 'no Content-Type'}")
    try:
        return ox.parse_query_results(_from_virtuoso(response.content), format=fmt)
    except SyntaxError as err:
        raise RemoteFailed(f"the remote store's results are unreadable: {err}") from None


def _from_virtuoso(content: bytes) -> bytes:
    """An answer with what Virtuoso changes put back (no other store writes these forms):

    * blank nodes labelled ``nodeID://b123`` in XML results, which is no valid label (``b123`` is);
    * WKT literals typed ``virtrdf:Geometry``, its own geometry type, instead of ``geo:wktLiteral``;
    * the coordinates of points, which it keeps in single precision (42.59 comes back 42.590000152588): written
      again with 7 significant digits, what single precision holds. The graph's coordinates have 3 decimals at
      most (kg.geometry, data/turtle/extents.ttl), so they come back exact;
    * a multipoint written without the parentheses around each point (``MULTIPOINT(1 2,3 4)``).
    """
    content = _VIRTUOSO_BNODE.sub(rb"<bnode>", content)
    return _VIRTUOSO_WKT.sub(_rounded, _VIRTUOSO_GEOMETRY.sub(WKT_LITERAL, content))


def _rounded(match: re.Match[bytes]) -> bytes:
    wkt = _NUMBER.sub(lambda number: b"%.7g" % float(number.group()), match.group())
    return _BARE_MULTIPOINT.sub(lambda m: b"MULTIPOINT((" + m.group(1).replace(b",", b"),(") + b"))", wkt)


_VIRTUOSO_BNODE = re.compile(rb"<bnode>nodeID://")
_VIRTUOSO_GEOMETRY = re.compile(rb"http://www\.openlinksw\.com/schemas/virtrdf#Geometry")
WKT_LITERAL = GEO.encode() + b"wktLiteral"
_VIRTUOSO_WKT = re.compile(
    rb'"[^"]*"\^\^<' + re.escape(WKT_LITERAL) + rb">"  # N-Triples
    rb'|<literal datatype="' + re.escape(WKT_LITERAL) + rb'">[^<]*</literal>'  # SPARQL XML results
)
_NUMBER = re.compile(rb"-?\d+\.\d+(?:[eE][-+]?\d+)?")
_BARE_MULTIPOINT = re.compile(rb"MULTIPOINT\(([-\d][^()]*)\)")


def _raise_for_status(response: httpx.Response, what: str) -> None:
    if response.status_code >= 400:
        message = " ".join(response.text.split())[:500]
        raise RemoteFailed(f"the remote store refused the {what} ({response.status_code}): {message}")


def _reason(err: Exception) -> str:
    return str(err) or type(err).__name__
