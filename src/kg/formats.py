"""One content-negotiation table: every media type the service reads or writes, and how to choose one.

A format is either for SPARQL results (SELECT/ASK) or for RDF (graphs, datasets). ``negotiate``
turns an Accept header into the best format of each kind, so the answer can be chosen once the
query form is known.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import pyoxigraph as ox


class Kind(str, Enum):
    RESULTS = "results"
    GRAPH = "graph"
    DATASET = "dataset"


class Format(str, Enum):
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
        return _FORMATS[self].rdf

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


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """Media ranges of an Accept header with their q-values, best first (stable for ties)."""
    if not header or not header.strip():
        return [("*/*", 1.0)]
    ranges = []
    for index, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append((index, media, q))
    ranges.sort(key=lambda r: (-r[2], -_specificity(r[1]), r[0]))
    return [(media, q) for _, media, q in ranges]


def _specificity(media: str) -> int:
    return 0 if media == "*/*" else 1 if media.endswith("/*") else 2


def negotiate(accept: str | None, kind: Kind) -> Format | None:
    """The best format of ``kind`` for an Accept header, or None (→ 406)."""
    candidates = formats_of(kind)
    for media, q in parse_accept(accept):
        if q <= 0:
            continue
        if media in ("*/*", "text/html", "application/xhtml+xml"):
            return DEFAULTS[kind]
        for fmt in candidates:
            if _matches(media, _FORMATS[fmt].media_types):
                return fmt
    return None


def _matches(media_range: str, media_types: tuple[str, ...]) -> bool:
    if media_range.endswith("/*"):
        prefix = media_range[:-1]
        return any(m.startswith(prefix) for m in media_types)
    return media_range in media_types


def by_name(name: str) -> Format:
    """A format by its short name or one of its media types; ValueError if unknown."""
    lowered = name.strip().lower()
    for fmt in Format:
        if lowered == fmt.value or lowered in _FORMATS[fmt].media_types:
            return fmt
    raise ValueError(f"unknown format {name!r}; use one of {', '.join(f.value for f in Format)}")


_UPLOADS: dict[str, ox.RdfFormat] = {}
for _entry in _FORMATS.values():
    for _media in _entry.media_types if _entry.rdf else ():
        _UPLOADS.setdefault(_media, _entry.rdf)


def rdf_format_of_media_type(content_type: str | None) -> ox.RdfFormat | None:
    """The RDF parser for a request body's Content-Type (Graph Store Protocol uploads), or None."""
    return _UPLOADS.get((content_type or "").split(";")[0].strip().lower())
