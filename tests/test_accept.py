"""The Accept and Accept-Language parser (kg.accept): q-values, wildcards, specificity, ties, malformed headers."""

from __future__ import annotations

import pytest

from kg.accept import MediaRange, choose, choose_language, parse_accept, parse_accept_language

RDF = ["text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml"]


def test_ranges_keep_their_order_parameters_and_q_values():
    ranges = parse_accept('text/turtle;charset="utf-8" ; q=0.5;level=1, */*;q=0, application/*')
    assert ranges == [
        MediaRange("text", "turtle", (("charset", "utf-8"),), 0.5, 0),
        MediaRange("*", "*", (), 0.0, 1),
        MediaRange("application", "*", (), 1.0, 2),
    ]
    assert [r.specificity for r in ranges] == [3, 0, 1]


def test_type_and_parameter_names_are_case_insensitive():
    assert parse_accept("Text/Turtle;Q=0.7") == [MediaRange("text", "turtle", (), 0.7, 0)]


@pytest.mark.parametrize(
    "header",
    [
        "turtle",  # no subtype
        "*/turtle",  # a wildcard type with a concrete subtype
        "text/turtle;q=2",  # above 1
        "text/turtle;q=0.5000",  # more than three decimals
        "text/turtle;q=high",
        "text/turtle;q",  # a parameter without a value
        "text/turtle;charset=utf 8",  # not a token
        'text/turtle;profile="unterminated',
        "text/tur tle",
    ],
)
def test_a_malformed_header_is_treated_as_absent(header):
    assert parse_accept(header) is None
    assert choose(header, RDF) == 0  # the server's default, never an error


@pytest.mark.parametrize("header", [None, "", "   ", ",", " , ,"])
def test_an_absent_or_empty_header_gets_the_default(header):
    assert parse_accept(header) is None
    assert choose(header, RDF) == 0


def test_empty_list_elements_are_allowed():
    assert choose("application/ld+json, , ", RDF) == 2


def test_commas_inside_quoted_parameters_do_not_split():
    assert parse_accept('text/turtle;profile="a,b", application/ld+json') == [
        MediaRange("text", "turtle", (("profile", "a,b"),), 1.0, 0),
        MediaRange("application", "ld+json", (), 1.0, 1),
    ]


@pytest.mark.parametrize(
    ("header", "chosen"),
    [
        ("application/ld+json", "application/ld+json"),
        ("application/rdf+xml;q=0.4, application/ld+json;q=0.8", "application/ld+json"),
        ("*/*", "text/turtle"),  # a wildcard: the server's first offer
        ("application/*", "application/n-triples"),  # the first offer the wildcard covers
        ("*/*;q=0.1, application/rdf+xml", "application/rdf+xml"),
        ("text/*;q=0.3, text/turtle;q=0", None),  # the specific range excludes what the wildcard allows
        ("*/*, text/turtle;q=0", "application/n-triples"),
        ("text/turtle;q=0.5, text/*;q=1", "text/turtle"),  # text/turtle's own range decides its weight
        ("application/ld+json;q=0.5, application/*;q=0.9", "application/n-triples"),
        ("image/png", None),
        ("*/*;q=0", None),
    ],
)
def test_q_values_wildcards_and_specificity(header, chosen):
    index = choose(header, RDF)
    assert (None if index is None else RDF[index]) == chosen


def test_ties_go_to_the_range_written_first_then_to_the_server_order():
    assert RDF[choose("application/rdf+xml, application/ld+json", RDF)] == "application/rdf+xml"
    assert RDF[choose("application/ld+json, application/rdf+xml", RDF)] == "application/ld+json"
    # an equal weight from a more specific range beats a wildcard written first
    assert RDF[choose("application/*, text/turtle", RDF)] == "text/turtle"


def test_an_offer_named_only_explicitly_is_not_matched_by_a_wildcard():
    offers = ["application/sparql-results+xml", "text/csv", "text/html"]
    assert offers[choose("text/*", offers, named_only={"text/html"})] == "text/csv"
    assert offers[choose("text/html, text/*;q=0.5", offers, named_only={"text/html"})] == "text/html"


@pytest.mark.parametrize(
    ("header", "chosen"),
    [
        ("fr", "fr"),
        ("fr-CH, en;q=0.5", "fr"),  # a regional range asks for its language
        ("en-GB;q=0.8, fr;q=0.9", "fr"),
        ("en;q=0, fr", "fr"),
        ("en;q=0", None),
        ("de, en;q=0.2", "en"),
        ("de", None),
        ("*", None),  # names no language: labels in every language
        ("fr;q=0.5, en;q=0.5", "fr"),  # a tie: the range written first
        ("en, fr", "en"),
        ("EN-us", "en"),
        (None, None),
        ("", None),
        ("fr;q=2", None),  # malformed: as if absent
        ("fr;level=1", None),
        ("français", None),
        ("en, fr-;q=1", None),
    ],
)
def test_accept_language(header, chosen):
    assert choose_language(header, ("en", "fr")) == chosen


def test_the_most_specific_language_range_decides():
    assert choose_language("fr-CA;q=0, fr;q=0.9, en;q=0.5", ("en", "fr-CA", "fr")) == "fr"
    assert parse_accept_language("fr-CH;q=0.7, *;q=0.1") is not None
    assert choose_language("fr-CA;q=0", ("en", "fr")) is None  # excludes Canadian French, asks for nothing
    assert choose_language("fr-CA;q=0, *;q=0.5", ("en", "fr")) is None
