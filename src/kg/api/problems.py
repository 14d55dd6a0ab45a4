"""One error shape for every route: RFC 9457 problem details (``application/problem+json``), or for a browser
that asks for HTML the same problem as a page (:mod:`kg.api.error_pages`).

:data:`ERRORS` maps each exception the library raises to exactly one problem type (slug, status, title),
and nowhere else: routes, the query workers and the manager all come through it (a worker sends the
exception itself, which the service raises again).
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..engine import NotAcceptable
from ..errors import (
    DatasetConflict,
    GraphNotFound,
    InternalError,
    InvalidInput,
    ReadOnlyGraph,
    ServiceFailed,
    StoreCorrupt,
    StoreMissing,
)
from ..guard import FederationRefused
from ..informea.documents import error_body, negotiate
from ..informea.options import ODataError
from ..limits import QueryOverLimit
from ..remote import RemoteFailed, RemoteWritesRefused
from ..workers import PoolUnavailable, QueryTimeout, QueryTooComplex
from . import error_pages

ERRORS_BASE = "https://w3id.org/mea-kg/errors#"
MEDIA_TYPE = "application/problem+json"


@dataclass(frozen=True)
class ProblemType:
    """One kind of problem: its ``type`` (``ERRORS_BASE`` + slug), HTTP status and title."""

    slug: str
    status: int
    title: str


BAD_REQUEST = ProblemType("bad-request", 400, "Bad request")
QUERY_SYNTAX = ProblemType("query-syntax", 400, "Malformed SPARQL")
QUERY_TOO_COMPLEX = ProblemType("query-too-complex", 400, "Query too complex")
DATASET_CONFLICT = ProblemType("dataset-conflict", 400, "Conflicting dataset")
FEDERATION_REFUSED = ProblemType("federation-refused", 400, "Federated query refused")
UNAUTHORIZED = ProblemType("unauthorized", 401, "Authentication required")
UPDATES_DISABLED = ProblemType("updates-disabled", 403, "Updates are disabled")
READ_ONLY_GRAPH = ProblemType("read-only-graph", 403, "Graph is read-only")
REMOTE_READ_ONLY = ProblemType("remote-store-read-only", 403, "Writes go to the remote store directly")
NOT_FOUND = ProblemType("not-found", 404, "Not found")
METHOD_NOT_ALLOWED = ProblemType("method-not-allowed", 405, "Method not allowed")
NOT_ACCEPTABLE = ProblemType("not-acceptable", 406, "No acceptable format")
PAYLOAD_TOO_LARGE = ProblemType("payload-too-large", 413, "Request body too large")
PRECONDITION_FAILED = ProblemType("precondition-failed", 412, "Precondition failed")
UNSUPPORTED_MEDIA_TYPE = ProblemType("unsupported-media-type", 415, "Unsupported media type")
INTERNAL = ProblemType("internal", 500, "Internal error")
REMOTE_FAILED = ProblemType("remote-endpoint-failed", 502, "Remote endpoint failed")
QUERY_TIMEOUT = ProblemType("query-timeout", 503, "Query stopped at its time limit")
UNAVAILABLE = ProblemType("unavailable", 503, "Service unavailable")

ERRORS: dict[type[Exception], ProblemType] = {
    SyntaxError: QUERY_SYNTAX,
    QueryTooComplex: QUERY_TOO_COMPLEX,
    DatasetConflict: DATASET_CONFLICT,
    FederationRefused: FEDERATION_REFUSED,
    InvalidInput: BAD_REQUEST,
    ReadOnlyGraph: READ_ONLY_GRAPH,
    RemoteWritesRefused: REMOTE_READ_ONLY,
    GraphNotFound: NOT_FOUND,
    NotAcceptable: NOT_ACCEPTABLE,
    InternalError: INTERNAL,
    ServiceFailed: REMOTE_FAILED,
    RemoteFailed: REMOTE_FAILED,
    QueryTimeout: QUERY_TIMEOUT,
    PoolUnavailable: UNAVAILABLE,
    StoreMissing: UNAVAILABLE,  # e.g. a search without a built release beside a remote store
    StoreCorrupt: UNAVAILABLE,  # e.g. a release whose search index is damaged
}
"""The one table from exception class (or its nearest listed base class) to problem type."""

TITLES = {
    t.slug: t.title
    for t in (
        BAD_REQUEST,
        UNAUTHORIZED,
        UPDATES_DISABLED,
        METHOD_NOT_ALLOWED,
        PAYLOAD_TOO_LARGE,
        PRECONDITION_FAILED,
        UNSUPPORTED_MEDIA_TYPE,
        INTERNAL,
        *ERRORS.values(),
    )
}
"""Titles by slug, for the problems routes raise themselves (:class:`Problem`)."""


class Problem(Exception):
    """An HTTP error with a slug (its ``type``), a status and a human-readable detail."""

    def __init__(self, status: int, slug: str, detail: str, *, headers: dict[str, str] | None = None, **extra: object):
        self.status, self.slug, self.detail, self.headers, self.extra = status, slug, detail, headers or {}, extra
        super().__init__(detail)


def problem_for(err: BaseException) -> Problem:
    """The problem for ``err``, by :data:`ERRORS` (an exception of no listed class is an internal error)."""
    kind = next((ERRORS[c] for c in type(err).__mro__ if c in ERRORS), INTERNAL)
    headers = {"Retry-After": "1"} if kind.status == 503 else None
    return Problem(kind.status, kind.slug, _detail(err), headers=headers, **_extra(err))


def _detail(err: BaseException) -> str:
    if isinstance(err, SyntaxError):
        return str(err.msg or err)
    if isinstance(err, NotAcceptable):
        return f"the client accepts no format for {err.kind.value}"
    return str(err)


def _extra(err: BaseException) -> dict[str, object]:
    """Members beyond the standard ones: where a syntax error is, which endpoints federation refused."""
    if isinstance(err, SyntaxError):
        return {k: v for k, v in (("line", err.lineno), ("column", err.offset)) if v is not None}
    if isinstance(err, FederationRefused):
        return {"endpoints": err.endpoints}
    if isinstance(err, QueryOverLimit):
        return {"setting": err.setting, "limit": err.limit, "found": err.found}
    return {}


def problem_response(problem: Problem) -> JSONResponse:
    body = {
        "type": ERRORS_BASE + problem.slug,
        "title": _title(problem),
        "status": problem.status,
        "detail": problem.detail,
        **problem.extra,
    }
    return JSONResponse(body, status_code=problem.status, media_type=MEDIA_TYPE, headers=problem.headers)


def _title(problem: Problem) -> str:
    return TITLES.get(problem.slug, problem.slug.replace("-", " "))


def negotiated(request: Request, problem: Problem) -> Response:
    """The problem as problem+json, or as an HTML page when the client asks for HTML by name (a browser)."""
    if error_pages.wants_html(request, MEDIA_TYPE):
        return error_pages.page(request, problem.status, _title(problem), problem.detail, problem.headers)
    response = problem_response(problem)
    response.headers.setdefault("Vary", error_pages.VARY)
    return response


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into the problem shape."""

    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> Response:
        return negotiated(request, exc)

    @app.exception_handler(ODataError)
    async def _odata(request: Request, exc: ODataError) -> Response:
        """The OData feed answers with OData error bodies, JSON or XML as the client asked."""
        body, media_type = error_body(
            exc, negotiate(request.query_params.get("$format"), request.headers.get("accept"))
        )
        return Response(body, status_code=exc.status, media_type=media_type, headers={"DataServiceVersion": "1.0"})

    async def _mapped(request: Request, exc: Exception) -> Response:
        return negotiated(request, problem_for(exc))

    for error_class in ERRORS:
        app.add_exception_handler(error_class, _mapped)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        details = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in exc.errors())
        return negotiated(request, Problem(400, "bad-request", details or "invalid request"))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        slug = {404: "not-found", 405: "method-not-allowed", 413: "payload-too-large"}.get(
            exc.status_code, "bad-request"
        )
        return negotiated(request, Problem(exc.status_code, slug, str(exc.detail), headers=dict(exc.headers or {})))
