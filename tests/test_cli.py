"""The kg command line, as a user runs it: formats, exit codes, messages on stderr."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from kg.cli import app
from tests.helpers import ask, bindings

JWP_ACTIVITIES = """
PREFIX mea: <https://w3id.org/mea-kg/ontology#>
SELECT ?activity ?code WHERE { ?activity a mea:Activity ; mea:code ?code ;
  mea:programme <https://w3id.org/mea-kg/id/programme/jwp> } ORDER BY ?code"""


@pytest.fixture()
def kg(runner, settings, built):
    """Invoke `kg` on the session's built store."""

    def invoke(*args: str):
        return runner.invoke(app, [*args, "--store", str(settings.store_dir)])

    return invoke


def test_query_json_lists_the_33_jwp_activities(kg):
    result = kg("query", "--format", "json", JWP_ACTIVITIES)
    assert result.exit_code == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["head"]["vars"] == ["activity", "code"] or set(answer["head"]["vars"]) == {"activity", "code"}
    rows = bindings(answer)
    codes = [row["code"] for row in rows]
    assert len(codes) == 33
    assert {"A1", "A2", "B1", "B21", "C5", "D5"} <= set(codes)
    assert all(row["activity"].startswith("https://w3id.org/mea-kg/id/activity/jwp/") for row in rows)


@pytest.mark.parametrize(
    ("fmt", "marker"),
    [("xml", "<sparql"), ("csv", "activity,code"), ("tsv", "?activity\t?code")],
)
def test_query_result_formats(kg, fmt, marker):
    result = kg("query", "--format", fmt, JWP_ACTIVITIES)
    assert result.exit_code == 0
    assert marker in result.stdout


@pytest.mark.parametrize(
    ("fmt", "marker"),
    [("turtle", "mea:code"), ("ntriples", "<https://w3id.org/mea-kg/ontology#code>"), ("jsonld", "@id")],
)
def test_construct_formats(kg, fmt, marker):
    construct = (
        "PREFIX mea: <https://w3id.org/mea-kg/ontology#> CONSTRUCT { ?a mea:code ?c } WHERE { ?a mea:code ?c } LIMIT 3"
    )
    result = kg("query", "--format", fmt, construct)
    assert result.exit_code == 0
    assert marker in result.stdout


def test_query_from_file(kg, tmp_path):
    query_file = tmp_path / "count.rq"
    query_file.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    result = kg("query", f"@{query_file}")
    assert result.exit_code == 0
    assert int(bindings(result.stdout)[0]["n"]) > 1000


def test_bad_query_exits_2_with_parser_message(kg):
    result = kg("query", "SELECT ?x WHERE { ?x ?y }")
    assert result.exit_code == 2
    assert "bad query" in result.stderr and "1:26" in result.stderr
    assert result.stdout == ""


def test_format_that_does_not_fit_exits_2(kg):
    result = kg("query", "--format", "turtle", "SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    assert result.exit_code == 2
    assert "SELECT/ASK" in result.stderr


def test_missing_query_file_exits_2(kg, tmp_path):
    result = kg("query", f"@{tmp_path / 'nope.rq'}")
    assert result.exit_code == 2
    assert "cannot read query file" in result.stderr


def test_query_without_store_builds_it_first(runner, tmp_path):
    result = runner.invoke(
        app, ["query", "ASK { ?s ?p ?o }", "--store", str(tmp_path / "fresh")], env={"KG_OWL_CHECK": "false"}
    )  # HermiT's check has its own tests (test_reason)
    assert result.exit_code == 0, result.stderr
    assert "building it first" in result.stderr
    assert ask(result.stdout) is True


def test_build_failure_exits_1_with_file_and_line(runner, project_copy):
    (project_copy.data_dir / "broken.ttl").write_text("@prefix ex: <http://ex/> .\nex:a ex:b .\n")
    result = runner.invoke(
        app, ["build", "--store", str(project_copy.store_dir)], env={"KG_PROJECT_DIR": str(project_copy.project_dir)}
    )
    assert result.exit_code == 1
    assert "broken.ttl:2" in result.stderr


def test_console_script_runs_as_installed(settings, built):
    """The real `kg` entry point in a subprocess (no test runner in between)."""
    completed = subprocess.run(
        [sys.executable, "-m", "kg", "query", "--store", str(settings.store_dir), "ASK { ?s a ?o }"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert ask(completed.stdout) is True


@pytest.mark.parametrize(("fmt", "rdflib_format"), [("turtle", "turtle"), ("nquads", "nquads"), ("jsonld", "json-ld")])
def test_export_writes_the_whole_graph(kg, tmp_path, fmt, rdflib_format, graph):
    import rdflib

    target = tmp_path / f"export.{fmt}"
    result = kg("export", "--format", fmt, "--output", str(target))
    assert result.exit_code == 0, result.stderr
    parsed = (
        rdflib.Dataset().parse(target, format=rdflib_format)
        if fmt == "nquads"
        else rdflib.Graph().parse(target, format=rdflib_format)
    )
    if fmt == "nquads":
        assert len(parsed) == len(graph)
    else:
        assert len(parsed) == len(
            list(graph.query("SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o }", use_default_graph_as_union=True))
        )


def test_export_refuses_a_results_format(kg):
    result = kg("export", "--format", "csv")
    assert result.exit_code == 2 and "results format" in result.stderr
