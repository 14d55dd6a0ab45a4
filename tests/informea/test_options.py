"""The OData query-option parser: the AST it builds, what it refuses (with a message), how it evaluates."""

from __future__ import annotations

import datetime as dt

import pytest

from kg.informea import options
from kg.informea.model import MODEL
from kg.informea.options import Compare, Literal, Logical, ODataError, PropertyRef

DECISION = MODEL.type("Decision")


def parse(**params: str) -> options.Options:
    return options.parse({k: [v] for k, v in params.items()}, DECISION)


def test_and_binds_tighter_than_or():
    node = parse(**{"$filter": "number eq '1' or number eq '2' and treaty eq 'cms'"}).filter
    assert isinstance(node, Logical) and node.op == "or"
    assert node.args[0] == Compare("eq", PropertyRef("number", "Edm.String"), Literal("1", "Edm.String"))
    assert node.args[1].op == "and"


def test_literals_functions_and_escapes():
    node = parse(
        **{
            "$filter": "substringof('it''s', tolower(number)) and published ge datetime'2014-11-09T00:00' "
            "and displayOrder lt 3 and not (link eq null)"
        }
    ).filter
    assert node.op == "and" and node.args[1] == Logical(
        "not", (Compare("eq", PropertyRef("link", "Edm.String"), Literal(None, "null")),)
    )
    first_two = node.args[0].args[0]  # "and" is left-associative
    assert first_two.args[1].right == Literal(dt.datetime(2014, 11, 9), "Edm.DateTime")
    call = first_two.args[0]
    assert call.function == "substringof" and call.args[0] == Literal("it's", "Edm.String")
    assert node.args[0].args[1].right == Literal(3, "Edm.Int32")


@pytest.mark.parametrize(
    "text, message",
    [
        ("number eq", "ends too early"),
        ("nosuch eq '1'", "no property 'nosuch'"),
        ("number", "true/false condition"),
        ("published gt '2014'", "datetime'"),
        ("number gt null", "null can only"),
        ("frobnicate(number)", "unknown function"),
        ("substringof(number)", "takes 2 argument"),
        ("number eq '1' number", "unexpected 'number'"),
        ("number # 1", "unexpected '#'"),
        ("published eq datetime'soon'", "not a date-time"),
        ("length(published) eq 1", "expects Edm.String"),
        ("", "empty"),
        ("(" * 5000 + "number eq '1'" + ")" * 5000, "nested more than"),
        ("not " * 5000 + "number", "true/false"),
    ],
)
def test_malformed_filters_are_400_with_a_reason(text, message):
    with pytest.raises(ODataError) as caught:
        parse(**{"$filter": text})
    assert caught.value.status == 400 and message in caught.value.message


def test_options_other_than_filter():
    parsed = parse(
        **{
            "$top": "3",
            "$skip": "2",
            "$orderby": "published desc, number",
            "$inlinecount": "allpages",
            "$expand": "title,keywords",
            "$select": "id,number",
            "$format": "json",
            "custom": "ignored",
        }
    )
    assert (parsed.top, parsed.skip, parsed.inlinecount, parsed.expand, parsed.select, parsed.format) == (
        3,
        2,
        True,
        ("title", "keywords"),
        ("id", "number"),
        "json",
    )
    assert parsed.orderby == (options.OrderBy("published", True), options.OrderBy("number", False))
    with pytest.raises(ODataError, match="more than once"):
        options.parse({"$top": ["1", "2"]}, DECISION)
    with pytest.raises(ODataError, match="only apply to entity sets"):
        options.parse({"$top": ["1"]}, None)


def test_evaluation_and_ordering_with_missing_values():
    entities = [
        {"id": "b", "number": "2", "published": None},
        {"id": "a", "number": "1", "published": dt.datetime(2014, 11, 9)},
        {"id": "c", "number": None, "published": dt.datetime(2015, 1, 1)},
    ]
    ordered, total = options.apply(entities, parse(**{"$orderby": "published desc"}), "id")
    assert [e["id"] for e in ordered] == ["c", "a", "b"] and total == 3  # null sorts lowest
    ordered, _ = options.apply(entities, parse(**{"$orderby": "number"}), "id")
    assert [e["id"] for e in ordered] == ["c", "a", "b"]
    matched, total = options.apply(entities, parse(**{"$filter": "number ne '1'"}), "id")
    assert [e["id"] for e in matched] == ["b", "c"] and total == 2  # a missing value is "not equal"
    matched, _ = options.apply(
        entities, parse(**{"$filter": "published lt datetime'2015-01-01T00:00:00' or number eq null"}), "id"
    )
    assert [e["id"] for e in matched] == ["a", "c"]
    matched, _ = options.apply(entities, parse(**{"$filter": "year(published) eq 2015"}), "id")
    assert [e["id"] for e in matched] == ["c"]


def test_any_value_of_a_navigations_records_in_string_functions():
    entities = [
        {"id": "a", "title": [{"language": "en", "value": "Central Asian Mammals"}, {"language": "fr", "value": "x"}]},
        {"id": "b", "title": [{"language": "en", "value": "Standard nomenclature"}]},
        {"id": "c", "title": []},
    ]
    matched, _ = options.apply(entities, parse(**{"$filter": "substringof('Mammals', title)"}), "id")
    assert [e["id"] for e in matched] == ["a"]
    matched, _ = options.apply(entities, parse(**{"$filter": "not startswith(title, 'Standard')"}), "id")
    assert [e["id"] for e in matched] == ["a", "c"]
    for text, message in (
        ("title eq 'x'", "cannot compare"),
        ("substringof('x', tolower(title))", "expects Edm.String"),
        ("title", "true/false"),
        ("substringof('x', documents)", "no property 'documents'"),  # ids of another set, not values
    ):
        with pytest.raises(ODataError, match=message):
            parse(**{"$filter": text})


def test_doubles_and_booleans_compare_with_their_literals():
    meeting = MODEL.type("Meeting")
    entities = [{"id": "m", "latitude": -0.22, "virtual": False}, {"id": "n", "latitude": None, "virtual": None}]
    for text, expected in (("latitude lt 0", ["m"]), ("latitude gt -1.5", ["m"]), ("virtual eq false", ["m"])):
        matched, _ = options.apply(entities, options.parse({"$filter": [text]}, meeting), "id")
        assert [e["id"] for e in matched] == expected, text
    with pytest.raises(ODataError, match="cannot compare"):
        options.parse({"$filter": ["virtual eq 'no'"]}, meeting)
