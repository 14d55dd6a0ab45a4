"""What the OpenAPI document says each route answers: its media types, and problem+json for every error.

Schemathesis checks every response against these (tests/reliability), so they list exactly what is sent.
"""

from __future__ import annotations

from typing import Any

from ..formats import Format, Kind
from .problems import MEDIA_TYPE as PROBLEM_TYPE

_PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
    },
}


def media_types(*kinds: Kind) -> tuple[str, ...]:
    """Every media type the service answers with for answers of these kinds."""
    return tuple(dict.fromkeys(f.media_type for f in Format if f.kind in kinds))


Responses = dict[int | str, dict[str, Any]]
"""FastAPI's ``responses=``: status → OpenAPI response object."""


def answer(description: str, *media: str) -> dict[str, Any]:
    """A 200 response in these media types."""
    return {"description": description, "content": {m: {} for m in media}}


def problems(statuses: dict[int, str]) -> Responses:
    """Error responses, each an RFC 9457 problem document (an HTML page for a client that asks for text/html)."""
    return {
        status: {"description": text, "content": {PROBLEM_TYPE: {"schema": _PROBLEM_SCHEMA}, "text/html": {}}}
        for status, text in statuses.items()
    }


ERROR_RESPONSES = problems(
    {
        400: "Malformed query or request (problem+json with the parser's message and position)",
        401: "An update without a valid bearer token",
        403: "Updates disabled, or a write to a graph built from the sources",
        404: "No such resource, graph or query",
        406: "No acceptable result format",
        413: "Request body too large",
        415: "Unsupported request media type",
        502: "An allowed SERVICE endpoint failed",
        503: "The query was stopped at its time limit, or no worker was free",
    }
)
NOT_MODIFIED: Responses = {304: {"description": "Not modified (ETag)"}}
RESULTS_OR_GRAPH = media_types(Kind.RESULTS, Kind.GRAPH)
GRAPH_OR_DATASET = media_types(Kind.GRAPH, Kind.DATASET)
