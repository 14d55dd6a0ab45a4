"""One content-negotiation table: every media type the service reads or writes, and how to choose one.

A format is either for SPARQL results (SELECT/ASK) or for RDF (graphs, datasets). ``negotiate``
turns an Accept header into the best format of each kind, so the answer can be chosen once the
query form is known; the header itself is read by :mod:`kg.accept`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache

import pyoxigraph as ox

from . import accept as accept_header


class Kind(StrEnum):
    RESULTS = "results"
    GRAPH = "graph"
    DATASET = "dataset"


class Format(StrEnum):
    """Every answer format, by the short name used in CLI options and ``?format=``."""

    JSON = "json"
    XML = "xml"
    CSV = "csv"
    TSV = "tsv"
    TURTLE = "turtle"
    NTRIPLES = "ntriples"
    JSONLD = "jsonld"
    RDFXML = "rdfxml"
    NQUADS = "nquads"
    TRIG = "trig"

    @property
    def kind(self) -> Kind:
        return _FORMATS[self].kind

    @property
    def media_type(self) -> str:
        return _FORMATS[self].media_types[0]

    @property
    def rdf_format(self) -> ox.RdfFormat:
        """The pyoxigraph format of an RDF format; ValueError for a results format."""
        rdf = _FORMATS[self].rdf
        if rdf is None:
            raise ValueError(f"{self.value} is a SPARQL results format, not RDF")
        return rdf

    @property
    def is_graph(self) -> bool:
        return self.kind is not Kind.RESULTS


@dataclass(frozen=True)
class _Entry:
    kind: Kind
    media_types: tuple[str, ...]  # the first is the one we answer with
    rdf: ox.RdfFormat | None = None


_FORMATS: dict[Format, _Entry] = {
    Format.JSON: _Entry(Kind.RESULTS, ("application/sparql-results+json", "application/json")),
    Format.XML: _Entry(Kind.RESULTS, ("application/sparql-results+xml", "application/xml", "text/xml")),
    Format.CSV: _Entry(Kind.RESULTS, ("text/csv",)),
    Format.TSV: _Entry(Kind.RESULTS, ("text/tab-separated-values",)),
    Format.TURTLE: _Entry(Kind.GRAPH, ("text/turtle", "application/x-turtle"), ox.RdfFormat.TURTLE),
    Format.NTRIPLES: _Entry(Kind.GRAPH, ("application/n-triples", "text/plain"), ox.RdfFormat.N_TRIPLES),
    Format.JSONLD: _Entry(Kind.GRAPH, ("application/ld+json", "application/json"), ox.RdfFormat.JSON_LD),
    Format.RDFXML: _Entry(Kind.GRAPH, ("application/rdf+xml", "application/xml", "text/xml"), ox.RdfFormat.RDF_XML),
    Format.NQUADS: _Entry(Kind.DATASET, ("application/n-quads",), ox.RdfFormat.N_QUADS),
    Format.TRIG: _Entry(Kind.DATASET, ("application/trig",), ox.RdfFormat.TRIG),
}

DEFAULTS = {Kind.RESULTS: Format.JSON, Kind.GRAPH: Format.TURTLE, Kind.DATASET: Format.TRIG}
"""What ``*/*``, a missing Accept header, or a browser's ``text/html`` gets."""

# A dataset can always be answered in a dataset format; a graph also in the dataset formats.
_ACCEPTABLE_KINDS = {
    Kind.RESULTS: (Kind.RESULTS,),
    Kind.GRAPH: (Kind.GRAPH, Kind.DATASET),
    Kind.DATASET: (Kind.DATASET,),
}


def formats_of(kind: Kind) -> list[Format]:
    return [f for f in Format if f.kind in _ACCEPTABLE_KINDS[kind]]


HTML = ("text/html", "application/xhtml+xml")
"""A browser's media types: on a route with no page of its own they get the kind's default format."""


@cache
def offers(kind: Kind) -> tuple[tuple[str, Format], ...]:
    """The media types answered for ``kind``, each with its format, in the service's order of preference
    (the default format first)."""
    ordered = sorted(formats_of(kind), key=lambda f: f is not DEFAULTS[kind])
    return tuple((media, fmt) for fmt in ordered for media in _FORMATS[fmt].media_types)


@cache
def _choices(kind: Kind) -> tuple[tuple[str, ...], tuple[Format, ...]]:
    """The offers of ``kind`` and a browser's media types (standing for the default), as media types and formats."""
    choices = [*offers(kind), *((media, DEFAULTS[kind]) for media in HTML)]
    return tuple(media for media, _ in choices), tuple(fmt for _, fmt in choices)


def negotiate(accept: str | None, kind: Kind) -> Format | None:
    """The best format of ``kind`` for an Accept header (see :mod:`kg.accept`), or None (→ 406)."""
    media_types, formats = _choices(kind)
    index = accept_header.choose(accept, media_types, named_only=HTML)
    return None if index is None else formats[index]


def by_name(name: str) -> Format:
    """A format by its short name or one of its media types; ValueError if unknown."""
    lowered = name.strip().lower()
    for fmt in Format:
        if lowered == fmt.value or lowered in _FORMATS[fmt].media_types:
            return fmt
    raise ValueError(f"unknown format {name!r}; use one of {', '.join(f.value for f in Format)}")


_UPLOADS: dict[str, ox.RdfFormat] = {}
for _entry in _FORMATS.values():
    if _entry.rdf is not None:
        for _media in _entry.media_types:
            _UPLOADS.setdefault(_media, _entry.rdf)


def rdf_format_of_media_type(content_type: str | None) -> ox.RdfFormat | None:
    """The RDF parser for a request body's Content-Type (Graph Store Protocol uploads), or None."""
    return _UPLOADS.get((content_type or "").split(";")[0].strip().lower())
