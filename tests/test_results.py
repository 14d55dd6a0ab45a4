"""kg.results, directly: SELECT answers written row by row in the four SPARQL 1.1 result formats — checked by
reading them back with pyoxigraph's parsers (JSON, XML, TSV) or as the CSV recommendation reads them — and ASK
answers in each format, through engine.answer (the path every back-end takes)."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest

from kg import engine
from kg.formats import Format
from kg.results import write_solutions

RESULTS_NS = "{http://www.w3.org/2005/sparql-results#}"
XSD = "http://www.w3.org/2001/XMLSchema#"
VARIABLES = ["s", "label", "extra"]
TRICKY = [
    "quote \" and apostrophe ' and <tag> & amp",
    "  spaces at both ends  ",
    "line\nbreak and\r\ncarriage return\rand tab\t",
    "\ttab first",
    "comma, semicolon; and unicode: Ürümqi, 雪豹, 🐆",
    "",
]
ROWS = [
    (ox.NamedNode("https://w3id.org/mea-kg/id/taxon/uncia-uncia"), ox.Literal("Snow leopard", language="en"), None),
    (ox.NamedNode("http://example.org/a?b=1&c=2"), ox.Literal("Panthère des neiges", language="fr"), None),
    (ox.BlankNode("b0"), ox.Literal("42", datatype=ox.NamedNode(XSD + "integer")), ox.Literal("plain")),
    (ox.BlankNode("b1"), ox.Literal("2014-11-09", datatype=ox.NamedNode(XSD + "date")), ox.BlankNode("b0")),
    *(
        (ox.NamedNode(f"urn:x:tricky{i}"), ox.Literal(text), ox.Literal(text, language="en"))
        for i, text in enumerate(TRICKY)
    ),
]


def parsed(body: bytes, fmt: Format) -> list[tuple]:
    solutions = ox.parse_query_results(body, format=ox.QueryResultsFormat.from_media_type(fmt.media_type))
    assert [v.value for v in solutions.variables] == VARIABLES
    return [tuple(solution[v] for v in VARIABLES) for solution in solutions]


def same_terms(read: list[tuple], written: list[tuple]) -> bool:
    """Equal term by term, blank nodes by label (a parser may rename them, consistently)."""
    labels: dict[str, str] = {}

    def key(term):
        if isinstance(term, ox.BlankNode):
            return ("bnode", labels.setdefault(term.value, f"b{len(labels)}"))
        return term

    return [tuple(map(key, row)) for row in read] == [tuple(map(key, row)) for row in written]


@pytest.mark.parametrize("fmt", [Format.JSON, Format.XML, Format.TSV], ids=lambda f: f.value)
def test_every_term_reads_back_exactly(fmt):
    body = write_solutions(VARIABLES, ROWS, fmt)
    read = parsed(body, fmt)
    assert same_terms(read, ROWS), read


def test_json_terms_as_the_recommendation_writes_them():
    document = json.loads(write_solutions(VARIABLES, ROWS, Format.JSON))
    assert document["head"] == {"vars": VARIABLES}
    first, _, integer, date, *_ = document["results"]["bindings"]
    assert first == {
        "s": {"type": "uri", "value": "https://w3id.org/mea-kg/id/taxon/uncia-uncia"},
        "label": {"type": "literal", "value": "Snow leopard", "xml:lang": "en"},
    }  # an unbound variable is left out of its row
    assert integer["label"] == {"type": "literal", "value": "42", "datatype": XSD + "integer"}
    assert integer["extra"] == {"type": "literal", "value": "plain"}  # xsd:string is not written
    assert date["s"] == {"type": "bnode", "value": "b1"}


def test_xml_escapes_markup_and_keeps_edge_white_space_and_carriage_returns():
    body = write_solutions(VARIABLES, ROWS, Format.XML)
    root = ET.fromstring(body)
    results = root.find(f"{RESULTS_NS}results").findall(f"{RESULTS_NS}result")
    assert [v.get("name") for v in root.find(f"{RESULTS_NS}head")] == VARIABLES
    assert results[1].find(f"{RESULTS_NS}binding[@name='s']/{RESULTS_NS}uri").text == "http://example.org/a?b=1&c=2"
    label = results[1].find(f"{RESULTS_NS}binding[@name='label']/{RESULTS_NS}literal")
    assert label.get("{http://www.w3.org/XML/1998/namespace}lang") == "fr"
    typed = results[2].find(f"{RESULTS_NS}binding[@name='label']/{RESULTS_NS}literal")
    assert typed.get("datatype") == XSD + "integer" and typed.text == "42"
    assert results[2].find(f"{RESULTS_NS}binding[@name='s']/{RESULTS_NS}bnode").text == "b0"
    texts = [r.find(f"{RESULTS_NS}binding[@name='label']/{RESULTS_NS}literal").text or "" for r in results[4:]]
    assert texts == TRICKY  # an XML parser normalises a raw carriage return and pyoxigraph trims edge spaces
    assert b"&#13;" in body and b"&#32;" in body


def test_csv_as_the_recommendation_reads_it():
    body = write_solutions(VARIABLES, ROWS, Format.CSV).decode()
    assert body.startswith("s,label,extra\r\n") and body.endswith("\r\n")
    rows = list(csv.reader(io.StringIO(body, newline="")))
    assert rows[0] == VARIABLES
    assert rows[1] == ["https://w3id.org/mea-kg/id/taxon/uncia-uncia", "Snow leopard", ""]  # no language, unbound ""
    assert rows[3] == ["_:b0", "42", "plain"]  # blank nodes as _:label, literals as their lexical form
    assert [row[1] for row in rows[5:]] == TRICKY  # quoted where needed: commas, quotes, line breaks survive


def test_tsv_writes_terms_in_sparql_syntax_with_escapes():
    lines = write_solutions(VARIABLES, ROWS, Format.TSV).decode().split("\n")
    assert lines[0] == "?s\t?label\t?extra"
    assert lines[1] == '<https://w3id.org/mea-kg/id/taxon/uncia-uncia>\t"Snow leopard"@en\t'
    assert lines[3].startswith("_:b0\t")
    assert len(lines) == 1 + len(ROWS) + 1 and lines[-1] == ""  # one line per row: breaks and tabs escaped
    assert all(line.count("\t") == 2 for line in lines[:-1])


@pytest.mark.parametrize("fmt", [Format.JSON, Format.XML, Format.CSV, Format.TSV], ids=lambda f: f.value)
def test_no_rows_is_the_header_alone(fmt):
    body = write_solutions(["a", "b"], [], fmt)
    if fmt is Format.JSON:
        assert json.loads(body) == {"head": {"vars": ["a", "b"]}, "results": {"bindings": []}}
    elif fmt is Format.XML:
        root = ET.fromstring(body)
        assert [v.get("name") for v in root.find(f"{RESULTS_NS}head")] == ["a", "b"]
        assert list(root.find(f"{RESULTS_NS}results")) == []
    else:
        assert body == {Format.CSV: b"a,b\r\n", Format.TSV: b"?a\t?b\n"}[fmt]


def test_a_graph_format_is_refused():
    with pytest.raises(ValueError, match="not a SPARQL results format"):
        write_solutions(VARIABLES, ROWS, Format.TURTLE)


@pytest.mark.parametrize("fmt", [Format.JSON, Format.XML, Format.CSV, Format.TSV], ids=lambda f: f.value)
@pytest.mark.parametrize("query", ["ASK { ?s ?p ?o }", "ASK { ?s <urn:x:none> ?o }"], ids=["true", "false"])
def test_ask_in_each_format(fmt, query):
    graph = ox.Store()
    graph.add(ox.Quad(ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:p"), ox.Literal("o")))
    request = engine.request_for(query, format=fmt)
    answer = engine.answer(graph.query(query, use_default_graph_as_union=True), request, again=pytest.fail)
    expected = query == "ASK { ?s ?p ?o }"
    assert answer.format is fmt
    if fmt is Format.JSON:
        assert json.loads(answer.body)["boolean"] is expected  # a JSON boolean, not a string
    elif fmt is Format.XML:
        assert ET.fromstring(answer.body).find(f"{RESULTS_NS}boolean").text == str(expected).lower()
    else:
        assert answer.body.decode().strip() == str(expected).lower()
