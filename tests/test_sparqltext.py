"""Friendlier SPARQL: predeclared prefixes, parse errors in plain words, and hostile queries refused up front
(the Python API of kg.sparqltext, kg.sparqlerrors and kg.limits, and `kg query`)."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from kg import engine, limits
from kg.cli import app
from kg.namespaces import PREDECLARED_PREFIXES
from kg.sparqlerrors import plain_errors
from kg.sparqltext import undeclared_prefixes, with_prefixes

B5 = 'SELECT ?a WHERE { ?a a mea:Activity ; mea:code "B5" }'


def test_the_predeclared_prefixes_include_the_common_ones():
    for prefix in ("rdf", "rdfs", "owl", "xsd", "skos", "dcterms", "dct", "dc", "dwc", "mea", "id", "void", "dcat"):
        assert prefix in PREDECLARED_PREFIXES
    for prefix in ("prov", "foaf", "schema", "sd", "geo", "geof", "sh"):
        assert prefix in PREDECLARED_PREFIXES
    assert PREDECLARED_PREFIXES["id"] == "https://w3id.org/mea-kg/id/"
    assert PREDECLARED_PREFIXES["dct"] == PREDECLARED_PREFIXES["dcterms"] == "http://purl.org/dc/terms/"


def test_undeclared_prefixes_skip_strings_iris_comments_and_declarations():
    text = (
        'PREFIX rdfs: <urn:x#> SELECT * { ?s rdfs:label "wdt:P1" ; skos:x <dwc:y>, _:b, :z . '
        '?s mea:a.b:c ?o FILTER(?o = "1"^^xsd:int) } # foaf:name'
    )
    assert list(undeclared_prefixes(text)) == ["skos", "", "mea", "xsd"]
    assert undeclared_prefixes(text)["skos"] == text.index("skos:")


def test_with_prefixes_adds_only_the_known_ones_the_query_uses_and_does_not_declare():
    text = "PREFIX mea: <urn:mine#> SELECT * { ?s mea:p ?o ; rdfs:label ?l ; ex:q ?x }"
    added = with_prefixes(text, PREDECLARED_PREFIXES)
    assert added == f"PREFIX rdfs: <{PREDECLARED_PREFIXES['rdfs']}>\n{text}"
    assert with_prefixes("ASK {}", PREDECLARED_PREFIXES) == "ASK {}"


def test_predeclared_prefixes_answer_and_the_querys_own_declaration_wins(graph):
    answer = json.loads(engine.evaluate(graph, engine.request_for(B5)).body)
    assert [b["a"]["value"] for b in answer["results"]["bindings"]] == ["https://w3id.org/mea-kg/id/activity/jwp/B5"]
    own = json.loads(engine.evaluate(graph, engine.request_for("PREFIX mea: <urn:not-mea#> " + B5)).body)
    assert own["results"]["bindings"] == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "SELECT * WHERE {\n  ?s wdt:P31 ?o }",
            "line 2, column 6: unknown prefix wdt: — declare it with PREFIX wdt: <http://www.wikidata.org/prop/direct/>",
        ),
        (
            "SELECT * WHERE { ?s foo:bar ?o }",
            "line 1, column 21: unknown prefix foo: — declare it with PREFIX foo: <its namespace IRI>",
        ),
        ("SELECT * WHERE { ?s ?p ?o ", "line 1, column 16: the '{' here is never closed (a '}' is missing)"),
        ("SELECT * WHERE { ?s ?p ?o }}", "line 1, column 28: '}' closes nothing: there is no open '{'"),
        (
            "SELECT * WHERE { FILTER((1) }",
            "line 1, column 29: '}' where ')' should close the '(' at line 1, column 24",
        ),
        (
            "SELECT * WHERE { ?s ?p ?o } LIMT 10",
            "line 1, column 29: 'LIMT' is not a SPARQL keyword (a name needs a prefix, e.g. mea:LIMT)",
        ),
        ('SELECT * WHERE { ?s ?p "abc }', 'line 1, column 24: the string opened here is never closed (a " is missing)'),
        (
            "SELECT * WHERE { ?s ?p ?o } LIMIT",
            "line 1, column 34: the query ends right after LIMIT: something must follow it",
        ),
        ("SELECT ?x WHERE { ?x ?y }", "line 1, column 19: cannot read the clause that starts here: ?x ?y }"),
        ("  ", "the query is empty"),
    ],
)
def test_parse_errors_are_one_line_in_plain_words(query, expected):
    with pytest.raises(SyntaxError) as raised:
        engine.evaluate(ox.Store(), engine.request_for(query))
    assert raised.value.msg == expected
    assert "\n" not in raised.value.msg and "[" not in raised.value.msg.split(":", 1)[0]


def test_an_unknown_prefix_error_carries_its_position():
    with pytest.raises(SyntaxError) as raised:
        engine.evaluate(ox.Store(), engine.request_for("ASK {\n ?s ex:p ?o }"))
    assert (raised.value.lineno, raised.value.offset) == (2, 5)


def test_updates_get_the_prefixes_and_the_plain_errors():
    store = ox.Store()
    with plain_errors("", update=True):
        store.update('INSERT DATA { <urn:a> rdfs:label "a" }', prefixes=PREDECLARED_PREFIXES)
    assert len(store) == 1


@pytest.mark.parametrize(
    ("query", "depth", "patterns"),
    [
        ('SELECT * WHERE { ?s ?p ?o . ?s ?q 1.5 ; ?r "a.b;c", 2 FILTER(?o IN (1, 2, 3)) }', 3, 4),
        ("SELECT * { { ?s ?p ?o } UNION { ?s ?q ?o } UNION { ?s ?r ?o } }", 2, 6),
        ("INSERT DATA { <a:b> <a:c> 1 . <a:b> <a:c> 2 . GRAPH <g:x> { <a:a> <b:b> <c:c> . } }", 2, 0),
        ("SELECT * WHERE " + "{ " * 40 + "?s ?p ?o" + " }" * 40, 40, 40),
        ("SELECT * WHERE { ?s <u:p> " + "[ <u:p> " * 30 + "1" + " ]" * 30 + " }", 31, 1),
        ('# { { {\nASK { ?s ?p "((((" }', 1, 1),
    ],
)
def test_measure_counts_nesting_and_patterns_outside_strings_and_data(query, depth, patterns):
    assert limits.measure(query) == (depth, patterns)


def test_check_names_the_limit_and_the_value_found():
    deep = "SELECT * WHERE { BIND(" + "(" * 150 + "1" + ")" * 150 + " AS ?x) }"
    with pytest.raises(limits.QueryOverLimit) as raised:
        limits.check(deep, max_depth=100, max_patterns=5000)
    assert str(raised.value) == "the query nests brackets 152 deep, over the limit of 100 (query_max_depth)"
    assert (raised.value.found, raised.value.limit, raised.value.setting) == (152, 100, "query_max_depth")
    huge = "SELECT * WHERE { " + " ".join(f"?s <u:p{i}> ?o{i} ." for i in range(6000)) + " }"
    with pytest.raises(
        limits.QueryOverLimit, match=r"has 6,001 patterns, over the limit of 5,000 \(query_max_patterns\)"
    ):
        limits.check(huge, max_depth=100, max_patterns=5000)
    limits.check(huge, max_depth=100, max_patterns=10_000)


# --- kg query ----------------------------------------------------------------------------------------------


def test_kg_query_knows_the_common_prefixes(runner, settings, built):
    result = runner.invoke(app, ["query", "--store", str(settings.store_dir), B5])
    assert result.exit_code == 0, result.stderr
    assert "https://w3id.org/mea-kg/id/activity/jwp/B5" in result.stdout


def test_kg_query_says_what_is_wrong_in_one_line(runner, settings, built):
    result = runner.invoke(app, ["query", "--store", str(settings.store_dir), "SELECT * { ?s wdt:P31 ?o }"])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.strip() == (
        "error: bad query: line 1, column 15: unknown prefix wdt: — declare it with "
        "PREFIX wdt: <http://www.wikidata.org/prop/direct/>"
    )


def test_kg_query_refuses_a_hostile_query_before_parsing_it(runner, settings, built):
    deep = "SELECT * WHERE " + "{ " * 5000 + "?s ?p ?o" + " }" * 5000  # would overflow the parser's stack
    result = runner.invoke(app, ["query", "--store", str(settings.store_dir), deep])
    assert result.exit_code == 2 and result.stdout == ""
    assert (
        result.stderr.strip() == "error: the query nests brackets 5,000 deep, over the limit of 100 (query_max_depth)"
    )


def test_kg_query_limits_follow_the_environment(runner, settings, built):
    query = "SELECT * WHERE { { { ?s ?p ?o } } } LIMIT 1"
    result = runner.invoke(app, ["query", "--store", str(settings.store_dir), query], env={"KG_QUERY_MAX_DEPTH": "2"})
    assert result.exit_code == 2
    assert "over the limit of 2 (query_max_depth)" in result.stderr


def test_the_federation_guards_parse_errors_read_the_same_way():
    from kg import guard

    with pytest.raises(SyntaxError) as raised:
        guard.check("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } FILTER(?o > ) }", [])
    assert raised.value.msg == (
        "line 1, column 67: cannot read the clause that starts here (checking for SERVICE/LOAD): FILTER(?o > ) }"
    )
    with pytest.raises(SyntaxError, match=r"^line 1, column 16: the '\{' here is never closed"):
        guard.check("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o }", [])


@pytest.mark.parametrize("server", ["oxigraph", "virtuoso"])
def test_kg_query_on_a_remote_store_sends_the_prefix_lines_the_query_needs(runner, remote_servers, server):
    remote = remote_servers(server)
    result = runner.invoke(app, ["query", "--store-url", remote["store_url"], B5])
    assert result.exit_code == 0, result.stderr
    assert "https://w3id.org/mea-kg/id/activity/jwp/B5" in result.stdout
    deep = "SELECT * WHERE " + "{ " * 5000 + "?s ?p ?o" + " }" * 5000
    refused = runner.invoke(app, ["query", "--store-url", remote["store_url"], deep])
    assert refused.exit_code == 2 and "(query_max_depth)" in refused.stderr
