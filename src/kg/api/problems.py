"""One error shape for every route: RFC 9457 problem details (``application/problem+json``).

Each exception the library raises maps to exactly one status here, and nowhere else.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import DatasetConflict, GraphNotFound, ReadOnlyGraph
from ..guard import FederationRefused
from ..informea.documents import error_body, negotiate
from ..informea.options import ODataError
from ..limits import QueryTooComplex
from ..remote import RemoteWritesRefused
from ..workers import PoolUnavailable, QueryTimeout, WorkerError

ERRORS_BASE = "https://w3id.org/mea-kg/errors#"
MEDIA_TYPE = "application/problem+json"


class Problem(Exception):
    """An HTTP error with a slug (its ``type``), a status and a human-readable detail."""

    def __init__(self, status: int, slug: str, detail: str, *, headers: dict[str, str] | None = None, **extra: object):
        self.status, self.slug, self.detail, self.headers, self.extra = status, slug, detail, headers or {}, extra
        super().__init__(detail)


def problem_response(problem: Problem) -> JSONResponse:
    body = {
        "type": ERRORS_BASE + problem.slug,
        "title": TITLES.get(problem.slug, problem.slug.replace("-", " ")),
        "status": problem.status,
        "detail": problem.detail,
        **problem.extra,
    }
    return JSONResponse(body, status_code=problem.status, media_type=MEDIA_TYPE, headers=problem.headers)


TITLES = {
    "bad-request": "Bad request",
    "query-syntax": "Malformed SPARQL",
    "query-too-complex": "Query too complex",
    "not-acceptable": "No acceptable format",
    "unsupported-media-type": "Unsupported media type",
    "federation-refused": "Federated query refused",
    "query-timeout": "Query stopped at its time limit",
    "unavailable": "Service unavailable",
    "unauthorized": "Authentication required",
    "updates-disabled": "Updates are disabled",
    "read-only-graph": "Graph is read-only",
    "not-found": "Not found",
    "dataset-conflict": "Conflicting dataset",
    "payload-too-large": "Request body too large",
    "method-not-allowed": "Method not allowed",
    "remote-endpoint-failed": "Remote endpoint failed",
    "remote-store-read-only": "Writes go to the remote store directly",
    "internal": "Internal error",
}


def from_worker_error(err: WorkerError) -> Problem:
    """Map an error reported by a query worker or the manager."""
    if err.kind == "syntax":
        return Problem(400, "query-syntax", str(err), **{k: v for k, v in err.detail.items() if v is not None})
    if err.kind == "not_acceptable":
        return Problem(
            406, "not-acceptable", f"the client accepts no format for {err.detail.get('kind', 'this answer')}"
        )
    if err.kind == "service":
        return Problem(502, "remote-endpoint-failed", str(err))
    if err.kind in ("ReadOnlyGraph",):
        return Problem(403, "read-only-graph", str(err))
    if err.kind in ("GraphNotFound",):
        return Problem(404, "not-found", str(err))
    if err.kind in ("DatasetConflict", "ValueError"):
        return Problem(400, "bad-request", str(err))
    return Problem(500, "internal", str(err))


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into the problem shape."""

    @app.exception_handler(Problem)
    async def _problem(_: Request, exc: Problem) -> JSONResponse:
        return problem_response(exc)

    @app.exception_handler(ODataError)
    async def _odata(request: Request, exc: ODataError) -> Response:
        """The OData feed answers with OData error bodies, JSON or XML as the client asked."""
        body, media_type = error_body(
            exc, negotiate(request.query_params.get("$format"), request.headers.get("accept"))
        )
        return Response(body, status_code=exc.status, media_type=media_type, headers={"DataServiceVersion": "1.0"})

    @app.exception_handler(WorkerError)
    async def _worker(_: Request, exc: WorkerError) -> JSONResponse:
        return problem_response(from_worker_error(exc))

    @app.exception_handler(QueryTimeout)
    async def _timeout(_: Request, exc: QueryTimeout) -> JSONResponse:
        return problem_response(Problem(503, "query-timeout", str(exc), headers={"Retry-After": "1"}))

    @app.exception_handler(PoolUnavailable)
    async def _unavailable(_: Request, exc: PoolUnavailable) -> JSONResponse:
        return problem_response(Problem(503, "unavailable", str(exc), headers={"Retry-After": "1"}))

    @app.exception_handler(FederationRefused)
    async def _federation(_: Request, exc: FederationRefused) -> JSONResponse:
        return problem_response(Problem(400, "federation-refused", str(exc), endpoints=exc.endpoints))

    @app.exception_handler(QueryTooComplex)
    async def _too_complex(_: Request, exc: QueryTooComplex) -> JSONResponse:
        return problem_response(
            Problem(400, "query-too-complex", str(exc), setting=exc.setting, limit=exc.limit, found=exc.found)
        )

    @app.exception_handler(RemoteWritesRefused)
    async def _remote_read_only(_: Request, exc: RemoteWritesRefused) -> JSONResponse:
        return problem_response(Problem(403, "remote-store-read-only", str(exc)))

    @app.exception_handler(ReadOnlyGraph)
    async def _read_only(_: Request, exc: ReadOnlyGraph) -> JSONResponse:
        return problem_response(Problem(403, "read-only-graph", str(exc)))

    @app.exception_handler(GraphNotFound)
    async def _not_found(_: Request, exc: GraphNotFound) -> JSONResponse:
        return problem_response(Problem(404, "not-found", str(exc)))

    @app.exception_handler(DatasetConflict)
    async def _conflict(_: Request, exc: DatasetConflict) -> JSONResponse:
        return problem_response(Problem(400, "dataset-conflict", str(exc)))

    @app.exception_handler(SyntaxError)
    async def _syntax(_: Request, exc: SyntaxError) -> JSONResponse:
        return problem_response(Problem(400, "query-syntax", str(exc.msg or exc)))

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in exc.errors())
        return problem_response(Problem(400, "bad-request", details or "invalid request"))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        slug = {404: "not-found", 405: "method-not-allowed", 413: "payload-too-large"}.get(
            exc.status_code, "bad-request"
        )
        return problem_response(Problem(exc.status_code, slug, str(exc.detail), headers=dict(exc.headers or {})))
