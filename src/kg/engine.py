"""Running SPARQL on a pyoxigraph store and serialising the answer in a requested format."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import pyoxigraph as ox

from .namespaces import PREFIXES


class Format(str, Enum):
    """Every answer format: SPARQL results for SELECT/ASK, RDF for CONSTRUCT/DESCRIBE."""

    JSON = "json"
    XML = "xml"
    CSV = "csv"
    TSV = "tsv"
    TURTLE = "turtle"
    NTRIPLES = "ntriples"
    JSONLD = "jsonld"
    RDFXML = "rdfxml"

    @property
    def is_graph(self) -> bool:
        return self in _RDF_FORMATS

    @property
    def media_type(self) -> str:
        return (_RDF_FORMATS.get(self) or _RESULTS_FORMATS[self]).media_type


_RESULTS_FORMATS = {
    Format.JSON: ox.QueryResultsFormat.JSON,
    Format.XML: ox.QueryResultsFormat.XML,
    Format.CSV: ox.QueryResultsFormat.CSV,
    Format.TSV: ox.QueryResultsFormat.TSV,
}
_RDF_FORMATS = {
    Format.TURTLE: ox.RdfFormat.TURTLE,
    Format.NTRIPLES: ox.RdfFormat.N_TRIPLES,
    Format.JSONLD: ox.RdfFormat.JSON_LD,
    Format.RDFXML: ox.RdfFormat.RDF_XML,
}


@dataclass(frozen=True)
class Answer:
    body: bytes
    format: Format

    @property
    def media_type(self) -> str:
        return self.format.media_type


def query(
    store: ox.Store,
    text: str,
    *,
    format: Format | None = None,
    bindings: dict[str, ox.NamedNode | ox.Literal] | None = None,
    union_default_graph: bool = True,
) -> Answer:
    """Evaluate ``text`` and serialise the result.

    ``format`` defaults to JSON for SELECT/ASK and Turtle for CONSTRUCT/DESCRIBE. ``bindings`` are
    bound as RDF terms (never spliced into the text). Raises SyntaxError for a malformed query and
    ValueError when the format does not fit the query form.
    """
    substitutions = {ox.Variable(name): term for name, term in (bindings or {}).items()}
    result = store.query(text, use_default_graph_as_union=union_default_graph, substitutions=substitutions or None)
    if isinstance(result, ox.QueryTriples):
        chosen = format or Format.TURTLE
        if not chosen.is_graph:
            raise ValueError(f"format {chosen.value!r} is for SELECT/ASK results; a graph needs one of {graph_formats()}")
        prefixes = PREFIXES if chosen in (Format.TURTLE, Format.JSONLD) else None
        return Answer(ox.serialize(result, format=_RDF_FORMATS[chosen], prefixes=prefixes) or b"", chosen)
    chosen = format or Format.JSON
    if chosen.is_graph:
        raise ValueError(f"format {chosen.value!r} is for graphs; SELECT/ASK results need one of {results_formats()}")
    return Answer(result.serialize(format=_RESULTS_FORMATS[chosen]) or b"", chosen)


def graph_formats() -> str:
    return ", ".join(f.value for f in _RDF_FORMATS)


def results_formats() -> str:
    return ", ".join(f.value for f in _RESULTS_FORMATS)
