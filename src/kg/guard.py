"""The federation guard: find every remote endpoint a query or update would contact (SERVICE, LOAD).

Detection works on the parsed query, not on its text: a cheap pre-check (after SPARQL's \\u escapes
are decoded) skips parsing for the vast majority of queries that cannot contain either keyword; the
rest are parsed with rdflib's SPARQL grammar and their SERVICE / LOAD targets collected.
"""

from __future__ import annotations

import re

from pyparsing import ParseException, ParseResults
from rdflib.plugins.sparql import parser as sparql_parser
from rdflib.term import URIRef

from .errors import KgError
from .namespaces import SEARCH_SERVICE
from .sparqlerrors import plain

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_KEYWORD = re.compile(r"service|load", re.IGNORECASE)

ANY_ENDPOINT = "?"
"""Stands for a SERVICE whose endpoint is a variable (it could be anything)."""


class FederationRefused(KgError):
    """The query or update would reach a remote endpoint that is not allowed."""

    def __init__(self, endpoints: list[str]):
        self.endpoints = endpoints
        shown = ", ".join("a variable endpoint" if e == ANY_ENDPOINT else f"<{e}>" for e in endpoints)
        super().__init__(f"federated access is not allowed here (SERVICE/LOAD to {shown})")


def remote_endpoints(text: str, *, update: bool = False) -> list[str]:
    """Every SERVICE or LOAD target of a query (or update); ANY_ENDPOINT for a variable SERVICE.

    Raises SyntaxError when the text mentions the keywords but cannot be parsed (it is then refused
    rather than trusted).
    """
    decoded = _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)
    if not _KEYWORD.search(decoded):
        return []
    try:
        tree = sparql_parser.parseUpdate(decoded) if update else sparql_parser.parseQuery(decoded)
    except ParseException as err:
        snippet = " ".join(decoded[err.loc : err.loc + 30].split())
        message = f"cannot read the clause that starts here (checking for SERVICE/LOAD): {snippet}"
        raise plain(decoded, message, line=err.lineno, column=err.col, update=update) from None
    found: list[str] = []
    _collect(tree, found)
    return found


def check(text: str, allowlist: list[str], *, update: bool = False) -> None:
    """Raise FederationRefused unless every remote endpoint is on the allow-list (a query's search blocks are
    answered by the service itself: allowed, but not in an update, where nothing would answer them)."""
    answered_here = set() if update else {SEARCH_SERVICE}
    refused = [e for e in remote_endpoints(text, update=update) if e not in allowlist and e not in answered_here]
    if refused:
        raise FederationRefused(refused)


def _collect(node: object, found: list[str]) -> None:
    if isinstance(node, dict):  # rdflib's CompValue (a parse tree node) is a dict
        name = getattr(node, "name", None)
        if name == "ServiceGraphPattern":
            term = node.get("term")
            found.append(str(term) if isinstance(term, URIRef) else ANY_ENDPOINT)
        elif name == "Load":
            found.append(str(node.get("iri")))
        for child in node.values():
            _collect(child, found)
    elif isinstance(node, (ParseResults, list, tuple)):
        for child in node:
            _collect(child, found)
