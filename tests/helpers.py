"""Reading SPARQL 1.1 JSON results in tests: the rows of a SELECT answer and the boolean of an ASK answer.

Each takes what a test holds: an HTTP response (httpx, requests), a body (bytes or str) or an already
parsed document (SPARQLWrapper's ``convert()``).
"""

from __future__ import annotations

import json
from typing import Any


def document(answer: Any) -> dict:
    """The parsed SPARQL JSON results document of ``answer``."""
    if isinstance(answer, dict):
        return answer
    if isinstance(answer, (bytes, str)):
        return json.loads(answer)
    return json.loads(answer.content)


def bindings(answer: Any) -> list[dict[str, str]]:
    """The rows of a SELECT answer, each as {variable: value} for its bound variables (IRIs, blank node
    labels and lexical forms alike)."""
    parsed = document(answer)
    assert "boolean" not in parsed, f"an ASK answer, not SELECT results: {parsed}"
    return [{name: term["value"] for name, term in row.items()} for row in parsed["results"]["bindings"]]


def ask(answer: Any) -> bool:
    """The answer of an ASK query: the JSON boolean itself (a string "true" or a missing member fails)."""
    parsed = document(answer)
    value = parsed.get("boolean")
    assert isinstance(value, bool), f"not an ASK answer in SPARQL JSON: {parsed}"
    return value
