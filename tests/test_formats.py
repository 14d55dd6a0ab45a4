"""The content-negotiation table (kg.formats): which format each Accept header gets, per kind of answer."""

from __future__ import annotations

import pytest

from kg.formats import DEFAULTS, Format, Kind, formats_of, negotiate, offers

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"


@pytest.mark.parametrize(
    ("accept", "kind", "chosen"),
    [
        (None, Kind.RESULTS, Format.JSON),
        ("*/*", Kind.GRAPH, Format.TURTLE),
        ("*/*", Kind.DATASET, Format.TRIG),
        (BROWSER, Kind.RESULTS, Format.JSON),  # a browser's text/html stands for the default
        (BROWSER, Kind.GRAPH, Format.TURTLE),
        ("text/html;q=0.5, application/xml", Kind.RESULTS, Format.XML),
        ("text/*", Kind.RESULTS, Format.XML),  # a wildcard covers real media types only, never the html stand-in
        ("text/*", Kind.GRAPH, Format.TURTLE),
        ("text/*;q=0.3, text/turtle;q=0", Kind.GRAPH, Format.NTRIPLES),  # text/plain is N-Triples
        ("application/json", Kind.RESULTS, Format.JSON),
        ("application/json", Kind.GRAPH, Format.JSONLD),
        ("text/csv;q=0.5, text/tab-separated-values", Kind.RESULTS, Format.TSV),
        ("application/n-quads", Kind.GRAPH, Format.NQUADS),  # a graph is also answered as a dataset
        ("text/turtle", Kind.RESULTS, None),  # → 406
        ("text/turtle", Kind.DATASET, None),
        ("*/*;q=0", Kind.GRAPH, None),
        ("text/turtle;q=x", Kind.GRAPH, Format.TURTLE),  # malformed: as if absent
        ("application/ld+json;q=0.2, text/turtle;charset=utf-8;q=0.1", Kind.GRAPH, Format.JSONLD),
    ],
)
def test_negotiate(accept, kind, chosen):
    assert negotiate(accept, kind) is chosen


@pytest.mark.parametrize("kind", list(Kind))
def test_offers_start_with_the_default_and_cover_every_format_of_the_kind(kind):
    listed = offers(kind)
    assert listed[0][1] is DEFAULTS[kind]
    assert list(dict.fromkeys(fmt for _, fmt in listed)) == sorted(
        formats_of(kind), key=lambda f: f is not DEFAULTS[kind]
    )
    assert {(f.media_type, f) for f in formats_of(kind)} <= set(listed)


def test_a_results_format_has_no_rdf_format():
    with pytest.raises(ValueError, match="results format"):
        _ = Format.CSV.rdf_format
